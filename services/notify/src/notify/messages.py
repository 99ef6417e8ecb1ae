"""The e-mails notify writes. They carry references and links, never report content."""

from email.message import EmailMessage

from meldestelle_shared.events import CaseCreated
from meldestelle_shared.taxonomy import label


def case_created_email(event: CaseCreated, *, sender: str, recipient: str, workbench_url: str) -> EmailMessage:
    """Tell the office a case arrived: reference, priority and a link; nothing the reporter wrote."""
    link = f"{workbench_url.rstrip('/')}/cases/{event.case_id}"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = f"Neue Meldung {event.reference} – Priorität: {label(event.priority, 'de')}"
    # The same Message-ID for a re-sent notice lets mail clients fold the duplicate.
    message["Message-ID"] = f"<{event.event_id}@meldestelle.invalid>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(
        f"Eine neue Meldung ist eingegangen.\n\n"
        f"Aktenzeichen: {event.reference}\n"
        f"Priorität: {label(event.priority, 'de')}\n"
        f"Im Arbeitsbereich öffnen: {link}\n\n"
        f"---\n"
        f"A new report has arrived.\n\n"
        f"Reference: {event.reference}\n"
        f"Priority: {label(event.priority, 'en')}\n"
        f"Open in the workbench: {link}\n"
    )
    return message
