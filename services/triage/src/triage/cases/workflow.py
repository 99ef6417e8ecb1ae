"""The case workflow as plain data: which status may follow which, and the checks that enforce it."""

from meldestelle_shared.taxonomy import CaseStatus

S = CaseStatus

# new → in_review → in_progress ⇄ waiting_for_reporter → referred / closed. Closing is possible from
# every open status (spam and duplicates are closed straight from new); only a lead reopens.
NEXT_STATUSES: dict[CaseStatus, frozenset[CaseStatus]] = {
    S.NEW: frozenset({S.IN_REVIEW, S.CLOSED}),
    S.IN_REVIEW: frozenset({S.IN_PROGRESS, S.REFERRED, S.CLOSED}),
    S.IN_PROGRESS: frozenset({S.WAITING_FOR_REPORTER, S.REFERRED, S.CLOSED}),
    S.WAITING_FOR_REPORTER: frozenset({S.IN_PROGRESS, S.REFERRED, S.CLOSED}),
    S.REFERRED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
}
REOPENED_STATUS = S.IN_PROGRESS
OPEN_STATUSES = frozenset(status for status in CaseStatus if status is not S.CLOSED)


class InvalidTransition(ValueError):
    """The requested status change is not in the workflow; the message says what is allowed."""


def allowed_next(current: CaseStatus) -> list[CaseStatus]:
    """The statuses a case may move to from `current`, in workflow order."""
    return [status for status in CaseStatus if status in NEXT_STATUSES[current]]


def check_status_change(current: CaseStatus, target: CaseStatus) -> None:
    """Refuse a move that is not in the workflow; closing needs a reason, so it goes through check_close."""
    if target is S.CLOSED:
        raise InvalidTransition("Closing needs a reason: use the close action.")
    if target not in NEXT_STATUSES[current]:
        allowed = ", ".join(s.value for s in allowed_next(current) if s is not S.CLOSED) or "none"
        raise InvalidTransition(f"A case in status {current.value} cannot move to {target.value}; allowed: {allowed}.")


def check_close(current: CaseStatus) -> None:
    """Refuse closing a case that is already closed."""
    if S.CLOSED not in NEXT_STATUSES[current]:
        raise InvalidTransition(f"A case in status {current.value} cannot be closed.")


def check_reopen(current: CaseStatus) -> None:
    """Only a closed case can be reopened."""
    if current is not S.CLOSED:
        raise InvalidTransition(f"Only a closed case can be reopened; this one is {current.value}.")
