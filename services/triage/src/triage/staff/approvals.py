"""Four eyes on what opens cases: a second admin approves case roles, new accounts and factor resets.

One admin alone could otherwise read cases: by granting themselves (or an account they control) a
case role, or by resetting a lead's factors and logging in as the lead. So an admin never changes
their own roles, and these changes wait as pending requests until another admin approves them:
- granting caseworker or lead to an existing account;
- a new account (its creator knows its factors): it stays inactive until approved;
- a factor reset: the approver sets the new password and receives the new TOTP secret.
The operators' command line (`python -m triage.staff.cli`) holds the service's secrets and is not
bound by this.
"""

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from meldestelle_shared.sealing import Keyring
from triage.staff import service
from triage.staff.permissions import Role
from triage.staff.repository import SessionRepository, StaffRepository

CASE_ROLES = frozenset({Role.CASEWORKER.value, Role.LEAD.value})


class ApprovalRefused(Exception):
    """The change may not be made (or approved) by this admin; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ApprovalRepository:
    """Pending and decided requests in the `approvals` collection, read by `_id` or as one small list."""

    def __init__(self, database: AsyncDatabase) -> None:
        self._approvals = database["approvals"]

    async def insert(self, request: dict[str, Any]) -> None:
        """Store a new request."""
        await self._approvals.insert_one(request)

    async def pending(self) -> list[dict[str, Any]]:
        """Requests waiting for a second admin, oldest first."""
        return [request async for request in self._approvals.find({"state": "pending"}, sort=[("requested_at", 1)])]

    async def decide(self, request_id: str, decided_by: str) -> dict[str, Any] | None:
        """Mark a pending request approved, atomically (only one approval wins); None if it is not pending."""
        return await self._approvals.find_one_and_update(
            {"_id": request_id, "state": "pending"},
            {"$set": {"state": "approved", "decided_by": decided_by, "decided_at": datetime.now(UTC)}},
            return_document=ReturnDocument.AFTER,
        )

    async def get(self, request_id: str) -> dict[str, Any] | None:
        """A request by id."""
        return await self._approvals.find_one({"_id": request_id})


async def request_change(kind: str, staff_id: str, *, requested_by: str, approvals: ApprovalRepository, roles: list[str] | None = None) -> dict[str, Any]:
    """File a change for a second admin; returns the pending request."""
    request = {
        "_id": str(uuid4()), "kind": kind, "staff_id": staff_id, "roles": roles, "state": "pending",
        "requested_by": requested_by, "requested_at": datetime.now(UTC),
    }  # fmt: skip
    await approvals.insert(request)
    return request


def grants_case_roles(account: dict[str, Any], roles: list[str]) -> bool:
    """Whether new roles add a case role the account does not hold yet."""
    return bool((set(roles) & CASE_ROLES) - set(account["roles"]))


async def approve(
    request_id: str,
    approver_id: str,
    password: str | None,
    *,
    approvals: ApprovalRepository,
    staff: StaffRepository,
    sessions: SessionRepository,
    totp_key: Keyring,
) -> tuple[dict[str, Any], dict[str, Any], str | None]:
    """Carry out a pending request as a second admin; returns it, the account and (for a reset) the new TOTP secret."""
    request = await approvals.get(request_id)
    if request is None or request["state"] != "pending":
        raise ApprovalRefused("not_pending")
    if approver_id in (request["requested_by"], request["staff_id"]):
        raise ApprovalRefused("needs_another_admin")
    if request["kind"] == "reset_factors" and password is None:
        raise service.InvalidAccount("password", "is needed to approve a factor reset")
    if request["kind"] == "reset_factors" and (reason := service.factors.check_password_policy(password or "")):
        raise service.InvalidAccount("password", reason)
    if await approvals.decide(request_id, approver_id) is None:
        raise ApprovalRefused("not_pending")
    secret = None
    if request["kind"] == "grant_roles":
        account = await staff.update(request["staff_id"], {"roles": request["roles"]})
    elif request["kind"] == "activate_account":
        account = await staff.update(request["staff_id"], {"active": True, "awaiting_approval": None})
    else:
        result = await service.reset_factors(request["staff_id"], password or "", staff=staff, sessions=sessions, totp_key=totp_key)
        account, secret = result if result else (None, None)
    if account is None:
        raise ApprovalRefused("account_gone")
    return request, account, secret


async def create_account(
    username: str, password: str, roles: list[str], *, requested_by: str, staff: StaffRepository, approvals: ApprovalRepository, totp_key: Keyring
) -> tuple[dict[str, Any], str, dict[str, Any]]:
    """An admin's new account: created inactive, with a request that another admin activates it."""
    account, secret = await service.create_account(username, password, roles, staff=staff, totp_key=totp_key, active=False)
    request = await request_change("activate_account", account["_id"], requested_by=requested_by, approvals=approvals, roles=account["roles"])
    account = await staff.update(account["_id"], {"awaiting_approval": request["_id"]}) or account
    return account, secret, request


async def change_account(
    staff_id: str, *, roles: list[str] | None, active: bool | None, requested_by: str,
    staff: StaffRepository, sessions: SessionRepository, approvals: ApprovalRepository,
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Change roles or switch an account on or off; a new case role waits for a second admin. Returns (account, pending request)."""  # fmt: skip
    account = await staff.get(staff_id)
    if account is None:
        return None, None
    if roles is not None and staff_id == requested_by and set(roles) != set(account["roles"]):
        raise ApprovalRefused("own_roles")
    if active and account.get("awaiting_approval"):
        raise ApprovalRefused("awaiting_approval")
    if roles is not None and grants_case_roles(account, roles):
        service.check_roles(roles)
        request = await request_change("grant_roles", staff_id, requested_by=requested_by, approvals=approvals, roles=sorted(set(roles)))
        return account, request
    return await service.update_account(staff_id, roles=roles, active=active, staff=staff, sessions=sessions), None
