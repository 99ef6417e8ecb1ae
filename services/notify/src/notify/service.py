"""Deciding which events deserve an e-mail, and sending each at most once per event."""

from collections.abc import Awaitable, Callable, Sequence
from email.message import EmailMessage

from meldestelle_shared.events import CaseCreated, Event
from notify.deliveries import DeliveryLog
from notify.messages import case_created_email

Send = Callable[[EmailMessage], Awaitable[object]]


async def notify_events(
    events: Sequence[Event], *, deliveries: DeliveryLog, send: Send, sender: str, office_address: str, workbench_url: str
) -> int:
    """Send the e-mail each event calls for, skipping those already sent; returns how many were sent."""
    sent = 0
    for event in events:
        if not isinstance(event, CaseCreated) or await deliveries.was_sent(event.event_id):
            continue
        message = case_created_email(event, sender=sender, recipient=office_address, workbench_url=workbench_url)
        await deliveries.mark_sending(event.event_id, kind=event.event_type)
        await send(message)
        await deliveries.mark_sent(event.event_id)
        sent += 1
    return sent
