"""The form's optional "What should happen?" step over HTTP, without JavaScript (Kafka and the database faked):
bad answers are refused naming the field, answers survive Back, the language switch and "Change", and the
submitted report carries the wishes and the counselling consent."""

import re

import pytest

from meldestelle_shared.events import ReportSubmitted, decode_event

STORY = "Im Bürgeramt wurde ich wegen meines Akzents nicht bedient."


def start(client) -> dict[str, str]:
    """Open the form; the fields every post carries (token and form id)."""
    page = client.get("/de/report").text
    return {
        "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1),
        "form_id": re.search(r'name="form_id" value="([^"]+)"', page).group(1),
    }


def post(client, form, step, action="next", language="de", **answers):
    return client.post(f"/{language}/report/{step}", data=form | {"step": step, "action": action, "description": STORY} | answers)


def checked(html: str, name: str) -> set[str]:
    return set(re.findall(rf'name="{name}" value="([^"]+)" checked', html))


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"wishes": ["advice", "revenge"]}, "wishes", "Bitte wählen Sie aus der Liste."),
        ({"wishes": ["advice", "advice"]}, "wishes", "Bitte wählen Sie aus der Liste."),
        ({"wishes": ["record_only", "office_action"]}, "wishes", "„Nur erfassen“ lässt sich nicht mit anderen Antworten verbinden."),
        ({"referral_consent": "maybe"}, "referral_consent", "Bitte wählen Sie aus der Liste."),
    ],
    ids=["unknown-code", "repeated-code", "record-only-with-others", "unknown-consent"],
)
def test_a_bad_answer_is_refused_naming_its_field_and_nothing_is_sent(client, broker, answers, field, message):
    form = start(client)
    refused = post(client, form, "wishes", **answers)
    assert refused.status_code == 422 and f'href="#{field}"' in refused.text and message in refused.text
    assert 'name="step" value="wishes"' in refused.text and f'id="{field}-error"' in refused.text
    assert re.search(rf'<fieldset aria-describedby="{field}-hint {field}-error" aria-invalid="true">', refused.text)
    submitted = post(client, form, "review", action="submit", **answers)  # nor can the review send it
    assert submitted.status_code == 422 and f'href="#{field}"' in submitted.text and broker.published == []


def test_the_step_is_optional_and_consent_defaults_to_no(client, broker):
    form = start(client)
    step = post(client, form, "who")
    assert step.status_code == 200 and 'name="step" value="wishes"' in step.text and "Was soll geschehen?" in step.text
    assert checked(step.text, "referral_consent") == {"no"} and checked(step.text, "wishes") == set()
    assert 'name="step" value="evidence"' in post(client, form, "wishes").text  # skipped: nothing ticked
    post(client, form, "review", action="submit")
    event = decode_event(broker.published[0][1])
    assert isinstance(event, ReportSubmitted) and event.wishes == [] and event.referral_consent is False


def test_answers_survive_back_language_and_change_and_reach_the_event(client, broker):
    form = start(client)
    wishes = {"wishes": ["advice", "referral_to_counselling"], "referral_consent": "yes"}
    evidence = post(client, form, "wishes", **wishes)
    assert evidence.url.path == "/de/report/evidence"
    back = post(client, form, "evidence", action="back", **wishes)
    assert back.url.path == "/de/report/wishes" and checked(back.text, "wishes") == {"advice", "referral_to_counselling"}
    assert checked(back.text, "referral_consent") == {"yes"}

    arabic = post(client, form, "wishes", action="language:ar", wishes=["legal_support"], referral_consent="no")
    assert arabic.url.path == "/ar/report/wishes" and '<html lang="ar" dir="rtl">' in arabic.text
    assert checked(arabic.text, "wishes") == {"legal_support"} and checked(arabic.text, "referral_consent") == {"no"}
    assert "ماذا يجب أن يحدث؟" in arabic.text

    review = post(client, form, "contact", **wishes)
    assert review.url.path == "/de/report/review"
    assert "Ich möchte eine Beratung; Vermittlung an eine Fachberatungsstelle" in review.text
    assert "Ja, die Stelle darf meinen Fall weitergeben" in review.text
    change = post(client, form, "review", action="change:wishes", **wishes)
    assert change.url.path == "/de/report/wishes" and change.url.query == b"return=review"
    assert "Zurück zur Übersicht" in change.text and checked(change.text, "referral_consent") == {"yes"}
    changed = {"wishes": ["office_action"], "referral_consent": "no"}
    again = post(client, form, "wishes", return_to="review", **changed)
    assert again.url.path == "/de/report/review" and "Die Stelle soll tätig werden" in again.text
    assert "<dd>Nein</dd>" in again.text and "Ja, die Stelle darf meinen Fall weitergeben" not in again.text

    sent = post(client, form, "review", action="submit", **changed)
    assert sent.url.path == "/de/report/sent"
    [(_, value, _)] = broker.published
    event = decode_event(value)
    assert event.wishes == ["office_action"] and event.referral_consent is False
