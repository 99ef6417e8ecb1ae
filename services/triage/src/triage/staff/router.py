"""HTTP edge of sessions (log in, log out, who am I) and of account management (admins)."""

import math
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response, status

from triage.audit.log import ANONYMOUS
from triage.auth import CurrentPrincipal, Principal, context_of, require
from triage.cookies import SESSION, delete_cookie, read_cookie, set_cookie
from triage.errors import API_ERROR_RESPONSES, Forbidden, Invalid, LoginFailed, Locked, NotFound
from triage.staff import approvals, service
from triage.staff.factors import provisioning_uri
from triage.staff.permissions import Permission, permissions_of
from triage.staff.repository import UsernameTaken
from triage.staff.schemas import (
    AccountCreate, AccountRead, AccountUpdate, ApprovalDecision, ApprovalRead, Approved, Enrolment, LoginRequest, Me, PendingEnrolment,
)  # fmt: skip

router = APIRouter(prefix="/api/v1", tags=["staff"], responses=API_ERROR_RESPONSES)
Admin = Annotated[Principal, require(Permission.STAFF_MANAGE)]


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    """HttpOnly, SameSite=Strict, Secure and `__Host-` behind TLS; no Max-Age, so it dies with the browser."""
    set_cookie(response, request, SESSION, token)


async def start_session(request: Request, username: str, password: str, code: str) -> service.StartedSession:
    """Log in with both factors; a client that failed too often waits first; every refusal reads the same for any username."""
    context = context_of(request)
    address = request.client.host if request.client else ""
    if wait := context.login_throttle.wait(address):
        await context.audit.append(ANONYMOUS, "login", outcome="refused", reason="client_throttled")
        raise Locked(f"Too many failed attempts from here. Please wait {math.ceil(wait)} seconds, then try again.")
    try:
        started = await service.log_in(
            username, password, code, staff=context.staff, sessions=context.sessions, audit=context.audit,
            totp_key=context.totp_key, office_key=context.office_key, policy=context.policy,
        )  # fmt: skip
    except service.LoginRefused:
        context.login_throttle.failed(address)
        raise LoginFailed("Username, password or code is wrong.") from None
    context.login_throttle.succeeded(address)
    return started


@router.post("/session", status_code=status.HTTP_201_CREATED, summary="Log in with password and TOTP code")
async def log_in(body: LoginRequest, request: Request, response: Response) -> Me:
    """Sets the session cookie; the CSRF token in the answer goes into X-CSRF-Token on unsafe requests."""
    started = await start_session(request, body.username, body.password, body.totp)
    set_session_cookie(response, request, started.token)
    return _me(started.account, started.csrf_token)


@router.delete("/session", status_code=status.HTTP_204_NO_CONTENT, summary="Log out")
async def log_out(principal: CurrentPrincipal, request: Request) -> Response:
    """Ends the session on the server and clears the cookie."""
    context = context_of(request)
    await service.log_out(read_cookie(request, SESSION), sessions=context.sessions)
    await context.audit.append(principal.actor, "logout")
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    delete_cookie(response, request, SESSION)
    return response


@router.get("/me", summary="Who is logged in")
async def me(principal: CurrentPrincipal, request: Request) -> Me:
    """The account, roles and permissions of this session."""
    if principal.kind != "staff":
        raise NotFound("An API token belongs to no staff account.")
    account = await context_of(request).staff.get(principal.id)
    return _me(account, principal.csrf_token)


@router.get("/staff", summary="Every staff account (admins)")
async def list_accounts(principal: Admin, request: Request) -> list[AccountRead]:
    """Accounts without their secrets."""
    return [account_read(account) for account in await context_of(request).staff.all()]


@router.post("/staff", status_code=status.HTTP_201_CREATED, summary="Create a staff account (admins); inactive until a second admin approves")
async def create_account(principal: Admin, body: AccountCreate, request: Request) -> PendingEnrolment:
    """The TOTP secret is returned this once; the account can log in once another admin approves `approval`."""
    context = context_of(request)
    try:
        account, secret, pending = await approvals.create_account(
            body.username, body.password, [r.value for r in body.roles], requested_by=principal.id,
            staff=context.staff, approvals=context.approvals, totp_key=context.totp_key,
        )  # fmt: skip
    except service.InvalidAccount as error:
        raise Invalid(error.field, error.reason) from None
    except UsernameTaken:
        raise Invalid("username", "is taken") from None
    await context.audit.append(principal.actor, "staff.create", reason=f"account:{account['_id']}")
    await context.audit.append(principal.actor, "staff.approval.request", reason=f"approval:{pending['_id']}")
    uri = provisioning_uri(secret, account["username"])
    return PendingEnrolment(account=account_read(account), totp_secret=secret, totp_uri=uri, approval=approval_read(pending))


