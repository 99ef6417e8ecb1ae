"""Outages: Kafka or the database away for 30 seconds; everything recovers by itself, nothing is lost or doubled."""

import threading
import time

import httpx
import pytest

from devstack.probes import eventually

from .conftest import case_report_ids, publish_reports, report_events

pytestmark = [pytest.mark.reliability, pytest.mark.timeout(600)]

REPORT = {"description": "Mir wurde der Zutritt zur Disko verweigert.", "grounds": ["racist_attribution"]}
OUTAGE_SECONDS = 30


def test_kafka_down_for_30s_gives_503_never_a_false_201_and_every_201_becomes_a_case(stack):
    accepted, refused, unexpected, stop = [], [], [], threading.Event()

    def submit_steadily() -> None:
        with httpx.Client(base_url=stack.url("intake"), timeout=30) as client:
            while not stop.is_set():
                response = client.post("/api/v1/reports", json=REPORT)
                if response.status_code in (201, 503):
                    (accepted if response.status_code == 201 else refused).append(response.json())
                else:  # asserted in the test's thread: a failed assert in this thread would only be a warning
                    unexpected.append(f"{response.status_code} {response.text}")
                time.sleep(0.2)

    submitter = threading.Thread(target=submit_steadily)
    submitter.start()
    time.sleep(3)
    stack.kafka.stop()
    time.sleep(OUTAGE_SECONDS)
    stack.kafka.start()
    stack.kafka.wait_ready(timeout=120)
    eventually(lambda: stack.ready("intake"), timeout=60, what="intake to recover by itself")
    before_recovery = len(accepted)
    eventually(lambda: len(accepted) > before_recovery + 3, timeout=60, what="201s after the outage")
    stop.set()
    submitter.join()

    assert unexpected == []
    assert refused and all(body["error"] == "report_not_saved" for body in refused)
    expected = {body["report_id"] for body in accepted}
    eventually(lambda: expected <= set(case_report_ids(stack)), timeout=90, interval=1, what="a case per 201")
    time.sleep(3)  # an abandoned report that reached Kafka late must not leave a case either
    stored = case_report_ids(stack)
    assert set(stored) == expected and len(stored) == len(expected)


def test_database_down_for_30s_loses_nothing_and_doubles_nothing(stack):
    events = report_events(stack, 40 * 20)
    feeder = threading.Thread(target=publish_reports, args=(stack, events), kwargs={"per_second": 20})
    feeder.start()
    eventually(lambda: len(case_report_ids(stack)) >= 20, timeout=30, what="cases before the outage")
    for database in stack.databases.values():
        database.stop()
    time.sleep(OUTAGE_SECONDS)
    for database in stack.databases.values():
        database.start()
        database.wait_ready()
    feeder.join(timeout=120)
    eventually(lambda: len(case_report_ids(stack)) >= len(events), timeout=120, interval=1, what="every case")
    time.sleep(3)
    stored = case_report_ids(stack)
    assert len(stored) == len(events) and set(stored) == {str(e.report_id) for e in events}
    eventually(lambda: len(stack.smtp.messages()) >= len(events), timeout=120, interval=1, what="every e-mail")
