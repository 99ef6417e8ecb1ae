"""Open data as CSV: one row per (month, dimension, code); "." for a suppressed value, with a note."""

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

COLUMNS = ("month", "dimension", "code", "value", "note")
SUPPRESSED_NOTE = "suppressed: below {threshold} or would let a value below {threshold} be recomputed"


def to_csv(months: Iterable[Mapping[str, Any]]) -> str:
    """Each month as a `total` row (carrying the classification note) followed by its table cells."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for month in months:
        note = SUPPRESSED_NOTE.format(threshold=month["threshold"])
        total = month["total"]
        writer.writerow((month["month"], "total", "total", _value(total), note if total is None else month["classification"]))
        for dimension, cells in month["tables"].items():
            for code, value in cells.items():
                writer.writerow((month["month"], dimension, code, _value(value), note if value is None else ""))
    return out.getvalue()


def _value(value: int | None) -> str:
    return "." if value is None else str(value)
