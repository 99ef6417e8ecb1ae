"""The e-mails notify writes. They carry references and links, never report content."""

from dataclasses import dataclass
from email.message import EmailMessage

from meldestelle_shared.events import CaseCreated, FirstResponseOverdue
from meldestelle_shared.taxonomy import label
from notify.schedule import NewCase


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


@dataclass(frozen=True)
class NoticeText:
    """A reporter notice in one language; the receipt is called what the resident site calls it."""

    subject: str
    body: str  # with {link}


# One per language of the resident site (intake's site/i18n.py); the word for the receipt is the site's.
NOTICE_TEXTS = {
    "de": NoticeText(
        "Neuigkeiten zu Ihrer Meldung",
        "Es gibt Neuigkeiten zu Ihrer Meldung bei der Antidiskriminierungsstelle.\n"
        "Sie können sie mit Ihrer Quittung hier lesen: {link}\n"
        "Diese E-Mail enthält absichtlich keine Einzelheiten.",
    ),
    "de-x-ls": NoticeText(
        "Neues zu Ihrer Meldung",
        "Es gibt etwas Neues zu Ihrer Meldung.\n"
        "Sie können es hier lesen: {link}\n"
        "Dafür brauchen Sie Ihre Quittung.\n"
        "In dieser E-Mail stehen mit Absicht keine Einzelheiten.",
    ),
    "en": NoticeText(
        "News about your report",
        "There is news about your report to the anti-discrimination office.\n"
        "You can read it with your receipt here: {link}\n"
        "This e-mail deliberately contains no details.",
    ),
    "tr": NoticeText(
        "Bildiriminizle ilgili yenilikler",
        "Ayrımcılıkla mücadele ofisine yaptığınız bildirimle ilgili yenilikler var.\n"
        "Bunları makbuzunuzla burada okuyabilirsiniz: {link}\n"
        "Bu e-posta bilerek hiçbir ayrıntı içermez.",
    ),
    "ar": NoticeText(
        "مستجدات بشأن بلاغك",
        "هناك مستجدات بشأن بلاغك إلى مكتب مكافحة التمييز.\n"
        "يمكنك قراءتها باستخدام إيصالك هنا: {link}\n"
        "لا تحتوي هذه الرسالة عمدًا على أي تفاصيل.",
    ),
    "bg": NoticeText(
        "Новини за Вашия сигнал",
        "Има новини за Вашия сигнал до службата за борба с дискриминацията.\n"
        "Можете да ги прочетете с Вашата разписка тук: {link}\n"
        "Този имейл умишлено не съдържа подробности.",
    ),
    "ro": NoticeText(
        "Noutăți despre sesizarea dumneavoastră",
        "Există noutăți despre sesizarea dumneavoastră către biroul antidiscriminare.\n"
        "Le puteți citi cu chitanța dumneavoastră aici: {link}\n"
        "Acest e-mail nu conține în mod intenționat niciun detaliu.",
    ),
}


def site_language(tag: str | None) -> str:
    """The resident site's language for a reporter's language tag: the tag, else its primary subtag, else German."""
    tag = (tag or "").lower()
    if tag in NOTICE_TEXTS:
        return tag
    primary = tag.split("-")[0]
    return primary if primary in NOTICE_TEXTS else "de"


def reporter_notice_email(*, sender: str, recipient: str, public_url: str, language: str | None, message_id: str) -> EmailMessage:
    """Tell a reporter there is news and link the check page in their language (German follows); nothing else."""
    first = site_language(language)
    languages = [first] if first.startswith("de") else [first, "de"]
    texts = [(NOTICE_TEXTS[tag], f"{public_url.rstrip('/')}/{tag}/check") for tag in languages]
    return _message(
        sender=sender,
        recipient=recipient,
        subject=" / ".join(text.subject for text, _ in texts),
        message_id=message_id,
        body="\n\n".join(text.body.format(link=link) for text, link in texts) + "\n",
    )


def office_digest_email(cases: list[NewCase], *, sender: str, recipient: str, workbench_url: str, message_id: str) -> EmailMessage:
    """Tell the office, in one e-mail, of new cases that came too many at once for one e-mail each."""
    base = workbench_url.rstrip("/")
    lines = [f"  {case.reference}: {base}/cases/{case.case_id}" for case in cases]
    return _message(
        sender=sender,
        recipient=recipient,
        subject=f"{len(cases)} weitere neue Meldungen / {len(cases)} more new reports",
        message_id=message_id,
        body=(
            f"Viele neue Meldungen in kurzer Zeit; diese {len(cases)} kommen gesammelt.\n"
            f"Many new reports in a short time; these {len(cases)} come together.\n\n" + "\n".join(lines) + "\n"
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
