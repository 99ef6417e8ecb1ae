"""Which events produce e-mail, to whom, and that each is sent once (unit tier: in-memory stores and mailer)."""

from datetime import UTC, datetime
from uuid import uuid4

from meldestelle_shared.events import (
    CaseCreated,
    CaseErased,
    CaseStatusChanged,
    FirstResponseOverdue,
    OfficeMessageSent,
    ReportSubmitted,
)
from meldestelle_shared.taxonomy import CaseStatus, Priority
from notify.messages import case_created_email


def created(report_id=None) -> CaseCreated:
    return CaseCreated.for_case(case_id=uuid4(), report_id=report_id or uuid4(), reference="DU-2026-000042", priority=Priority.URGENT)


def submitted(email: str | None, seal_for_notify) -> ReportSubmitted:
    report_id = uuid4()
    sealed = seal_for_notify(email) if email else None
    return ReportSubmitted(
        correlation_id=report_id, report_id=report_id, receipt_hash="0", sealed_description="x", sealed_contact_for_notify=sealed
    )


async def test_each_case_event_is_mailed_to_the_office_once(notifier, outbox):
    event = created()
    await notifier.handle([event, event])
    await notifier.handle([event])
    assert [m["To"] for m in outbox] == ["office@x"]


async def test_a_batch_is_mailed_over_one_connection_and_an_empty_one_opens_none(notifier, outbox):
    await notifier.handle([created(), created(), created()])
    assert len(outbox) == 3 and outbox.connections == 1
    await notifier.handle([CaseErased(correlation_id=uuid4(), case_id=uuid4(), report_id=uuid4(), reason="retention")])
    assert outbox.connections == 1


async def test_reporter_with_consent_gets_a_content_free_notice_per_news(notifier, outbox, seal_for_notify):
    report = submitted("reporter@example.org", seal_for_notify)
    case_id = uuid4()
    message = OfficeMessageSent(
        correlation_id=report.report_id, case_id=case_id, report_id=report.report_id, message_id=uuid4(), sealed_for_reporter="c2VjcmV0"
    )
    status = CaseStatusChanged(
        correlation_id=report.report_id, case_id=case_id, report_id=report.report_id,
        status=CaseStatus.WAITING_FOR_REPORTER, previous_status=CaseStatus.IN_PROGRESS,
    )  # fmt: skip
    await notifier.handle([report, message, message, status])
    assert [m["To"] for m in outbox] == ["reporter@example.org"] * 2
    text = outbox[0].get_content()
    assert "http://site/followup" in text and "c2VjcmV0" not in text and "DU-" not in text


async def test_reporter_without_consent_or_after_erasure_gets_nothing(notifier, outbox, seal_for_notify):
    silent, erased = submitted(None, seal_for_notify), submitted("gone@example.org", seal_for_notify)
    await notifier.handle([silent, erased])
    await notifier.handle([CaseErased(correlation_id=erased.report_id, case_id=uuid4(), report_id=erased.report_id, reason="reporter_request")])
    for report in (silent, erased):
        await notifier.handle([OfficeMessageSent(correlation_id=report.report_id, case_id=uuid4(), report_id=report.report_id, message_id=uuid4(), sealed_for_reporter="x")])
    assert outbox == []


async def test_overdue_reminder_goes_to_leads_once_per_case_and_day(notifier, outbox):
    case_id, report_id = uuid4(), uuid4()

    def overdue(day: int) -> FirstResponseOverdue:
        return FirstResponseOverdue(
            correlation_id=report_id, case_id=case_id, report_id=report_id, reference="DU-2026-000007", working_days=3,
            occurred_at=datetime(2026, 11, day, 8, tzinfo=UTC),
        )  # fmt: skip

    await notifier.handle([overdue(24), overdue(24), overdue(25)])
    assert [m["To"] for m in outbox] == ["leads@x", "leads@x"]
    assert "DU-2026-000007" in outbox[0]["Subject"]


def test_office_email_has_reference_priority_and_link_but_no_content():
    event = created()
    message = case_created_email(event, sender="a@x", recipient="b@x", workbench_url="http://wb/")
    text = message.get_content()
    assert "DU-2026-000042" in message["Subject"] and "Dringend" in message["Subject"]
    assert f"http://wb/cases/{event.case_id}" in text and "Urgent" in text
    assert str(event.event_id) in message["Message-ID"]
