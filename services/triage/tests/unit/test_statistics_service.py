"""The statistics read model's service with in-memory storage (unit tier): idempotent, erasure-proof, rebuildable."""

from uuid import uuid4

from meldestelle_shared.events import CaseClosed, CaseCreated, CaseErased
from meldestelle_shared.taxonomy import CaseStatus, ClosureReason, Priority
from triage.cases.model import Codes, ReporterAnswers, figures_of
from triage.stats.figures import count_members
from triage.stats.service import apply_case_events, current_counts, exact_counts, rebuild

MONTH = "2026-03"


class CaseFigures:
    """The cases' port: what each case contributes now."""

    def __init__(self):
        self.cases = {}

    def put(self, case_id, *, district="mitte", closure_reason=None):
        reporter = ReporterAnswers(Codes(("age",), ("threat",), "housing"), district=district, reporter_role="affected")
        self.cases[case_id] = figures_of(case_id, MONTH, reporter, None, closure_reason)

    async def figures_by_ids(self, case_ids):
        return {case_id: self.cases[case_id] for case_id in case_ids if case_id in self.cases}

    async def all_figures(self, batch_size):
        yield list(self.cases.values())


class ReadModel:
    """The read model's collections as dictionaries, with the real repository's semantics."""

    def __init__(self):
        self.cases = CaseFigures()
        self.contributions, self.buckets = {}, {}

    async def placements(self, case_ids):
        return {i: ((c["month"], c["bucket"]), bool(c.get("erased"))) for i in case_ids if (c := self.contributions.get(i))}

    async def save_contributions(self, contributions):
        self.contributions.update({c["_id"]: dict(c) for c in contributions})

    async def tombstone(self, case_ids):
        for case_id in case_ids:
            self.contributions[case_id].update(erased=True, counted=False, cells=[], source=None)

    async def update_buckets(self, changes):
        for placement, members in changes.items():
            bucket = self.buckets.setdefault(placement, {})
            for case_id, cells in members.items():
                if cells is None:
                    bucket.pop(case_id, None)
                else:
                    bucket[case_id] = cells

    async def bucket_counts(self, month):
        return [count_members(members) for (m, _), members in self.buckets.items() if m == month]

    async def bucket_members(self, month):
        return [members for (m, _), members in self.buckets.items() if m == month]

    async def clear(self):
        self.contributions, self.buckets = {}, {}

    async def insert_contributions(self, contributions):
        await self.save_contributions(contributions)

    async def insert_rebuilt(self, buckets, months):
        self.buckets = {placement: dict(members) for placement, members in buckets.items()}


def ids(case_id):
    report_id = uuid4()
    return {"case_id": case_id, "report_id": report_id, "correlation_id": report_id}


def created(case_id):
    return CaseCreated.for_case(case_id=case_id, report_id=uuid4(), reference="DU-2026-000001", priority=Priority.NORMAL)


async def test_events_count_each_case_once_however_often_they_arrive():
    model = ReadModel()
    cases = [str(uuid4()) for _ in range(3)]
    for case_id in cases:
        model.cases.put(case_id, district="sued" if case_id == cases[0] else "mitte")
    await apply_case_events([created(c) for c in cases], repository=model)
    await apply_case_events([created(c) for c in cases] * 2, repository=model)
    counts = await current_counts(MONTH, repository=model)
    assert counts.total == 3 and counts.tables["district"]["sued"] == 1 and counts.tables["district"]["mitte"] == 2


async def test_the_case_as_it_is_now_decides_not_what_the_event_says():
    model = ReadModel()
    case_id = str(uuid4())
    model.cases.put(case_id)
    await apply_case_events([created(case_id)], repository=model)
    model.cases.put(case_id, closure_reason=ClosureReason.SPAM)
    # A late CaseCreated still counts the case as it is now: closed as spam, so not at all.
    await apply_case_events([created(case_id)], repository=model)
    assert (await current_counts(MONTH, repository=model)).total == 0


async def test_an_erased_case_stays_out_even_if_its_document_is_still_there_and_its_creation_repeats():
    model = ReadModel()
    case_id = str(uuid4())
    model.cases.put(case_id)
    await apply_case_events([created(case_id)], repository=model)
    await apply_case_events([CaseErased(**ids(case_id), reason="reporter_request")], repository=model)
    await apply_case_events([created(case_id)], repository=model)
    assert (await current_counts(MONTH, repository=model)).total == 0
    assert model.contributions[case_id]["erased"] is True


async def test_publication_rechecks_each_member_against_its_case_by_id():
    model = ReadModel()
    honest, injected = str(uuid4()), str(uuid4())
    for case_id in (honest, injected):
        model.cases.put(case_id)
    await apply_case_events([created(honest), created(injected)], repository=model)
    # Closed as spam, but its CaseClosed still waits in the outbox: only the case knows.
    model.cases.put(injected, closure_reason=ClosureReason.SPAM)
    assert (await current_counts(MONTH, repository=model)).total == 2
    assert (await exact_counts(MONTH, repository=model)).total == 1
    await apply_case_events([CaseClosed(**ids(injected), previous_status=CaseStatus.NEW, closure_reason=ClosureReason.SPAM)], repository=model)
    assert (await current_counts(MONTH, repository=model)) == await exact_counts(MONTH, repository=model)


async def test_a_rebuild_gives_the_figures_the_events_gave():
    model = ReadModel()
    cases = [str(uuid4()) for _ in range(4)]
    for number, case_id in enumerate(cases):
        model.cases.put(case_id, closure_reason=ClosureReason.DUPLICATE if number == 0 else None)
    await apply_case_events([created(c) for c in cases], repository=model)
    maintained = await current_counts(MONTH, repository=model)
    result = await rebuild(repository=model)
    assert (result.cases, result.months) == (4, 1) and maintained.total == 3
    assert await current_counts(MONTH, repository=model) == maintained
