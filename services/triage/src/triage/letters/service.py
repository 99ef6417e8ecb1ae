"""What staff do with letters: make one for a case, download it, read and edit templates. Every step is audited.

A letter's text and PDF are sealed to the office key before they are stored; its event and timeline entry carry ids only.
"""

import base64
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib.resources import files
from uuid import uuid4

from meldestelle_shared.sealing import seal, unseal
from triage.audit.log import Actor
from triage.cases.actions import CaseDesk
from triage.cases.model import Case
from triage.cases.outbox import deliver
from triage.errors import Conflict, Invalid, NotFound
from triage.letters.fields import LetterInput, long_date, sample_fields, template_fields
from triage.letters.pdf import Letterhead, letter_pdf
from triage.letters.repository import LetterRepository, TemplateRepository
from triage.letters.settings import LetterSettings
from triage.letters.templates import LetterKind, LetterTemplate, check_sources, render

MAX_INPUT_LENGTH = 5000
BUILT_IN_LANGUAGES = ("de",)


@dataclass(frozen=True)
class LetterDesk:
    """What letter actions need: template and letter storage, the office's letterhead, and the case desk."""

    templates: TemplateRepository
    letters: LetterRepository
    office: LetterSettings
    cases: CaseDesk


@dataclass(frozen=True)
class MadeLetter:
    """A letter just made: its id and the template version it used."""

    letter_id: str
    template: LetterTemplate
    reply_by: date | None


@dataclass(frozen=True)
class LetterFile:
    """A letter's PDF opened for one download."""

    filename: str
    pdf: bytes


async def seed_templates(templates: TemplateRepository) -> None:
    """Store the built-in templates (version 1) of every kind and language that has none yet."""
    builtin = files("triage.letters") / "builtin"
    for kind in LetterKind:
        for language in BUILT_IN_LANGUAGES:
            if await templates.current_version(kind, language) is None:
                subject, body = ((builtin / f"{kind.value}.{language}.{part}.j2").read_text("utf-8") for part in ("subject", "body"))
                await templates.add_version(LetterTemplate(kind, language, 1, subject, body, datetime.now(UTC), None))


async def make_letter(case: Case, kind: LetterKind, language: str, given: LetterInput, *, today: date, actor: Actor, desk: LetterDesk) -> MadeLetter:
    """Render a letter for a case, store it sealed, put it on the case's timeline and announce it (ids only)."""
    given = _checked_input(kind, given, today)
    template = await desk.templates.get(kind, language)
    if template is None:
        raise Invalid("language", f"there is no {kind.value} template in this language")
    fields = template_fields(case, given, language=language, today=today, office=desk.office, periods=desk.cases.rules.deadline_periods)
    letter = render(template, fields)
    office = desk.office
    contact = tuple(filter(None, (office.office_phone, office.office_email)))
    letterhead = Letterhead(office.office_name, tuple(office.address_lines()), contact, office.office_city)
    date_line = f"{office.office_city}, {long_date(today)}"
    pdf = letter_pdf(letter, letterhead=letterhead, recipient=given.recipient, date_line=date_line, title=case.reference)
    letter_id = uuid4()
    key = desk.cases.office_key.public_key
    text = "\n\n".join(part for part in (given.recipient, letter.subject, letter.body) if part)
    # The letter is stored before the case names it, so the timeline never points at a letter that is not there.
    await desk.letters.add({
        "_id": str(letter_id), "case_id": case.id, "template": template.id, "created_at": datetime.now(UTC), "created_by": actor.id,
        "sealed_text": seal(key, text), "sealed_pdf": seal(key, base64.b64encode(pdf).decode()),
    })  # fmt: skip
    change = case.record_letter(
        letter_id, template=kind.value, language=language, version=template.version, reply_by=given.reply_by, requested_on=today, actor_id=actor.id
    )
    if await desk.cases.cases.apply(change) is None:
        await desk.letters.remove(str(letter_id))
        raise Conflict("The case was changed meanwhile. Please reload it and try again.")
    await desk.cases.audit.append(actor, "case.letter", case_id=case.id, reason=template.id)
    await deliver(case.id, change.events, cases=desk.cases.cases, publish=desk.cases.publish)
    return MadeLetter(str(letter_id), template, given.reply_by)


async def letter_file(case: Case, letter_id: str, *, actor: Actor, desk: LetterDesk) -> LetterFile:
    """A letter's PDF for download; only through the case it belongs to. Audited."""
    document = await desk.letters.get(letter_id)
    if document is None or document["case_id"] != case.id:
        await desk.cases.audit.append(actor, "case.letter_download", case_id=case.id, outcome="refused", reason="unknown_letter")
        raise NotFound("This case has no letter with this id.")
    pdf = base64.b64decode(unseal(desk.cases.office_key, document["sealed_pdf"]))
    await desk.cases.audit.append(actor, "case.letter_download", case_id=case.id)
    kind = document["template"].partition(":")[0]
    return LetterFile(filename=f"{case.reference}-{kind}-{letter_id[:8]}.pdf", pdf=pdf)


async def edit_template(kind: LetterKind, language: str, subject: str, body: str, *, actor: Actor, desk: LetterDesk) -> LetterTemplate:
    """Store an edit as the template's next version (old versions stay); it must parse and render in the sandbox."""
    check_sources(subject, body, sample_fields(desk.office))
    current = await desk.templates.current_version(kind, language)
    template = LetterTemplate(kind, language, (current or 0) + 1, subject, body, datetime.now(UTC), actor.id)
    if not await desk.templates.add_version(template):
        raise Conflict("Someone else edited this template meanwhile. Please reload it and try again.")
    await desk.cases.audit.append(actor, "letter_template.edit", reason=template.id)
    return template


async def template_version(kind: LetterKind, language: str, version: int | None, *, desk: LetterDesk) -> LetterTemplate:
    """One version of a template (the current one without `version`)."""
    template = await desk.templates.get(kind, language, version)
    if template is None:
        raise NotFound("No such template or version.")
    return template


def _checked_input(kind: LetterKind, given: LetterInput, today: date) -> LetterInput:
    for name, value in (("text", given.text), ("recipient", given.recipient)):
        if len(value) > MAX_INPUT_LENGTH:
            raise Invalid(name, f"must be at most {MAX_INPUT_LENGTH} characters")
    if kind is LetterKind.STATEMENT_REQUEST:
        if given.reply_by is None:
            raise Invalid("reply_by", "a request for a statement needs the reply date")
        if given.reply_by <= today:
            raise Invalid("reply_by", "must be after today")
    elif given.reply_by is not None:
        raise Invalid("reply_by", "only a request for a statement has a reply date")
    return LetterInput(text=given.text.strip(), recipient=given.recipient.strip(), reply_by=given.reply_by)
