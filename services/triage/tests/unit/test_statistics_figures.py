"""The statistics rules without I/O: what a case contributes, how a month is published, when it is due."""

from datetime import UTC, date, datetime

import pytest

from triage.cases.documents import figures_from_document
from triage.stats.figures import (
    CLASSIFICATION_NOTE,
    NOT_STATED,
    bucket_of,
    contribution_of,
    month_counts,
    publication,
    suppress_month,
)
from triage.stats.schedule import due_months, last_due_month, next_month, previous_month


def case(**overrides):
    """What a case contributes, from a case document as triage stores it."""
    base = {
        "_id": "c1",
        "received_month": "2026-03",
        "reporter": {
            "grounds": ["age", "racist_attribution"],
            "forms": ["threat"],
            "life_area": "housing",
            "district": "mitte",
            "reporter_role": "affected",
            "language": "de",
        },
    }
    return figures_from_document(base | overrides)


def test_reporter_answers_count_until_staff_classify():
    contribution = contribution_of(case())
    assert contribution["counted"] and contribution["source"] == "reporter" and contribution["month"] == "2026-03"
    assert contribution["cells"] == [
        "total", "grounds:age", "grounds:racist_attribution", "forms:threat",
        "life_area:housing", "district:mitte", "reporter_role:affected",
    ]  # fmt: skip


def test_staff_classification_replaces_grounds_forms_and_life_area_only():
    staffed = case(classification={"grounds": ["disability"], "forms": [], "life_area": None})
    contribution = contribution_of(staffed)
    assert contribution["source"] == "staff"
    assert contribution["cells"] == [
        "total", "grounds:disability", f"forms:{NOT_STATED}", f"life_area:{NOT_STATED}",
        "district:mitte", "reporter_role:affected",
    ]  # fmt: skip


@pytest.mark.parametrize(("reason", "counted"), [("spam", False), ("duplicate", False), ("out_of_scope", False),
                                                  ("resolved", True), ("withdrawn", True), (None, True)])  # fmt: skip
def test_only_spam_duplicates_and_out_of_scope_closures_leave_the_figures(reason, counted):
    assert contribution_of(case(status="closed", closure_reason=reason))["counted"] is counted


def test_missing_answers_count_as_not_stated_so_tables_add_up():
    contribution = contribution_of(case(reporter={"grounds": [], "forms": [], "language": "de"}))
    assert f"district:{NOT_STATED}" in contribution["cells"] and f"grounds:{NOT_STATED}" in contribution["cells"]


def test_buckets_are_stable_across_processes():
    assert bucket_of("0b9a5b0e-0000-4000-8000-000000000000") == 59  # CRC32, not the salted hash()


def test_month_counts_fill_every_code_and_list_not_stated_only_when_used():
    counts = month_counts("2026-03", {"total": 7, "grounds:age": 7, "district:mitte": 6, f"district:{NOT_STATED}": 1})
    assert counts.total == 7 and counts.tables["grounds"]["age"] == 7 and counts.tables["grounds"]["disability"] == 0
    assert NOT_STATED not in counts.tables["grounds"] and counts.tables["district"][NOT_STATED] == 1
    assert sum(counts.tables["district"].values()) == 7


def test_a_month_with_a_revealing_table_is_hidden_everywhere():
    # 4 reports: below the threshold, so the whole month is hidden.
    small = month_counts("2026-03", {"total": 4, "grounds:age": 4, "district:mitte": 4, "life_area:work": 4,
                                     "reporter_role:witness": 4, "forms:threat": 4})  # fmt: skip
    total, tables = suppress_month(small, threshold=5)
    assert total is None and all(value is None for table in tables.values() for value in table.values())


def test_a_publishable_month_suppresses_small_cells_and_their_cover():
    counts = month_counts("2026-03", {
        "total": 12, "grounds:age": 9, "grounds:disability": 3, "forms:threat": 12, "life_area:work": 8,
        "life_area:housing": 4, "district:mitte": 12, "reporter_role:affected": 10, "reporter_role:witness": 2,
    })  # fmt: skip
    event = publication(counts, threshold=5, now=datetime(2026, 4, 5, tzinfo=UTC))
    assert event.total == 12 and event.month == "2026-03" and event.classification == CLASSIFICATION_NOTE
    assert event.tables["grounds"]["age"] == 9 and event.tables["grounds"]["disability"] is None
    assert event.tables["life_area"]["housing"] is None and event.tables["life_area"]["work"] is None  # 12 - 8 = 4
    assert event.tables["reporter_role"]["witness"] is None and event.tables["reporter_role"]["affected"] is None
    assert event.tables["district"]["mitte"] == 12 and event.tables["district"]["sued"] == 0


def test_the_same_month_always_gets_the_same_event_id():
    counts = month_counts("2026-03", {"total": 0})
    first = publication(counts, threshold=5, now=datetime(2026, 4, 5, tzinfo=UTC))
    later = publication(counts, threshold=5, now=datetime(2026, 5, 1, tzinfo=UTC))
    assert first.event_id == later.event_id and first.partition_key() == b"2026-03"


@pytest.mark.parametrize(("today", "day", "expected"), [
    (date(2026, 4, 4), 5, "2026-02"), (date(2026, 4, 5), 5, "2026-03"),
    (date(2026, 1, 1), 1, "2025-12"), (date(2026, 1, 31), 5, "2025-12"), (date(2026, 2, 2), 5, "2025-12"),
])  # fmt: skip
def test_a_month_is_due_on_the_configured_day_after_it_ends(today, day, expected):
    assert last_due_month(today, publish_day=day) == expected


def test_due_months_start_with_the_first_month_and_skip_published_ones():
    due = due_months(date(2026, 3, 10), publish_day=5, first_month="2025-11", published={"2025-12"})
    assert due == ["2025-11", "2026-01", "2026-02"]
    assert due_months(date(2026, 3, 10), publish_day=5, first_month=None, published=set()) == []


def test_month_arithmetic_crosses_years():
    assert next_month("2025-12") == "2026-01" and previous_month("2026-01") == "2025-12"
