"""Benchmark 4: the staff case queue API (GET /api/v1/cases) over many cases, filtered and paged.

    .venv/bin/python -m bench.workbench                    # 1,000,000 cases, the issue's size
    .venv/bin/python -m bench.workbench --cases 50000 --rounds 5
    MONGODB_URI=mongodb://127.0.0.1:27017/ .venv/bin/python -m bench.workbench   # against a real MongoDB

Cases are written straight into triage's database (built by triage's own `new_case`, spread over
twelve months and the taxonomy), with triage's indexes in place. Then a fixed set of queue queries
runs one after another over the API with a read-only API token. Baseline in the same run: the same filter, sort,
page and count sent straight to the database with PyMongo, i.e. what the database alone costs.
Scheduled jobs are off (TRIAGE_JOB_INTERVAL_SECONDS=0) so only the queue is measured.
"""

import argparse
import asyncio
import random
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from pymongo import AsyncMongoClient

from bench.harness import load, local_stack, machine, percentile, ratio
from bench.synthetic import report
from meldestelle_shared.events import ReportSubmitted
from triage.cases.documents import case_document
from triage.cases.queue import SORTS, CaseQuery, build_filter
from triage.cases.queue.rebuild import rebuild_queue
from triage.cases.repository import CaseRepository
from triage.cases.service import CaseRules, format_reference, new_case

QUERIES = [
    {},
    {"status": "new"},
    {"priority": "urgent"},
    {"life_area": "housing"},
    {"district": "mitte", "ground": "racist_attribution"},
    {"month": "2026-03", "sort": "newest"},
    {"status": "new", "life_area": "work", "page": 3},
    {"assignee": "none", "sort": "oldest", "page": 40},
]


async def load_cases(uri: str, database: str, count: int) -> float:
    """Insert `count` cases made by triage's new_case; returns seconds taken."""
    rng, rules, client = random.Random(3), CaseRules(), AsyncMongoClient(uri, tz_aware=True)
    start_day, started, batch = datetime(2026, 1, 1, 8, tzinfo=UTC), time.monotonic(), []
    try:
        for number in range(1, count + 1):
            body, report_id = report(rng), uuid.uuid4()
            event = ReportSubmitted(
                correlation_id=report_id, report_id=report_id, sealed_description="c2VhbGVk",
                occurred_at=start_day + timedelta(minutes=number * 525_600 // count),
                **{k: body[k] for k in ("grounds", "forms", "life_area", "district", "reporter_role", "incident_date")},
            )  # fmt: skip
            case = case_document(new_case(event, reference=format_reference("DU", 2026, number), rules=rules))
            case["status"] = rng.choice(("new", "new", "in_review", "in_progress", "closed"))
            batch.append(case)
            if len(batch) == 10_000:
                await client[database]["cases"].insert_many(batch, ordered=False)
                batch = []
        if batch:
            await client[database]["cases"].insert_many(batch, ordered=False)
        await rebuild_queue(CaseRepository(client[database]))  # written past triage: its queue read model comes from a rebuild
    finally:
        await client.close()
    return time.monotonic() - started


async def through_api(url: str, token: str, rounds: int, budget: float) -> list[float]:
    """Milliseconds of each queue request, one at a time, until `rounds` are done or `budget` seconds are spent."""
    timings, deadline = [], time.monotonic() + budget
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=120) as client:
        for _ in range(rounds):
            for params in QUERIES:
                if time.monotonic() > deadline:
                    return timings
                started = time.perf_counter()
                response = await client.get("/api/v1/cases", params=params)
                timings.append(1000 * (time.perf_counter() - started))
                response.raise_for_status()
    return timings


async def through_database(uri: str, database: str, rounds: int, budget: float) -> list[float]:
    """Milliseconds of each query's page and count sent straight to the database, within `budget` seconds."""
    client, timings, deadline = AsyncMongoClient(uri, tz_aware=True), [], time.monotonic() + budget
    cases = client[database]["cases"]
    try:
        for _ in range(rounds):
            for params in QUERIES:
                if time.monotonic() > deadline:
                    return timings
                query = CaseQuery.model_validate(params)
                found = build_filter(query, me=None)
                started = time.perf_counter()
                skip = (query.page - 1) * query.page_size
                _ = [case async for case in cases.find(found, sort=SORTS[query.sort], skip=skip, limit=query.page_size)]
                await cases.count_documents(found)
                timings.append(1000 * (time.perf_counter() - started))
    finally:
        await client.close()
    return timings


def _summary(values: list[float]) -> str:
    if not values:
        return "no request finished within the budget"
    return f"p50 {percentile(values, 50):8.1f} ms  p99 {percentile(values, 99):8.1f} ms  max {max(values):8.1f} ms  (n={len(values)})"


def main() -> None:
    """Load the cases, time the queue API and the bare database queries, print percentiles and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000, help="how many cases to load")
    parser.add_argument("--rounds", type=int, default=10, help="times each of the queue queries runs")
    parser.add_argument("--budget", type=float, default=300, help="seconds each of the two query phases may take at most")
    args = parser.parse_args()
    print(f"# workbench queue over {args.cases} cases  ({machine()})")
    with local_stack(services=("triage",), env={"triage": {"TRIAGE_JOB_INTERVAL_SECONDS": "0", "TRIAGE_API_TOKENS_ENABLED": "true"}}) as stack:
        database = f"{stack.database_prefix}triage"
        seconds = asyncio.run(load_cases(stack.database_uri("triage"), database, args.cases))
        print(f"  loaded in {seconds:.0f} s ({args.cases / seconds:.0f} cases/s, triage's indexes in place)  [{load()}]")
        token = stack.create_api_token("bench", "case.read,case.assign")
        api = asyncio.run(through_api(stack.url("triage"), token, args.rounds, args.budget))
        print(f"  GET /api/v1/cases:           {_summary(api)}  [{load()}]  (target p99 < 200 ms)")
        base = asyncio.run(through_database(stack.database_uri("triage"), database, args.rounds, args.budget))
        print(f"  baseline (find + count, db): {_summary(base)}  [{load()}]")
    if api and base:
        print(f"  ratio p99 API/database: {ratio(percentile(api, 99), percentile(base, 99))}")


if __name__ == "__main__":
    main()
