"""HTTP edge of sessions (log in, log out, who am I) and of account management (admins): adapters over `triage.staff`."""

from typing import Any

from fastapi import APIRouter, Request, Response, status

from triage.auth import Admin, CurrentPrincipal, client_of
from triage.bootstrap import Context
from triage.cookies import SESSION, delete_cookie, read_cookie, set_session_cookie
from triage.edge import API_ERROR_RESPONSES
from triage.errors import NotFound
from triage.staff import admin, service
from triage.staff.factors import provisioning_uri
from triage.staff.permissions import permissions_of
from triage.staff.schemas import (
    AccountCreate, AccountRead, AccountUpdate, ApprovalDecision, ApprovalRead, Approved, Enrolment, LoginRequest, Me, PendingEnrolment,
)  # fmt: skip

router = APIRouter(prefix="/api/v1", tags=["staff"], responses=API_ERROR_RESPONSES)


@router.post("/session", status_code=status.HTTP_201_CREATED, summary="Log in with password and TOTP code")
async def log_in(body: LoginRequest, request: Request, response: Response, context: Context) -> Me:
    """Sets the session cookie; the CSRF token in the answer goes into X-CSRF-Token on unsafe requests."""
    started = await service.start_session(body.username, body.password, body.totp, client=client_of(request), **context.login())
    set_session_cookie(response, request, started.token)
    return _me(started.account, started.csrf_token)


@router.delete("/session", status_code=status.HTTP_204_NO_CONTENT, summary="Log out")
async def log_out(principal: CurrentPrincipal, request: Request, context: Context) -> Response:
    """Ends the session on the server and clears the cookie."""
    await service.log_out(read_cookie(request, SESSION), actor=principal.actor, sessions=context.sessions, audit=context.audit)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    delete_cookie(response, request, SESSION)
    return response


@router.get("/me", summary="Who is logged in")
async def me(principal: CurrentPrincipal, context: Context) -> Me:
    """The account, roles and permissions of this session."""
    if principal.kind != "staff":
        raise NotFound("An API token belongs to no staff account.")
    account = await context.staff.get(principal.id)
    return _me(account, principal.csrf_token)


@router.get("/staff", summary="Every staff account (admins)")
async def list_accounts(principal: Admin, context: Context) -> list[AccountRead]:
    """Accounts without their secrets."""
    return [account_read(account) for account in await context.staff.all()]


@router.post("/staff", status_code=status.HTTP_201_CREATED, summary="Create a staff account (admins); inactive until a second admin approves")
async def create_account(principal: Admin, body: AccountCreate, context: Context) -> PendingEnrolment:
    """The TOTP secret is returned this once; the account can log in once another admin approves `approval`."""
    roles = [role.value for role in body.roles]
    enrolled = await admin.create_account(body.username, body.password, roles, admin=principal.actor, desk=context.accounts)
    account, secret = enrolled.account, enrolled.totp_secret
    uri = provisioning_uri(secret, account["username"])
    return PendingEnrolment(account=account_read(account), totp_secret=secret, totp_uri=uri, approval=approval_read(enrolled.approval))


@router.patch("/staff/{staff_id}", summary="Change roles or deactivate an account (admins)")
async def update_account(principal: Admin, staff_id: str, body: AccountUpdate, response: Response, context: Context) -> AccountRead | ApprovalRead:
    """Deactivating ends the account's sessions at once; granting a case role answers 202 with a request another admin approves."""
    roles = [role.value for role in body.roles] if body.roles else None
    account, pending = await admin.change_account(staff_id, roles=roles, active=body.active, admin=principal.actor, desk=context.accounts)
    if pending:
        response.status_code = status.HTTP_202_ACCEPTED
        return approval_read(pending)
    return account_read(account)


@router.post("/staff/{staff_id}/reset-factors", status_code=status.HTTP_202_ACCEPTED, summary="Ask for a factor reset (admins)")
async def reset_factors(principal: Admin, staff_id: str, context: Context) -> ApprovalRead:
    """Another admin approves it, sets the new password and receives the new TOTP secret."""
    return approval_read(await admin.request_factor_reset(staff_id, admin=principal.actor, desk=context.accounts))


@router.get("/staff/approvals", summary="Changes waiting for a second admin (admins)")
async def pending_approvals(principal: Admin, context: Context) -> list[ApprovalRead]:
    """Oldest first."""
    return [approval_read(pending) for pending in await context.approvals.pending()]


@router.post("/staff/approvals/{approval_id}", summary="Approve another admin's request (admins)")
async def approve(principal: Admin, approval_id: str, body: ApprovalDecision, context: Context) -> Approved:
    """Neither the requester nor the account concerned may approve; a reset returns its new TOTP secret this once."""
    done, account, secret = await admin.approve(approval_id, body.password, admin=principal.actor, desk=context.accounts)
    enrolment = Enrolment(account=account_read(account), totp_secret=secret, totp_uri=provisioning_uri(secret, account["username"])) if secret else None
    return Approved(request=approval_read(done), account=account_read(account), enrolment=enrolment)


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
