"""Backups that restore: a whole stack's data backed up, its database servers' disks lost, restored, and the pipeline going on.

Cases, reporter messages and statistics are made through the real pipeline (intake's API, Kafka,
triage, notify). The services stop, each database server is stopped and its data folder deleted,
the set is restored with the operators' command into the empty servers, and the services start
again: their consumers resume from their committed offsets, so new reports make exactly one case
and one e-mail each and nothing from before is done again.
"""

import json
import os
import subprocess
import sys
import time

import httpx
import pytest
from pymongo import MongoClient

from devstack.probes import eventually
from meldestelle_shared.sealing import load_private_key, unseal

from .conftest import case_report_ids, publish_reports, report_events

pytestmark = [pytest.mark.reliability, pytest.mark.timeout(900)]

SERVICES = ("intake", "triage", "notify")


def report(number: int) -> dict:
    return {
        "description": f"Bericht über das Wohnungsamt, Nummer {number}, Vermieter sagte nein.",
        "grounds": ["racist_attribution"],
        "forms": ["denial_of_access_or_service"],
        "life_area": "housing",
        "language": "de",
    }


def database_counts(stack) -> dict[tuple[str, str, str], int]:
    """Documents per service, database and collection, over every database of each service's server."""
    counts = {}
    for service in SERVICES:
        with MongoClient(stack.database_uri(service), serverSelectionTimeoutMS=5000) as client:
            for database in client.list_database_names():
                if database == service or database.startswith(f"{service}_"):
                    for collection in client[database].list_collection_names():
                        counts[(service, database, collection)] = client[database][collection].count_documents({})
    return counts


def settled_counts(stack) -> dict:
    """The counts once they stop changing: every consumer has caught up."""
    previous = None
    for _ in range(60):
        current = database_counts(stack)
        if current == previous:
            return current
        previous = current
        time.sleep(3)
    raise AssertionError("the databases never settled")


def monthly_totals(stack, headers) -> dict[str, int]:
    triage = stack.url("triage")
    months = httpx.get(f"{triage}/api/v1/statistics/months", headers=headers, timeout=30).json()["months"]
    return {month: httpx.get(f"{triage}/api/v1/statistics/monthly/{month}", headers=headers, timeout=30).json()["total"] for month in months}


def backup_command(stack, *arguments: str, secrets_env: dict[str, str]) -> subprocess.CompletedProcess:
    """The operators' command, as a process of its own, configured for this stack's servers."""
    sources = [
        {"service": service, "uri": stack.databases[service].uri, "database": f"{stack.database_prefix}{service}", "username": service}
        for service in SERVICES
    ]
    env = {**os.environ, "BACKUP_SOURCES": json.dumps(sources), **secrets_env}
    return subprocess.run(
        [sys.executable, "-m", "meldestelle_shared.backup", *arguments], env=env, capture_output=True, text=True, timeout=600
    )


def lose_the_disks(stack) -> None:
    """Stop each database server, delete its data (SQLite files or PostgreSQL database), and start it empty (it creates its user again)."""
    for server in stack.databases.values():
        server.stop()
        server.lose_data()
        server.start()
    for server in stack.databases.values():
        server.wait_ready()


