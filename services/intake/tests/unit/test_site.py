"""The resident site over HTTP (Kafka and the database replaced by in-memory fakes): the form flow
without JavaScript, the follow-up page, and every way a request is refused without changing anything."""

import asyncio
import re
from datetime import UTC, datetime
from uuid import uuid4

import pytest

from intake.followup.projection import apply_case_events
from meldestelle_shared.events import OfficeMessageSent, ReporterReplied, ReportErasureRequested, ReportSubmitted, decode_event
from meldestelle_shared.sealing import load_private_key, load_public_key, seal, unseal

STORY = "Der Türsteher sagte, Leute wie ich kommen hier nicht rein."


def token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def receipt_of(html: str) -> str:
    return re.search(r"data-receipt>([\d ]{19})<", html).group(1)


def submit_report(client, language="de", **extra) -> str:
    """Walk the form without JavaScript; return the receipt page."""
    page = client.get(f"/{language}/report").text
    form = {"csrf_token": token(page), "form_id": re.search(r'name="form_id" value="([^"]+)"', page).group(1)}
    answers = {"description": STORY, "forms": ["denial_of_access_or_service"], "grounds": ["racist_attribution"]} | extra
    response = client.post(f"/{language}/report", data=form | answers | {"step": "review", "action": "submit"})
    assert response.status_code == 200, response.text
    return response.text


def open_inbox(client, receipt, language="de", headers=None):
    page = client.get(f"/{language}/check").text
    return client.post(f"/{language}/check", data={"csrf_token": token(page), "receipt": receipt}, headers=headers or {})


def test_pages_carry_strict_headers_and_only_a_session_cookie(client):
    response = client.get("/de/")
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "form-action 'self'" in csp
    assert response.headers["referrer-policy"] == "no-referrer" and response.headers["cache-control"] == "no-store"
    cookie = response.headers["set-cookie"].lower()
    assert "samesite=strict" in cookie and "httponly" in cookie and "max-age" not in cookie and "expires" not in cookie
    assert response.headers["set-cookie"].startswith("form_session=") and "secure" not in cookie  # the local http exception
    assert "strict-transport-security" not in response.headers  # plain HTTP here; see the next tests
    assert client.get("/static/site.css").headers["content-security-policy"]


def test_hsts_when_a_request_came_over_tls(intake_settings, broker, inboxes):
    from fastapi.testclient import TestClient

    from intake.app import create_app

    secure = TestClient(create_app(intake_settings), base_url="https://testserver")
    assert "max-age" in secure.get("/de/").headers["strict-transport-security"]


def https_only_client(intake_settings, broker, inboxes, fake_parts, base_url: str):
    """The site with the production default INTAKE_HTTPS_ONLY=true, Kafka and the database faked."""
    from fastapi.testclient import TestClient

    from intake.app import create_app

    settings = intake_settings.model_copy(update={"https_only": True})
    return TestClient(fake_parts(create_app(settings), settings, broker, inboxes), base_url=base_url)


def test_https_only_sends_hsts_and_a_secure_host_prefixed_cookie_and_forms_work(intake_settings, broker, inboxes, fake_parts):
    # Behind the TLS proxy the app may see plain http (proxy not trusted for X-Forwarded-Proto): still secure.
    behind_proxy = https_only_client(intake_settings, broker, inboxes, fake_parts, "http://testserver")
    response = behind_proxy.get("/de/")
    assert "max-age=31536000" in response.headers["strict-transport-security"]
    name, _, attributes = response.headers["set-cookie"].partition("=")
    attributes = attributes.lower()
    assert name == "__Host-form_session"
    assert "secure" in attributes and "path=/" in attributes and "domain" not in attributes and "httponly" in attributes

    browser = https_only_client(intake_settings, broker, inboxes, fake_parts, "https://testserver")
    assert receipt_of(submit_report(browser))  # the form token matches the prefixed cookie
    assert len(broker.published) == 1


def test_https_only_ignores_a_planted_cookie_without_the_host_prefix(intake_settings, broker, inboxes, fake_parts):
    """Cookie tossing: a sibling host or a plain-http answer can plant `form_session`, never `__Host-form_session`.

    Worst case: the attacker even holds the form token that belongs to the session value it planted.
    """
    victim = https_only_client(intake_settings, broker, inboxes, fake_parts, "https://testserver")
    page = victim.get("/de/report").text
    victim.cookies.clear()  # the victim's browser holds only the planted cookie
    planted = "p" * 43
    form = {"csrf_token": victim.app.state.context.guard.token(planted), "form_id": re.search(r'name="form_id" value="([^"]+)"', page).group(1)}
    answers = {"description": STORY, "forms": ["denial_of_access_or_service"], "grounds": ["racist_attribution"]}
    posted = victim.post("/de/report", data=form | answers | {"step": "review", "action": "submit"}, headers={"cookie": f"form_session={planted}"})
    assert posted.status_code == 403 and broker.published == []


