"""Throttles against a real uvicorn, real Kafka and the real database, with attacker and residents on
different loopback addresses: the client address reaches intake only as uvicorn's ASGI scope says."""

import asyncio
import re
import time

import httpx
import pytest

from intake.settings import Settings

pytestmark = pytest.mark.infra

ATTACKER, RESIDENT = "127.0.0.2", "127.0.0.3"
REPORT = {"description": "Mir wurde die Wohnung wegen meines Namens verweigert.", "grounds": ["racist_attribution"]}


def token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


async def new_receipt(client: httpx.AsyncClient) -> str:
    response = await client.post("/api/v1/reports", json=REPORT)
    assert response.status_code == 201, response.text
    return response.json()["receipt"]


def with_limits(settings: Settings, **parts: dict) -> Settings:
    """`settings` with some limits of its nested throttle settings changed."""
    return settings.model_copy(update={part: getattr(settings, part).model_copy(update=limits) for part, limits in parts.items()})


async def post_form(client: httpx.AsyncClient, path: str, **fields: str) -> httpx.Response:
    page = await client.get("/de/check")
    return await client.post(path, files={name: (None, value) for name, value in {"csrf_token": token(page.text), **fields}.items()})


async def test_valid_checks_from_one_client_never_lock_out_a_resident(live_settings, serve, connect):
    """The attack of issue 11/1: an address sends two valid checks a second with its own receipt."""
    settings = with_limits(live_settings, receipt_throttle={"global_failures_per_minute": 3, "max_attempts": 1000})
    async with serve(settings) as url, connect(ATTACKER, url) as attacker, connect(RESIDENT, url) as resident:
        attacker_receipt, resident_receipt = await new_receipt(attacker), await new_receipt(resident)
        statuses: list[int] = []

        async def flood() -> None:
            deadline = time.monotonic() + 6
            while time.monotonic() < deadline:
                for _ in range(2):
                    statuses.append((await post_form(attacker, "/de/check", receipt=attacker_receipt)).status_code)
                await asyncio.sleep(1)

        flooding = asyncio.create_task(flood())
        await asyncio.sleep(2.5)
        checked = await post_form(resident, "/de/check", receipt=resident_receipt)
        replied = await post_form(resident, "/de/check/reply", receipt=resident_receipt, text="Noch eine Ergänzung.")
        erased = await post_form(resident, "/de/check/delete", receipt=resident_receipt, confirm="yes")
        await flooding

    assert checked.status_code == 200 and "Eingegangen" in checked.text
    assert replied.status_code == 200 and "Noch eine Ergänzung." in replied.text
    assert erased.status_code == 200 and "gelöscht" in erased.text
    assert statuses.count(200) >= 8, statuses  # the flood really ran, at two checks a second


async def test_guesses_between_valid_checks_stay_within_the_hourly_limit(live_settings, serve, connect):
    """Two guesses, one valid check, over and over: the valid checks must not wipe the failures."""
    settings = with_limits(live_settings, receipt_throttle={"delay_seconds": 0.001, "max_attempts": 1000})
    async with serve(settings) as url, connect(ATTACKER, url) as attacker, connect(RESIDENT, url) as resident:
        receipt = await new_receipt(attacker)
        guesses: list[int] = []
        for number in range(20):
            for guess in (f"{number:016d}", f"{number + 5000:016d}"):
                guesses.append((await post_form(attacker, "/de/check", receipt=guess)).status_code)
            await post_form(attacker, "/de/check", receipt=receipt)
        resident_check = await post_form(resident, "/de/check", receipt=await new_receipt(resident))

    assert guesses.count(404) <= settings.receipt_throttle.max_failures, guesses  # guesses that were really tried
    assert guesses[-10:] == [429] * 10
    assert resident_check.status_code == 200  # the lockout is the attacker's alone


async def test_a_flood_of_reports_from_one_client_is_cut_off(live_settings, serve, connect):
    settings = with_limits(live_settings, report_throttle={"max_per_window": 3})
    async with serve(settings) as url, connect(ATTACKER, url) as attacker, connect(RESIDENT, url) as resident:
        flood = [await attacker.post("/api/v1/reports", json=REPORT) for _ in range(5)]
        page = await attacker.get("/de/report")
        form = {"csrf_token": token(page.text), "step": "review", "action": "submit", "description": "Beleidigt im Bus."}
        on_the_site = await attacker.post("/de/report", files={name: (None, value) for name, value in form.items()})
        from_resident = await resident.post("/api/v1/reports", json=REPORT)

    assert [response.status_code for response in flood] == [201, 201, 201, 429, 429]
    refused = flood[-1]
    assert refused.json()["error"] == "too_many_requests" and 1 <= int(refused.headers["retry-after"]) <= 3600
    assert on_the_site.status_code == 429 and "noch NICHT gesendet" in on_the_site.text
    assert "Beleidigt im Bus." in on_the_site.text and int(on_the_site.headers["retry-after"]) >= 1  # the answers are kept
    assert from_resident.status_code == 201
