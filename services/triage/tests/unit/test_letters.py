"""Letters without I/O: the built-in templates render, the sandbox refuses unsafe templates, the PDF reads back,
a statement request feeds the deadline engine, and bad input is refused naming the field."""

from datetime import UTC, date, datetime
from importlib.resources import files
from types import SimpleNamespace
from uuid import uuid4

import pytest

from devstack.pdf import check_structure, pdf_text
from meldestelle_shared.events import LetterCreated, ReportSubmitted
from meldestelle_shared.taxonomy import District, Form, Ground, LifeArea
from triage.cases.deadlines import DeadlineKind, DeadlinePeriods
from triage.cases.model import Case, CaseRules
from triage.audit.log import Actor
from triage.errors import Conflict, Invalid
from triage.letters.fields import LetterInput, sample_fields, template_fields
from triage.letters.pdf import Letterhead, letter_pdf
from triage.letters.service import LetterDesk, _checked_input, edit_template, seed_templates
from triage.letters.settings import LetterSettings
from triage.letters.templates import LetterKind, LetterTemplate, check_sources, render

OFFICE = LetterSettings(office_name="Antidiskriminierungsstelle Beispielstadt", office_address="Rathausplatz 1; 40200 Beispielstadt")
TODAY = date(2026, 12, 1)
SAMPLE = sample_fields(OFFICE)


def builtin(kind: LetterKind) -> LetterTemplate:
    folder = files("triage.letters") / "builtin"
    subject, body = ((folder / f"{kind.value}.de.{part}.j2").read_text("utf-8") for part in ("subject", "body"))
    return LetterTemplate(kind, "de", 1, subject, body, datetime.now(UTC), None)


def a_case(incident_date: str | None = "2026-11-20") -> Case:
    report_id = uuid4()
    event = ReportSubmitted(
        correlation_id=report_id, report_id=report_id, sealed_description="c2VhbGVk", occurred_at=datetime(2026, 11, 24, 9, tzinfo=UTC),
        grounds=[Ground.AGE], forms=[Form.UNEQUAL_TREATMENT], life_area=LifeArea.HOUSING, district=District.MITTE, incident_date=incident_date,
    )  # fmt: skip
    return Case.open(event, reference="DU-2026-000042", rules=CaseRules(), created_at=datetime.now(UTC))


def fields_for(kind: LetterKind, **given: object) -> dict[str, object]:
    checked = _checked_input(kind, LetterInput(**given), TODAY)  # type: ignore[arg-type]
    return template_fields(a_case(), checked, language="de", today=TODAY, office=OFFICE, periods=DeadlinePeriods())


def test_the_statement_request_names_the_reference_reply_date_labels_office_and_free_text():
    letter = render(builtin(LetterKind.STATEMENT_REQUEST), fields_for(LetterKind.STATEMENT_REQUEST, text="Am Empfang wurde ihr der Zutritt verweigert.", reply_by=date(2026, 12, 18)))
    assert letter.subject == "Bitte um Stellungnahme bis zum 18. Dezember 2026 – unser Zeichen DU-2026-000042"
    assert "bis zum 18. Dezember 2026" in letter.body and "vom 20. November 2026" in letter.body
    assert "„Wohnen“" in letter.body and "Lebensalter" in letter.body  # taxonomy labels, not codes
    assert "Am Empfang wurde ihr der Zutritt verweigert." in letter.body
    assert letter.body.endswith("Antidiskriminierungsstelle Beispielstadt")


def test_the_agg_confirmation_gives_the_engines_deadline_and_the_complaint_renders():
    confirmation = render(builtin(LetterKind.AGG_CONFIRMATION), fields_for(LetterKind.AGG_CONFIRMATION))
    # Housing: AGG §21(5), two months from the incident on 20 November 2026 = 20 January 2027.
    assert "bis zum 20. Januar 2027 schriftlich" in confirmation.body and "am 24. November 2026" in confirmation.body
    complaint = render(builtin(LetterKind.COMPLAINT), fields_for(LetterKind.COMPLAINT, text="Bitte <b>prüfen</b> & antworten."))
    assert "Bitte <b>prüfen</b> & antworten." in complaint.body  # plain text: no HTML escaping in a letter
    assert complaint.subject.startswith("Beschwerde wegen Diskriminierung")
    # The caseworker's text is a value, never template code.
    literal = render(builtin(LetterKind.COMPLAINT), fields_for(LetterKind.COMPLAINT, text="{{ office.__class__ }} {% if 1 %}x{% endif %}"))
    assert "{{ office.__class__ }} {% if 1 %}x{% endif %}" in literal.body


