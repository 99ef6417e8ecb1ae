"""The workflow table: every pair of statuses, allowed or refused with a message that says what is allowed."""

import pytest

from meldestelle_shared.taxonomy import CaseStatus as S
from triage.cases.workflow import InvalidTransition, allowed_next, check_close, check_reopen, check_status_change

ALLOWED = {
    (S.NEW, S.IN_REVIEW),
    (S.IN_REVIEW, S.IN_PROGRESS),
    (S.IN_REVIEW, S.REFERRED),
    (S.IN_PROGRESS, S.WAITING_FOR_REPORTER),
    (S.IN_PROGRESS, S.REFERRED),
    (S.WAITING_FOR_REPORTER, S.IN_PROGRESS),
    (S.WAITING_FOR_REPORTER, S.REFERRED),
}


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("target", [s for s in S if s is not S.CLOSED])
def test_status_changes_follow_the_table(current, target):
    if (current, target) in ALLOWED:
        check_status_change(current, target)
    else:
        with pytest.raises(InvalidTransition, match=f"cannot move to {target.value}; allowed: "):
            check_status_change(current, target)


def test_refusal_names_the_allowed_steps():
    with pytest.raises(InvalidTransition, match="allowed: in_review"):
        check_status_change(S.NEW, S.IN_PROGRESS)


def test_closing_goes_through_its_own_action():
    with pytest.raises(InvalidTransition, match="needs a reason"):
        check_status_change(S.IN_PROGRESS, S.CLOSED)


@pytest.mark.parametrize("current", [s for s in S if s is not S.CLOSED])
def test_every_open_case_can_be_closed(current):
    check_close(current)
    assert S.CLOSED in allowed_next(current)


def test_a_closed_case_cannot_be_closed_again_or_moved():
    with pytest.raises(InvalidTransition):
        check_close(S.CLOSED)
    assert allowed_next(S.CLOSED) == []


@pytest.mark.parametrize("current", list(S))
def test_only_closed_cases_are_reopened(current):
    if current is S.CLOSED:
        check_reopen(current)
    else:
        with pytest.raises(InvalidTransition, match="Only a closed case"):
            check_reopen(current)