def test_backup_destroy_restore_and_the_pipeline_goes_on_without_loss_or_double(stack, tmp_path):
    if not stack.databases:
        pytest.skip("needs the stack's own database servers (MELDESTELLE_TEST_MONGODB_URI is set)")
    headers = {"Authorization": f"Bearer {stack.create_api_token('backup-test', 'case.read,case.work,stats.read')}"}
    triage = stack.url("triage")

    # 1. Cases, messages and statistics, through the real pipeline.
    for number in range(5):
        response = httpx.post(f"{stack.url('intake')}/api/v1/reports", json=report(number), timeout=30)
        assert response.status_code == 201, response.text
    before_events = report_events(stack, 200)
    publish_reports(stack, before_events)
    eventually(lambda: len(case_report_ids(stack)) >= 205, timeout=180, interval=1, what="205 cases")
    eventually(lambda: len(stack.smtp.messages()) >= 205, timeout=180, interval=1, what="205 office e-mails")
    listing = httpx.get(f"{triage}/api/v1/cases", params={"page_size": 100}, headers=headers, timeout=30).json()["items"]
    messaged = 0
    for case in listing:
        answer = httpx.post(f"{triage}/api/v1/cases/{case['id']}/messages", json={"text": "Wir melden uns."}, headers=headers, timeout=30)
        assert answer.status_code in (201, 409), answer.text  # 409: a case from a bare event has no reporter key
        messaged += answer.status_code == 201
    assert messaged >= 5  # the reports sent through intake's API
    before = settled_counts(stack)
    totals = monthly_totals(stack, headers)
    assert sum(totals.values()) == 205
    assert before[("triage", f"{stack.database_prefix}triage", "cases")] == 205

    # 2. Back up (online, the services running), then lose every database server's disk.
    keygen = subprocess.run([sys.executable, "-m", "meldestelle_shared.backup", "keygen", str(stack.secrets)], capture_output=True, text=True, timeout=60)
    assert keygen.returncode == 0, keygen.stderr
    job = {"MELDESTELLE_SECRETS_DIR": str(stack.secrets / "backup")}  # the public key and the databases' passwords only
    created = backup_command(stack, "create", str(tmp_path / "set"), secrets_env=job)
    assert created.returncode == 0, created.stderr
    for process in stack.services.values():
        process.stop(timeout=15)  # SIGTERM: each consumer commits what it processed
    lose_the_disks(stack)
    assert database_counts(stack) == {}

    # 3. Restore (the private key comes from its own folder), and compare.
    private = (stack.secrets / "backup-restore" / "backup_private_key").read_text()
    restored = backup_command(stack, "restore", str(tmp_path / "set"), secrets_env={**job, "BACKUP_PRIVATE_KEY": private})
    assert restored.returncode == 0, restored.stderr
    assert database_counts(stack) == before
    office_key = load_private_key((stack.secrets / "triage" / "triage_office_private_key").read_text())
    with MongoClient(stack.database_uri("triage"), serverSelectionTimeoutMS=5000) as client:
        cases = list(client[f"{stack.database_prefix}triage"]["cases"].find({}, {"sealed_description": 1}))
    assert len(cases) == 205 and all(unseal(office_key, case["sealed_description"]).startswith("Bericht") for case in cases)

    # 4. The services resume from their committed offsets: new reports make one case and one e-mail each, old ones none.
    for process in stack.services.values():
        process.start()
    for service in SERVICES:
        eventually(lambda: stack.ready(service), timeout=90, what=f"{service} to be ready again")
    assert sum(monthly_totals(stack, headers).values()) == 205
    detail = httpx.get(f"{triage}/api/v1/cases/{listing[0]['id']}", headers=headers, timeout=30).json()
    assert detail["description"].startswith("Bericht")
    after_events = report_events(stack, 100)
    publish_reports(stack, after_events)
    for number in range(5, 8):
        assert httpx.post(f"{stack.url('intake')}/api/v1/reports", json=report(number), timeout=30).status_code == 201
    eventually(lambda: len(case_report_ids(stack)) >= 308, timeout=180, interval=1, what="308 cases")
    eventually(lambda: len(stack.smtp.messages()) >= 308, timeout=180, interval=1, what="308 office e-mails")
    after = settled_counts(stack)
    stored = case_report_ids(stack)
    assert len(stored) == len(set(stored)) == 308
    assert {str(event.report_id) for event in before_events + after_events} <= set(stored)
    assert len(stack.smtp.messages()) == 308  # no e-mail for a case from before the backup was sent again
    assert sum(monthly_totals(stack, headers).values()) == 308
    assert after[("triage", f"{stack.database_prefix}triage", "cases")] == 308
