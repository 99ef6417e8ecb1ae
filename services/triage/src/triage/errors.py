"""Failures a caller can act on, as domain errors without HTTP: `triage.edge` maps them to a status, JSON or a page."""

from meldestelle_shared.web import FieldError


class Refusal(Exception):
    """Base of every refusal: a stable code, a message and the fields at fault."""

    error = "bad_request"

    def __init__(self, message: str, fields: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.message, self.fields = message, fields or []


class NotAuthenticated(Refusal):
    """No valid session or token; `reason` tells the login page what to say."""

    error = "unauthorized"

    def __init__(self, message: str, reason: str = "no_session") -> None:
        super().__init__(message)
        self.reason = reason


class LoginFailed(Refusal):
    """Wrong username, password or code: one message for all, so nothing is revealed."""

    error = "login_failed"


class Locked(Refusal):
    """Too many failed logins from this client: it must wait (growing delays, never a lockout)."""

    error = "too_many_attempts"


class Forbidden(Refusal):
    """Authenticated, but this role or this case is not theirs."""

    error = "forbidden"


class CsrfRejected(Refusal):
    """An unsafe request without the session's CSRF token."""

    error = "csrf_failed"


class NotFound(Refusal):
    """Nothing with this id."""

    error = "not_found"


class Conflict(Refusal):
    """The request does not fit the current state (workflow, missing reporter key, concurrent change)."""

    error = "conflict"


class Invalid(Refusal):
    """A field is unacceptable."""

    error = "invalid_fields"

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"Please check: {field}.", [FieldError(field=field, reason=reason)])