@pytest.mark.parametrize(
    ("subject", "body", "field", "reason"),
    [
        ("Betreff", "Zeile eins\n{{ text.__class__.__mro__ }}", "body", "line 2: refused by the sandbox"),
        ("{{ reference.__class__ }}", "Text", "subject", "line 1: refused by the sandbox"),
        ("Betreff", "{% for x in office.items() %}{{ x.__init__.__globals__ }}{% endfor %}", "body", "line 1: refused by the sandbox"),
        ("Betreff", "eins\nzwei\n{% if %}drei", "body", "line 3: "),
        ("Betreff {{ reference", "Text", "subject", "line 1: "),
        ("Betreff", "eins\n{{ no_such_field }}", "body", "line 2: 'no_such_field' is undefined"),
        ("Betreff", "  ", "body", "must not be empty"),
    ],
)
def test_a_bad_or_unsafe_template_is_refused_naming_the_part_and_line(subject, body, field, reason):
    with pytest.raises(Invalid) as refused:
        check_sources(subject, body, SAMPLE)
    assert refused.value.fields[0].field == field and refused.value.fields[0].reason.startswith(reason)


def test_every_built_in_template_passes_the_edit_check():
    for kind in LetterKind:
        template = builtin(kind)
        check_sources(template.subject, template.body, SAMPLE)


@pytest.mark.parametrize(
    ("kind", "reply_by", "reason"),
    [
        (LetterKind.STATEMENT_REQUEST, None, "a request for a statement needs the reply date"),
        (LetterKind.STATEMENT_REQUEST, TODAY, "must be after today"),
        (LetterKind.COMPLAINT, date(2026, 12, 20), "only a request for a statement has a reply date"),
    ],
)
def test_the_reply_date_is_required_exactly_for_a_statement_request(kind, reply_by, reason):
    with pytest.raises(Invalid) as refused:
        _checked_input(kind, LetterInput(reply_by=reply_by), TODAY)
    assert (refused.value.fields[0].field, refused.value.fields[0].reason) == ("reply_by", reason)


def test_the_pdf_is_a4_valid_and_holds_the_escaped_text():
    letter = render(builtin(LetterKind.COMPLAINT), fields_for(LetterKind.COMPLAINT, text="Größe <font> & Maß"))
    head = Letterhead(OFFICE.office_name, tuple(OFFICE.address_lines()), ("0211 12345",), "Beispielstadt")
    pdf = letter_pdf(letter, letterhead=head, recipient="Hausverwaltung Muster\nWeg 2", date_line="Beispielstadt, 1. Dezember 2026", title="x")
    check_structure(pdf)
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in pdf  # A4 in points
    text = pdf_text(pdf)
    for line in ("Antidiskriminierungsstelle Beispielstadt", "Rathausplatz 1", "Hausverwaltung Muster", "Beispielstadt, 1. Dezember 2026", letter.subject, "Größe <font> & Maß"):
        assert line in text
    assert b"http" not in pdf.replace(b"http://www.reportlab.com", b"")  # nothing external


def test_a_statement_request_letter_is_on_the_timeline_and_feeds_the_deadline_engine():
    case, letter_id = a_case(), uuid4()
    change = case.record_letter(letter_id, template="statement_request", language="de", version=3, reply_by=date(2026, 12, 18), requested_on=TODAY, actor_id="s1")
    [event] = change.events
    assert isinstance(event, LetterCreated) and (event.letter_id, event.template, event.template_version) == (letter_id, "statement_request", 3)
    assert set(event.model_dump()) == {"event_id", "event_type", "schema_version", "occurred_at", "correlation_id", "case_id", "report_id", "letter_id", "template", "template_version"}
    assert change.entry is not None and change.entry.kind == "letter" and change.entry.sealed_text is None
    [reply] = [d for d in change.after.deadlines(DeadlinePeriods()) if d.kind is DeadlineKind.STATEMENT_REPLY]
    assert (reply.runs_from, reply.due, reply.source_id) == (TODAY, date(2026, 12, 18), str(letter_id))
    complaint = case.record_letter(uuid4(), template="complaint", language="de", version=1, reply_by=None, requested_on=TODAY, actor_id="s1")
    assert not [d for d in complaint.after.deadlines(DeadlinePeriods()) if d.kind is DeadlineKind.STATEMENT_REPLY]


