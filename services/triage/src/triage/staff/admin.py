"""What admins do with accounts, once for the API and the workbench: create, change, ask for a factor reset, approve.

Each step is audited here and refused with triage's domain errors; the routers only read the request and shape the answer.
"""

from dataclasses import dataclass
from typing import Any

from meldestelle_shared.sealing import Keyring
from triage.audit.log import Actor, AuditLog
from triage.errors import Forbidden, Invalid, NotFound
from triage.staff import approvals, service
from triage.staff.approvals import ApprovalRepository
from triage.staff.repository import SessionRepository, StaffRepository, UsernameTaken

REFUSALS = {
    "own_roles": "Nobody changes their own roles.",
    "awaiting_approval": "This new account waits for a second admin's approval.",
    "needs_another_admin": "Another admin must approve this: not the one who asked, nor the account concerned.",
    "not_pending": "This request is not pending (already approved, or unknown).",
    "account_gone": "The account no longer exists.",
}


@dataclass(frozen=True)
class StaffDesk:
    """What account management needs: the accounts, their sessions, the pending approvals, the TOTP key and the audit log."""

    staff: StaffRepository
    sessions: SessionRepository
    approvals: ApprovalRepository
    totp_key: Keyring
    audit: AuditLog


@dataclass(frozen=True)
class Enrolled:
    """A new account, its TOTP secret (shown this once) and the request another admin approves."""

    account: dict[str, Any]
    totp_secret: str
    approval: dict[str, Any]


async def create_account(username: str, password: str, roles: list[str], *, admin: Actor, desk: StaffDesk) -> Enrolled:
    """Create an account, inactive until a second admin approves; audited."""
    try:
        account, secret, pending = await approvals.create_account(
            username, password, roles, requested_by=str(admin.id), staff=desk.staff, approvals=desk.approvals, totp_key=desk.totp_key
        )
    except service.InvalidAccount as error:
        raise Invalid(error.field, error.reason) from None
    except UsernameTaken:
        raise Invalid("username", "is taken") from None
    await desk.audit.append(admin, "staff.create", reason=f"account:{account['_id']}")
    await desk.audit.append(admin, "staff.approval.request", reason=f"approval:{pending['_id']}")
    return Enrolled(account, secret, pending)


async def change_account(
    staff_id: str, *, roles: list[str] | None, active: bool | None, admin: Actor, desk: StaffDesk
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Change roles or switch an account on or off; a new case role waits for a second admin. Returns (account, pending request)."""
    try:
        account, pending = await approvals.change_account(
            staff_id, roles=roles, active=active, requested_by=str(admin.id),
            staff=desk.staff, sessions=desk.sessions, approvals=desk.approvals,
        )  # fmt: skip
    except approvals.ApprovalRefused as refused:
        await desk.audit.append(admin, "staff.update", outcome="refused", reason=refused.reason)
        raise Forbidden(REFUSALS[refused.reason]) from None
    except service.InvalidAccount as error:
        raise Invalid(error.field, error.reason) from None
    if account is None:
        raise NotFound("No account with this id.")
    if pending:
        await desk.audit.append(admin, "staff.approval.request", reason=f"approval:{pending['_id']}")
    else:
        await desk.audit.append(admin, "staff.update", reason=f"account:{staff_id}")
    return account, pending


async def request_factor_reset(staff_id: str, *, admin: Actor, desk: StaffDesk) -> dict[str, Any]:
    """Ask for a new password and TOTP secret for an account; another admin approves it. Returns the pending request."""
    if await desk.staff.get(staff_id) is None:
        raise NotFound("No account with this id.")
    pending = await approvals.request_change("reset_factors", staff_id, requested_by=str(admin.id), approvals=desk.approvals)
    await desk.audit.append(admin, "staff.approval.request", reason=f"approval:{pending['_id']}")
    return pending


async def approve(
    approval_id: str, password: str | None, *, admin: Actor, desk: StaffDesk
) -> tuple[dict[str, Any], dict[str, Any], str | None]:
    """Carry out another admin's request; returns it, the account and (for a reset) the new TOTP secret. Audited."""
    try:
        done, account, secret = await approvals.approve(
            approval_id, str(admin.id), password, approvals=desk.approvals, staff=desk.staff, sessions=desk.sessions, totp_key=desk.totp_key
        )
    except approvals.ApprovalRefused as refused:
        await desk.audit.append(admin, "staff.approval.approve", outcome="refused", reason=refused.reason)
        raise Forbidden(REFUSALS[refused.reason]) from None
    except service.InvalidAccount as error:
        raise Invalid(error.field, error.reason) from None
    await desk.audit.append(admin, "staff.approval.approve", reason=f"approval:{approval_id}")
    return done, account, secret
