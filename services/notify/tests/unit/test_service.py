"""Which events produce e-mail, and that each is sent once (unit tier, in-memory log and mailer)."""

from uuid import uuid4

from meldestelle_shared.events import CaseCreated, ReportSubmitted
from meldestelle_shared.taxonomy import Priority
from notify.messages import case_created_email
from notify.service import notify_events


class MemoryLog:
    def __init__(self):
        self.status = {}

    async def was_sent(self, event_id):
        return self.status.get(event_id) == "sent"

    async def mark_sending(self, event_id, kind):
        self.status[event_id] = "sending"

    async def mark_sent(self, event_id):
        self.status[event_id] = "sent"


def created() -> CaseCreated:
    return CaseCreated.for_case(case_id=uuid4(), report_id=uuid4(), reference="DU-2026-000042", priority=Priority.URGENT)


async def test_each_case_event_is_mailed_once():
    log, outbox = MemoryLog(), []

    async def send(message):
        outbox.append(message)

    event = created()
    report_id = uuid4()
    other = ReportSubmitted(correlation_id=report_id, report_id=report_id, receipt_hash="0", sealed_description="x")
    kwargs = dict(deliveries=log, send=send, sender="a@x", office_address="b@x", workbench_url="http://wb")
    assert await notify_events([event, other], **kwargs) == 1
    assert await notify_events([event], **kwargs) == 0
    assert len(outbox) == 1


def test_email_has_reference_priority_and_link_but_no_content():
    event = created()
    message = case_created_email(event, sender="a@x", recipient="b@x", workbench_url="http://wb/")
    text = message.get_content()
    assert "DU-2026-000042" in message["Subject"] and "Dringend" in message["Subject"]
    assert f"http://wb/cases/{event.case_id}" in text and "Urgent" in text
    assert str(event.event_id) in message["Message-ID"]
