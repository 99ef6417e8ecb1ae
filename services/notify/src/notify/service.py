"""Which events deserve an e-mail, to whom, and sending each at most once per event."""

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
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


@dataclass
class Notifier:
    """Turns events into e-mails; every e-mail is keyed, so a redelivered event sends nothing new."""

    deliveries: DeliveryLog
    contacts: ContactBook
    connect: Connect
    addresses: Addresses
    open_sealed: OpenSealed | None = None  # None: no key configured, so reporters get no notices

    async def handle(self, events: Sequence[Event]) -> None:
        """Act on a batch of events in order, sending its e-mails over one SMTP connection."""
        pending: list[Delivery] = []
        for event in events:
            if delivery := await self._delivery_for(event):
                pending.append(delivery)
        await self._deliver_once(pending)

    async def _delivery_for(self, event: Event) -> Delivery | None:
        """Keep the contact book current, and return the e-mail an event calls for, if any."""
        a = self.addresses
        match event:
            case ReportSubmitted(sealed_contact_for_notify=str() as sealed):
                await self.contacts.remember(str(event.report_id), sealed, event.language)
            case ReportErasureRequested() | CaseErased():
                await self.contacts.forget(str(event.report_id))
            case CaseCreated():
                email = case_created_email(event, sender=a.sender, recipient=a.office, workbench_url=a.workbench_url)
                return Delivery(str(event.event_id), event.event_type, email)
            case FirstResponseOverdue():
                email = first_response_reminder_email(event, sender=a.sender, recipient=a.leads, workbench_url=a.workbench_url)
                day = event.occurred_at.date().isoformat()  # at most one reminder per case and day
                return Delivery(f"overdue:{event.case_id}:{day}", event.event_type, email)
            case MonthlyStatisticsPublished():
                email = statistics_summary_email(
                    event, sender=a.sender, recipient=a.office, public_url=a.public_url, workbench_url=a.workbench_url
                )
                return Delivery(f"statistics:{event.month}", event.event_type, email)  # once per month
            case OfficeMessageSent() | CaseStatusChanged() | CaseClosed() | CaseReopened():
                # A content-free "there is news" notice, for reporters who left an address.
                return await self._reporter_notice(event)
        return None

    async def _reporter_notice(self, event: Event) -> Delivery | None:
        contact = await self.contacts.find(str(event.report_id)) if self.open_sealed else None
        if contact is None:
            return None
        recipient = self.open_sealed(contact["sealed_email"])  # opened only here, never stored or logged
        email = reporter_notice_email(
            sender=self.addresses.sender, recipient=recipient, public_url=self.addresses.public_url, message_id=str(event.event_id)
        )
        return Delivery(str(event.event_id), "ReporterNotice", email)

    async def _deliver_once(self, pending: Sequence[Delivery]) -> None:
        """Send what was not sent before: all marked `sending` first, each marked `sent` right after the server took it.

        So a crash repeats at most the one e-mail in flight, as with one e-mail at a time.
        """
        unique = list({delivery.key: delivery for delivery in pending}.values())
        sent = await self.deliveries.sent_among([delivery.key for delivery in unique])
        todo = [delivery for delivery in unique if delivery.key not in sent]
        if not todo:
            return
        await self.deliveries.mark_sending({delivery.key: delivery.kind for delivery in todo})
        async with self.connect() as send:
            for delivery in todo:
                await send(delivery.email)
                await self.deliveries.mark_sent(delivery.key)
