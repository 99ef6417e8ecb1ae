"""Two intake instances on one database, as several workers or replicas run: the throttles' slots and the
form drafts live in the database, so a client gains nothing by spreading its requests over instances,
and a resident's draft follows them to whichever instance answers. Attackers and residents use different
loopback addresses; requests run concurrently, so the slots' atomicity is what holds the limits."""

import asyncio
import re
import time

import bson
import httpx
import pytest

from intake.settings import Settings
from intake.site.drafts import Draft
from intake.site.report_form import Answers
from intake.site.sealed_drafts import COLLECTION as DRAFTS
from intake.site.sealed_drafts import SealedDraftStore
from intake.site.security import CSRF_COOKIE
from intake.throttle_database import COLLECTION as THROTTLES
from intake.throttle_database import DatabaseThrottleStore
from intake.throttling import Window, client_key
from meldestelle_shared.mongo import create_client

pytestmark = pytest.mark.infra

ATTACKERS, RESIDENT = ("127.0.0.2", "127.0.0.4", "127.0.0.5"), "127.0.0.3"
REPORT = {"description": "Mir wurde die Wohnung wegen meines Namens verweigert.", "grounds": ["racist_attribution"]}
STORY = "Der Vermieter sagte, an Leute wie mich vermiete er nicht."
SECRET = b"intake's secret, for the test"


def token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def with_limits(settings: Settings, **parts: dict) -> Settings:
    return settings.model_copy(update={part: getattr(settings, part).model_copy(update=limits) for part, limits in parts.items()})


async def check(client: httpx.AsyncClient, url: str, receipt: str, form_token: str) -> int:
    response = await client.post(f"{url}/de/check", files={"csrf_token": (None, form_token), "receipt": (None, receipt)})
    return response.status_code


async def form_token(client: httpx.AsyncClient) -> str:
    """One form session for all of a client's posts: its token fits both instances (same pepper)."""
    return token((await client.get("/de/check")).text)


async def test_parallel_guesses_from_several_addresses_over_two_instances_stop_at_each_limit(live_settings, serve, connect):
    settings = with_limits(live_settings, receipt_throttle={"delay_seconds": 0.001, "max_attempts": 1000, "max_failures": 4})
    limit = settings.receipt_throttle.max_failures
    async with serve(settings) as first, serve(settings) as second:
        attackers = [connect(address, first) for address in ATTACKERS]
        tokens = [await form_token(attacker) for attacker in attackers]
        guesses = [
            check(attacker, (first, second)[number % 2], f"{index}{number:015d}", tokens[index])
            for number in range(12)
            for index, attacker in enumerate(attackers)
        ]
        statuses = await asyncio.gather(*guesses)
        async with connect(RESIDENT, second) as resident:
            receipt = (await resident.post("/api/v1/reports", json=REPORT)).json()["receipt"]
            resident_check = await check(resident, first, receipt, await form_token(resident))
        for attacker in attackers:
            await attacker.aclose()

    per_attacker = [statuses[index :: len(ATTACKERS)] for index in range(len(ATTACKERS))]
    # Parallel guesses may be slowed down (429) before the limit; none gets past it, whichever instance answers.
    assert all(0 < own.count(404) <= limit and own.count(404) + own.count(429) == 12 for own in per_attacker), per_attacker
    assert resident_check == 200  # the lockout is the attackers' alone


async def test_sequential_guesses_alternating_between_instances_stop_exactly_at_the_limit(live_settings, serve, connect):
    # No slow-down before the limit (free failures = the limit): a growing wait would answer 429 to a guess that comes
    # quicker than the wait on a fast machine, and this test is about the limit across instances, not the waits.
    settings = with_limits(live_settings, receipt_throttle={"free_failures": 10, "max_failures": 10, "max_attempts": 1000})
    limit = settings.receipt_throttle.max_failures
    async with serve(settings) as first, serve(settings) as second, connect(ATTACKERS[0], first) as attacker:
        own_token = await form_token(attacker)
        statuses = []
        for number in range(2 * limit + 4):
            statuses.append(await check(attacker, (first, second)[number % 2], f"{number:016d}", own_token))
            await asyncio.sleep(0.01)

    assert statuses.count(404) == limit, statuses  # guesses really tried, over both instances together
    assert statuses[limit:] == [429] * (limit + 4), statuses


