"""What a case contributes to the monthly figures, and how a month's counts become a publication.

Plain functions, no I/O: the event consumer, the rebuild command and the publication job share
them, so the figures cannot depend on which of them computed them.
"""

import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from meldestelle_shared.events import MonthlyStatisticsPublished, StatisticsDimension
from meldestelle_shared.taxonomy import District, Form, Ground, LifeArea, ReporterRole
from triage.cases.model import CaseFigures
from triage.stats.suppression import suppress_table

NOT_STATED = "not_stated"
TOTAL_CELL = "total"
# Contributions are grouped in buckets so that one change recounts a small slice of its month.
BUCKETS = 64

# Dimension -> (codes in display order, additive: one code per report).
DIMENSIONS: dict[StatisticsDimension, tuple[tuple[str, ...], bool]] = {
    "grounds": (tuple(code.value for code in Ground), False),
    "forms": (tuple(code.value for code in Form), False),
    "life_area": (tuple(code.value for code in LifeArea), True),
    "district": (tuple(code.value for code in District), True),
    "reporter_role": (tuple(code.value for code in ReporterRole), True),
}

CLASSIFICATION_NOTE = (
    "Month = month the report was received (Europe/Berlin). Grounds, forms and life area: the office's "
    "classification where staff have classified a report, otherwise the reporter's own answers. District "
    "and reporter role: the reporter's answers. Reports closed as spam, duplicate or out of scope, and "
    "erased reports, are not counted. Grounds and forms may have several answers per report, so their "
    "cells can add up to more than the total. Counts below the threshold, and counts that would let "
    "them be recomputed, are shown as '.'."
)


def cell(dimension: str, code: str) -> str:
    """The key of one table cell, e.g. grounds:age."""
    return f"{dimension}:{code}"


def bucket_of(case_id: str) -> int:
    """A stable bucket for a case (CRC32, not Python's salted hash)."""
    return zlib.crc32(case_id.encode()) % BUCKETS


def _codes(value: Sequence[str] | str | None) -> list[str]:
    if isinstance(value, str):
        return [value]
    return sorted(set(value)) if value else [NOT_STATED]


def contribution_of(figures: CaseFigures) -> dict[str, Any]:
    """The read-model document of one case: its month, whether it counts, and the cells it counts in.

    Which codes count (staff's classification over the reporter's answers) and whether the case counts
    at all are the case's rules (`Case.figures`); here they become cells.
    """
    cells = [TOTAL_CELL]
    for dimension in DIMENSIONS:
        cells.extend(cell(dimension, code) for code in _codes(figures.answers.get(dimension)))
    return {
        "_id": figures.case_id,
        "month": figures.month,
        "bucket": bucket_of(figures.case_id),
        "counted": figures.counted,
        "source": figures.source,
        "cells": cells,
    }


@dataclass(frozen=True)
class MonthCounts:
    """A month's unsuppressed figures: the total and every code of every dimension (zeros included)."""

    month: str
    total: int
    tables: dict[str, dict[str, int]]


def month_counts(month: str, cell_counts: Mapping[str, int]) -> MonthCounts:
    """Arrange counts keyed by cell into one zero-filled table per dimension."""
    tables = {}
    for dimension, (codes, _) in DIMENSIONS.items():
        table = {code: cell_counts.get(cell(dimension, code), 0) for code in (*codes, NOT_STATED)}
        if table[NOT_STATED] == 0 and NOT_STATED not in codes:
            # "not_stated" is listed only when it occurs, so tables stay as the taxonomy has them.
            del table[NOT_STATED]
        tables[dimension] = table
    return MonthCounts(month=month, total=cell_counts.get(TOTAL_CELL, 0), tables=tables)


def add_counts(into: dict[str, int], counts: Iterable[tuple[str, int]]) -> None:
    """Add (cell, count) pairs into a running sum."""
    for key, count in counts:
        into[key] = into.get(key, 0) + count


def count_members(members: Mapping[str, Iterable[str]]) -> dict[str, int]:
    """Count the cells of a bucket's members (case id -> cells)."""
    counts: dict[str, int] = {}
    for cells in members.values():
        add_counts(counts, ((key, 1) for key in cells))
    return counts


def suppress_month(counts: MonthCounts, *, threshold: int) -> tuple[int | None, dict[str, dict[str, int | None]]]:
    """The month as it may be published: every table suppressed, and all of it hidden if one table must hide the total."""
    published = {
        dimension: suppress_table(table, counts.total, additive=DIMENSIONS[dimension][1], threshold=threshold)
        for dimension, table in counts.tables.items()
    }
    if any(table.total is None for table in published.values()):
        # suppression.py's caveat: a hidden total in one table means the month is hidden everywhere.
        return None, {dimension: dict.fromkeys(table, None) for dimension, table in counts.tables.items()}
    return counts.total, {dimension: table.cells for dimension, table in published.items()}


def publication(counts: MonthCounts, *, threshold: int, now: datetime) -> MonthlyStatisticsPublished:
    """The event that publishes a closed month after disclosure control."""
    total, tables = suppress_month(counts, threshold=threshold)
    return MonthlyStatisticsPublished.for_month(
        counts.month,
        total=total,
        tables=tables,
        threshold=threshold,
        classification=CLASSIFICATION_NOTE,
        generated_at=now,
    )
