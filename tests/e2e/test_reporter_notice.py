"""The reporter's "news about your report" e-mail, across real processes: read from the SMTP sink's
.eml, its links followed against the running intake, in the language the reporter used."""

import re
from collections.abc import Iterator
from uuid import uuid4

import httpx
import pytest

from devstack.probes import eventually, publish_raw
from devstack.pytest_plugin import running_stack
from devstack.stack import LocalStack
from meldestelle_shared.events import CaseStatusChanged, OfficeMessageSent, encode_event
from meldestelle_shared.taxonomy import CaseStatus

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """The whole system, with a short notice window so the test need not wait 15 minutes."""
    env = {"NOTIFY_NOTICE_WINDOW_SECONDS": "2", "NOTIFY_SCHEDULE_INTERVAL_SECONDS": "0.5"}
    with running_stack(tmp_path_factory.mktemp("stack"), env=env) as running:
        yield running


@pytest.mark.parametrize("language", ["tr", "de-x-ls"])
def test_notice_links_the_check_page_in_the_reporters_language_and_calls_the_receipt_quittung(stack, language):
    address = f"reporter-{uuid4().hex[:8]}@example.org"
    report = {
        "description": "Beim Bäcker wurde ich nicht bedient.",
        "grounds": ["racist_attribution"],
        "language": language,
        "consent_contact": True,
        "contact": {"email": address},
    }
    response = httpx.post(f"{stack.url('intake')}/api/v1/reports", json=report, timeout=10)
    assert response.status_code == 201, response.text
    report_id = response.json()["report_id"]
    ids = {"correlation_id": report_id, "case_id": uuid4(), "report_id": report_id}
    news = [
        CaseStatusChanged(**ids, status=CaseStatus.IN_PROGRESS, previous_status=CaseStatus.NEW),
        OfficeMessageSent(**ids, message_id=uuid4(), sealed_for_reporter="c2VjcmV0"),
    ]
    publish_raw(stack.kafka.admin, stack.topics.cases, [(e.partition_key(), encode_event(e)) for e in news])

    [mail] = eventually(lambda: [m for m in stack.smtp.messages() if m["To"] == address], timeout=30, what="the notice")
    text = mail.get_content()
    links = re.findall(r"https?://\S+", text)
    assert links[0] == f"{stack.url('intake')}/{language}/check"
    for link in links:
        page = httpx.get(link, timeout=10)
        assert page.status_code == 200, link
    assert f'<html lang="{language}"' in httpx.get(links[0], timeout=10).text
    assert "Quittung" in text and "Belegnummer" not in text