async def test_a_replayed_right_receipt_is_capped_exactly_over_two_instances(live_settings, serve, connect):
    settings = with_limits(live_settings, receipt_throttle={"max_attempts": 6, "global_failures_per_minute": 1000})
    async with serve(settings) as first, serve(settings) as second, connect(ATTACKERS[0], first) as attacker:
        receipt = (await attacker.post("/api/v1/reports", json=REPORT)).json()["receipt"]
        own_token = await form_token(attacker)
        replays = await asyncio.gather(*(check(attacker, (first, second)[number % 2], receipt, own_token) for number in range(14)))
        await asyncio.sleep(1.1)  # an instance that found no free slot looks again after a second
        for number in range(8):
            replays.append(await check(attacker, (first, second)[number % 2], receipt, own_token))
        async with connect(RESIDENT, second) as resident:
            other = (await resident.post("/api/v1/reports", json=REPORT)).json()["receipt"]
            resident_check = await check(resident, first, other, await form_token(resident))

    # Parallel checks may be slowed down (each counts as a failure until it turns out right); the cap is exact.
    assert replays.count(200) == 6 and replays.count(429) == 16, replays  # every attempt counts, across instances
    assert replays[-2:] == [429, 429]
    assert resident_check == 200


async def test_a_parallel_report_flood_over_two_instances_stops_at_the_limit(live_settings, serve, connect):
    settings = with_limits(live_settings, report_throttle={"max_per_window": 3})
    async with serve(settings) as first, serve(settings) as second:
        async with connect(ATTACKERS[0], first) as attacker, connect(ATTACKERS[1], second) as other_attacker:
            posts = [
                client.post(f"{(first, second)[number % 2]}/api/v1/reports", json=REPORT)
                for number in range(8)
                for client in (attacker, other_attacker)
            ]
            flood = [response.status_code for response in await asyncio.gather(*posts)]
        async with connect(RESIDENT, second) as resident:
            from_resident = await resident.post("/api/v1/reports", json=REPORT)

    for own in (flood[0::2], flood[1::2]):
        assert own.count(201) == 3 and own.count(429) == 5, flood
    assert from_resident.status_code == 201


async def test_slots_taken_at_once_by_two_stores_never_exceed_the_limit_and_hold_no_address(live_settings):
    client = create_client(live_settings.mongodb, app_name="test")
    try:
        database = client[live_settings.database]
        stores = [DatabaseThrottleStore(database) for _ in range(2)]
        window = Window(1, time.time() + 120)  # the background sweep leaves it alone
        keys = [await client_key(store, "scope", window, "127.0.0.2") for store in stores]
        taken = await asyncio.gather(*(stores[n % 2].take("scope", window, keys[0], limit=7, at=1.0) for n in range(20)))
        stored = await database[THROTTLES].find({}).to_list()
        given_back = next(slot for slot in taken if slot)
        await stores[0].give_back(given_back)
        again = await stores[0].take("scope", window, keys[0], limit=7, at=2.0)
        swept = await stores[0].sweep(now=window.ends_at)
        left = await database[THROTTLES].count_documents({})
    finally:
        await client.close()

    assert keys[0] == keys[1]  # one salt for all instances
    assert sorted(slot.number for slot in taken if slot) == list(range(7)) and taken.count(None) == 13
    assert again == given_back  # a slot given back is taken again, not one above the limit
    assert all(b"127.0.0" not in bson.encode(document) for document in stored)
    assert swept == 8 and left == 0  # the salt and seven slots: the window has ended


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


async def test_a_draft_is_dropped_after_an_hour_idle_and_opens_only_with_its_cookie_and_intakes_secret(live_settings):
    now = [1000.0]
    client = create_client(live_settings.mongodb, app_name="test")
    try:
        database = client[live_settings.database]
        drafts = SealedDraftStore(database, SECRET, clock=lambda: now[0])
        await drafts.put("a" * 43, Draft("form-1", Answers(description=STORY)))
        without_secret = await SealedDraftStore(database, b"another secret", clock=lambda: now[0]).get("a" * 43)
        now[0] += 3599
        kept = await drafts.get("a" * 43)
        other_cookie = await drafts.get("b" * 43)
        now[0] += 3601
        expired = await drafts.get("a" * 43)
        left = await database[DRAFTS].count_documents({})
    finally:
        await client.close()

    assert kept.answers.description == STORY and other_cookie is None and without_secret is None
    assert expired is None and left == 0
