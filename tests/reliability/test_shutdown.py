"""SIGTERM: in-flight requests finish, processed offsets are committed, each service exits within 10 s."""

import json
import signal
import socket
import threading
import time

import pytest

from devstack.probes import eventually

from .conftest import case_report_ids, publish_reports, report_events

pytestmark = [pytest.mark.reliability, pytest.mark.timeout(600)]


def stop_and_time(process) -> float:
    started = time.monotonic()
    process.stop(timeout=10)  # SIGTERM, then SIGKILL after 10 s
    assert process.returncode != -signal.SIGKILL, f"{process.name} had to be killed"
    return time.monotonic() - started


def post_across_a_sigterm(url: str, body: bytes, terminate) -> int:
    """Send a request's headers and half its body, SIGTERM the server, send the rest; return the status.

    The request is provably in flight when the signal arrives, however slow the machine is (a fixed
    sleep before the signal raced the connection on a loaded machine).
    """
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=15) as connection:
        head = f"POST /api/v1/reports HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        connection.sendall(head.encode() + body[: len(body) // 2])
        time.sleep(0.5)  # uvicorn has parsed the headers: the request has begun
        terminate()
        connection.sendall(body[len(body) // 2 :])
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return int(answer.split(b" ", 2)[1])


def test_sigterm_lets_in_flight_requests_finish_and_every_service_exit_within_10s(stack):
    body = json.dumps({"description": "Beim Jobcenter herablassend behandelt."}).encode()
    assert post_across_a_sigterm(stack.url("intake"), body, stack.services["intake"].terminate) == 201
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
