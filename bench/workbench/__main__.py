"""Benchmark 4: the staff workbench over a large archive: 1,000,000 cases of which 2,000 are open (issue 14).

    .venv/bin/python -m bench.workbench                              # the issue's size (run it on a quiet machine)
    .venv/bin/python -m bench.workbench --cases 20000 --open 2000     # a quick check
    MONGODB_URI=mongodb://127.0.0.1:27017/ .venv/bin/python -m bench.workbench   # against a real MongoDB

Loading: the closed cases go straight into triage's `cases` collection by `insert_many`, batched, with their
reference aliases and archive list pages streamed alongside (as triage's queue read model keeps them); the open
cases are admitted through the read model's own live write path. Then each request kind runs `--requests` times,
one at a time, over the API with a read-only token: the default queue page, each filter, a case page, the archive
by reference and by month (page 1 and a later page); the counts are read in-process from the read model (the call
every queue page makes). Baseline in the same run: `find_one` by `_id` on the same database.
Every figure goes to bench/results.json (target p99 < 200 ms). Scheduled jobs are off.
"""

import argparse
import asyncio
import random
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx
from pymongo import AsyncMongoClient

from bench.harness import load, local_stack, machine, percentile, record_result
from bench.limits import TimeLimitExceeded, exit_on_timeout, time_limit
from bench.synthetic import report
from meldestelle_shared.events import ReportSubmitted
from meldestelle_shared.sealing import load_public_key, seal
from triage.cases.documents import case_document
from triage.cases.model import case_id_for
from triage.cases.queue.archive import PAGE_SIZE, archive_groups_of, page_id
from triage.cases.queue.counting import TOTAL, counter_id
from triage.cases.repository import CaseRepository
from triage.cases.service import CaseRules, format_reference, new_case

OPEN_STATUSES = ("new", "new", "in_review", "in_progress")
ASSIGNEES = (None, None, "staff-1", "staff-2", "staff-3")
TEMPLATES = 500  # distinct case documents made by triage's new_case; the rest are copies with their own ids
BATCH = 5_000
LATER_PAGE = 40
TARGET_MS = 200


def _templates(count: int, office_key: str) -> list[dict]:
    """Case documents as triage makes them, spread over the taxonomy, each text sealed to the stack's office key."""
    rng, rules, found, key = random.Random(3), CaseRules(), [], load_public_key(office_key)
    for number in range(count):
        body, report_id = report(rng), uuid.uuid4()
        event = ReportSubmitted(
            correlation_id=report_id, report_id=report_id, sealed_description=seal(key, f"Bericht {number}"),
            **{k: body[k] for k in ("grounds", "forms", "life_area", "district", "reporter_role", "incident_date")},
        )  # fmt: skip
        found.append(case_document(new_case(event, reference=format_reference("DU", 2026, number + 1), rules=rules)))
    return found


def _case(template: dict, number: int, received: datetime, rng: random.Random) -> dict:
    report_id = str(uuid.uuid4())
    doc = {**template, "_id": case_id_for(uuid.UUID(report_id)), "report_id": report_id, "reference": format_reference("DU", 2026, number)}
    doc.update(received_at=received, received_month=received.strftime("%Y-%m"), created_at=received, timeline=[], outbox={}, duplicates={})
    return doc


