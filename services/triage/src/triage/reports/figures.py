"""A year's figures: internal (unsuppressed, with the casework counters) or public (only what the published months show).

Both are built from the statistics read model, never from the cases: the internal year sums the stored counts of the
year's months (one small document each) and reads the year's casework buckets by `_id`; the public year reads the
year's monthly publications (by `_id`) and nothing else.

The public rule (docs/statistics.md, "Annual report"): a yearly cell is shown only when every published month of the
year shows that cell, and it is then the sum of the shown monthly cells; otherwise it is "." (None). The yearly total
likewise. So every number of the public year is a function of the published months: subtracting the shown months from
a yearly cell leaves nothing, because a yearly cell that would contain a suppressed monthly cell is never shown. Months
not yet published are left out, and named. The casework figures (level, consultations, interventions, referrals) are
not in the monthly publications, so the public year leaves them out: showing them would reveal more than the months.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from meldestelle_shared.events import MonthlyStatisticsPublished
from meldestelle_shared.taxonomy import ConsultationChannel, InterventionKind, InterventionOutcome, Level
from triage.stats.figures import DIMENSIONS, NOT_STATED, add_counts, month_counts
from triage.stats.repository import StatisticsRepository

MONTHS_OF_YEAR = tuple(f"{month:02d}" for month in range(1, 13))
REFERRAL_STATES = ("taken_up", "not_taken_up", "open")


@dataclass(frozen=True)
class Casework:
    """A year's casework counters (internal only)."""

    level: dict[str, int]
    interventions: dict[str, dict[str, int]]  # kind -> outcome -> count
    consultations: dict[str, int]  # channel -> contacts
    minutes: dict[str, int]  # channel -> minutes
    referrals: dict[str, int]  # taken_up, not_taken_up, open


@dataclass(frozen=True)
class YearFigures:
    """One year's figures; in the public version None is a suppressed cell (shown as ".")."""

    year: str
    public: bool
    months: tuple[str, ...]  # the months the figures cover
    total: int | None
    tables: dict[str, dict[str, int | None]]  # dimension -> code -> count
    casework: Casework | None = None  # None in the public version
    threshold: int | None = None  # the public version's threshold
    missing_months: tuple[str, ...] = field(default=())  # public: months of the year not (yet) published


def months_of(year: str) -> tuple[str, ...]:
    """The twelve months of a year, YYYY-MM."""
    return tuple(f"{year}-{month}" for month in MONTHS_OF_YEAR)


def public_year(year: str, publications: Iterable[MonthlyStatisticsPublished]) -> YearFigures:
    """The public year from the published months alone: a cell is the sum of its monthly cells, or "." if any month hid it."""
    published = sorted((p for p in publications if p.month.startswith(f"{year}-")), key=lambda p: p.month)
    tables: dict[str, dict[str, int | None]] = {}
    for dimension in DIMENSIONS:
        codes = list(dict.fromkeys(code for p in published for code in p.tables.get(dimension, {})))
        tables[dimension] = {code: _sum_if_all_shown(p.tables.get(dimension, {}).get(code, 0) for p in published) for code in codes}
    covered = tuple(p.month for p in published)
    return YearFigures(
        year=year,
        public=True,
        months=covered,
        total=_sum_if_all_shown(p.total for p in published) if published else 0,
        tables=tables,
        threshold=max((p.threshold for p in published), default=None),
        missing_months=tuple(month for month in months_of(year) if month not in covered),
    )


def _sum_if_all_shown(values: Iterable[int | None]) -> int | None:
    # A code a month's table does not list counted 0 there (`not_stated` is listed only when it occurs), which the public knows.
    total = 0
    for value in values:
        if value is None:
            return None
        total += value
    return total


def casework_of_counts(counts: Mapping[str, int]) -> Casework:
    """The year's casework tables from its summed `cell` counts, every code listed (zeros too)."""
    level = {code.value: counts.get(f"level:{code.value}", 0) for code in Level}
    level[NOT_STATED] = counts.get(f"level:{NOT_STATED}", 0)
    interventions = {
        kind.value: {outcome.value: counts.get(f"interventions:{kind.value}:{outcome.value}", 0) for outcome in InterventionOutcome}
        for kind in InterventionKind
    }
    return Casework(
        level=level,
        interventions=interventions,
        consultations={channel.value: counts.get(f"consultations:{channel.value}", 0) for channel in ConsultationChannel},
        minutes={channel.value: counts.get(f"minutes:{channel.value}", 0) for channel in ConsultationChannel},
        referrals={state: counts.get(f"referrals:{state}", 0) for state in REFERRAL_STATES},
    )


async def internal_year(year: str, *, repository: StatisticsRepository) -> YearFigures:
    """The unsuppressed year: the stored counts of its months summed, and its casework counters."""
    months = [month for month in await repository.months() if month.startswith(f"{year}-")]
    sums: dict[str, int] = {}
    for month in months:
        for counts in await repository.bucket_counts(month):
            add_counts(sums, counts.items())
    summed = month_counts(year, sums)
    return YearFigures(
        year=year,
        public=False,
        months=tuple(months),
        total=summed.total,
        tables=dict(summed.tables),
        casework=casework_of_counts(await repository.casework.year_counts(year)),
    )


async def public_year_of(year: str, *, repository: StatisticsRepository) -> YearFigures:
    """The public year from the year's stored publications (read by `_id`)."""
    return public_year(year, await repository.publications(months_of(year)))