class FakeTemplates:
    """Template versions in memory, with the repository's rule: a version number is written once."""

    def __init__(self) -> None:
        self.versions: dict[str, LetterTemplate] = {}
        self.heads: dict[tuple[LetterKind, str], int] = {}
        self.lose_next = False  # another lead saves the same version number first

    async def current_version(self, kind: LetterKind, language: str) -> int | None:
        return self.heads.get((kind, language))

    async def add_version(self, template: LetterTemplate) -> bool:
        if self.lose_next or template.id in self.versions:
            return False
        self.versions[template.id] = template
        self.heads[(template.kind, template.language)] = template.version
        return True


class FakeAudit:
    def __init__(self) -> None:
        self.entries: list[tuple[str | None, str, str | None]] = []

    async def append(self, actor, action: str, *, case_id=None, outcome="ok", reason=None) -> None:  # noqa: ANN001
        self.entries.append((actor.id, action, reason))


def letter_desk(templates: FakeTemplates, audit: FakeAudit) -> LetterDesk:
    return LetterDesk(templates=templates, letters=None, office=OFFICE, cases=SimpleNamespace(audit=audit))  # type: ignore[arg-type]


async def test_each_edit_is_a_new_version_and_the_old_ones_stay():
    templates, audit = FakeTemplates(), FakeAudit()
    desk = letter_desk(templates, audit)
    await seed_templates(templates)  # type: ignore[arg-type]
    assert templates.heads == {(kind, "de"): 1 for kind in LetterKind}
    first = templates.versions["complaint:de:1"]
    second = await edit_template(LetterKind.COMPLAINT, "de", "Betreff {{ reference }}", "{{ text }}", actor=Actor("staff", "lead-1"), desk=desk)
    third = await edit_template(LetterKind.COMPLAINT, "de", "Betreff", "Neu", actor=Actor("staff", "lead-2"), desk=desk)
    assert (second.version, third.version, third.created_by) == (2, 3, "lead-2")
    assert templates.versions["complaint:de:1"] == first and templates.versions["complaint:de:2"] == second
    assert audit.entries == [("lead-1", "letter_template.edit", "complaint:de:2"), ("lead-2", "letter_template.edit", "complaint:de:3")]
    await seed_templates(templates)  # type: ignore[arg-type]  # a restart does not put the built-in version back
    assert templates.heads[(LetterKind.COMPLAINT, "de")] == 3


async def test_a_refused_or_lost_edit_stores_nothing():
    templates, audit = FakeTemplates(), FakeAudit()
    desk, lead = letter_desk(templates, audit), Actor("staff", "lead-1")
    with pytest.raises(Invalid):
        await edit_template(LetterKind.COMPLAINT, "de", "Betreff", "{{ text.__class__ }}", actor=lead, desk=desk)
    templates.lose_next = True
    with pytest.raises(Conflict):
        await edit_template(LetterKind.COMPLAINT, "de", "Betreff", "Text", actor=lead, desk=desk)
    assert templates.versions == {} and audit.entries == []


def test_markup_in_the_caseworkers_text_stays_text_and_loads_nothing():
    """ReportLab reads paragraphs as markup: an <img> tag would make it open a file or URL while rendering."""
    injected = '<img src="/etc/hostname" width="20" height="20"/><link href="http://example.org">hier</link>'
    letter = render(builtin(LetterKind.COMPLAINT), fields_for(LetterKind.COMPLAINT, text=injected, recipient=injected))
    head = Letterhead(OFFICE.office_name, tuple(OFFICE.address_lines()), (), "Beispielstadt")
    pdf = letter_pdf(letter, letterhead=head, recipient=injected, date_line="Beispielstadt, 1. Dezember 2026", title="x")
    assert pdf_text(pdf).count(injected) == 2 and b"/XObject" not in pdf and b"/URI" not in pdf
