"""Opening cases with an in-memory repository (unit tier): one case per report, stable announcements."""

from datetime import UTC, date, datetime
from uuid import uuid4

from meldestelle_shared.events import CaseCreated, CaseErased, ReportAbandoned, ReportSubmitted
from meldestelle_shared.taxonomy import Form, LifeArea
from triage.cases.jobs import first_response_due
from triage.cases.documents import case_document, case_from_document
from triage.cases.service import CaseRules, format_reference, open_cases


class MemoryCases:
    """Keeps cases as the real repository stores them: documents in, `Case`s out."""

    def __init__(self):
        self.cases, self.counters = {}, {}

    async def allocate_reference_numbers(self, key, count):
        self.counters[key] = self.counters.get(key, 0) + count
        return range(self.counters[key] - count + 1, self.counters[key] + 1)

    async def delete_by_report_ids(self, report_ids):
        wanted = {str(r) for r in report_ids}
        for case_id in [k for k, c in self.cases.items() if c["report_id"] in wanted]:
            del self.cases[case_id]

    async def insert_reporting_conflicts(self, cases):
        conflicts = []
        for index, case in enumerate(map(case_document, cases)):
            if case["_id"] in self.cases:
                conflicts.append(index)
            else:
                self.cases[case["_id"]] = case
        return conflicts

    async def get(self, case_id):
        found = self.cases.get(str(case_id))
        return found and case_from_document(found)

    async def get_many(self, case_ids):
        return [case_from_document(self.cases[case_id]) for case_id in case_ids if case_id in self.cases]


def report(at=datetime(2026, 12, 31, 23, 30, tzinfo=UTC), **fields) -> ReportSubmitted:
    report_id = uuid4()
    return ReportSubmitted(correlation_id=report_id, report_id=report_id, sealed_description="x", occurred_at=at, **fields)


async def test_each_report_becomes_one_case_and_repeats_are_announced_identically():
    repository, published = MemoryCases(), []

    async def publish(events):
        published.extend(events)

    first, second = report(forms=[Form.PHYSICAL_VIOLENCE]), report()
    await open_cases([first, second, first], repository=repository, publish=publish, rules=CaseRules())
    await open_cases([second], repository=repository, publish=publish, rules=CaseRules())
    assert len(repository.cases) == 2
    assert all(isinstance(e, CaseCreated) for e in published) and len(published) == 3
    assert published[1] == published[2]  # the redelivered report is announced with the same event
    case = next(c for c in repository.cases.values() if c["report_id"] == str(first.report_id))
    assert case["priority"] == "urgent" and case["status"] == "new"
    # 23:30 UTC on New Year's Eve is already January in Berlin: the year and month follow the office's clock.
    assert case["reference"].startswith("DU-2027-") and case["received_month"] == "2027-01"
    assert case["sealed_description"] == "x" and "receipt_hash" not in case


def test_reference_format():
    assert format_reference("DU", 2026, 123) == "DU-2026-000123"


async def test_abandoned_report_gets_no_case_or_loses_it():
    repository, published = MemoryCases(), []

    async def publish(events):
        published.extend(events)

    same_batch, later = report(), report()
    abandon = lambda e: ReportAbandoned(correlation_id=e.report_id, report_id=e.report_id)  # noqa: E731
    await open_cases([same_batch, abandon(same_batch), later], repository=repository, publish=publish, rules=CaseRules())
    assert [c["report_id"] for c in repository.cases.values()] == [str(later.report_id)]
    await open_cases([abandon(later)], repository=repository, publish=publish, rules=CaseRules())
    assert repository.cases == {}
    created, erased = published
    assert isinstance(erased, CaseErased) and erased.reason == "abandoned" and erased.case_id == created.case_id


async def test_a_case_keeps_only_the_day_and_its_deadlines_still_count_from_it():
    """Item 10 of issue 11: the exact time is gone; the AGG deadline and the first-response reminder need only the day."""
    repository = MemoryCases()

    async def publish(events):
        pass

    exact = datetime(2026, 11, 30, 23, 47, 12, 345678, tzinfo=UTC)  # already 1 December in Berlin
    event = report(at=exact, forms=[Form.UNEQUAL_TREATMENT], life_area=LifeArea.HOUSING, incident_date="2026-10-20")
    await open_cases([event], repository=repository, publish=publish, rules=CaseRules())
    [case] = repository.cases.values()
    assert case["received_at"] == datetime(2026, 12, 1, tzinfo=UTC) and case["received_month"] == "2026-12"
    # 20 Dec 2026 is a Sunday, so the period ends on Monday (§ 193 BGB): 20 days left on the office's day.
    assert case["agg_deadline"] == "2026-12-21" and case["priority"] == "high"
    assert first_response_due(case["received_at"], 3) == date(2026, 12, 4)  # Tuesday + 3 working days
