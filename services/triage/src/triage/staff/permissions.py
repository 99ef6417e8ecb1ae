"""Who may do what: the permission matrix as plain data, and the per-case access rule."""

from enum import StrEnum


class Role(StrEnum):
    """A staff member's role; an account may hold several."""

    CASEWORKER = "caseworker"
    LEAD = "lead"
    ADMIN = "admin"


class Permission(StrEnum):
    """One thing a principal may do."""

    CASE_READ = "case.read"  # the queue and case contents
    CASE_WORK = "case.work"  # status, classification, messages, notes, closing, taking a free case
    CASE_ASSIGN = "case.assign"  # give any case to anyone; open cases assigned to others
    CASE_REOPEN = "case.reopen"
    CASE_EXPORT = "case.export"
    AUDIT_READ = "audit.read"
    STATS_READ = "stats.read"
    STAFF_MANAGE = "staff.manage"
    SETTINGS_MANAGE = "settings.manage"
    LETTER_TEMPLATES = "letter.templates"  # edit the letter templates (a new version each time)
    EVIDENCE_ORIGINAL = "evidence.original"  # open a file's sealed original (not its safe copy), stating a reason


P = Permission
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CASEWORKER: frozenset({P.CASE_READ, P.CASE_WORK}),
    Role.LEAD: frozenset(
        {P.CASE_READ, P.CASE_WORK, P.CASE_ASSIGN, P.CASE_REOPEN, P.CASE_EXPORT, P.AUDIT_READ, P.STATS_READ, P.LETTER_TEMPLATES, P.EVIDENCE_ORIGINAL}
    ),
    # Admins run accounts and settings; they read no case unless they are also caseworkers.
    Role.ADMIN: frozenset({P.STAFF_MANAGE, P.SETTINGS_MANAGE}),
}


def permissions_of(roles: list[Role] | list[str]) -> frozenset[Permission]:
    """Everything the given roles together allow."""
    granted: set[Permission] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS[Role(role)]
    return frozenset(granted)


def may_open_case(permissions: frozenset[Permission], staff_id: str | None, assignee_id: str | None) -> bool:
    """Caseworkers open free cases (no assignee) and their own; leads (and API tokens scoped to assign) open every case."""
    if Permission.CASE_READ not in permissions:
        return False
    if Permission.CASE_ASSIGN in permissions:
        return True
    return assignee_id in (None, staff_id)
