"""Failures a caller can act on, each with its HTTP status; mapped to JSON or an HTML page at the edge."""

from typing import Any

from meldestelle_shared.web import ERROR_RESPONSES, ErrorBody, FieldError


class Refusal(Exception):
    """Base of every refusal: an HTTP status, a stable code, a message and the fields at fault."""

    status = 400
    error = "bad_request"

    def __init__(self, message: str, fields: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.message, self.fields = message, fields or []


class NotAuthenticated(Refusal):
    """No valid session or token; `reason` tells the login page what to say."""

    status, error = 401, "unauthorized"

    def __init__(self, message: str, reason: str = "no_session") -> None:
        super().__init__(message)
        self.reason = reason


class LoginFailed(Refusal):
    """Wrong username, password or code: one message for all, so nothing is revealed."""

    status, error = 401, "login_failed"


class Locked(Refusal):
    """Too many failed logins from this client: it must wait (growing delays, never a lockout)."""

    status, error = 429, "too_many_attempts"


class Forbidden(Refusal):
    """Authenticated, but this role or this case is not theirs."""

    status, error = 403, "forbidden"


class CsrfRejected(Refusal):
    """An unsafe request without the session's CSRF token."""

    status, error = 403, "csrf_failed"


class NotFound(Refusal):
    """Nothing with this id."""

    status, error = 404, "not_found"


class Conflict(Refusal):
    """The request does not fit the current state (workflow, missing reporter key, concurrent change)."""

    status, error = 409, "conflict"


class Invalid(Refusal):
    """A field is unacceptable."""

    status, error = 422, "invalid_fields"

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"Please check: {field}.", [FieldError(field=field, reason=reason)])


# Every status the staff API may answer with besides success, for the OpenAPI document.
API_ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES,
    401: {"model": ErrorBody, "description": "No valid session or API token, or the login failed."},
    403: {"model": ErrorBody, "description": "The role or the case's assignment does not allow this, or the CSRF token is missing."},
    404: {"model": ErrorBody, "description": "No such case or account."},
    409: {"model": ErrorBody, "description": "Not possible in the case's current state (e.g. the workflow)."},
    429: {"model": ErrorBody, "description": "Too many failed logins from this client: wait and try again."},
}
