"""Which events deserve an e-mail, to whom, and sending each at most once per event."""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage

from meldestelle_shared.events import (
    CaseClosed,
    CaseCreated,
    CaseErased,
    CaseReopened,
    CaseStatusChanged,
    Event,
    FirstResponseOverdue,
    MonthlyStatisticsPublished,
    OfficeMessageSent,
    ReportErasureRequested,
    ReportSubmitted,
)
from notify.deliveries import ContactBook, DeliveryLog
from notify.messages import case_created_email, first_response_reminder_email, reporter_notice_email
from notify.statistics import statistics_summary_email

Send = Callable[[EmailMessage], Awaitable[object]]
OpenSealed = Callable[[str], str]


@dataclass(frozen=True)
class Addresses:
    """Where e-mails come from and go to, and the links they carry."""

    sender: str
    office: str
    leads: str
    workbench_url: str
    public_url: str


@dataclass
class Notifier:
    """Turns events into e-mails; every e-mail is keyed, so a redelivered event sends nothing new."""

    deliveries: DeliveryLog
    contacts: ContactBook
    send: Send
    addresses: Addresses
    open_sealed: OpenSealed | None = None  # None: no key configured, so reporters get no notices

    async def handle(self, events: Sequence[Event]) -> None:
        """Act on each event in order."""
        for event in events:
            await self.handle_one(event)

    async def handle_one(self, event: Event) -> None:
        """Act on one event."""
        a = self.addresses
        match event:
            case ReportSubmitted(sealed_contact_for_notify=str() as sealed):
                await self.contacts.remember(str(event.report_id), sealed, event.language)
            case ReportErasureRequested() | CaseErased():
                await self.contacts.forget(str(event.report_id))
            case CaseCreated():
                email = case_created_email(event, sender=a.sender, recipient=a.office, workbench_url=a.workbench_url)
                await self._deliver_once(str(event.event_id), event.event_type, email)
            case FirstResponseOverdue():
                email = first_response_reminder_email(event, sender=a.sender, recipient=a.leads, workbench_url=a.workbench_url)
                day = event.occurred_at.date().isoformat()  # at most one reminder per case and day
                await self._deliver_once(f"overdue:{event.case_id}:{day}", event.event_type, email)
            case MonthlyStatisticsPublished():
                email = statistics_summary_email(
                    event, sender=a.sender, recipient=a.office, public_url=a.public_url, workbench_url=a.workbench_url
                )
                await self._deliver_once(f"statistics:{event.month}", event.event_type, email)  # once per month
            case OfficeMessageSent() | CaseStatusChanged() | CaseClosed() | CaseReopened():
                # A content-free "there is news" notice, for reporters who left an address.
                await self._notify_reporter(event)

    async def _notify_reporter(self, event: Event) -> None:
        contact = await self.contacts.find(str(event.report_id)) if self.open_sealed else None
        if contact is None:
            return
        recipient = self.open_sealed(contact["sealed_email"])  # opened only here, never stored or logged
        email = reporter_notice_email(
            sender=self.addresses.sender, recipient=recipient, public_url=self.addresses.public_url, message_id=str(event.event_id)
        )
        await self._deliver_once(str(event.event_id), "ReporterNotice", email)

    async def _deliver_once(self, key: str, kind: str, email: EmailMessage) -> None:
        if await self.deliveries.was_sent(key):
            return
        await self.deliveries.mark_sending(key, kind)
        await self.send(email)
        await self.deliveries.mark_sent(key)
