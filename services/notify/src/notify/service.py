"""Which events deserve an e-mail, to whom, and sending each at most once per event."""

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from uuid import UUID, uuid5

import aiosmtplib

from meldestelle_shared.events import (
    CaseClosed,
    CaseCreated,
    CaseErased,
    CaseEvent,
    CaseReopened,
    CaseStatusChanged,
    DeadlineReminderDue,
    Event,
    FirstResponseOverdue,
    MonthlyStatisticsPublished,
    OfficeMessageSent,
    ReportErasureRequested,
    ReportSubmitted,
)
from meldestelle_shared.settings import OfficeSettings
from meldestelle_shared.telemetry import step
from notify.deliveries import ContactBook, DeliveryLog
from notify.messages import (
    case_created_email,
    deadline_reminder_email,
    first_response_reminder_email,
    office_digest_email,
    reporter_notice_email,
)
from notify.refusals import describe, is_final_refusal, sanitised, smtp_code
from notify.schedule import Digest, NewCase, NoticeSchedule, OfficeWindows, WaitingNotice, aware
from notify.statistics import statistics_summary_email

log = logging.getLogger(__name__)

# Message-IDs derived from delivery keys, so a re-sent e-mail keeps its id.
_MESSAGE_IDS = UUID("3b0c7f52-6a1e-4d8b-9f0a-5e2c1d7b4a93")
# What an SMTP server says when it refuses; these carry the recipient's address.
REFUSALS = (aiosmtplib.SMTPResponseException, aiosmtplib.SMTPRecipientsRefused)

Send = Callable[[EmailMessage], Awaitable[object]]
Connect = Callable[[], AbstractAsyncContextManager[Send]]  # one SMTP connection, sending any number of e-mails
OpenSealed = Callable[[str], str]


@dataclass(frozen=True)
class Addresses:
    """Where e-mails come from and go to, and the links they carry."""

    sender: str
    office: str
    leads: str
    workbench_url: str
    public_url: str


@dataclass(frozen=True)
class Delivery:
    """One e-mail to send, under the key that makes it happen at most once."""

    key: str
    kind: str
    email: EmailMessage
    correlation_id: UUID | None = None  # the report it is about, for tracing; none for digests and reporter notices


