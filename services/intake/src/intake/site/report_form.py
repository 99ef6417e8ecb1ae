"""The report form as steps: what each step asks, how its answers are checked, and the finished report.

Pure functions over the posted fields, so the flow is unit-tested without HTTP. Earlier answers
travel in hidden fields; every request carries the whole form, and nothing is stored before submit.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from enum import StrEnum

from pydantic import ValidationError

from intake.reports.schemas import ContactCreate, ReportCreate
from intake.site.labels import N_
from meldestelle_shared.taxonomy import District, Form, Ground, LifeArea, ReporterRole, Wish
from meldestelle_shared.validation import check_incident_date

STEPS = ("what", "why", "where", "who", "wishes", "evidence", "contact", "review")
DESCRIPTION_MIN, DESCRIPTION_MAX = 10, 10_000
YEARS_BACK = 10


@dataclass
class Answers:
    """Everything the form has collected so far, as posted."""

    description: str = ""
    forms: list[str] = field(default_factory=list)
    grounds: list[str] = field(default_factory=list)
    life_area: str = ""
    district: str = ""
    year: str = ""
    month: str = ""
    day: str = ""
    reporter_role: str = ""
    wishes: list[str] = field(default_factory=list)
    referral_consent: str = ""  # "yes" or "no"; not answered counts as no
    evidence_original_consent: str = ""
    consent_contact: str = ""
    email: str = ""

    @classmethod
    def from_form(cls, form: Mapping) -> "Answers":
        """Read the answers out of a posted form (unknown fields are ignored)."""
        values = {}
        for item in fields(cls):
            if item.name in ("forms", "grounds", "wishes"):
                values[item.name] = [str(v) for v in form.getlist(item.name)]
            else:
                values[item.name] = str(form.get(item.name, "")).strip()
        return cls(**values)

    def hidden_fields(self, *, except_step: str) -> list[tuple[str, str]]:
        """The (name, value) pairs of the other steps' answers, to carry as hidden inputs."""
        shown = set(STEP_FIELDS[except_step])
        pairs = []
        for item in fields(self):
            if item.name in shown:
                continue
            value = getattr(self, item.name)
            values = value if isinstance(value, list) else [value]
            pairs.extend((item.name, v) for v in values if v)
        return pairs

    def incident_date(self) -> str | None:
        """The date as YYYY-MM-DD or YYYY-MM, or None when not given."""
        if not (self.year and self.month):
            return None
        return f"{self.year}-{int(self.month):02d}" + (f"-{int(self.day):02d}" if self.day else "")


STEP_FIELDS: dict[str, tuple[str, ...]] = {
    "what": ("description", "forms"),
    "why": ("grounds",),
    "where": ("life_area", "district", "year", "month", "day"),
    "who": ("reporter_role",),
    "wishes": ("wishes", "referral_consent"),
    "evidence": ("evidence_original_consent",),  # the files themselves are kept with the draft (intake.site.evidence_step)
    "contact": ("consent_contact", "email"),
    "review": (),
}


@dataclass(frozen=True)
class FieldProblem:
    """A field the resident must correct: its form field name and a message id to translate."""

    field: str
    message: str


def check_step(step: str, answers: Answers, *, today: date | None = None) -> list[FieldProblem]:
    """The problems in one step's answers (none means the step is complete)."""
    return _CHECKS[step](answers, today or date.today())


def first_incomplete_step(answers: Answers, *, today: date | None = None) -> tuple[str, list[FieldProblem]] | None:
    """The first step with problems, and its problems; None when the whole form is ready."""
    for step in STEPS:
        if problems := check_step(step, answers, today=today):
            return step, problems
    return None


def year_choices(today: date | None = None) -> list[int]:
    """The years offered for the incident date, newest first."""
    year = (today or date.today()).year
    return list(range(year, year - YEARS_BACK - 1, -1))


def to_report(answers: Answers, *, language: str) -> ReportCreate:
    """The finished report; call only when first_incomplete_step found nothing."""
    consent = answers.consent_contact == "yes"
    return ReportCreate(
        description=answers.description,
        forms=answers.forms,
        grounds=answers.grounds,
        life_area=answers.life_area or None,
        district=answers.district or None,
        reporter_role=answers.reporter_role or None,
        incident_date=answers.incident_date(),
        language=language,
        wishes=answers.wishes,
        referral_consent=answers.referral_consent == "yes",
        evidence_original_consent=answers.evidence_original_consent == "yes",
        consent_contact=consent,
        contact={"email": answers.email} if consent and answers.email else None,
    )