@router.patch("/staff/{staff_id}", summary="Change roles or deactivate an account (admins)")
async def update_account(principal: Admin, staff_id: str, body: AccountUpdate, request: Request, response: Response) -> AccountRead | ApprovalRead:
    """Deactivating ends the account's sessions at once; granting a case role answers 202 with a request another admin approves."""
    context = context_of(request)
    try:
        account, pending = await approvals.change_account(
            staff_id, roles=[r.value for r in body.roles] if body.roles else None, active=body.active, requested_by=principal.id,
            staff=context.staff, sessions=context.sessions, approvals=context.approvals,
        )  # fmt: skip
    except approvals.ApprovalRefused as refused:
        await context.audit.append(principal.actor, "staff.update", outcome="refused", reason=refused.reason)
        raise Forbidden(_REFUSALS[refused.reason]) from None
    except service.InvalidAccount as error:
        raise Invalid(error.field, error.reason) from None
    if account is None:
        raise NotFound("No account with this id.")
    if pending:
        await context.audit.append(principal.actor, "staff.approval.request", reason=f"approval:{pending['_id']}")
        response.status_code = status.HTTP_202_ACCEPTED
        return approval_read(pending)
    await context.audit.append(principal.actor, "staff.update", reason=f"account:{staff_id}")
    return account_read(account)


@router.post("/staff/{staff_id}/reset-factors", status_code=status.HTTP_202_ACCEPTED, summary="Ask for a factor reset (admins)")
async def reset_factors(principal: Admin, staff_id: str, request: Request) -> ApprovalRead:
    """Another admin approves it, sets the new password and receives the new TOTP secret."""
    context = context_of(request)
    if await context.staff.get(staff_id) is None:
        raise NotFound("No account with this id.")
    pending = await approvals.request_change("reset_factors", staff_id, requested_by=principal.id, approvals=context.approvals)
    await context.audit.append(principal.actor, "staff.approval.request", reason=f"approval:{pending['_id']}")
    return approval_read(pending)


@router.get("/staff/approvals", summary="Changes waiting for a second admin (admins)")
async def pending_approvals(principal: Admin, request: Request) -> list[ApprovalRead]:
    """Oldest first."""
    return [approval_read(pending) for pending in await context_of(request).approvals.pending()]


@router.post("/staff/approvals/{approval_id}", summary="Approve another admin's request (admins)")
async def approve(principal: Admin, approval_id: str, body: ApprovalDecision, request: Request) -> Approved:
    """Neither the requester nor the account concerned may approve; a reset returns its new TOTP secret this once."""
    context = context_of(request)
    try:
        done, account, secret = await approvals.approve(
            approval_id, principal.id, body.password, approvals=context.approvals, staff=context.staff,
            sessions=context.sessions, totp_key=context.totp_key,
        )  # fmt: skip
    except approvals.ApprovalRefused as refused:
        await context.audit.append(principal.actor, "staff.approval.approve", outcome="refused", reason=refused.reason)
        raise Forbidden(_REFUSALS[refused.reason]) from None
    except service.InvalidAccount as error:
        raise Invalid(error.field, error.reason) from None
    await context.audit.append(principal.actor, "staff.approval.approve", reason=f"approval:{approval_id}")
    enrolment = Enrolment(account=account_read(account), totp_secret=secret, totp_uri=provisioning_uri(secret, account["username"])) if secret else None
    return Approved(request=approval_read(done), account=account_read(account), enrolment=enrolment)


_REFUSALS = {
    "own_roles": "Nobody changes their own roles.",
    "awaiting_approval": "This new account waits for a second admin's approval.",
    "needs_another_admin": "Another admin must approve this: not the one who asked, nor the account concerned.",
    "not_pending": "This request is not pending (already approved, or unknown).",
    "account_gone": "The account no longer exists.",
}


def approval_read(pending: dict[str, Any]) -> ApprovalRead:
    """The public view of an approval request."""
    return ApprovalRead.model_validate({**pending, "id": pending["_id"]})


def account_read(account: dict[str, Any]) -> AccountRead:
    """The public view of an account."""
    return AccountRead.model_validate({**account, "id": account["_id"]})


def _me(account: dict[str, Any], csrf_token: str | None) -> Me:
    return Me(
        id=account["_id"],
        username=account["username"],
        roles=account["roles"],
        permissions=sorted(permissions_of(account["roles"])),
        csrf_token=csrf_token,
    )