def test_root_sends_the_browser_language_and_arabic_is_right_to_left(client):
    response = client.get("/", headers={"accept-language": "ar,en;q=0.5"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/ar/"
    page = client.get("/ar/report").text
    assert '<html lang="ar" dir="rtl">' in page and "ماذا حدث؟" in page
    assert '<html lang="de-x-ls" dir="ltr">' in client.get("/de-x-ls/").text


def test_the_whole_form_works_without_javascript(client, broker, inboxes, office_keys):
    page = client.get("/de/report").text
    form = {"csrf_token": token(page), "form_id": re.search(r'name="form_id" value="([^"]+)"', page).group(1)}
    step = client.post("/de/report", data=form | {"step": "what", "action": "next", "description": "kurz"})
    assert step.status_code == 422 and 'href="#description"' in step.text and 'aria-invalid="true"' in step.text
    step = client.post("/de/report", data=form | {"step": "what", "action": "next", "description": STORY, "forms": ["threat"]})
    assert 'name="step" value="why"' in step.text and f'name="description" value="{STORY}"' in step.text
    back = client.post("/de/report", data=form | {"step": "why", "action": "back", "description": STORY})
    assert 'name="step" value="what"' in back.text and STORY in back.text
    review = client.post(
        "/de/report",
        data=form | {"step": "who", "action": "next", "description": STORY, "reporter_role": "witness", "year": "2026", "month": "3"},
    )
    assert 'name="step" value="wishes"' in review.text and "Was soll geschehen?" in review.text
    review = client.post("/de/report", data=form | {"step": "wishes", "action": "next", "description": STORY, "year": "2026", "month": "3"})
    assert 'name="step" value="evidence"' in review.text and "Fotos können verraten, wo sie aufgenommen wurden" in review.text
    review = client.post("/de/report", data=form | {"step": "evidence", "action": "next", "description": STORY, "year": "2026", "month": "3"})
    assert 'name="step" value="contact"' in review.text and "Bevor Sie eine E-Mail-Adresse angeben" in review.text
    done = client.post("/de/report", data=form | {"step": "review", "action": "submit", "description": STORY, "year": "2026", "month": "3"})
    receipt = receipt_of(done.text)
    [(_, value, _)] = broker.published
    event = decode_event(value)
    assert isinstance(event, ReportSubmitted) and event.incident_date == "2026-03" and event.language == "de"
    assert unseal(load_private_key(office_keys[0]), event.sealed_description) == STORY
    assert str(event.report_id) == form["form_id"] and receipt.replace(" ", "") not in value.decode()


def test_a_resent_form_is_not_a_second_report(client, broker):
    page = client.get("/de/report").text
    form = {"csrf_token": token(page), "form_id": re.search(r'name="form_id" value="([^"]+)"', page).group(1)}
    data = form | {"step": "review", "action": "submit", "description": STORY}
    assert client.post("/de/report", data=data).status_code == 200
    again = client.post("/de/report", data=data)
    assert again.status_code == 409 and "schon gesendet" in again.text and len(broker.published) == 1


def test_kafka_failure_keeps_the_answers_and_says_not_saved(client, broker, inboxes):
    from aiokafka.errors import KafkaTimeoutError

    broker.fail = KafkaTimeoutError()
    page = client.get("/en/report").text
    response = client.post(
        "/en/report", data={"csrf_token": token(page), "step": "review", "action": "submit", "description": STORY}
    )
    assert response.status_code == 503 and "was NOT saved" in response.text and STORY in response.text
    assert inboxes.inboxes == {} and "data-receipt" not in response.text


@pytest.mark.parametrize("path", ["/de/report", "/de/check", "/de/check/reply", "/de/check/delete", "/de/receipt.txt"])
def test_a_form_without_its_token_changes_nothing(client, broker, inboxes, path):
    submit_report(client)
    published, stored = list(broker.published), dict(inboxes.inboxes)
    for data in ({"description": STORY, "step": "review", "action": "submit"}, {"csrf_token": "forged", "receipt": "1" * 16}):
        response = client.post(path, data=data)
        assert response.status_code == 403 and "Dieses Formular ist abgelaufen" in response.text
    assert broker.published == published and inboxes.inboxes == stored


def test_a_token_from_another_session_is_refused(client, intake_settings):
    from fastapi.testclient import TestClient

    from intake.app import create_app

    other = TestClient(create_app(intake_settings))
    foreign = token(other.get("/de/report").text)
    client.get("/de/report")  # this browser has a session of its own
    assert client.post("/de/report", data={"csrf_token": foreign, "description": STORY}).status_code == 403


def test_receipt_can_be_saved_as_a_text_file(client):
    page = submit_report(client, language="tr")
    receipt = receipt_of(page)
    response = client.post("/tr/receipt.txt", data={"csrf_token": token(page), "receipt": receipt})
    assert response.headers["content-disposition"] == 'attachment; filename="receipt.txt"'
    assert receipt in response.text and "Makbuzunuz" in response.text and "/tr/check" in response.text


def test_follow_up_shows_status_office_messages_and_sends_answers(client, broker, inboxes, office_keys):
    receipt = receipt_of(submit_report(client))
    [inbox] = inboxes.inboxes.values()
    question = OfficeMessageSent(
        correlation_id=inbox["_id"], case_id=uuid4(), report_id=inbox["_id"], message_id=uuid4(),
        sealed_for_reporter=seal(load_public_key(inbox["public_key"]), "Wann genau war das?"),
    )  # fmt: skip
    asyncio.run(apply_case_events([question, question], inboxes=inboxes, evidence=None))  # no erasure: no files touched
    page = open_inbox(client, receipt)
    assert page.status_code == 200 and page.text.count("Wann genau war das?") == 1 and "Eingegangen" in page.text
    answer = client.post("/de/check/reply", data={"csrf_token": token(page.text), "receipt": receipt, "text": "Am Samstag."})
    assert answer.status_code == 200 and "Ihre Nachricht wurde an die Stelle gesendet" in answer.text and "Am Samstag." in answer.text
    reply = decode_event(broker.published[-1][1])
    assert isinstance(reply, ReporterReplied) and unseal(load_private_key(office_keys[0]), reply.sealed_text) == "Am Samstag."


def test_wrong_and_malformed_receipts_get_a_clear_message(client, inboxes):
    submit_report(client)
    stored = dict(inboxes.inboxes)
    wrong = open_inbox(client, "0000 0000 0000 0000")
    assert wrong.status_code == 404 and "Es gibt keine Meldung mit dieser Quittung" in wrong.text
    malformed = open_inbox(client, "1234 5678")
    assert malformed.status_code == 422 and "genau 16 Ziffern" in malformed.text
    assert inboxes.inboxes == stored


def test_too_many_attempts_are_slowed_then_refused(client):
    receipt = receipt_of(submit_report(client))
    client_ip = {"x-forwarded-for": "203.0.113.9"}  # ignored: without a trusted proxy the peer address counts
    for _ in range(3):
        assert open_inbox(client, "0000 0000 0000 0001", headers=client_ip).status_code == 404
    refused = open_inbox(client, receipt, headers=client_ip)  # even the right receipt must wait now
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert "Zu viele falsche Versuche" in refused.text


def test_oversized_answers_are_refused_and_nothing_is_sent(client, broker, inboxes):
    receipt = receipt_of(submit_report(client))
    page = open_inbox(client, receipt)
    count = len(broker.published)
    too_long = client.post("/de/check/reply", data={"csrf_token": token(page.text), "receipt": receipt, "text": "x" * 5001})
    assert too_long.status_code == 422 and "Ihre Nachricht ist zu lang" in too_long.text
    huge = client.post("/de/check/reply", data={"csrf_token": token(page.text), "receipt": receipt, "text": "x" * 70_000})
    assert huge.status_code == 413 and "Ihr Text ist zu lang" in huge.text and "<html" in huge.text
    assert len(broker.published) == count and inboxes.stored_messages == {}


def test_erasure_needs_confirmation_then_forgets_the_receipt(client, broker, inboxes):
    receipt = receipt_of(submit_report(client))
    page = open_inbox(client, receipt)
    unconfirmed = client.post("/de/check/delete", data={"csrf_token": token(page.text), "receipt": receipt})
    assert unconfirmed.status_code == 422 and len(inboxes.inboxes) == 1
    done = client.post("/de/check/delete", data={"csrf_token": token(page.text), "receipt": receipt, "confirm": "yes"})
    assert done.status_code == 200 and "Ihre Meldung wurde gelöscht" in done.text
    assert isinstance(decode_event(broker.published[-1][1]), ReportErasureRequested)
    assert inboxes.inboxes == {} and open_inbox(client, receipt).status_code == 404


def test_unknown_pages_and_languages_are_a_page_not_json(client):
    for path in ("/fr/", "/de/nothing"):
        response = client.get(path)
        assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
    assert client.get("/api/v1/nothing").json()["error"] == "not_found"


def test_statuses_read_in_plain_words(client, inboxes):
    receipt = receipt_of(submit_report(client, language="en"))
    [inbox] = inboxes.inboxes.values()
    inbox.update(status="waiting_for_reporter", status_at=datetime.now(UTC))
    assert "Waiting for you" in open_inbox(client, receipt, language="en").text