def _check_what(answers: Answers, today: date) -> list[FieldProblem]:
    problems = []
    if len(answers.description) < DESCRIPTION_MIN:
        problems.append(FieldProblem("description", N_("Please describe what happened in at least 10 characters.")))
    elif len(answers.description) > DESCRIPTION_MAX:
        problems.append(FieldProblem("description", N_("Your description is too long. Please shorten it to at most 10,000 characters.")))
    problems += _choices("forms", answers.forms, Form)
    return problems


def _check_why(answers: Answers, today: date) -> list[FieldProblem]:
    return _choices("grounds", answers.grounds, Ground)


def _check_where(answers: Answers, today: date) -> list[FieldProblem]:
    problems = _choice("life_area", answers.life_area, LifeArea) + _choice("district", answers.district, District)
    year, month, day = answers.year, answers.month, answers.day
    if not all(part == "" or part.isdigit() for part in (year, month, day)):
        return problems + [FieldProblem("year", N_("Please choose the date from the lists."))]
    if day and not month:
        problems.append(FieldProblem("month", N_("Please also choose the month, or leave the day empty.")))
    elif month and not year:
        problems.append(FieldProblem("year", N_("Please also choose the year, or leave the month empty.")))
    elif year and not month:
        problems.append(FieldProblem("month", N_("Please also choose the month. If you don't know it, leave the year empty too.")))
    elif year:
        try:
            check_incident_date(answers.incident_date(), today=today)
        except ValueError as error:
            future = "future" in str(error)
            message = N_("This date is in the future.") if future else N_("This date does not exist. Please check it.")
            problems.append(FieldProblem("day" if day else "month", message))
    return problems


def _check_who(answers: Answers, today: date) -> list[FieldProblem]:
    return _choice("reporter_role", answers.reporter_role, ReporterRole)


def _check_wishes(answers: Answers, today: date) -> list[FieldProblem]:
    problems = _choices("wishes", answers.wishes, Wish)
    # "Only record it" and a wish for more contradict each other; the office could not tell which is meant.
    if not problems and Wish.RECORD_ONLY in answers.wishes and len(answers.wishes) > 1:
        problems.append(FieldProblem("wishes", N_("“Only record it” cannot be combined with other answers. Please untick it or the others.")))
    if answers.referral_consent not in ("", "yes", "no"):
        problems.append(FieldProblem("referral_consent", N_("Please choose from the list.")))
    return problems
def _check_evidence(answers: Answers, today: date) -> list[FieldProblem]:
    if answers.evidence_original_consent not in ("", "yes"):
        return [FieldProblem("evidence_original_consent", N_("Please choose from the list."))]
    return []


def _check_contact(answers: Answers, today: date) -> list[FieldProblem]:
    consent = answers.consent_contact
    if consent not in ("", "yes"):
        return [FieldProblem("consent_contact", N_("Please choose from the list."))]
    if consent and not answers.email:
        return [FieldProblem("email", N_("Please enter your e-mail address, or untick the box if you do not want to be contacted."))]
    if answers.email and not consent:
        return [FieldProblem("consent_contact", N_("Please tick the box to agree, or delete the e-mail address."))]
    if answers.email:
        try:
            ContactCreate(email=answers.email)
        except ValidationError:
            return [FieldProblem("email", N_("This does not look like an e-mail address. Please check it."))]
    return []


def _check_review(answers: Answers, today: date) -> list[FieldProblem]:
    return []


_CHECKS = {
    "what": _check_what,
    "why": _check_why,
    "where": _check_where,
    "who": _check_who,
    "wishes": _check_wishes,
    "evidence": _check_evidence,
    "contact": _check_contact,
    "review": _check_review,
}


def _choice(name: str, value: str, codes: type[StrEnum]) -> list[FieldProblem]:
    return [] if value == "" or value in {code.value for code in codes} else [FieldProblem(name, N_("Please choose from the list."))]


def _choices(name: str, values: list[str], codes: type[StrEnum]) -> list[FieldProblem]:
    allowed = {code.value for code in codes}
    if any(v not in allowed for v in values) or len(set(values)) != len(values):
        return [FieldProblem(name, N_("Please choose from the list."))]
    return []
