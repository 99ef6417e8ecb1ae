"""Two intake instances on one database, as several workers or replicas run: the throttles' counts and the
form drafts live in the database, so a client gains nothing by spreading its requests over instances,
and a resident's draft follows them to whichever instance answers."""

import re

import bson
import httpx
import pytest

from intake.settings import Settings
from intake.site.sealed_drafts import COLLECTION as DRAFTS
from intake.site.security import CSRF_COOKIE
from meldestelle_shared.mongo import create_client

pytestmark = pytest.mark.infra

ATTACKER, RESIDENT = "127.0.0.2", "127.0.0.3"
REPORT = {"description": "Mir wurde die Wohnung wegen meines Namens verweigert.", "grounds": ["racist_attribution"]}
STORY = "Der Vermieter sagte, an Leute wie mich vermiete er nicht."


def token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def with_limits(settings: Settings, **parts: dict) -> Settings:
    return settings.model_copy(update={part: getattr(settings, part).model_copy(update=limits) for part, limits in parts.items()})


async def guess(client: httpx.AsyncClient, url: str, receipt: str) -> int:
    page = await client.get(f"{url}/de/check")
    response = await client.post(f"{url}/de/check", files={"csrf_token": (None, token(page.text)), "receipt": (None, receipt)})
    return response.status_code


async def test_receipt_guesses_spread_over_two_instances_stop_at_the_limit(live_settings, serve, connect):
    settings = with_limits(live_settings, receipt_throttle={"delay_seconds": 0.001, "max_attempts": 1000})
    limit = settings.receipt_throttle.max_failures
    async with serve(settings) as first, serve(settings) as second, connect(ATTACKER, first) as attacker:
        statuses = [await guess(attacker, (first, second)[number % 2], f"{number:016d}") for number in range(2 * limit + 4)]
        async with connect(RESIDENT, second) as resident:
            receipt = (await resident.post("/api/v1/reports", json=REPORT)).json()["receipt"]
            resident_check = await guess(resident, first, receipt)

    assert statuses.count(404) == limit, statuses  # guesses really tried, over both instances together
    assert statuses[limit:] == [429] * (limit + 4), statuses
    assert resident_check == 200  # the lockout is the attacker's alone


async def test_reports_spread_over_two_instances_stop_at_the_limit(live_settings, serve, connect):
    settings = with_limits(live_settings, report_throttle={"max_per_window": 3})
    async with serve(settings) as first, serve(settings) as second, connect(ATTACKER, first) as attacker:
        flood = [(await attacker.post(f"{(first, second)[number % 2]}/api/v1/reports", json=REPORT)).status_code for number in range(6)]
        async with connect(RESIDENT, second) as resident:
            from_resident = await resident.post("/api/v1/reports", json=REPORT)

    assert flood == [201, 201, 201, 429, 429, 429]
    assert from_resident.status_code == 201


async def test_a_draft_written_by_one_instance_is_read_by_another_and_stored_sealed(live_settings, serve, connect):
    async with serve(live_settings) as first, serve(live_settings) as second, connect(RESIDENT, first) as resident:
        page = await resident.get(f"{first}/de/report")
        form = {"csrf_token": token(page.text), "step": "what", "action": "next", "description": STORY}
        posted = await resident.post(f"{first}/de/report/what", files={name: (None, value) for name, value in form.items()})
        shown_by_other = await resident.get(f"{second}/de/report/what")

    database = create_client(live_settings.mongodb, app_name="test")
    try:
        stored = await database[live_settings.database][DRAFTS].find({}).to_list()
    finally:
        await database.close()

    assert posted.status_code == 200 and posted.url.path == "/de/report/why"
    assert STORY in shown_by_other.text
    assert len(stored) == 1
    raw = bson.encode(stored[0])
    assert b"Vermieter" not in raw and "Vermieter".encode("utf-16-le") not in raw
    session = resident.cookies[CSRF_COOKIE]
    assert session.encode() not in raw and stored[0]["_id"] != session
