"""What the case page's case-work sections need: choices, suggestions, the case's letters and consultations, and a refused form."""

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from meldestelle_shared.settings import office_today
from meldestelle_shared.taxonomy import (
    CaseSource,
    Consequence,
    ConsultationChannel,
    InterventionKind,
    InterventionOutcome,
    Level,
    OtherSide,
    ReferralContent,
)
from meldestelle_shared.web import FieldError
from triage.bootstrap import TriageContext
from triage.cases.model import Case
from triage.errors import Invalid, Refusal
from triage.letters.templates import LetterKind
from triage.referrals.suggestions import suggest

CASEWORK_CHOICES = {
    "levels": list(Level), "consequences": list(Consequence), "other_sides": list(OtherSide), "sources": list(CaseSource),
    "channels": list(ConsultationChannel), "outcomes": list(InterventionOutcome), "referral_contents": list(ReferralContent),
    "letter_kinds": list(LetterKind),
    # A referral is recorded through the referral form, which checks the person's consent.
    "intervention_kinds": [kind for kind in InterventionKind if kind is not InterventionKind.REFERRAL],
}  # fmt: skip


@dataclass(frozen=True)
class FormFailure:
    """A refused case-page form: its section, the message, the reason per field, and the values as they were sent."""

    section: str
    status: int
    message: str
    fields: dict[str, str]
    values: dict[str, list[str]] = field(default_factory=dict)
    target: str = ""  # which of a section's forms, where it has one per entry (an intervention's id)

    def value(self, name: str, default: object = "") -> object:
        """The sent value of a field (for re-showing the form); the default if the form did not send it."""
        if name not in self.values:
            return default
        return self.values[name][0] if self.values[name] else ""

    def chosen(self, name: str) -> list[str]:
        """The ticked values of a group of checkboxes."""
        return self.values.get(name, [])


class FieldsInvalid(Invalid):
    """A form whose fields do not parse: each field with its reason."""

    def __init__(self, fields: list[FieldError]) -> None:
        Refusal.__init__(self, "Please check: " + ", ".join(f.field for f in fields) + ".", fields)


def parse_form(model: type[BaseModel], form: Any, *, lists: tuple[str, ...] = ()) -> Any:
    """A form read into the API's request model, so the page checks exactly what the API checks; an empty field is left out."""
    data: dict[str, object] = {}
    for name in model.model_fields:
        if name in lists:
            data[name] = [str(value) for value in form.getlist(name) if value]
        elif (value := str(form.get(name, ""))) != "":
            data[name] = value.replace("\r\n", "\n")  # browsers send a textarea's line breaks as CRLF
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise FieldsInvalid(
            [FieldError(field=str(e["loc"][0]) if e["loc"] else "form", reason=e["msg"]) for e in error.errors(include_url=False)]
        ) from None


def form_failure(refusal: Refusal, section: str, status: int, form: Any, target: str = "") -> FormFailure:
    """The refusal of a case-page form, to show beside its fields."""
    values = {key: [str(v) for v in form.getlist(key)] for key in form.keys() if key != "csrf_token"}
    fields = {error.field: error.reason for error in refusal.fields}
    return FormFailure(section, status, refusal.message, fields, values, target)


async def casework_view(case: Case, context: TriageContext) -> dict[str, object]:
    """The case-work sections' data: choices, suggested services, the directory, letter languages and today's date."""
    codes = case.effective
    suggestions = suggest(context.referrals, grounds=codes.grounds, life_area=codes.life_area, language=case.reporter.language)
    heads = await context.letters.templates.heads()
    return {
        "suggestions": suggestions, "services": context.referrals.services, "today": office_today(),
        "service_names": {service.id: service.name for service in context.referrals.services},
        "letter_languages": sorted({language for _, language, _ in heads}), **CASEWORK_CHOICES,
    }  # fmt: skip
