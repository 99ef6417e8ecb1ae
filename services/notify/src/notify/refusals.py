"""What an SMTP server's refusal means for a delivery, described without the recipient's address.

aiosmtplib's errors carry the refused address and the server's text (which often repeats it),
so they never leave this module: callers get the error type and the SMTP code only.
"""

import aiosmtplib


class MailDeferred(Exception):
    """The server refused for now (4xx): retry later. Carries only the error type and SMTP code."""


class MailFailed(Exception):
    """The server refused something other than the recipient or the message (e.g. the sender or the login)."""


def smtp_code(error: aiosmtplib.SMTPException) -> int | None:
    """The SMTP reply code of a refusal, the highest one when several recipients were refused."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return max((refused.code for refused in error.recipients), default=None)
    return getattr(error, "code", None)


def describe(error: aiosmtplib.SMTPException) -> str:
    """`SMTPRecipientsRefused 550`: what may be logged, counted or dead-lettered."""
    code = smtp_code(error)
    return type(error).__name__ if code is None else f"{type(error).__name__} {code}"


def is_final_refusal(error: aiosmtplib.SMTPException) -> bool:
    """A permanent (5xx) refusal of this e-mail's recipient or content: sending it again cannot help."""
    code = smtp_code(error)
    refused_this_email = isinstance(error, aiosmtplib.SMTPRecipientsRefused | aiosmtplib.SMTPRecipientRefused | aiosmtplib.SMTPDataError)
    return refused_this_email and code is not None and 500 <= code < 600


def sanitised(error: aiosmtplib.SMTPException) -> Exception:
    """The exception to raise instead: transient for 4xx codes, otherwise a failure; both free of addresses."""
    code = smtp_code(error)
    if code is not None and 400 <= code < 500:
        return MailDeferred(describe(error))
    return MailFailed(describe(error))
