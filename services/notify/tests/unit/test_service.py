"""Which events produce e-mail, to whom, and that each is sent once (unit tier: in-memory stores and mailer)."""

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import aiosmtplib
import pytest

from meldestelle_shared.events import (
    CaseAssigned,
    CaseClassified,
    CaseCreated,
    CaseErased,
    CaseStatusChanged,
    DeadlineReminderDue,
    FirstResponseOverdue,
    OfficeMessageSent,
    ReportSubmitted,
)
from meldestelle_shared.taxonomy import CaseStatus, Priority
from notify.messages import case_created_email, reporter_notice_email
from notify.refusals import MailDeferred, MailFailed, describe, is_final_refusal, sanitised


def created(report_id=None) -> CaseCreated:
    return CaseCreated.for_case(case_id=uuid4(), report_id=report_id or uuid4(), reference="DU-2026-000042", priority=Priority.URGENT)


def submitted(email: str | None, seal_for_notify, language: str = "de") -> ReportSubmitted:
    report_id = uuid4()
    sealed = seal_for_notify(email) if email else None
    return ReportSubmitted(
        correlation_id=report_id, report_id=report_id, sealed_description="x",
        sealed_contact_for_notify=sealed, language=language,
    )  # fmt: skip


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


async def test_reporter_news_within_a_window_becomes_one_notice_in_their_language(notifier, outbox, seal_for_notify):
    report = submitted("reporter@example.org", seal_for_notify, language="tr")
    case_id = uuid4()
    start = datetime(2026, 11, 24, 8, tzinfo=UTC)
    message = OfficeMessageSent(
        correlation_id=report.report_id, case_id=case_id, report_id=report.report_id, message_id=uuid4(),
        sealed_for_reporter="c2VjcmV0", occurred_at=start,
    )  # fmt: skip
    status = CaseStatusChanged(
        correlation_id=report.report_id, case_id=case_id, report_id=report.report_id,
        status=CaseStatus.WAITING_FOR_REPORTER, previous_status=CaseStatus.IN_PROGRESS, occurred_at=start + timedelta(seconds=1),
    )  # fmt: skip
    await notifier.handle([report, message, message, status])
    await notifier.send_due(start + timedelta(minutes=14))
    assert outbox == []  # the window is still open
    await notifier.send_due(start + timedelta(minutes=15))
    await notifier.handle([status])  # redelivered: told already
    await notifier.send_due(start + timedelta(hours=1))
    assert [m["To"] for m in outbox] == ["reporter@example.org"]
    text = outbox[0].get_content()
    assert "http://site/tr/check" in text and "http://site/de/check" in text and "makbuz" in text and "Quittung" in text
    assert "c2VjcmV0" not in text and "DU-" not in text and "Belegnummer" not in text and "/followup" not in text


async def test_news_after_a_notice_waits_for_the_next_window(notifier, outbox, seal_for_notify):
    report = submitted("reporter@example.org", seal_for_notify)
    start = datetime(2026, 11, 24, 8, tzinfo=UTC)

    def changed(minutes: int) -> CaseStatusChanged:
        return CaseStatusChanged(
            correlation_id=report.report_id, case_id=uuid4(), report_id=report.report_id, status=CaseStatus.IN_PROGRESS,
            previous_status=CaseStatus.IN_REVIEW, occurred_at=start + timedelta(minutes=minutes),
        )  # fmt: skip

    await notifier.handle([report, changed(0)])
    await notifier.send_due(start + timedelta(minutes=15))
    await notifier.handle([changed(16)])
    await notifier.send_due(start + timedelta(minutes=29))  # 14 minutes after the first notice
    assert len(outbox) == 1
    await notifier.send_due(start + timedelta(minutes=31))  # the news is not lost
    assert len(outbox) == 2


async def test_internal_changes_send_the_reporter_nothing(notifier, outbox, seal_for_notify):
    report = submitted("reporter@example.org", seal_for_notify)
    ids = {"correlation_id": report.report_id, "case_id": uuid4(), "report_id": report.report_id}
    await notifier.handle([report, CaseAssigned(**ids, assignee_id="a1"), CaseClassified(**ids, grounds=[], forms=[], life_area=None)])
    await notifier.send_due(datetime.now(UTC) + timedelta(days=1))
    assert outbox == []


