"""What intake's public port gives away, against intake as a process started by devstack's own
command line: forwarded addresses are believed only from configured proxies, /metrics is not
public, and a WebSocket upgrade is refused without writing the client's address to the log.

Attackers and residents use different loopback addresses (127.0.0.2, 127.0.0.3 ...).
"""

import re
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from devstack.probes import eventually
from devstack.stack import LocalStack

pytestmark = pytest.mark.e2e

WRONG_RECEIPT = "0000 0000 0000 0000"
MOST_GUESSES_BEFORE_A_REFUSAL = 12  # the throttle slows a client well before this


@contextmanager
def lone_intake(root: Path, infrastructure, **options) -> Iterator[LocalStack]:
    """intake alone, started as devstack starts it, on the session's Kafka and database."""
    stack = infrastructure.service_stack(root, f"edge{uuid.uuid4().hex[:8]}", **options)
    intake = stack.services["intake"]
    intake.start()
    try:
        eventually(lambda: stack.ready("intake"), timeout=90, interval=0.5, what="intake to be ready")
        yield stack
    finally:
        intake.stop(timeout=15)


@pytest.fixture(scope="module")
def intake(tmp_path_factory, infrastructure) -> Iterator[LocalStack]:
    """intake with devstack's defaults: only a proxy on 127.0.0.1 is trusted."""
    with lone_intake(tmp_path_factory.mktemp("edge"), infrastructure) as stack:
        yield stack


@pytest.fixture(scope="module")
def intake_behind_proxy(tmp_path_factory, infrastructure) -> Iterator[LocalStack]:
    """intake behind a reverse proxy on 127.0.0.2, configured as trusted."""
    with lone_intake(tmp_path_factory.mktemp("edge-proxy"), infrastructure, trusted_proxies="127.0.0.2") as stack:
        yield stack


def client_from(address: str, **headers: str) -> httpx.Client:
    """An HTTP client whose connections come from `address`."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), headers=headers, timeout=30)


def guess(client: httpx.Client, base: str, **headers: str) -> int:
    """One wrong receipt through the check form; the answer's status."""
    page = client.get(f"{base}/de/check").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post(f"{base}/de/check", data={"csrf_token": csrf, "receipt": WRONG_RECEIPT}, headers=headers).status_code


def guesses_until_refused(client: httpx.Client, base: str, forwarded_for=lambda attempt: None) -> list[int]:
    """Wrong receipts until the throttle answers 429, each with the X-Forwarded-For `forwarded_for` names."""
    statuses: list[int] = []
    while 429 not in statuses and len(statuses) < MOST_GUESSES_BEFORE_A_REFUSAL:
        address = forwarded_for(len(statuses))
        statuses.append(guess(client, base, **({"x-forwarded-for": address} if address else {})))
    return statuses


def test_a_forged_forwarded_address_from_an_unconfigured_peer_is_not_believed(intake):
    base = intake.url("intake")
    attacker = client_from("127.0.0.2")  # not a configured proxy: its X-Forwarded-For is a forgery
    statuses = guesses_until_refused(attacker, base, forwarded_for=lambda attempt: f"203.0.113.{attempt + 1}")
    assert statuses[-1] == 429, f"a fresh forged address per guess escaped the throttle: {statuses}"
    assert guess(client_from("127.0.0.3"), base) == 404  # a resident on another address is not slowed


def test_residents_behind_a_configured_proxy_are_told_apart(intake_behind_proxy):
    base = intake_behind_proxy.url("intake")
    proxy = client_from("127.0.0.2")
    statuses = guesses_until_refused(proxy, base, forwarded_for=lambda attempt: "203.0.113.10")
    assert statuses[-1] == 429, statuses  # the guessing resident is slowed ...
    assert guess(proxy, base, **{"x-forwarded-for": "203.0.113.11"}) == 404  # ... the next one behind the proxy is not
    leaks = [path.name for path in (intake_behind_proxy.root / "logs").iterdir() if b"203.0.113." in path.read_bytes()]
    assert leaks == []


def test_metrics_are_only_on_the_loopback_metrics_port(intake):
    public = client_from("127.0.0.2")
    for path in ("/metrics", "/metrics/", "/api/v1/metrics"):
        answer = public.get(f"{intake.url('intake')}{path}", follow_redirects=True)  # /metrics → /metrics/, as any path
        assert answer.status_code == 404 and "http_requests_total" not in answer.text, path
    scraped = httpx.get(intake.metrics_url("intake"), timeout=10)
    assert scraped.status_code == 200 and 'http_requests_total{method="GET",route="unmatched",status="404"}' in scraped.text
    with pytest.raises(ConnectionRefusedError):  # bound to 127.0.0.1, not to every loopback address
        socket.create_connection(("127.0.0.2", intake.ports.intake_metrics), timeout=5).close()


def test_a_websocket_upgrade_is_refused_and_its_address_never_logged(intake):
    request = (
        "GET /de/check?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", intake.ports.intake), timeout=10, source_address=("127.0.0.4", 0)) as sock:
        sock.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer and (chunk := sock.recv(65536)):
            answer += chunk
    assert answer and not answer.startswith(b"HTTP/1.1 101"), answer[:200]
    assert b"upgrade: websocket" not in answer.lower()
    assert httpx.get(f"{intake.url('intake')}/healthz").status_code == 200  # the log has caught up with the request
    log = (intake.root / "logs" / "intake.log").read_text()
    assert "Application startup complete" in log  # the search below reads the real log
    assert "127.0.0.4" not in log and '"WebSocket /' not in log  # uvicorn's line was `ADDRESS:PORT - "WebSocket /de/check?x=1" 403`


def test_the_metrics_count_the_requests_of_every_worker(intake):
    """intake runs a uvicorn worker per core; the one metrics port serves the sum of all workers' counts."""
    import psutil

    workers = psutil.Process(intake.services["intake"].pid).children()
    assert len([worker for worker in workers if "spawn_main" in " ".join(worker.cmdline())]) == intake.intake_workers >= 2

    def served() -> float:
        line = 'http_requests_total{method="GET",route="/healthz",status="200"}'
        text = httpx.get(intake.metrics_url("intake"), timeout=10).text
        return next((float(row.split()[-1]) for row in text.splitlines() if row.startswith(line)), 0.0)

    before = served()
    for _ in range(20):
        with client_from("127.0.0.2") as fresh:  # a new connection each time, so the workers share them
            assert fresh.get(f"{intake.url('intake')}/healthz").status_code == 200
    assert served() - before == 20
