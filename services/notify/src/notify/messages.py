"""The e-mails notify writes. They carry references and links, never report content."""

from email.message import EmailMessage

from meldestelle_shared.events import CaseCreated, FirstResponseOverdue
from meldestelle_shared.taxonomy import label


def _message(*, sender: str, recipient: str, subject: str, body: str, message_id: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    # The same Message-ID for a re-sent e-mail lets mail clients fold the duplicate.
    message["Message-ID"] = f"<{message_id}@meldestelle.invalid>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    return message


def case_created_email(event: CaseCreated, *, sender: str, recipient: str, workbench_url: str) -> EmailMessage:
    """Tell the office a case arrived: reference, priority and a link; nothing the reporter wrote."""
    link = f"{workbench_url.rstrip('/')}/cases/{event.case_id}"
    return _message(
        sender=sender,
        recipient=recipient,
        subject=f"Neue Meldung {event.reference} – Priorität: {label(event.priority, 'de')}",
        message_id=str(event.event_id),
        body=(
            f"Eine neue Meldung ist eingegangen.\n\n"
            f"Aktenzeichen: {event.reference}\n"
            f"Priorität: {label(event.priority, 'de')}\n"
            f"Im Arbeitsbereich öffnen: {link}\n\n"
            f"---\n"
            f"A new report has arrived.\n\n"
            f"Reference: {event.reference}\n"
            f"Priority: {label(event.priority, 'en')}\n"
            f"Open in the workbench: {link}\n"
        ),
    )


def reporter_notice_email(*, sender: str, recipient: str, public_url: str, message_id: str) -> EmailMessage:
    """Tell a reporter there is news, and where to read it with their receipt; nothing else."""
    link = f"{public_url.rstrip('/')}/followup"
    return _message(
        sender=sender,
        recipient=recipient,
        subject="Neuigkeiten zu Ihrer Meldung / News about your report",
        message_id=message_id,
        body=(
            f"Es gibt Neuigkeiten zu Ihrer Meldung bei der Antidiskriminierungsstelle.\n"
            f"Sie können sie mit Ihrer Belegnummer hier lesen: {link}\n\n"
            f"There is news about your report to the anti-discrimination office.\n"
            f"You can read it with your receipt here: {link}\n\n"
            f"Diese E-Mail enthält absichtlich keine Einzelheiten. / "
            f"This e-mail deliberately contains no details.\n"
        ),
    )


def first_response_reminder_email(
    event: FirstResponseOverdue, *, sender: str, recipient: str, workbench_url: str
) -> EmailMessage:
    """Remind the leads that a case still waits for its first response."""
    link = f"{workbench_url.rstrip('/')}/cases/{event.case_id}"
    return _message(
        sender=sender,
        recipient=recipient,
        subject=f"Erstreaktion überfällig: {event.reference}",
        message_id=str(event.event_id),
        body=(
            f"Die Meldung {event.reference} ist seit {event.working_days} Arbeitstagen unbearbeitet.\n"
            f"Im Arbeitsbereich öffnen: {link}\n\n"
            f"---\n"
            f"Case {event.reference} has waited {event.working_days} working days for a first response.\n"
            f"Open in the workbench: {link}\n"
        ),
    )
