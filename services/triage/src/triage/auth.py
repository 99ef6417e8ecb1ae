"""Who is asking: a staff session (cookie + CSRF token) or, where enabled, a scoped, expiring API token.

Every refusal here is written to the audit log before it is raised.
"""

import hmac
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from triage.audit.log import ANONYMOUS, Actor
from triage.bootstrap import Context, TriageContext
from triage.cookies import SESSION, read_cookie
from triage.errors import CsrfRejected, Forbidden, NotAuthenticated
from triage.staff.permissions import Permission, permissions_of
from triage.staff.service import SessionInvalid, resolve_session
from triage.staff.tokens import TokenRefused, check_token

CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Principal:
    """The authenticated caller and what it may do."""

    kind: str  # "staff" or "api_token" (then `id` is the token's actor name)
    id: str | None
    username: str | None
    roles: tuple[str, ...]
    permissions: frozenset[Permission]
    csrf_token: str | None = None

    @property
    def actor(self) -> Actor:
        """How the caller appears in the audit log."""
        return Actor(self.kind, self.id)

    def can(self, permission: Permission) -> bool:
        """Whether the caller holds a permission."""
        return permission in self.permissions


def is_api(request: Request) -> bool:
    """JSON API requests (as opposed to workbench pages)."""
    return request.url.path.startswith("/api/")


def client_of(request: Request) -> str:
    """The client's address, for the login throttle only (never logged)."""
    return request.client.host if request.client else ""


async def current_principal(request: Request, context: Context) -> Principal:
    """Authenticate by API token (API only, where enabled) or session cookie; unsafe session requests need the CSRF token."""
    authorization = request.headers.get("authorization", "")
    if is_api(request) and authorization:
        return await _token_principal(context, authorization)
    try:
        session, account = await resolve_session(
            read_cookie(request, SESSION), sessions=context.sessions, staff=context.staff, policy=context.policy
        )
    except SessionInvalid as invalid:
        if invalid.reason != "no_session":
            actor = Actor("staff", invalid.staff_id) if invalid.staff_id else ANONYMOUS
            await context.audit.append(actor, "authenticate", outcome="refused", reason=invalid.reason)
        raise NotAuthenticated("Please log in: your session is missing or has ended.", invalid.reason) from None
    principal = Principal(
        "staff", account["_id"], account["username"], tuple(account["roles"]), permissions_of(account["roles"]), session["csrf_token"]
    )
    if request.method not in _SAFE_METHODS:
        await _check_csrf(request, principal, context)
    return principal


async def _token_principal(context: TriageContext, authorization: str) -> Principal:
    scheme, _, token = authorization.partition(" ")
    try:
        if not context.settings.api_tokens_enabled:
            raise TokenRefused("api_tokens_disabled")
        if scheme.lower() != "bearer":
            raise TokenRefused("not_bearer")
        checked = await check_token(token, tokens=context.tokens)
    except TokenRefused as refused:
        actor = Actor("api_token", refused.actor) if refused.actor else ANONYMOUS
        await context.audit.append(actor, "authenticate", outcome="refused", reason=refused.reason)
        raise NotAuthenticated("A valid API token or staff session is required.", "bad_token") from None
    return Principal("api_token", checked.actor, None, (), checked.scopes)


async def _check_csrf(request: Request, principal: Principal, context: TriageContext) -> None:
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and not is_api(request):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent.encode(), (principal.csrf_token or "").encode()):
        await context.audit.append(principal.actor, "csrf", outcome="refused", reason="csrf_token_missing_or_wrong")
        raise CsrfRejected("This form has expired or did not come from the workbench. Please reload the page and try again.")


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require(permission: Permission) -> Any:
    """A dependency that passes the principal on only if it holds `permission`; refusals are audited."""

    async def check(principal: CurrentPrincipal, context: Context) -> Principal:
        if not principal.can(permission):
            await context.audit.append(principal.actor, permission.value, outcome="refused", reason="role_lacks_permission")
            raise Forbidden("Your role does not allow this.")
        return principal

    return Depends(check)


# The callers each route admits, declared once for every router.
Reader = Annotated[Principal, require(Permission.CASE_READ)]
Worker = Annotated[Principal, require(Permission.CASE_WORK)]
Assigner = Annotated[Principal, require(Permission.CASE_ASSIGN)]
Reopener = Annotated[Principal, require(Permission.CASE_REOPEN)]
Exporter = Annotated[Principal, require(Permission.CASE_EXPORT)]
Lead = Annotated[Principal, require(Permission.AUDIT_READ)]
Admin = Annotated[Principal, require(Permission.STAFF_MANAGE)]
Statistician = Annotated[Principal, require(Permission.STATS_READ)]
TemplateEditor = Annotated[Principal, require(Permission.LETTER_TEMPLATES)]
