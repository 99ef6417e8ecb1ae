"""The deadline rules: which deadlines a case has, from what it runs, and when it ends."""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from meldestelle_shared.taxonomy import LifeArea
from triage.cases.deadlines.counting import period_end

# AGG §15(4) covers employment; §21(5) covers the civil-law dealings of §19 AGG. Of the life areas those
# are housing and goods and services (the public's access to them, §2(1) no. 8). Areas governed by public
# law (administration, police and justice, public schools) are outside the AGG; where a contract under
# private law is at stake in another area (a private clinic, a bus ticket), staff classify it as goods and services.
EMPLOYMENT_AREAS = frozenset({LifeArea.WORK.value})
CIVIL_LAW_AREAS = frozenset({LifeArea.HOUSING.value, LifeArea.GOODS_AND_SERVICES.value})


class DeadlineKind(StrEnum):
    """What a deadline is for."""

    AGG_15_4 = "agg_15_4"  # claim in employment
    AGG_21_5 = "agg_21_5"  # claim in civil law
    ARBGG_61B = "arbgg_61b"  # suit for compensation after a written claim
    STATEMENT_REPLY = "statement_reply"  # the reply date the office set the other side
    INTERVENTION = "intervention"  # an intervention's own due date


class CountedFrom(StrEnum):
    """Which fact a deadline's runs-from date is."""

    LEARNED = "learned"  # the day staff recorded the person learned of the discrimination
    INCIDENT_DATE = "incident_date"
    INCIDENT_MONTH = "incident_month"  # the first day of the reported month: the earliest possible start
    REPORT_RECEIVED = "report_received"  # no date known: the latest possible start, so the deadline is estimated
    WRITTEN_CLAIM = "written_claim"
    STATEMENT_REQUEST = "statement_request"
    INTERVENTION = "intervention"


@dataclass(frozen=True)
class Deadline:
    """One deadline of a case: what for, on which legal basis (a text key), from when, until when, and what set it."""

    kind: DeadlineKind
    legal_basis: str
    runs_from: date
    due: date
    source_id: str
    counted_from: CountedFrom

    @property
    def estimated(self) -> bool:
        """Whether the start is only the report's arrival, so the real deadline may be earlier."""
        return self.counted_from is CountedFrom.REPORT_RECEIVED

    @property
    def is_agg_claim(self) -> bool:
        """Whether this is the two-month AGG period to assert a claim."""
        return self.kind in (DeadlineKind.AGG_15_4, DeadlineKind.AGG_21_5)


@dataclass(frozen=True)
class DeadlinePeriods:
    """The statutory periods in months; configurable, because the AGG periods are under political discussion."""

    agg_15_4_months: int = 2
    agg_21_5_months: int = 2
    arbgg_61b_months: int = 3


@dataclass(frozen=True)
class WrittenClaim:
    """A claim the person asserted in writing: it meets the AGG period and starts the ArbGG §61b period."""

    id: str
    made_on: date


@dataclass(frozen=True)
class StatementRequest:
    """A request to the other side for a statement, with the reply date the office set."""

    id: str
    requested_on: date
    reply_by: date


@dataclass(frozen=True)
class InterventionDue:
    """An intervention with its own due date."""

    id: str
    started_on: date
    due_on: date


@dataclass(frozen=True)
class DeadlineFacts:
    """What the engine needs to know about a case."""

    case_id: str
    life_area: str | None
    received_on: date
    incident_date: str | None = None  # the reporter's answer: YYYY-MM-DD or YYYY-MM
    learned_on: date | None = None
    written_claims: tuple[WrittenClaim, ...] = ()
    statement_requests: tuple[StatementRequest, ...] = ()
    interventions: tuple[InterventionDue, ...] = ()


def legal_basis_key(kind: DeadlineKind) -> str:
    """The text key naming a kind's legal basis (the workbench catalog words it: "§ 15 Abs. 4 AGG")."""
    return "legal_basis_" + kind.value


def deadlines_for(facts: DeadlineFacts, periods: DeadlinePeriods) -> tuple[Deadline, ...]:
    """Every deadline of a case, earliest first."""
    found = [*_agg_claim(facts, periods), *_suits(facts, periods), *_office_set(facts)]
    return tuple(sorted(found, key=lambda deadline: (deadline.due, deadline.kind.value, deadline.source_id)))


def agg_claim_deadline(facts: DeadlineFacts, periods: DeadlinePeriods) -> Deadline | None:
    """The AGG period to assert a claim, if the case has one still to meet."""
    return next(iter(_agg_claim(facts, periods)), None)


def learned_on(facts: DeadlineFacts) -> tuple[date, CountedFrom]:
    """When the person learned of the discrimination, as well as the case knows it, and which fact that is."""
    if facts.learned_on is not None:
        return facts.learned_on, CountedFrom.LEARNED
    if facts.incident_date:
        year, month, *day = (int(part) for part in facts.incident_date.split("-"))
        if day:
            return date(year, month, day[0]), CountedFrom.INCIDENT_DATE
        return date(year, month, 1), CountedFrom.INCIDENT_MONTH
    return facts.received_on, CountedFrom.REPORT_RECEIVED


def _agg_claim(facts: DeadlineFacts, periods: DeadlinePeriods) -> list[Deadline]:
    if facts.life_area in EMPLOYMENT_AREAS:
        kind, months = DeadlineKind.AGG_15_4, periods.agg_15_4_months
    elif facts.life_area in CIVIL_LAW_AREAS:
        kind, months = DeadlineKind.AGG_21_5, periods.agg_21_5_months
    else:
        return []
    runs_from, counted_from = learned_on(facts)
    due = period_end(runs_from, months)
    if any(claim.made_on <= due for claim in facts.written_claims):
        return []  # asserted in time: the period is met
    return [Deadline(kind, legal_basis_key(kind), runs_from, due, facts.case_id, counted_from)]


def _suits(facts: DeadlineFacts, periods: DeadlinePeriods) -> list[Deadline]:
    # ArbGG §61b is labour-court procedure: only a claim in employment starts it.
    if facts.life_area not in EMPLOYMENT_AREAS:
        return []
    kind, months = DeadlineKind.ARBGG_61B, periods.arbgg_61b_months
    return [
        Deadline(kind, legal_basis_key(kind), c.made_on, period_end(c.made_on, months), c.id, CountedFrom.WRITTEN_CLAIM)
        for c in facts.written_claims
    ]


def _office_set(facts: DeadlineFacts) -> list[Deadline]:
    # Dates the office set are taken as set: no § 193 BGB shift, the office chose the day.
    statement, intervention = DeadlineKind.STATEMENT_REPLY, DeadlineKind.INTERVENTION
    return [
        *(
            Deadline(statement, legal_basis_key(statement), r.requested_on, r.reply_by, r.id, CountedFrom.STATEMENT_REQUEST)
            for r in facts.statement_requests
        ),
        *(
            Deadline(intervention, legal_basis_key(intervention), i.started_on, i.due_on, i.id, CountedFrom.INTERVENTION)
            for i in facts.interventions
        ),
    ]
