"""Staff login: guessing is slowed per client, never locks the real person out, reveals no usernames, and never blocks the loop."""

import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pyotp
import pytest
from pymongo import AsyncMongoClient

from devstack.probes import run_async
from meldestelle_shared.sealing import load_keyring
from triage.staff.factors import password_matches
from triage.staff.repository import StaffRepository
from triage.staff.service import create_account

pytestmark = pytest.mark.infra
ATTACKER, VICTIM = "127.0.0.2", "127.0.0.3"
PASSWORD = "a staff member's long password"


@pytest.fixture
def settings(triage_settings):
    """Short delays, so the bounded wait fits a test: the account slows down after 2 failures, for at most 2 s."""
    return triage_settings.model_copy(update={"login_max_failures": 2, "login_account_delay_max_seconds": 2})


@pytest.fixture
def served(settings, serve) -> str:
    """triage served by uvicorn on 127.0.0.1, so each client's real source address reaches it."""
    return serve(settings)


def add_account(settings, username: str) -> str:
    """A caseworker account in the test's database; returns its TOTP secret."""

    async def add() -> str:
        client = AsyncMongoClient(settings.mongodb.uri)
        try:
            totp_key = load_keyring(settings.totp_private_key.get_secret_value())
            _, secret = await create_account(username, PASSWORD, ["caseworker"], staff=StaffRepository(client[settings.database]), totp_key=totp_key)
            return secret
        finally:
            await client.close()

    return run_async(add)


def client_from(url: str, address: str) -> httpx.Client:
    """An HTTP client whose requests leave from `address` (every 127.x address is loopback)."""
    return httpx.Client(base_url=url, transport=httpx.HTTPTransport(local_address=address), timeout=30)


def login(client: httpx.Client, username: str, password: str, code: str) -> httpx.Response:
    return client.post("/api/v1/session", json={"username": username, "password": password, "totp": code})


def test_guessing_from_one_address_does_not_lock_the_person_out_from_another(settings, served):
    secret = add_account(settings, "xaver")
    with client_from(served, ATTACKER) as attacker, client_from(served, VICTIM) as victim:
        answers = [login(attacker, "xaver", f"wrong guess {n}", "000000").status_code for n in range(30)]
        assert answers.count(401) <= 6 and answers.count(429) >= 24  # the attacker is slowed down (3 free, then 1 s, 2 s ...)
        started = time.monotonic()
        while (response := login(victim, "xaver", PASSWORD, pyotp.TOTP(secret).now())).status_code != 201:
            assert response.status_code == 401 and time.monotonic() - started < 2 + 3, response.text  # a bounded delay
            time.sleep(0.5)
    assert response.json()["username"] == "xaver"


def test_unknown_and_known_usernames_get_the_same_answer(settings, served):
    add_account(settings, "known")
    with client_from(served, ATTACKER) as first, client_from(served, VICTIM) as second:
        known, unknown, timings = [], [], {"known": [], "unknown": []}
        for name, answers, client in (("known", known, first), ("unknown", unknown, second)):
            for attempt in range(3):  # the account slows down after two failures: still the same answer
                started = time.perf_counter()
                answers.append(login(client, name, "not the password", "123456"))
                timings[name].append(time.perf_counter() - started)
    assert {(r.status_code, r.text) for r in known} == {(r.status_code, r.text) for r in unknown} == {(401, known[0].text)}
    ratio = statistics.median(timings["known"]) / statistics.median(timings["unknown"])
    assert 1 / 3 < ratio < 3, timings  # both pay for one Argon2 check


def test_health_stays_responsive_during_a_burst_of_logins(settings, served):
    add_account(settings, "busy")
    addresses = [f"127.0.1.{n}" for n in range(1, 13)]  # many clients, so the client throttle lets every login through
    clients = [client_from(served, address) for address in addresses]
    with client_from(served, VICTIM) as probe, ThreadPoolExecutor(len(clients)) as pool:
        burst = [pool.submit(login, client, "busy", "not the password", "123456") for client in clients for _ in range(2)]
        time.sleep(0.2)
        waits = []
        while not all(future.done() for future in burst):
            started = time.perf_counter()
            assert probe.get("/healthz").status_code == 200
            waits.append(time.perf_counter() - started)
            time.sleep(0.05)
        refused = [future.result().status_code for future in burst]
    for client in clients:
        client.close()
    check = min(timed(lambda: password_matches(None, "x")) for _ in range(3))  # one Argon2 check, on this machine now
    assert set(refused) <= {401, 429} and refused.count(401) >= len(addresses)
    # A blocked loop makes each probe wait for the check in progress; a free one answers at once.
    assert statistics.median(waits) < check / 4, f"/healthz waited {statistics.median(waits):.3f} s (median; one check takes {check:.3f} s)"


def timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started
