"""Cell suppression for the public monthly statistics: which counts may be shown, which become ".".

Each month is published as one-way tables (ground, form, life_area, district, reporter_role), each
with the month's total, plus a trend of monthly totals. A table is safe when nobody can work out
the value of any "." cell from what is shown. What we assume the public knows:

- every shown cell and the total, which is the same in every table of the month and in the trend;
- zeros are shown as 0, so a "." stands for at least 1 (for at least 0 if every cell is ".");
- additive tables (one code per report: life_area, district, reporter_role): the "." cells add
  up to the total minus the shown cells. A "." may be a secondary suppression of any size, so
  nothing more is known about a single cell;
- multi-valued tables (several codes per report: ground, form): cells do not add up to the total,
  but every report is in at least one cell, so the "." cells add up to at least the total minus
  the shown cells. Here a "." is almost always a primary suppression, so the public may take
  every "." to be below the threshold whenever the numbers allow it.

A "." cell is revealed when these facts leave it a single possible value; the rules below add
"." cells until none is. Zeros are shown because a zero describes nobody, and a table full of "."
tells less than one with honest zeros; the price is that a "." is known to be at least 1, which
the check counts in (two "." cells of 1 each would otherwise be recovered from the total).
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Literal

DEFAULT_THRESHOLD = 5
# With threshold 2 and zeros shown, a primary "." could only mean 1.
MINIMUM_THRESHOLD = 3

Reason = Literal["primary", "secondary"]


@dataclass(frozen=True)
class PublishedTable:
    """A table as it may be published: None is shown as "." with a note.

    `reasons` is for the office only; the public note must read the same for both reasons, or
    a "primary" mark would tell that the cell is below the threshold. `total` is None when the
    month is below the threshold, or in the rare case where the total itself would reveal the
    cells; publish that month as hidden everywhere then: every table, and the trend (see
    `suppress_trend`).
    """

    cells: dict[str, int | None]
    total: int | None
    suppressed: tuple[str, ...]
    reasons: dict[str, Reason]


def suppress_table(
    counts: Mapping[str, int], total: int, *, additive: bool, threshold: int = DEFAULT_THRESHOLD
) -> PublishedTable:
    """Hide every count below the threshold, then whatever else would let one be recomputed."""
    _check_table(counts, total, additive=additive, threshold=threshold)
    if 0 < total < threshold:
        # A small month is hidden whole: even its zeros would tell where its few reports fell.
        return _hide_everything(counts, total, threshold, additive=additive)
    reasons: dict[str, Reason] = {code: "primary" for code, count in counts.items() if 0 < count < threshold}
    while reasons and _revealed(counts, total, reasons, threshold, additive=additive):
        candidates = [code for code, count in counts.items() if count > 0 and code not in reasons]
        if not candidates:
            return _hide_everything(counts, total, threshold, additive=additive)
        # The smallest shown count hides the least; ties go by code so the result never varies.
        reasons[min(candidates, key=lambda code: (counts[code], code))] = "secondary"
    return _published(counts, total, reasons)


def suppress_trend(
    monthly_totals: Mapping[str, int | None], *, threshold: int = DEFAULT_THRESHOLD
) -> dict[str, int | None]:
    """Monthly totals as they may be published: below the threshold (or None) becomes ".", zero stays 0.

    Months are judged on their own: no month can be derived from the others as long as no sum
    over the months (a yearly total) is published next to them. Pass None for a month whose
    tables had to hide their total.
    """
    _check_threshold(threshold)
    if any(total is not None and total < 0 for total in monthly_totals.values()):
        raise ValueError("monthly totals cannot be negative")
    return {
        month: None if total is None or 0 < total < threshold else total
        for month, total in monthly_totals.items()
    }


def _revealed(
    counts: Mapping[str, int], total: int, hidden: Collection[str], threshold: int, *, additive: bool
) -> bool:
    """Whether the public could pin a "." cell to one value (all "." cells have the same bounds)."""
    k = len(hidden)
    rest = total - sum(count for code, count in counts.items() if code not in hidden)
    floor = 0 if k == len(counts) else 1
    if additive:
        # The "." cells sum to exactly `rest`: one is pinned if it is alone or all must sit at their floor.
        return k == 1 or rest <= k * floor
    # The "." cells sum to at least `rest`; each is below the threshold as far as `rest` allows that,
    # else only at most the total. A cell is pinned once `rest` needs every "." cell full.
    cap = threshold - 1 if rest <= k * (threshold - 1) else total
    return rest >= k * cap


def _hide_everything(
    counts: Mapping[str, int], total: int, threshold: int, *, additive: bool
) -> PublishedTable:
    """Every cell becomes "."; the total too if the month is small or it still pins the cells."""
    reasons: dict[str, Reason] = {
        code: "primary" if 0 < count < threshold else "secondary" for code, count in counts.items()
    }
    # Beyond small months, the total still pins the cells only in a multi-valued table whose every
    # code has exactly threshold - 1 reports, none shared.
    hide_total = total < threshold or _revealed(counts, total, reasons, threshold, additive=additive)
    return _published(counts, None if hide_total else total, reasons)


def _published(counts: Mapping[str, int], total: int | None, reasons: dict[str, Reason]) -> PublishedTable:
    return PublishedTable(
        cells={code: None if code in reasons else count for code, count in counts.items()},
        total=total,
        suppressed=tuple(sorted(reasons)),
        reasons=dict(sorted(reasons.items())),
    )


def _check_threshold(threshold: int) -> None:
    if threshold < MINIMUM_THRESHOLD:
        raise ValueError(f"threshold must be at least {MINIMUM_THRESHOLD}")


def _check_table(counts: Mapping[str, int], total: int, *, additive: bool, threshold: int) -> None:
    _check_threshold(threshold)
    if not counts:
        raise ValueError("a table needs at least one cell")
    if total < 0 or any(count < 0 for count in counts.values()):
        raise ValueError("counts cannot be negative")
    if additive and sum(counts.values()) != total:
        # A missing remainder would be published by subtraction: give it a cell (e.g. "not_stated").
        raise ValueError("cells of an additive table must add up to the total")
    if not additive and sum(counts.values()) < total:
        # The leak check assumes the public knows every report is counted somewhere; make it true.
        raise ValueError("every report must be in at least one cell (e.g. 'not_stated')")
    if not additive and any(count > total for count in counts.values()):
        raise ValueError("no cell can exceed the total")
