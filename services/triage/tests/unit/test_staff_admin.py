"""Account management's refusals, audited in the service layer (staff.admin), against in-memory stores."""

import pytest

from triage.audit.log import Actor
from triage.errors import Forbidden, NotFound
from triage.staff import admin

ADMIN = Actor("staff", "admin-1")


class MemoryStaff:
    """Accounts by id."""

    def __init__(self, *accounts: dict):
        self.accounts = {account["_id"]: account for account in accounts}

    async def get(self, staff_id):
        return self.accounts.get(staff_id)


class MemoryApprovals:
    """Pending requests, in order."""

    def __init__(self):
        self.requests = []

    async def insert(self, request):
        self.requests.append(request)


class MemoryAudit:
    """Entries as (actor, action, outcome, reason)."""

    def __init__(self):
        self.entries = []

    async def append(self, actor, action, *, case_id=None, outcome="ok", reason=None):
        self.entries.append((actor, action, outcome, reason))


def desk_with(*accounts: dict) -> admin.StaffDesk:
    return admin.StaffDesk(staff=MemoryStaff(*accounts), sessions=None, approvals=MemoryApprovals(), totp_key=None, audit=MemoryAudit())


async def test_an_admin_changing_their_own_roles_is_refused_and_the_refusal_audited():
    desk = desk_with({"_id": "admin-1", "roles": ["admin"], "active": True})
    with pytest.raises(Forbidden, match="Nobody changes their own roles"):
        await admin.change_account("admin-1", roles=["admin", "lead"], active=None, admin=ADMIN, desk=desk)
    assert desk.audit.entries == [(ADMIN, "staff.update", "refused", "own_roles")]


async def test_a_factor_reset_for_an_unknown_account_is_not_found_and_files_nothing():
    desk = desk_with()
    with pytest.raises(NotFound):
        await admin.request_factor_reset("nobody", admin=ADMIN, desk=desk)
    assert desk.approvals.requests == [] and desk.audit.entries == []


async def test_a_factor_reset_is_filed_for_a_second_admin_and_audited_once():
    desk = desk_with({"_id": "worker-1", "roles": ["caseworker"], "active": True})
    pending = await admin.request_factor_reset("worker-1", admin=ADMIN, desk=desk)
    assert desk.approvals.requests == [pending] and pending["kind"] == "reset_factors" and pending["requested_by"] == "admin-1"
    assert desk.audit.entries == [(ADMIN, "staff.approval.request", "ok", f"approval:{pending['_id']}")]
