"""FerretDB 1.24 on SQLite against FerretDB 1.24 on PostgreSQL, with the same workloads in one run.

It starts FerretDB on each backend (and a PostgreSQL cluster of its own) in a temporary folder,
with SCRAM authentication and the indexes triage creates on cases. The backends take turns batch
by batch and call by call, so a shared machine's changing load falls on both alike. Measured with case-shaped
documents: bulk insert (insert_many, batches of 500), find by `_id` and update_one by `_id` at N
documents, and a small read model (2,000 queue entries in a database of its own) read with a
filter + sort + limit 50 and counted. Those are the project's hot paths: the backlog drain inserts
in bulk, the workbench reads a case by `_id` and its queue from a small read model.

    .venv/bin/python -m bench.database --documents 200000 --timeout 3000
"""

import argparse
import os
import random
import secrets
import signal
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

from pymongo import ASCENDING, DESCENDING, MongoClient
from pymongo.collection import Collection

from bench.harness import load, machine, percentile, record_result
from bench.synthetic import description, report
from devstack.database import BACKENDS, MongoServer
from devstack.processes import free_port
from meldestelle_shared.taxonomy import CaseStatus, Priority
from triage.cases.documents import case_document
from triage.cases.model import Case
from triage.cases.priority import PriorityDecision
from triage.cases.values import Codes, ReporterAnswers, TimelineEntry

BATCH = 500
READ_MODEL_SIZE = 2_000
# The hot paths' target in issue 14 (every workbench read p99 < 200 ms).
LATENCY_TARGET_MS = 200.0
# What the backlog drain needs (issue 14: ≥ 2,000 cases/s).
INSERT_TARGET = 2_000.0
# The indexes triage's CaseRepository creates: every insert maintains them.
CASE_INDEXES = (
    ([("report_id", ASCENDING)], {"unique": True}),
    ([("reference", ASCENDING)], {"unique": True}),
    ([("received_at", DESCENDING), ("_id", DESCENDING)], {}),
    ([("status", ASCENDING), ("received_at", DESCENDING)], {}),
    ([("priority_rank", ASCENDING), ("received_at", ASCENDING)], {}),
    ([("assignee_id", ASCENDING)], {}),
    ([("received_month", ASCENDING), ("reporter.life_area", ASCENDING)], {}),
    ([("closed_at", ASCENDING)], {}),
)
# The open statuses, spread over the small read model; its page reads the new ones.
STATUSES = [status.value for status in CaseStatus if status is not CaseStatus.CLOSED]


def sealed(size: int) -> str:
    """Random base64-looking text of about `size` characters, as a sealed box's ciphertext is."""
    return secrets.token_urlsafe(size * 3 // 4)


def synthetic_case(rng: random.Random, number: int) -> dict:
    """A stored case as triage writes it, from a synthetic report: sealed texts, keys, a timeline entry."""
    body = report(rng)
    received = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=number)
    case_id = str(uuid4())
    case = Case(
        id=case_id,
        report_id=case_id,
        reference=f"2026-{number:07d}",
        status=CaseStatus(rng.choice(STATUSES)),
        priority=PriorityDecision(rng.choice(list(Priority)), "synthetic"),
        received_at=received,
        received_month=f"{received:%Y-%m}",
        reporter=ReporterAnswers(
            codes=Codes(tuple(body["grounds"]), tuple(body["forms"]), body["life_area"]),
            district=body["district"],
            reporter_role=body["reporter_role"],
            incident_date=body["incident_date"],
            language="de",
        ),
        created_at=received,
        sealed_description=sealed(len(description(rng)) * 4 // 3 + 100),
        sealed_contact=sealed(120) if rng.random() < 0.3 else None,
        reporter_public_key=secrets.token_urlsafe(32),
        reporter_verify_key=secrets.token_urlsafe(32),
        timeline=(TimelineEntry(id=str(uuid4()), kind="received", at=received, actor_id=None),),
    )
    return case_document(case)


def queue_entry(rng: random.Random, number: int) -> dict:
    """An open case as a small queue read model holds it: only the fields the queue shows and sorts by."""
    return {
        "_id": str(uuid4()),
        "reference": f"2026-{number:07d}",
        "status": rng.choice(STATUSES),
        "priority_rank": rng.randint(0, 2),
        "assignee_id": rng.choice([None, "staff-1", "staff-2", "staff-3"]),
        "reply_waiting": rng.random() < 0.1,
        "received_at": datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=number),
    }


