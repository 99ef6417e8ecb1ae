"""The report form's steps, checked as plain functions."""

from datetime import date

import pytest
from starlette.datastructures import FormData

from intake.site.report_form import Answers, check_step, first_incomplete_step, to_report

TODAY = date(2026, 11, 25)


def answers(**fields) -> Answers:
    items = [(name, v) for name, value in fields.items() for v in (value if isinstance(value, list) else [value])]
    return Answers.from_form(FormData(items))


@pytest.mark.parametrize(
    ("step", "fields", "field", "message"),
    [
        ("what", {"description": "kurz"}, "description", "at least 10 characters"),
        ("what", {"description": "x" * 10_001}, "description", "too long"),
        ("what", {"description": "Lang genug, wirklich.", "forms": ["threat", "astrology"]}, "forms", "from the list"),
        ("why", {"grounds": ["age", "age"]}, "grounds", "from the list"),
        ("where", {"life_area": "moon"}, "life_area", "from the list"),
        ("where", {"district": "berlin"}, "district", "from the list"),
        ("where", {"day": "3"}, "month", "leave the day empty"),
        ("where", {"month": "3"}, "year", "leave the month empty"),
        ("where", {"year": "2026"}, "month", "leave the year empty"),
        ("where", {"year": "2026", "month": "12"}, "month", "future"),
        ("where", {"year": "2025", "month": "2", "day": "30"}, "day", "does not exist"),
        ("where", {"year": "20x5", "month": "2"}, "year", "from the lists"),
        ("who", {"reporter_role": "judge"}, "reporter_role", "from the list"),
        ("wishes", {"wishes": ["advice", "revenge"]}, "wishes", "from the list"),
        ("wishes", {"wishes": ["advice", "advice"]}, "wishes", "from the list"),
        ("wishes", {"wishes": ["record_only", "legal_support"]}, "wishes", "cannot be combined"),
        ("wishes", {"referral_consent": "maybe"}, "referral_consent", "from the list"),
        ("contact", {"consent_contact": "yes"}, "email", "enter your e-mail"),
        ("contact", {"email": "a@example.org"}, "consent_contact", "tick the box"),
        ("contact", {"consent_contact": "yes", "email": "not-an-address"}, "email", "does not look like"),
    ],
)
def test_each_problem_names_its_field(step, fields, field, message):
    [problem] = check_step(step, answers(**fields), today=TODAY)
    assert problem.field == field and message in problem.message


def test_everything_but_the_description_may_stay_empty():
    minimal = answers(description="Im Bus wurde ich beschimpft.")
    assert first_incomplete_step(minimal, today=TODAY) is None
    report = to_report(minimal, language="ar")
    assert report.incident_date is None and report.contact is None and report.language == "ar"
    assert report.wishes == [] and report.referral_consent is False  # the wishes step is optional; consent defaults to no


@pytest.mark.parametrize(
    ("fields", "wishes", "consent"),
    [
        ({"wishes": ["record_only"], "referral_consent": "no"}, ["record_only"], False),
        ({"wishes": ["advice", "referral_to_counselling"], "referral_consent": "yes"}, ["advice", "referral_to_counselling"], True),
        ({"wishes": ["office_action", "legal_support", "advice"]}, ["office_action", "legal_support", "advice"], False),
    ],
)
def test_the_wishes_step_becomes_the_reports_wishes_and_consent(fields, wishes, consent):
    form = answers(description="Im Amt wurde ich ausgelacht.", **fields)
    assert check_step("wishes", form, today=TODAY) == [] and first_incomplete_step(form, today=TODAY) is None
    report = to_report(form, language="de")
    assert report.wishes == wishes and report.referral_consent is consent


def test_a_complete_form_becomes_a_report():
    full = answers(
        description="Die Vermieterin wollte nicht an uns vermieten.",
        forms=["denial_of_access_or_service"],
        grounds=["racist_attribution", "unknown"],
        life_area="housing",
        district="hamborn",
        year="2026",
        month="10",
        day="7",
        reporter_role="affected",
        consent_contact="yes",
        email="person@example.org",
    )
    report = to_report(full, language="de")
    assert report.incident_date == "2026-10-07" and report.grounds == ["racist_attribution", "unknown"]
    assert report.contact.email == "person@example.org" and report.consent_contact


def test_first_incomplete_step_points_back_to_the_problem():
    step, [problem] = first_incomplete_step(answers(description="ok"), today=TODAY)
    assert step == "what" and problem.field == "description"


def test_hidden_fields_carry_the_other_steps_answers():
    form = answers(description="Etwas ist passiert.", grounds=["age", "language"], year="2025", month="1")
    hidden = form.hidden_fields(except_step="why")
    assert ("description", "Etwas ist passiert.") in hidden and ("year", "2025") in hidden
    assert not any(name == "grounds" for name, _ in hidden)  # shown as checkboxes on this step
    assert ("grounds", "language") in form.hidden_fields(except_step="what")
