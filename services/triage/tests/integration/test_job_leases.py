"""Scheduled jobs run once per period, not once per instance: the lease is an insert-once document per period."""

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from pymongo import MongoClient

from meldestelle_shared.leases import KEPT_PERIODS, Leases
from meldestelle_shared.mongo import create_client
from meldestelle_shared.settings import MongoSettings
from triage import scheduler
from triage.app import create_app

pytestmark = pytest.mark.infra

PERIOD = timedelta(seconds=60)


async def test_two_instances_racing_for_each_period_get_exactly_one_lease(infrastructure, unique_name):
    clients = [create_client(MongoSettings(uri=infrastructure.database_uri("triage")), app_name=f"instance-{n}") for n in (1, 2)]
    first, second = (Leases(client[unique_name]["job_leases"], holder=f"instance-{n}") for n, client in enumerate(clients, 1))
    start = datetime(2026, 12, 1, 9, tzinfo=UTC)
    try:
        for period in range(30):
            now = start + period * PERIOD
            won = await asyncio.gather(*(leases.claim("triage-jobs", PERIOD, now) for leases in (first, second, second, first)))
            assert won.count(True) == 1, (period, won)
            assert await first.holder_of("triage-jobs", PERIOD, now) in ("instance-1", "instance-2")
            assert await first.claim("other-job", PERIOD, now)  # jobs do not share leases
        # Old claims are deleted by later ones: the collection stays small.
        assert await clients[0][unique_name]["job_leases"].count_documents({"job": "triage-jobs"}) <= KEPT_PERIODS + 2
    finally:
        for client in clients:
            await client.close()


def test_two_instances_run_one_round_per_period_and_the_survivor_takes_over(triage_settings, monkeypatch):
    settings = triage_settings.model_copy(update={"job_interval_seconds": 1})
    leases = MongoClient(settings.mongodb.uri)[settings.database]["job_leases"]

    def holders_since(moment: datetime) -> dict[str, str]:
        return {doc["_id"]: doc["holder"] for doc in leases.find({"job": "triage-jobs", "expires_at": {"$gt": moment}})}

    ran_rounds = []
    run_jobs = scheduler.run_jobs

    async def counted(context) -> None:
        ran_rounds.append(datetime.now(UTC))
        await run_jobs(context)

    def rounds_since(moment: datetime) -> int:
        return sum(at >= moment for at in ran_rounds)

    monkeypatch.setattr(scheduler, "run_jobs", counted)
    with TestClient(create_app(settings)):
        with TestClient(create_app(settings)):
            started = datetime.now(UTC)
            time.sleep(6)
            together, ran = holders_since(started), rounds_since(started)
        # Both loops try every second; without the lease they would run about two rounds per second.
        assert 3 <= ran <= len(together) + 1, (ran, together)
        stopped = datetime.now(UTC) + timedelta(seconds=1)
        time.sleep(5)
        after = holders_since(stopped)
    assert len(after) >= 2, after  # the survivor claims the periods after the other instance stopped
