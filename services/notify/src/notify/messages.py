"""The e-mails notify writes. They carry references and links, never report content; their texts are in `locale/`."""

from email.message import EmailMessage

from meldestelle_shared.events import CaseCreated, DeadlineReminderDue, FirstResponseOverdue
from meldestelle_shared.taxonomy import label
from notify.schedule import NewCase
from notify.texts import NOTICE_LANGUAGES, OFFICE_LANGUAGES, notice_text, office_text

# An office e-mail's body: its text in each office language, German first, split by a rule.
RULE = "\n---\n"


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
        subject=office_text("de", "New report %(reference)s – priority: %(priority)s", reference=event.reference, priority=label(event.priority, "de")),
        message_id=str(event.event_id),
        body=RULE.join(
            office_text(
                tag,
                "A new report has arrived.\n\nReference: %(reference)s\nPriority: %(priority)s\nOpen in the workbench: %(link)s",
                reference=event.reference,
                priority=label(event.priority, tag),
                link=link,
            )
            + "\n"
            for tag in OFFICE_LANGUAGES
        ),
    )


def site_language(tag: str | None) -> str:
    """The resident site's language for a reporter's language tag: the tag, else its primary subtag, else German."""
    tag = (tag or "").lower()
    if tag in NOTICE_LANGUAGES:
        return tag
    primary = tag.split("-")[0]
    return primary if primary in NOTICE_LANGUAGES else "de"


def reporter_notice_email(*, sender: str, recipient: str, public_url: str, language: str | None, message_id: str) -> EmailMessage:
    """Tell a reporter there is news and link the check page in their language (German follows); nothing else."""
    first = site_language(language)
    languages = [first] if first.startswith("de") else [first, "de"]
    return _message(
        sender=sender,
        recipient=recipient,
        subject=" / ".join(notice_text(tag, "News about your report") for tag in languages),
        message_id=message_id,
        body="\n\n".join(
            notice_text(
                tag,
                "There is news about your report to the anti-discrimination office.\n"
                "You can read it with your receipt here: %(link)s\n"
                "This e-mail deliberately contains no details.",
                link=f"{public_url.rstrip('/')}/{tag}/check",
            )
            for tag in languages
        )
        + "\n",
    )


def office_digest_email(cases: list[NewCase], *, sender: str, recipient: str, workbench_url: str, message_id: str) -> EmailMessage:
    """Tell the office, in one e-mail, of new cases that came too many at once for one e-mail each."""
    base = workbench_url.rstrip("/")
    lines = [f"  {case.reference}: {base}/cases/{case.case_id}" for case in cases]
    return _message(
        sender=sender,
        recipient=recipient,
        subject=" / ".join(office_text(tag, "%(count)s more new reports", count=len(cases)) for tag in OFFICE_LANGUAGES),
        message_id=message_id,
        body="\n".join(
            office_text(tag, "Many new reports in a short time; these %(count)s come together.", count=len(cases))
            for tag in OFFICE_LANGUAGES
        )
        + "\n\n"
        + "\n".join(lines)
        + "\n",
    )


def first_response_reminder_email(
    event: FirstResponseOverdue, *, sender: str, recipient: str, workbench_url: str
) -> EmailMessage:
    """Remind the leads that a case still waits for its first response."""
    link = f"{workbench_url.rstrip('/')}/cases/{event.case_id}"
    return _message(
        sender=sender,
        recipient=recipient,
        subject=office_text("de", "First response overdue: %(reference)s", reference=event.reference),
        message_id=str(event.event_id),
        body=RULE.join(
            office_text(
                tag,
                "Case %(reference)s has waited %(days)s working days for a first response.\nOpen in the workbench: %(link)s",
                reference=event.reference,
                days=event.working_days,
                link=link,
            )
            + "\n"
            for tag in OFFICE_LANGUAGES
        ),
    )


def _legal_basis(tag: str, kind: str) -> str:
    """The legal basis of a deadline kind, worded for the office."""
    texts = {
        "agg_15_4": office_text(tag, "§ 15 (4) AGG: claim in employment"),
        "agg_21_5": office_text(tag, "§ 21 (5) AGG: claim in civil law"),
        "arbgg_61b": office_text(tag, "§ 61b ArbGG: suit after a written claim"),
        "statement_reply": office_text(tag, "the reply date set in a request for a statement"),
        "intervention": office_text(tag, "the due date of an intervention"),
    }
    return texts[kind]


def deadline_reminder_email(event: DeadlineReminderDue, *, sender: str, recipient: str, workbench_url: str) -> EmailMessage:
    """Remind the assignee (through the office mailbox) or the leads of a deadline: which, on what basis, from when, until when."""
    link = f"{workbench_url.rstrip('/')}/cases/{event.case_id}"

    def body(tag: str) -> str:
        to = (
            office_text(tag, "For the assignee (staff account %(account)s).", account=event.assignee_id)
            if event.assignee_id
            else office_text(tag, "For the leads: the case is not assigned.")
        )
        text = office_text(
            tag,
            "A deadline of case %(reference)s ends in %(lead)s working days.\n\n"
            "Deadline: %(basis)s\nRuns from: %(runs_from)s\nEnds on: %(due)s\n%(to)s\nOpen in the workbench: %(link)s",
            reference=event.reference, lead=event.working_days_before, basis=_legal_basis(tag, event.deadline_kind),
            runs_from=event.runs_from.strftime("%d.%m.%Y"), due=event.due.strftime("%d.%m.%Y"), to=to, link=link,
        )  # fmt: skip
        if event.estimated:
            text += "\n" + office_text(tag, "Estimated: the start is the day the report arrived; the real deadline may be earlier.")
        return text + "\n"

    return _message(
        sender=sender,
        recipient=recipient,
        subject=office_text("de", "Deadline %(due)s: %(reference)s", due=event.due.strftime("%d.%m.%Y"), reference=event.reference),
        message_id=str(event.event_id),
        body=RULE.join(body(tag) for tag in OFFICE_LANGUAGES),
    )
