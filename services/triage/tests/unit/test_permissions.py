"""The permission matrix, one row per role and permission, and the per-case access rule."""

import pytest

from triage.staff.permissions import Permission as P, Role, may_open_case, permissions_of
from triage.staff.tokens import SCOPES

MATRIX = {
    P.CASE_READ: {Role.CASEWORKER, Role.LEAD},
    P.CASE_WORK: {Role.CASEWORKER, Role.LEAD},
    P.CASE_ASSIGN: {Role.LEAD},
    P.CASE_REOPEN: {Role.LEAD},
    P.CASE_EXPORT: {Role.LEAD},
    P.AUDIT_READ: {Role.LEAD},
    P.STATS_READ: {Role.LEAD},
    P.STAFF_MANAGE: {Role.ADMIN},
    P.SETTINGS_MANAGE: {Role.ADMIN},
    P.LETTER_TEMPLATES: {Role.LEAD},
    P.EVIDENCE_ORIGINAL: {Role.LEAD},
}


@pytest.mark.parametrize("permission", list(P))
@pytest.mark.parametrize("role", list(Role))
def test_matrix(role, permission):
    assert (permission in permissions_of([role])) == (role in MATRIX[permission])


def test_admins_read_no_case_unless_also_caseworkers():
    admin = permissions_of([Role.ADMIN])
    assert not may_open_case(admin, "a", None)
    assert may_open_case(permissions_of([Role.ADMIN, Role.CASEWORKER]), "a", None)


@pytest.mark.parametrize(
    ("roles", "assignee", "allowed"),
    [
        ([Role.CASEWORKER], None, True),  # a free case
        ([Role.CASEWORKER], "me", True),  # their own
        ([Role.CASEWORKER], "someone-else", False),
        ([Role.LEAD], "someone-else", True),
    ],
)
def test_caseworkers_open_free_and_own_cases_leads_every_case(roles, assignee, allowed):
    assert may_open_case(permissions_of(roles), "me", assignee) is allowed


def test_api_tokens_may_work_cases_but_never_manage_anything():
    assert {P.CASE_READ, P.CASE_WORK} <= SCOPES
    assert not {P.STAFF_MANAGE, P.SETTINGS_MANAGE, P.AUDIT_READ, P.CASE_REOPEN, P.CASE_EXPORT} & SCOPES