def interleaved(operations: dict[str, Callable[[], object]], repeats: int) -> dict[str, list[float]]:
    """Milliseconds of each backend's operation, the backends taking turns (first one, then the other first),
    so a shared machine's changing load falls on both alike."""
    samples: dict[str, list[float]] = {backend: [] for backend in operations}
    order = list(operations)
    for _ in range(repeats):
        for backend in order:
            started = time.perf_counter()
            operations[backend]()
            samples[backend].append((time.perf_counter() - started) * 1000)
        order.reverse()
    return progress(samples)


def measure(clients: dict[str, MongoClient], documents: int, repeats: int, seed: int) -> dict[str, dict[str, float]]:
    """Every workload on every backend, batch by batch and call by call in turn; ms (latencies) and documents/s (insert)."""
    rng = random.Random(seed)
    cases = {backend: client["bench_cases"]["cases"] for backend, client in clients.items()}
    for collection in cases.values():
        for keys, options in CASE_INDEXES:
            collection.create_index(keys, **options)
    ids: list[str] = []
    insert_seconds = dict.fromkeys(clients, 0.0)
    order = list(clients)
    for first in range(0, documents, BATCH):
        batch = [synthetic_case(rng, number) for number in range(first, min(first + BATCH, documents))]
        ids += [doc["_id"] for doc in batch]
        for backend in order:
            started = time.perf_counter()
            cases[backend].insert_many(batch)
            insert_seconds[backend] += time.perf_counter() - started
        order.reverse()
        if first and first % 20_000 == 0:
            rates = ", ".join(f"{b} {first / seconds:,.0f}/s" for b, seconds in insert_seconds.items())
            print(f"  {first:,} inserted: {rates}; {load()}", flush=True)
    figures = {backend: {"insert_rate": documents / seconds} for backend, seconds in insert_seconds.items()}
    print(f"  inserted {documents:,}: {', '.join(f'{b} in {s:.1f} s' for b, s in insert_seconds.items())}; {load()}", flush=True)

    # Every backend reads and writes the same ids, chosen once.
    find_ids = [rng.choice(ids) for _ in range(repeats)]
    update_ids = [rng.choice(ids) for _ in range(repeats)]
    samples = {"find_by_id": by_id(cases, find_ids, lambda c, i: c.find_one({"_id": i}))}
    now = datetime.now(UTC)
    samples["update_by_id"] = by_id(cases, update_ids, lambda c, i: c.update_one({"_id": i}, {"$set": {"updated_at": now, "reply_waiting": True}}))

    queues = {backend: client["bench_queue"]["queue"] for backend, client in clients.items()}
    entries = [queue_entry(rng, number) for number in range(READ_MODEL_SIZE)]
    for queue in queues.values():
        queue.create_index([("status", ASCENDING), ("priority_rank", ASCENDING), ("received_at", ASCENDING)])
        queue.insert_many(entries)
    status = CaseStatus.NEW.value
    sort = [("priority_rank", ASCENDING), ("received_at", ASCENDING)]
    for queue in queues.values():
        if len(list(queue.find({"status": status}).sort(sort).limit(50))) != 50 or queue.count_documents({}) != READ_MODEL_SIZE:
            raise RuntimeError("the read model does not hold what was inserted")
    samples["small_model_scan"] = interleaved({b: (lambda q=q: list(q.find({"status": status}).sort(sort).limit(50))) for b, q in queues.items()}, repeats // 5)
    samples["small_model_count"] = interleaved({b: (lambda q=q: q.count_documents({})) for b, q in queues.items()}, repeats // 5)

    for name, by_backend in samples.items():
        for backend, values in by_backend.items():
            figures[backend][f"{name}_p50"] = percentile(values, 50)
            figures[backend][f"{name}_p99"] = percentile(values, 99)
    return figures


def by_id(collections: dict[str, Collection], ids: list[str], operation: Callable[[Collection, str], object]) -> dict[str, list[float]]:
    """Milliseconds of operation(collection, id) for each id, every backend in turn."""
    samples: dict[str, list[float]] = {backend: [] for backend in collections}
    order = list(collections)
    for document_id in ids:
        for backend in order:
            started = time.perf_counter()
            operation(collections[backend], document_id)
            samples[backend].append((time.perf_counter() - started) * 1000)
        order.reverse()
    return progress(samples)


def progress(samples: dict[str, list[float]]) -> dict[str, list[float]]:
    """Print each backend's p50/p99 as soon as a workload is done (a run cut by --timeout keeps them), and pass them on."""
    print("  " + ", ".join(f"{b} p50 {percentile(v, 50):.1f} ms p99 {percentile(v, 99):.1f} ms" for b, v in samples.items()) + f"; {load()}", flush=True)
    return samples


def run(backends: list[str], documents: int, repeats: int, seed: int) -> dict[str, dict[str, float]]:
    """Start FerretDB on each backend in a temporary folder, measure them side by side, stop them."""
    with tempfile.TemporaryDirectory(prefix="bench-database-") as folder:
        servers = {
            backend: MongoServer(Path(folder) / backend, free_port(), username="bench", password=secrets.token_urlsafe(16), backend=backend)
            for backend in backends
        }
        try:
            for backend, server in servers.items():
                server.start()
                server.wait_ready(timeout=120)
                print(f"{backend}: FerretDB on 127.0.0.1:{server.port}; {load()}", flush=True)
            clients = {backend: MongoClient(server.authenticated_uri) for backend, server in servers.items()}
            try:
                return measure(clients, documents, repeats, seed)
            finally:
                for client in clients.values():
                    client.close()
        finally:
            for server in servers.values():
                server.stop()


def report_figures(results: dict[str, dict[str, float]], documents: int, tag: str) -> None:
    """Print both backends side by side and write each figure to bench/results.json, the other backend as baseline."""
    names = list(next(iter(results.values())))
    print(f"\n{'figure':<26}" + "".join(f"{backend:>14}" for backend in results))
    for name in names:
        unit = "documents/s" if name == "insert_rate" else "ms"
        print(f"{name:<26}" + "".join(f"{results[backend][name]:>14,.2f}" for backend in results) + f"  {unit}")
    for backend, figures in results.items():
        other = next((b for b in results if b != backend), None)
        for name, value in figures.items():
            baseline = results[other][name] if other else None
            if name == "insert_rate":
                target, met, unit = f"≥ {INSERT_TARGET:,.0f} documents/s", value >= INSERT_TARGET, "documents/s"
            else:
                target, met, unit = f"< {LATENCY_TARGET_MS:.0f} ms", value < LATENCY_TARGET_MS, "ms"
            note = f"{documents:,} case documents; baseline: FerretDB on {other}" if other else f"{documents:,} case documents"
            record_result(f"database.{backend}{tag}.{name}", target=target, measured=value, baseline=baseline, unit=unit, met=met, note=note)


def _give_up(*_: object) -> None:
    raise TimeoutError("the benchmark ran past --timeout")


def _stopped(*_: object) -> None:
    # An exception, not the default death: the servers' finally blocks must stop them.
    raise SystemExit("stopped by SIGTERM")


def main() -> None:
    """Parse the options and run the benchmark on each backend in turn."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=200_000, help="case documents to insert (default 200,000)")
    parser.add_argument("--repeats", type=int, default=1_000, help="finds and updates to time; scans and counts: a fifth of it")
    parser.add_argument("--backends", default=",".join(BACKENDS), help="comma-separated, in order (default sqlite,postgresql)")
    parser.add_argument("--timeout", type=int, default=3_600, help="seconds before the whole run gives up")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--tag", default="", help="appended to the backend in results.json names, to keep a variant's figures apart")
    args = parser.parse_args()
    signal.signal(signal.SIGALRM, _give_up)
    signal.signal(signal.SIGTERM, _stopped)
    signal.alarm(args.timeout)
    print(machine(), flush=True)
    results = run(args.backends.split(","), args.documents, args.repeats, args.seed)
    signal.alarm(0)
    report_figures(results, args.documents, args.tag)
    print(f"load average at the end (1/5/15 min): {' / '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
