"""The case page's forms are read into the API's request models: same checks, each refusal by field, values kept for the page."""

from datetime import date

import pytest
from starlette.datastructures import FormData

from triage.cases.schemas import ConsultationCreate, DocumentationUpdate, InterventionChange, ReferralCreate
from triage.errors import Conflict, Invalid
from triage.letters.schemas import TemplateEdit
from triage.workbench.casework_view import FieldsInvalid, form_failure, parse_form


def test_a_form_becomes_the_api_model_and_empty_fields_are_left_out():
    form = FormData([("csrf_token", "t"), ("held_on", "2026-11-30"), ("channel", "phone"), ("minutes", "45"), ("note", "")])
    body = parse_form(ConsultationCreate, form)
    assert (body.held_on, body.channel, body.minutes, body.note) == (date(2026, 11, 30), "phone", 45, None)


def test_every_bad_field_is_named_with_the_api_models_reason():
    form = FormData([("held_on", "gestern"), ("channel", "pigeon"), ("minutes", "0")])
    with pytest.raises(FieldsInvalid) as refused:
        parse_form(ConsultationCreate, form)
    assert isinstance(refused.value, Invalid)
    assert sorted(f.field for f in refused.value.fields) == ["channel", "held_on", "minutes"]


def test_checkbox_groups_are_lists_and_an_unticked_group_is_empty():
    form = FormData([("level", ""), ("consequences", "health"), ("consequences", "financial")])
    body = parse_form(DocumentationUpdate, form, lists=("consequences",))
    assert body.level is None and body.consequences == ["health", "financial"]
    referral = FormData([("service_id", "s"), ("referred_on", "2026-11-30")])
    with pytest.raises(FieldsInvalid) as refused:
        parse_form(ReferralCreate, referral, lists=("passed_on",))
    assert [f.field for f in refused.value.fields] == ["passed_on"]


def test_an_emptied_due_date_reads_as_none_so_the_page_removes_it():
    assert parse_form(InterventionChange, FormData([("outcome", "successful"), ("due_on", "")])).due_on is None


def test_a_textareas_crlf_line_breaks_are_stored_as_newlines():
    body = parse_form(TemplateEdit, FormData([("subject", "Betreff"), ("body", "Absatz eins\r\n\r\nAbsatz zwei")]))
    assert body.body == "Absatz eins\n\nAbsatz zwei"


def test_a_failure_keeps_the_values_sent_but_not_the_csrf_token():
    form = FormData([("csrf_token", "secret"), ("kind", "statement_request"), ("due_on", ""), ("passed_on", "a"), ("passed_on", "b")])
    failed = form_failure(Invalid("due_on", "needs the reply date"), "interventions", 422, form)
    assert failed.fields == {"due_on": "needs the reply date"} and "csrf_token" not in failed.values
    assert (failed.value("kind"), failed.value("due_on", "x"), failed.value("missing", "default")) == ("statement_request", "", "default")
    assert failed.chosen("passed_on") == ["a", "b"] and failed.chosen("nothing") == []
    conflict = form_failure(Conflict("No consent."), "referrals", 409, form)
    assert conflict.fields == {} and conflict.message == "No consent." and conflict.status == 409