class ArchiveWriter:
    """Streams closed cases into the archive lists' pages and heads, as the live writes would fill them (closing order)."""

    def __init__(self) -> None:
        self.lengths: Counter[str] = Counter()
        self.current: dict[str, list[str]] = {}
        self.full_pages: list[dict] = []

    def add(self, case: dict) -> list[dict]:
        """File a closed case; returns its places for its alias."""
        places = []
        for group in archive_groups_of(case):
            number = self.lengths[group] // PAGE_SIZE
            self.lengths[group] += 1
            ids = self.current.setdefault(group, [])
            ids.append(case["_id"])
            places.append({"group": group, "page": number})
            if len(ids) == PAGE_SIZE:
                self.full_pages.append({"_id": page_id(group, number), "ids": ids})
                self.current[group] = []
        return places

    def take_full_pages(self) -> list[dict]:
        """Pages that are full since the last call."""
        taken, self.full_pages = self.full_pages, []
        return taken

    def rest(self) -> tuple[list[dict], list[dict]]:
        """The last, partly filled pages and every list's head."""
        pages = [{"_id": page_id(g, self.lengths[g] // PAGE_SIZE), "ids": ids} for g, ids in self.current.items() if ids]
        heads = [
            {"_id": g, "pages": (n + PAGE_SIZE - 1) // PAGE_SIZE, "last": n - PAGE_SIZE * ((n - 1) // PAGE_SIZE), "count": n}
            for g, n in self.lengths.items()
        ]
        return pages, heads


async def load_cases(uri: str, database: str, total: int, open_count: int, office_key: str) -> dict:
    """Insert `total` cases of which `open_count` open; returns what the measurements need (ids, references, months)."""
    rng, client = random.Random(5), AsyncMongoClient(uri, tz_aware=True)
    cases = CaseRepository(client[database], client[f"{database}_queue"])
    view, templates, archive = cases.queue, _templates(TEMPLATES, office_key), ArchiveWriter()
    start_day, open_docs, batch, aliases = datetime(2026, 1, 1, 8, tzinfo=UTC), [], [], []
    open_numbers = set(rng.sample(range(1, total + 1), open_count))
    sample: dict = {"open": [], "unassigned": [], "closed": [], "months": Counter()}
    try:
        await cases.ensure_indexes()
        for number in range(1, total + 1):
            received = start_day + timedelta(minutes=number * 525_600 // total)
            doc = _case(templates[number % TEMPLATES], number, received, rng)
            if number in open_numbers:
                doc.update(status=rng.choice(OPEN_STATUSES), assignee_id=rng.choice(ASSIGNEES))
                if rng.random() < 0.1:
                    doc.update(reply_waiting=True, unread_replies=1)
                open_docs.append(doc)
                sample["open"].append(doc["_id"])
                if doc["assignee_id"] is None:
                    sample["unassigned"].append(doc["_id"])  # a read-only token opens only unassigned cases (or its own)
                continue
            doc.update(status="closed", closed_at=received + timedelta(days=3), closure_reason="resolved", updated_at=received + timedelta(days=3))
            aliases.append({"_id": doc["reference"], "case_id": doc["_id"], "stamp": doc["updated_at"], "archived": archive.add(doc)})
            batch.append(doc)
            sample["months"][doc["received_month"]] += 1
            if len(sample["closed"]) < 1000 and rng.random() < 0.01:
                sample["closed"].append(doc["reference"])
            if len(batch) == BATCH:
                await _flush(client[database], client[f"{database}_queue"], batch, aliases, archive.take_full_pages())
                batch, aliases = [], []
        await _flush(client[database], client[f"{database}_queue"], batch, aliases, archive.take_full_pages())
        pages, heads = archive.rest()
        await _insert(client[f"{database}_queue"]["archive_pages"], pages)
        await _insert(client[f"{database}_queue"]["archive_heads"], heads)
        await _insert(client[database]["cases"], open_docs)
        # The open cases go through the read model's live write path (entries, counters, aliases).
        for start in range(0, len(open_docs), 500):
            await view.admit(open_docs[start : start + 500], [])
        await view.counters.update_one({"_id": counter_id(TOTAL, "bench-load")}, {"$inc": {"n": total - len(open_docs)}}, upsert=True)
    finally:
        await client.close()
    return sample


async def _flush(cases_db, queue_db, batch: list[dict], aliases: list[dict], pages: list[dict]) -> None:
    await _insert(cases_db["cases"], batch)
    await _insert(queue_db["case_references"], aliases)
    await _insert(queue_db["archive_pages"], pages, batch=20)


async def _insert(collection, documents: list[dict], *, batch: int = BATCH) -> None:  # noqa: ANN001 - an AsyncCollection
    for start in range(0, len(documents), batch):
        await collection.insert_many(documents[start : start + batch], ordered=False)


def request_kinds(sample: dict) -> dict[str, tuple[str, dict | None]]:
    """Each measured request: a name, the API path and its query (None: a path of its own)."""
    busiest = sample["months"].most_common(1)[0][0] if sample["months"] else "2026-03"
    return {
        "default queue page": ("/api/v1/cases", {}),
        "filter status=new": ("/api/v1/cases", {"status": "new"}),
        "filter assignee=staff-1": ("/api/v1/cases", {"assignee": "staff-1"}),
        "filter assignee=none": ("/api/v1/cases", {"assignee": "none"}),
        "filter priority=urgent": ("/api/v1/cases", {"priority": "urgent"}),
        "filter priority=high (deadline near)": ("/api/v1/cases", {"priority": "high"}),
        "filter reply waiting": ("/api/v1/cases", {"reply_waiting": "true"}),
        "filter district=mitte": ("/api/v1/cases", {"district": "mitte"}),
        "filter life_area=housing": ("/api/v1/cases", {"life_area": "housing"}),
        "case page": ("/api/v1/cases/{case}", None),
        "archive by reference": ("/api/v1/cases", {"reference": "{reference}"}),
        "archive by month, page 1": ("/api/v1/cases", {"status": "closed", "month": busiest}),
        f"archive by month, page {LATER_PAGE}": ("/api/v1/cases", {"status": "closed", "month": busiest, "page": LATER_PAGE}),
    }


async def through_api(url: str, token: str, sample: dict, requests: int, budget: float) -> dict[str, list[float]]:
    """Milliseconds of each request kind, `requests` times each, one at a time; a kind stops after `budget` seconds."""
    kinds, rng = request_kinds(sample), random.Random(7)
    timings: dict[str, list[float]] = {}
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=120) as client:
        for name, (path, params) in kinds.items():
            values, deadline = timings.setdefault(name, []), time.monotonic() + budget
            for _ in range(requests):
                if time.monotonic() > deadline:
                    break
                target = path.format(case=rng.choice(sample["unassigned"])) if params is None else path
                reference = rng.choice(sample["closed"] or ["DU-2026-000001"])
                query = {k: str(v).format(reference=reference) for k, v in (params or {}).items()}
                started = time.perf_counter()
                response = await client.get(target, params={k: str(v) for k, v in query.items()})
                values.append(1000 * (time.perf_counter() - started))
                response.raise_for_status()
                if name == "archive by reference":
                    assert response.json()["total"] == 1, "the alias finds the archived case"
            print(f"  {name:38} {_summary(values)}  [{load()}]", flush=True)
    return timings


async def in_process(uri: str, database: str, sample: dict, requests: int) -> dict[str, list[float]]:
    """The counts from the read model (what every queue page reads), and the baseline `find_one` by `_id`."""
    client, rng = AsyncMongoClient(uri, tz_aware=True), random.Random(9)
    cases = CaseRepository(client[database], client[f"{database}_queue"])
    counts, baseline = [], []
    try:
        for _ in range(requests):
            started = time.perf_counter()
            await cases.queue_counts({})
            counts.append(1000 * (time.perf_counter() - started))
            started = time.perf_counter()
            await client[database]["cases"].find_one({"_id": rng.choice(sample["open"])})
            baseline.append(1000 * (time.perf_counter() - started))
    finally:
        await client.close()
    return {"counts (read model)": counts, "baseline find_one by _id": baseline}


def _summary(values: list[float]) -> str:
    if not values:
        return "no request finished within the budget"
    return f"p50 {percentile(values, 50):8.1f} ms  p99 {percentile(values, 99):8.1f} ms  max {max(values):8.1f} ms  (n={len(values)})"


def main() -> None:
    """Load the cases, time each request kind and the baseline, print percentiles and write bench/results.json."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000, help="how many cases to load in all")
    parser.add_argument("--open", type=int, default=2_000, help="how many of them are open")
    parser.add_argument("--requests", type=int, default=200, help="requests per kind (at least 200 for a p99)")
    parser.add_argument("--budget", type=float, default=120, help="seconds one request kind may take at most")
    parser.add_argument("--timeout", type=float, default=3 * 3600, help="stop and fail (exit 3) after this many seconds in all")
    args = parser.parse_args()
    if not 0 < args.open <= args.cases:
        parser.error("--open must be between 1 and --cases")
    print(f"# workbench over {args.cases} cases of which {args.open} open  ({machine()})", flush=True)
    try:
        with time_limit(args.timeout, "bench.workbench"):
            _run(args)
    except TimeLimitExceeded as error:
        exit_on_timeout(error)


def _run(args: argparse.Namespace) -> None:
    with local_stack(services=("triage",), env={"triage": {"TRIAGE_JOB_INTERVAL_SECONDS": "0", "TRIAGE_API_TOKENS_ENABLED": "true"}}) as stack:
        database, uri = f"{stack.database_prefix}triage", stack.database_uri("triage")
        started = time.monotonic()
        office_key = (stack.secrets / "intake" / "intake_office_public_key").read_text()
        sample = asyncio.run(load_cases(uri, database, args.cases, args.open, office_key))
        seconds = time.monotonic() - started
        print(f"  loaded in {seconds:.0f} s ({args.cases / seconds:.0f} cases/s, with aliases, archive pages and the open cases' read model)  [{load()}]")
        token = stack.create_api_token("bench", "case.read")
        timings = asyncio.run(through_api(stack.url("triage"), token, sample, args.requests, args.budget))
        timings |= asyncio.run(in_process(uri, database, sample, args.requests))
    base = timings.pop("baseline find_one by _id")
    base_p99 = percentile(base, 99)
    print(f"  {'counts (read model)':38} {_summary(timings['counts (read model)'])}")
    print(f"  {'baseline find_one by _id':38} {_summary(base)}")
    scale = f"{args.cases} cases, {args.open} open"
    for name, values in timings.items():
        if values:
            p99 = percentile(values, 99)
            record_result(
                f"workbench: {name}", target=f"p99 < {TARGET_MS} ms", measured=p99, baseline=base_p99, unit="ms", met=p99 < TARGET_MS,
                note=f"{scale}; p50 {percentile(values, 50):.1f} ms, n={len(values)}; baseline p99 is find_one by _id",
            )  # fmt: skip


if __name__ == "__main__":
    main()