@dataclass
class Notifier:
    """Turns events into e-mails; every e-mail is keyed, so a redelivered event sends nothing new."""

    deliveries: DeliveryLog
    contacts: ContactBook
    connect: Connect
    addresses: Addresses
    notices: NoticeSchedule
    notice_window: timedelta = timedelta(minutes=15)
    office_windows: OfficeWindows | None = None  # None: one e-mail per new case, never a digest
    office: OfficeSettings = field(default_factory=OfficeSettings)  # whose days "once a day" counts
    open_sealed: OpenSealed | None = None  # None: no key configured, so reporters get no notices
    on_refused: Callable[[str, int | None], None] | None = None  # counts permanent refusals by kind and SMTP code

    async def handle(self, events: Sequence[Event]) -> None:
        """Act on a batch of events in order, sending its e-mails over one SMTP connection."""
        pending: list[Delivery] = []
        new_cases: list[CaseCreated] = []
        for event in events:
            if isinstance(event, CaseCreated):
                new_cases.append(event)
            elif delivery := await self._delivery_for(event):
                pending.append(delivery)
        pending += await self._office_notices(new_cases)
        await self._deliver_once(pending)

    async def send_due(self, now: datetime | None = None) -> None:
        """Send the reporter notices and office digests whose window has ended; safe to repeat after a crash."""
        now = now or datetime.now(UTC)
        pending: list[Delivery] = []
        told: list[WaitingNotice] = []
        for notice in await self.notices.due(now):
            contact = await self.contacts.find(notice.report_id) if self.open_sealed else None
            if contact is None:
                await self.notices.drop(notice.report_id)
                continue
            told.append(notice)
            pending.append(self._reporter_notice(notice, contact))
        digests = await self.office_windows.due_digests(now) if self.office_windows else []
        pending += [self._digest(digest) for digest in digests]
        await self._deliver_once(pending)
        for notice in told:
            await self.contacts.record_notice(notice.report_id, covered_until=notice.latest, sent_at=now)
            await self.notices.done(notice, next_due_at=now + self.notice_window)
        for digest in digests:
            await self.office_windows.digested(digest)
        if self.office_windows:
            await self.office_windows.forget_old(now)

    async def _delivery_for(self, event: Event) -> Delivery | None:
        """Keep the contact book and the notice schedule current, and return the e-mail an event calls for now, if any."""
        a = self.addresses
        match event:
            case ReportSubmitted(sealed_contact_for_notify=str() as sealed):
                await self.contacts.remember(str(event.report_id), sealed, event.language)
            case ReportErasureRequested() | CaseErased():
                await self.contacts.forget(str(event.report_id))
                await self.notices.drop(str(event.report_id))
            case FirstResponseOverdue():
                email = first_response_reminder_email(event, sender=a.sender, recipient=a.leads, workbench_url=a.workbench_url)
                day = self.office.date_of(event.occurred_at).isoformat()  # at most one reminder per case and office day
                return Delivery(f"overdue:{event.case_id}:{day}", event.event_type, email, event.correlation_id)
            case DeadlineReminderDue():
                # notify knows no staff addresses: an assigned case's reminder goes to the office mailbox and names
                # the assignee's account id; an unassigned case's goes to the leads.
                recipient = a.office if event.assignee_id else a.leads
                email = deadline_reminder_email(event, sender=a.sender, recipient=recipient, workbench_url=a.workbench_url)
                key = f"deadline:{event.case_id}:{event.reminder_key}"  # once per case and reminder
                return Delivery(key, event.event_type, email, event.correlation_id)
            case MonthlyStatisticsPublished():
                email = statistics_summary_email(
                    event, sender=a.sender, recipient=a.office, public_url=a.public_url, workbench_url=a.workbench_url
                )
                return Delivery(f"statistics:{event.month}", event.event_type, email)  # once per month
            case OfficeMessageSent() | CaseStatusChanged() | CaseClosed() | CaseReopened():
                # What the reporter can see on the check page changed. Assignment, classification and
                # notes are internal to staff and never reach here.
                await self._schedule_notice(event)
        return None

    async def _office_notices(self, new_cases: list[CaseCreated]) -> list[Delivery]:
        """One e-mail per new case, up to the digest threshold per window; the rest wait for the window's digest."""
        if not self.office_windows:
            return [self._case_created(event) for event in new_cases]
        by_window: dict[tuple[str, datetime], list[CaseCreated]] = defaultdict(list)
        for event in new_cases:
            by_window[self.office_windows.window_of(event.occurred_at)].append(event)
        own: set[str] = set()
        for (window, ends_at), events in by_window.items():
            cases = [NewCase(event.reference, str(event.case_id)) for event in events]
            own |= {case.case_id for case in await self.office_windows.add(window, ends_at, cases)}
        return [self._case_created(event) for event in new_cases if str(event.case_id) in own]

    def _case_created(self, event: CaseCreated) -> Delivery:
        a = self.addresses
        email = case_created_email(event, sender=a.sender, recipient=a.office, workbench_url=a.workbench_url)
        return Delivery(str(event.event_id), event.event_type, email, event.correlation_id)

    def _digest(self, digest: Digest) -> Delivery:
        key = f"digest:{digest.window}:{digest.upto}"
        a = self.addresses
        email = office_digest_email(
            digest.cases, sender=a.sender, recipient=a.office, workbench_url=a.workbench_url, message_id=str(uuid5(_MESSAGE_IDS, key))
        )
        return Delivery(key, "OfficeDigest", email)

    async def _schedule_notice(self, event: CaseEvent) -> None:
        """Note news for a consenting reporter; it goes out when the case's window ends (at most one notice per window)."""
        report_id = str(event.report_id)
        contact = await self.contacts.find(report_id) if self.open_sealed else None
        if contact is None:
            return
        if (told := contact.get("notified_until")) and event.occurred_at <= aware(told):
            return  # a redelivered event whose news was told already
        due_at = event.occurred_at + self.notice_window
        if last := contact.get("last_notice_at"):
            due_at = max(due_at, aware(last) + self.notice_window)
        await self.notices.add(report_id, news_at=event.occurred_at, due_at=due_at)

    def _reporter_notice(self, notice: WaitingNotice, contact: dict) -> Delivery:
        key = f"notice:{notice.report_id}:{notice.latest.isoformat()}"
        recipient = self.open_sealed(contact["sealed_email"])  # opened only here, never stored or logged
        email = reporter_notice_email(
            sender=self.addresses.sender,
            recipient=recipient,
            public_url=self.addresses.public_url,
            language=contact.get("language"),
            message_id=str(uuid5(_MESSAGE_IDS, key)),  # the same for a re-sent notice; reveals no report id
        )
        return Delivery(key, "ReporterNotice", email)

    async def _deliver_once(self, pending: Sequence[Delivery]) -> None:
        """Send what was not sent before: all marked `sending` first, each marked `sent` right after the server took it.

        So a crash repeats at most the one e-mail in flight, as with one e-mail at a time. A permanent
        refusal is final: marked `refused`, logged and counted by type and code, and the rest go on.
        Any other refusal leaves here without the server's text, which may name the recipient.
        """
        unique = list({delivery.key: delivery for delivery in pending}.values())
        done = await self.deliveries.done_among([delivery.key for delivery in unique])
        todo = [delivery for delivery in unique if delivery.key not in done]
        if not todo:
            return
        await self.deliveries.mark_sending({delivery.key: delivery.kind for delivery in todo})
        try:
            async with self.connect() as send:
                for delivery in todo:
                    try:
                        with step("smtp send", delivery.correlation_id, **{"meldestelle.email.kind": delivery.kind}):
                            await send(delivery.email)
                    except REFUSALS as error:
                        if not is_final_refusal(error):
                            raise
                        await self._refused(delivery, error)
                        continue
                    await self.deliveries.mark_sent(delivery.key)
        except REFUSALS as error:
            raise sanitised(error) from None

    async def _refused(self, delivery: Delivery, error: aiosmtplib.SMTPException) -> None:
        await self.deliveries.mark_refused(delivery.key, describe(error))
        log.warning("e-mail refused for good, not retried", extra={"kind": delivery.kind, "error": describe(error)})
        if self.on_refused:
            self.on_refused(delivery.kind, smtp_code(error))
