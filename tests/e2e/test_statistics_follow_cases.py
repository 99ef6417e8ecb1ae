"""The office's live figures follow staff's changes to cases, across the three services as processes.

Reports go in through intake; a lead, logged in with password and TOTP, classifies, reclassifies, closes
as spam and reopens through triage's staff API; after each step the leads' unsuppressed figures must equal
a recount of the cases as the staff API shows them (issue 12, item 6: a reclassification was still missing
from them ten minutes on).
"""

import asyncio
from collections import Counter
from datetime import datetime

import httpx
import pyotp
import pytest

from devstack.probes import eventually
from meldestelle_shared.days import in_office_time
from meldestelle_shared.mongo import create_client
from meldestelle_shared.sealing import load_keyring
from meldestelle_shared.settings import MongoSettings
from triage.staff.repository import StaffRepository
from triage.staff.service import create_account

pytestmark = pytest.mark.e2e

EXCLUDED = {"spam", "duplicate", "out_of_scope"}
REPORTS = [
    ("Man sagte mir im Amt, ich solle erst richtig Deutsch lernen.", ["language"]),
    ("Der Vermieter legte auf, als er meinen Akzent hörte.", ["language"]),
    ("Mit 61 bekam ich die Stelle nicht, man suche jemand Jüngeres.", ["age"]),
]


@pytest.fixture(scope="module")
def lead(stack) -> dict[str, str]:
    """A lead's session headers: the account stored in the stack's database, the login through triage's API."""
    username, password = "lena.lead", "a lead's long enough password"

    async def add() -> str:
        client = create_client(MongoSettings(uri=stack.database_uri("triage")), app_name="e2e-test")
        try:
            staff = StaffRepository(client[stack.service_env("triage")["TRIAGE_DATABASE"]])
            totp_key = load_keyring((stack.secrets / "triage" / "triage_totp_private_key").read_text())
            return (await create_account(username, password, ["lead"], staff=staff, totp_key=totp_key))[1]
        finally:
            await client.close()

    secret = asyncio.run(add())
    login = {"username": username, "password": password, "totp": pyotp.TOTP(secret).now()}
    response = httpx.post(f"{stack.url('triage')}/api/v1/session", json=login, timeout=30)
    assert response.status_code == 201, response.text
    return {"Cookie": f"triage_session={response.cookies['triage_session']}", "X-CSRF-Token": response.json()["csrf_token"]}


def submit(stack, description: str, grounds: list[str], client_address: str) -> None:
    """One report, from its own loopback address (as different residents would send them)."""
    report = {"description": description, "grounds": grounds, "forms": ["unequal_treatment"], "life_area": "work",
              "district": "mitte", "reporter_role": "affected", "language": "de"}  # fmt: skip
    transport = httpx.HTTPTransport(local_address=client_address)
    with httpx.Client(transport=transport, timeout=30) as client:
        response = client.post(f"{stack.url('intake')}/api/v1/reports", json=report)
    assert response.status_code == 201, response.text


def cases(stack, headers) -> list[dict]:
    """Every case in full, as staff see it."""
    triage = stack.url("triage")
    items = httpx.get(f"{triage}/api/v1/cases", headers=headers, timeout=30).json()["items"]
    return [httpx.get(f"{triage}/api/v1/cases/{item['id']}", headers=headers, timeout=30).json() for item in items]


def month_of(case: dict) -> str:
    return in_office_time(datetime.fromisoformat(case["received_at"])).strftime("%Y-%m")


def recount(all_cases: list[dict], month: str) -> tuple[int, Counter]:
    """Total and grounds of a month counted from the cases themselves: staff's classification wins, exclusions left out."""
    counted = [c for c in all_cases if month_of(c) == month and c.get("closure_reason") not in EXCLUDED]
    grounds = Counter(code for c in counted for code in ((c["classification"] or c["reporter"])["grounds"] or ["not_stated"]))
    return len(counted), grounds


def office_figures(stack, headers, month: str) -> dict:
    response = httpx.get(f"{stack.url('triage')}/api/v1/statistics/monthly/{month}", headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def assert_figures_equal_a_recount(stack, headers, month: str, *, what: str) -> dict:
    """Wait (generously) for the live figures to equal a recount of the cases; return them."""

    last = {}

    def agree():
        total, grounds = recount(cases(stack, headers), month)
        figures = office_figures(stack, headers, month)
        shown = {code: n for code, n in figures["tables"]["grounds"].items() if n}
        last.update(recount=(total, dict(grounds)), figures=(figures["total"], shown))
        return figures if last["recount"] == last["figures"] else None

    try:
        return eventually(agree, timeout=60, interval=0.5, what=f"the office figures to equal a recount {what}")
    except AssertionError as error:
        raise AssertionError(f"{error}; recount {last['recount']}, office figures {last['figures']}") from None


def test_office_figures_follow_classify_reclassify_close_and_reopen(stack, lead):
    triage = stack.url("triage")
    for number, (description, grounds) in enumerate(REPORTS):
        submit(stack, description, grounds, f"127.0.0.{number + 2}")
    all_cases = eventually(lambda: (found := cases(stack, lead)) and len(found) == 3 and found, timeout=60, what="three cases")
    month = month_of(all_cases[0])
    figures = assert_figures_equal_a_recount(stack, lead, month, what="after the reports arrived")
    assert figures["total"] == 3 and figures["tables"]["grounds"]["language"] == 2

    first, second = (c for c in all_cases if c["reporter"]["grounds"] == ["language"])

    def classify(case: dict, grounds: list[str]) -> None:
        body = {"grounds": grounds, "forms": ["unequal_treatment"], "life_area": "work"}
        response = httpx.put(f"{triage}/api/v1/cases/{case['id']}/classification", json=body, headers=lead, timeout=30)
        assert response.status_code == 200, response.text

    # Classify as the reporter did, then reclassify: Sprache -> Staatsangehörigkeit (the walk's exact change).
    classify(first, ["language"])
    assert_figures_equal_a_recount(stack, lead, month, what="after the classification")
    classify(first, ["nationality_or_residence_status"])
    figures = assert_figures_equal_a_recount(stack, lead, month, what="after the reclassification")
    assert figures["tables"]["grounds"]["language"] == 1 and figures["tables"]["grounds"]["nationality_or_residence_status"] == 1

    closed = httpx.post(f"{triage}/api/v1/cases/{second['id']}/close", json={"reason": "spam"}, headers=lead, timeout=30)
    assert closed.status_code == 200, closed.text
    figures = assert_figures_equal_a_recount(stack, lead, month, what="after closing a case as spam")
    assert figures["total"] == 2 and figures["tables"]["grounds"]["language"] == 0

    reopened = httpx.post(f"{triage}/api/v1/cases/{second['id']}/reopen", json={}, headers=lead, timeout=30)
    assert reopened.status_code == 200, reopened.text
    figures = assert_figures_equal_a_recount(stack, lead, month, what="after reopening it")
    assert figures["total"] == 3 and figures["tables"]["grounds"]["language"] == 1
