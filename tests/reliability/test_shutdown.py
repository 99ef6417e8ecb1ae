"""SIGTERM: in-flight requests finish, processed offsets are committed, each service exits within 10 s."""

import signal
import threading
import time

import httpx
import pytest

from devstack.probes import eventually

from .conftest import case_report_ids, publish_reports, report_events

pytestmark = [pytest.mark.reliability, pytest.mark.timeout(600)]


def stop_and_time(process) -> float:
    started = time.monotonic()
    process.stop(timeout=10)  # SIGTERM, then SIGKILL after 10 s
    assert process.returncode != -signal.SIGKILL, f"{process.name} had to be killed"
    return time.monotonic() - started


def test_sigterm_lets_in_flight_requests_finish_and_every_service_exit_within_10s(stack):
    responses = []
    request = threading.Thread(
        target=lambda: responses.append(
            httpx.post(f"{stack.url('intake')}/api/v1/reports", json={"description": "Beim Jobcenter herablassend behandelt."}, timeout=15)
        )
    )
    request.start()
    time.sleep(0.02)  # the request is on its way (receipt hashing alone takes longer than this)
    stack.services["intake"].terminate()
    request.join()
    assert responses[0].status_code == 201
    assert stop_and_time(stack.services["intake"]) < 10

    events = report_events(stack, 1000)
    feeder = threading.Thread(target=publish_reports, args=(stack, events))
    feeder.start()
    eventually(lambda: len(case_report_ids(stack)) >= 100, timeout=60, what="triage mid-stream")
    assert stop_and_time(stack.services["triage"]) < 10
    assert stop_and_time(stack.services["notify"]) < 10
    feeder.join()

    stack.services["triage"].start()
    eventually(lambda: len(case_report_ids(stack)) >= 1001, timeout=120, interval=1, what="every case after the restart")
    time.sleep(2)
    stored = case_report_ids(stack)
    assert len(stored) == len(set(stored)) == 1001
