"""Cell suppression: hand-checked tables, then properties over random tables checked by an attacker."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triage.stats.suppression import PublishedTable, suppress_table, suppress_trend

P, S = "primary", "secondary"


@pytest.mark.parametrize(
    ("counts", "total", "additive", "cells", "published_total", "reasons"),
    [
        pytest.param(
            {"a": 10, "b": 7, "c": 5}, 22, True, {"a": 10, "b": 7, "c": 5}, 22, {}, id="nothing-small"
        ),
        pytest.param(
            {"a": 3, "b": 6, "c": 9, "d": 12}, 30, True,
            {"a": None, "b": None, "c": 9, "d": 12}, 30, {"a": P, "b": S},
            id="one-small-cell-would-be-total-minus-the-rest",
        ),
        pytest.param(
            {"a": 2, "b": 3, "c": 10}, 15, True, {"a": None, "b": None, "c": 10}, 15, {"a": P, "b": P},
            id="two-small-cells-protect-each-other",
        ),
        pytest.param(
            {"a": 1, "b": 1, "c": 8, "d": 9}, 19, True,
            {"a": None, "b": None, "c": None, "d": 9}, 19, {"a": P, "b": P, "c": S},
            id="two-ones-sum-to-2-so-both-are-1",
        ),
        pytest.param(
            {"a": 3, "b": 1, "c": 0}, 4, True, {"a": None, "b": None, "c": None}, None, {"a": P, "b": P, "c": S},
            id="small-month-hidden-whole",
        ),
        pytest.param(
            {"a": 0, "b": 7, "c": 0, "d": 3}, 10, True,
            {"a": 0, "b": None, "c": 0, "d": None}, 10, {"b": S, "d": P},
            id="zeros-shown-and-never-used-as-cover",
        ),
        pytest.param(
            {"a": 1, "b": 1, "c": 1, "d": 1, "e": 1, "f": 0}, 5, True,
            dict.fromkeys("abcdef"), 5, {**dict.fromkeys("abcde", P), "f": S},
            id="all-ones-hide-the-zeros-too",
        ),
        pytest.param(
            {"a": 0, "b": 0}, 0, True, {"a": 0, "b": 0}, 0, {}, id="empty-month-shows-zeros"
        ),
        pytest.param(
            {"b": 3, "c": 6, "a": 6, "d": 9}, 24, True,
            {"b": None, "c": 6, "a": None, "d": 9}, 24, {"a": S, "b": P}, id="tie-goes-to-the-first-code",
        ),
        pytest.param(
            {"a": 3, "b": 10, "c": 8}, 15, False, {"a": None, "b": 10, "c": 8}, 15, {"a": P},
            id="multi-valued-primary-only",
        ),
        pytest.param(
            {"a": 4, "b": 10}, 14, False, {"a": None, "b": None}, 14, {"a": P, "b": S},
            id="multi-valued-4-below-5-and-at-least-14-minus-10",
        ),
        pytest.param(
            {"a": 4, "b": 4}, 8, False, {"a": None, "b": None}, None, {"a": P, "b": P},
            id="multi-valued-every-code-at-4-hides-the-total",
        ),
    ],
)
def test_hand_checked_tables(counts, total, additive, cells, published_total, reasons):
    table = suppress_table(counts, total, additive=additive)
    assert (table.cells, table.total, table.reasons) == (cells, published_total, reasons)
    assert table.suppressed == tuple(sorted(reasons))


def test_threshold_is_configurable():
    table = suppress_table({"a": 2, "b": 3, "c": 4}, 9, additive=True, threshold=3)
    assert table.cells == {"a": None, "b": None, "c": 4}


@pytest.mark.parametrize(
    ("counts", "total", "additive", "threshold"),
    [
        ({"a": 1}, 1, True, 2),
        ({}, 0, True, 5),
        ({"a": -1, "b": 6}, 5, True, 5),
        ({"a": 3, "b": 6}, 10, True, 5),
        ({"a": 3, "b": 6}, 10, False, 5),
        ({"a": 11}, 10, False, 5),
    ],
    ids=[
        "threshold-below-3", "no-cells", "negative", "additive-not-adding-up", "report-in-no-cell", "cell-above-total"
    ],
)
def test_rejects_tables_the_rules_cannot_protect(counts, total, additive, threshold):
    with pytest.raises(ValueError):
        suppress_table(counts, total, additive=additive, threshold=threshold)


def test_trend_judges_each_month_on_its_own():
    totals = {"2026-01": 0, "2026-02": 4, "2026-03": 5, "2026-04": 31, "2026-05": None}
    assert suppress_trend(totals) == {"2026-01": 0, "2026-02": None, "2026-03": 5, "2026-04": 31, "2026-05": None}
    assert suppress_trend({"2026-02": 4}, threshold=3) == {"2026-02": 4}


# Random tables: few codes and small counts, where the edge cases live.
CODES = st.lists(st.sampled_from("abcdefg"), min_size=1, max_size=7, unique=True)
THRESHOLDS = st.integers(min_value=3, max_value=7)


@st.composite
def additive_tables(draw) -> tuple[dict[str, int], int]:
    # Extra weight on 0 and 1: zeros and ones are where the total gives most away.
    counts = {code: draw(st.sampled_from([0, 1]) | st.integers(min_value=0, max_value=14)) for code in draw(CODES)}
    return counts, sum(counts.values())


@st.composite
def multi_valued_tables(draw) -> tuple[dict[str, int], int]:
    codes = draw(CODES)
    # Mostly one code per report, so that small cells often count reports no other cell counts.
    single = [{code} for code in codes for _ in range(draw(st.integers(min_value=0, max_value=12)))]
    several = draw(st.lists(st.sets(st.sampled_from(codes), min_size=min(2, len(codes))), max_size=4))
    reports = single + several
    return {code: sum(code in report for report in reports) for code in codes}, len(reports)


def possible_values(table: PublishedTable, *, additive: bool, cap: int) -> set[int]:
    """Every value a "." cell could have, for someone who knows only the published table and the rules."""
    hidden = len(table.suppressed)
    floor = 0 if hidden == len(table.cells) else 1
    rest = table.total - sum(count for count in table.cells.values() if count is not None)

    def others_can_make_up(value: int) -> bool:
        least, most = (hidden - 1) * floor, (hidden - 1) * cap
        return least <= rest - value <= most if additive else rest - value <= most

    return {value for value in range(floor, cap + 1) if others_can_make_up(value)}


def assert_safe(counts, total, threshold, table: PublishedTable, *, additive: bool):
    """The four promises: shown means true, small means hidden, hidden means unrecoverable, zeros shown."""
    assert all(table.cells[code] in (None, count) for code, count in counts.items())
    assert table.total in (None, total)
    assert table.total is None or not 0 < total < threshold
    assert all(table.cells[code] is None for code, count in counts.items() if 0 < count < threshold)
    assert set(table.suppressed) == {code for code, cell in table.cells.items() if cell is None} == set(table.reasons)
    if table.total is None:
        assert table.suppressed == tuple(sorted(counts))
        # Beyond small months, only a multi-valued table with every code at threshold - 1 hides its total.
        assert total < threshold or (not additive and set(counts.values()) == {threshold - 1})
        return
    if table.suppressed and len(table.suppressed) < len(counts):
        assert all(counts[code] > 0 for code in table.suppressed)
    if not table.suppressed:
        return
    # The plain attacker: a "." is only known to be no more than the total.
    plain = possible_values(table, additive=additive, cap=total)
    assert len(plain) >= 2
    assert all(counts[code] in plain for code in table.suppressed)
    if not additive:
        # In multi-valued tables an attacker may take every "." to be below the threshold when that fits.
        assert len(possible_values(table, additive=False, cap=threshold - 1)) != 1


@settings(max_examples=400)
@given(additive_tables(), THRESHOLDS)
def test_additive_tables_are_safe(table_input, threshold):
    counts, total = table_input
    table = suppress_table(counts, total, additive=True, threshold=threshold)
    assert_safe(counts, total, threshold, table, additive=True)


@settings(max_examples=400)
@given(multi_valued_tables(), THRESHOLDS)
def test_multi_valued_tables_are_safe(table_input, threshold):
    counts, total = table_input
    table = suppress_table(counts, total, additive=False, threshold=threshold)
    assert_safe(counts, total, threshold, table, additive=False)


@settings(max_examples=400)
@given(
    additive_tables().map(lambda table: (*table, True)) | multi_valued_tables().map(lambda table: (*table, False)),
    THRESHOLDS,
    st.randoms(use_true_random=False),
)
def test_same_table_same_result_whatever_the_order(table_input, threshold, random):
    counts, total, additive = table_input
    shuffled = list(counts.items())
    random.shuffle(shuffled)
    first = suppress_table(counts, total, additive=additive, threshold=threshold)
    assert first == suppress_table(counts, total, additive=additive, threshold=threshold)
    assert first == suppress_table(dict(shuffled), total, additive=additive, threshold=threshold)


@given(st.dictionaries(st.sampled_from(["2026-%02d" % m for m in range(1, 13)]), st.integers(0, 40)), THRESHOLDS)
def test_trend_shows_exactly_the_months_at_or_above_threshold_and_zeros(totals, threshold):
    published = suppress_trend(totals, threshold=threshold)
    assert published == {month: total if total == 0 or total >= threshold else None for month, total in totals.items()}
