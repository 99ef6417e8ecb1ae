"""HTTP edge of sessions (log in, log out, who am I) and of account management (admins)."""

import math
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response, status

from triage.audit.log import ANONYMOUS
from triage.auth import CurrentPrincipal, Principal, context_of, require
from triage.cookies import SESSION, delete_cookie, read_cookie, set_cookie
from triage.errors import API_ERROR_RESPONSES, Invalid, LoginFailed, Locked, NotFound
from triage.staff import service
from triage.staff.factors import provisioning_uri
from triage.staff.permissions import Permission, permissions_of
from triage.staff.repository import UsernameTaken
from triage.staff.schemas import AccountCreate, AccountRead, AccountUpdate, Enrolment, FactorsReset, LoginRequest, Me

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


@router.post("/staff", status_code=status.HTTP_201_CREATED, summary="Create a staff account (admins)")
async def create_account(principal: Admin, body: AccountCreate, request: Request) -> Enrolment:
    """The TOTP secret is returned this once."""
    context = context_of(request)
    try:
        account, secret = await service.create_account(
            body.username, body.password, [r.value for r in body.roles], staff=context.staff, totp_key=context.totp_key
        )
    except service.InvalidAccount as error:
        raise Invalid(error.field, error.reason) from None
    except UsernameTaken:
        raise Invalid("username", "is taken") from None
    await context.audit.append(principal.actor, "staff.create", reason=f"account:{account['_id']}")
    return Enrolment(account=account_read(account), totp_secret=secret, totp_uri=provisioning_uri(secret, account["username"]))


@router.patch("/staff/{staff_id}", summary="Change roles or deactivate an account (admins)")
async def update_account(principal: Admin, staff_id: str, body: AccountUpdate, request: Request) -> AccountRead:
    """Deactivating ends the account's sessions at once."""
    context = context_of(request)
    account = await service.update_account(
        staff_id, roles=[r.value for r in body.roles] if body.roles else None, active=body.active,
        staff=context.staff, sessions=context.sessions,
    )  # fmt: skip
    if account is None:
        raise NotFound("No account with this id.")
    await context.audit.append(principal.actor, "staff.update", reason=f"account:{staff_id}")
    return account_read(account)


@router.post("/staff/{staff_id}/reset-factors", summary="New password and TOTP secret (admins)")
async def reset_factors(principal: Admin, staff_id: str, body: FactorsReset, request: Request) -> Enrolment:
    """Unlocks the account and ends its sessions; the new TOTP secret is returned this once."""
    context = context_of(request)
    try:
        result = await service.reset_factors(
            staff_id, body.password, staff=context.staff, sessions=context.sessions, totp_key=context.totp_key
        )
    except service.InvalidAccount as error:
        raise Invalid(error.field, error.reason) from None
    if result is None:
        raise NotFound("No account with this id.")
    account, secret = result
    await context.audit.append(principal.actor, "staff.reset_factors", reason=f"account:{staff_id}")
    return Enrolment(account=account_read(account), totp_secret=secret, totp_uri=provisioning_uri(secret, account["username"]))


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
