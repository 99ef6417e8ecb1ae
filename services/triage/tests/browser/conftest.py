"""What the workbench's browser tests share: the app served by uvicorn, staff accounts and logins, an axe check."""

from collections.abc import Callable

import pyotp
import pytest
from axe_playwright_python.sync_playwright import Axe

from devstack.probes import run_async
from meldestelle_shared.mongo import create_client
from meldestelle_shared.sealing import load_keyring
from triage.staff.repository import StaffRepository
from triage.staff.service import create_account

PASSWORD = "a caseworker's long password"


@pytest.fixture
def workbench(triage_settings, serve) -> str:
    """triage served by uvicorn on a free port, as a browser would reach it."""
    return serve(triage_settings)


@pytest.fixture
def add_account(triage_settings) -> Callable[[str, list[str]], str]:
    """Creates a staff account in the test's database; returns its TOTP secret."""

    def add(username: str, roles: list[str]) -> str:
        async def create() -> str:
            client = create_client(triage_settings.mongodb, app_name="browser-test")
            try:
                staff = StaffRepository(client[triage_settings.database])
                key = load_keyring(triage_settings.totp_private_key.get_secret_value())
                _, secret = await create_account(username, PASSWORD, roles, staff=staff, totp_key=key)
                return secret
            finally:
                await client.close()

        return run_async(create)

    return add


@pytest.fixture
def log_in(workbench) -> Callable[..., None]:
    """Logs a page in through the login form with password and TOTP; lands on the queue."""

    def enter(page, username: str, secret: str) -> None:
        page.goto(f"{workbench}/cases")
        assert "/login" in page.url  # no session yet: the workbench asks to log in
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        page.fill("#totp", pyotp.TOTP(secret).now())
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_url(f"{workbench}/cases")

    return enter


@pytest.fixture
def serious_violations() -> Callable[..., list[str]]:
    """axe-core's serious and critical findings on the page (ids only)."""

    def check(page) -> list[str]:
        results = Axe().run(page)
        return [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]

    return check
