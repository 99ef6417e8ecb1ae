"""The queue counters' pure logic: memberships, deltas between entry states, and sums over writer instances."""

from triage.cases.queue.archive import group_of_filters
from triage.cases.queue.counting import TOTAL, counter_id, membership_delta, per_assignee, queue_counts, summed


def entry(status="new", assignee=None, reply=False) -> dict:
    return {"status": status, "assignee_id": assignee, "reply_waiting": reply}


def test_a_new_entry_counts_in_its_status_and_as_unassigned():
    assert membership_delta(None, entry()) == {"status:new": 1, "assignee:none": 1}


def test_the_same_state_twice_changes_nothing():
    assert membership_delta(entry("in_review", "s1", True), entry("in_review", "s1", True)) == {}


def test_a_status_change_moves_one_case_between_counters():
    assert membership_delta(entry("new"), entry("in_review")) == {"status:new": -1, "status:in_review": 1}


def test_an_assignment_and_a_reply_change_only_their_counters():
    assert membership_delta(entry("new"), entry("new", "s1", True)) == {"assignee:none": -1, "assignee:s1": 1, "reply_waiting": 1}


def test_closing_or_erasing_takes_the_entry_out_of_every_counter():
    assert membership_delta(entry("in_progress", "s2", True), None) == {"status:in_progress": -1, "assignee:s2": -1, "reply_waiting": -1}


def test_readers_add_up_the_instances_and_closed_is_total_minus_open():
    docs = [
        {"_id": counter_id("status:new", "host-a-1"), "n": 3},
        {"_id": counter_id("status:new", "host-b-7"), "n": -1},  # deltas may be negative on one instance
        {"_id": counter_id("assignee:none", "host-a-1"), "n": 2},
        {"_id": counter_id("status:in_review", "host-b-7"), "n": 0},
        {"_id": counter_id(TOTAL, "host-a-1"), "n": 5},
        {"_id": counter_id("reply_waiting", "host-b-7"), "n": 1},
    ]
    totals = summed(docs)
    assert queue_counts(totals) == ({"new": 2, "closed": 3}, 1)
    assert per_assignee(totals) == {"none": 2}


def test_only_month_district_and_area_combinations_kept_as_lists_are_answered_from_the_archive():
    assert group_of_filters(month=None, district=None, area=None) == "closed"
    assert group_of_filters(month="2026-03", district="mitte", area=None) == "month:2026-03|district:mitte"
    assert group_of_filters(month=None, district=None, area="housing") == "area:housing"
    assert group_of_filters(month="2026-03", district="mitte", area="housing") is None