async def test_reporter_without_consent_or_after_erasure_gets_nothing(notifier, outbox, seal_for_notify):
    silent, erased = submitted(None, seal_for_notify), submitted("gone@example.org", seal_for_notify)
    await notifier.handle([silent, erased])
    for report in (silent, erased):
        await notifier.handle([OfficeMessageSent(correlation_id=report.report_id, case_id=uuid4(), report_id=report.report_id, message_id=uuid4(), sealed_for_reporter="x")])
    await notifier.handle([CaseErased(correlation_id=erased.report_id, case_id=uuid4(), report_id=erased.report_id, reason="reporter_request")])
    await notifier.send_due(datetime.now(UTC) + timedelta(days=1))
    assert outbox == []


@pytest.mark.parametrize(
    ("tag", "site"), [("de", "de"), ("de-x-ls", "de-x-ls"), ("AR", "ar"), ("tr-TR", "tr"), ("fr", "de"), (None, "de")]
)
def test_notices_link_the_check_page_of_a_site_language(tag, site):
    message = reporter_notice_email(sender="s@x", recipient="r@x", public_url="http://site/", language=tag, message_id="m")
    assert f"http://site/{site}/check" in message.get_content()


@pytest.mark.parametrize(
    ("error", "final", "raised", "described"),
    [
        (aiosmtplib.SMTPRecipientsRefused([aiosmtplib.SMTPRecipientRefused(550, "no <x@y>", "x@y")]), True, None, "SMTPRecipientsRefused 550"),
        (aiosmtplib.SMTPRecipientsRefused([aiosmtplib.SMTPRecipientRefused(451, "later <x@y>", "x@y")]), False, MailDeferred, "SMTPRecipientsRefused 451"),
        (aiosmtplib.SMTPDataError(554, "spam <x@y>"), True, None, "SMTPDataError 554"),
        (aiosmtplib.SMTPSenderRefused(553, "no <s@y>", "s@y"), False, MailFailed, "SMTPSenderRefused 553"),
        (aiosmtplib.SMTPAuthenticationError(535, "bad login"), False, MailFailed, "SMTPAuthenticationError 535"),
    ],
)
def test_refusals_are_judged_by_code_and_described_without_addresses(error, final, raised, described):
    assert is_final_refusal(error) is final
    assert describe(error) == described
    if raised:
        replacement = sanitised(error)
        assert isinstance(replacement, raised) and "@" not in str(replacement)


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


async def test_overdue_reminders_count_the_offices_days_not_utcs(notifier, outbox):
    case_id, report_id = uuid4(), uuid4()

    def overdue(moment: datetime) -> FirstResponseOverdue:
        return FirstResponseOverdue(
            correlation_id=report_id, case_id=case_id, report_id=report_id, reference="DU-2026-000008", working_days=3,
            occurred_at=moment,
        )  # fmt: skip

    # 23:30 UTC on the 24th is 00:30 on the 25th in Berlin: the same office day as 08:00 UTC on the 25th.
    await notifier.handle([overdue(datetime(2026, 11, 24, 23, 30, tzinfo=UTC)), overdue(datetime(2026, 11, 25, 8, tzinfo=UTC))])
    assert [m["To"] for m in outbox] == ["leads@x"]


async def test_deadline_reminder_goes_to_the_office_naming_the_assignee_or_to_the_leads_once_per_key(notifier, outbox):
    def reminder(assignee_id: str | None, key: str) -> DeadlineReminderDue:
        case_id = uuid4()
        return DeadlineReminderDue(
            correlation_id=case_id, case_id=case_id, report_id=case_id, reference="DU-2026-000009", reminder_key=key,
            deadline_kind="agg_21_5", legal_basis="legal_basis_agg_21_5", runs_from=date(2026, 9, 15), counted_from="incident_date",
            estimated=True, due=date(2026, 11, 16), working_days_before=3, assignee_id=assignee_id,
        )  # fmt: skip

    assigned, unassigned = reminder("acc-42", "agg_21_5:x:2026-11-16:3"), reminder(None, "agg_21_5:y:2026-11-16:3")
    await notifier.handle([assigned, assigned, unassigned])
    await notifier.handle([assigned])
    assert [m["To"] for m in outbox] == ["office@x", "leads@x"]
    text = outbox[0].get_content()
    assert "acc-42" in text and "§ 21 Abs. 5 AGG" in text and "15.09.2026" in text and "16.11.2026" in text and "Geschätzt" in text
    assert outbox[0]["Subject"] == "Frist 16.11.2026: DU-2026-000009" and "niemandem zugewiesen" in outbox[1].get_content()
