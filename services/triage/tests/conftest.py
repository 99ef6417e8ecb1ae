import hashlib
import importlib.util
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from uuid import UUID, uuid4

import pyotp
import pytest
import uvicorn
from nacl.signing import SigningKey
from pymongo import MongoClient

from devstack.probes import eventually
from devstack.processes import free_port
from meldestelle_shared.events import ReporterSigned, ReportSubmitted
from meldestelle_shared.sealing import generate_key_pair, load_public_key, seal
from meldestelle_shared.settings import MongoSettings
from meldestelle_shared.signing import public_verify_key, sign, signing_key
from triage.app import create_app
from triage.settings import Settings
from triage.staff.service import create_account
from triage.staff.tokens import SCOPES, new_token

PASSWORD = "correct horse battery staple"


@pytest.fixture
def serve() -> Iterator[Callable[[Settings], str]]:
    """Serves triage under a real uvicorn on a free port of 127.0.0.1, in a thread; returns its base URL.

    Browsers and clients on other loopback addresses (127.0.0.2 ...) reach it as they would in production.
    """
    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(settings: Settings) -> str:
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_config=None, access_log=False))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        servers.append((server, thread))
        eventually(lambda: server.started, timeout=30, what="triage to start")
        return f"http://127.0.0.1:{port}"

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(timeout=15)


@pytest.fixture(scope="session")
def office_keys() -> tuple[str, str]:
    return generate_key_pair()


@pytest.fixture(scope="session")
def totp_keys() -> tuple[str, str]:
    return generate_key_pair()


@pytest.fixture
def triage_settings(infrastructure, topics, unique_name, office_keys, totp_keys) -> Settings:
    """triage configured for this test's own topics and database; scheduled jobs are run by the tests themselves."""
    return Settings(
        office_private_key=office_keys[0],
        totp_private_key=totp_keys[0],
        api_tokens_enabled=True,
        database=unique_name,
        evidence_database=f"{unique_name}_intake_evidence",  # the store intake writes, this test's own
        consumer_group=f"{unique_name}-triage",
        job_interval_seconds=0,
        https_only=False,  # TestClient speaks plain http
        kafka=infrastructure.kafka.access("triage").settings(topic_prefix=topics.prefix),
        mongodb=MongoSettings(uri=infrastructure.database_uri("triage")),
    )


@pytest.fixture
def service_headers(triage_settings) -> dict[str, str]:
    """Authorization headers of an API token with every scope, stored in this test's database."""
    token, document = new_token("integration-tests", sorted(SCOPES), 1, created_by="tests")
    with MongoClient(triage_settings.mongodb.uri) as client:
        client[triage_settings.database]["api_tokens"].insert_one(document)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def make_report(office_keys):
    """A ReportSubmitted with a sealed description and a reporter key pair; returns (event, reporter private key)."""

    def make(text: str = "Mir wurde die Wohnung verweigert.", **fields) -> tuple[ReportSubmitted, str]:
        reporter_private, reporter_public = generate_key_pair()
        report_id = uuid4()
        event = ReportSubmitted(
            correlation_id=report_id,
            report_id=report_id,
            sealed_description=seal(load_public_key(office_keys[1]), text),
            reporter_public_key=reporter_public,
            reporter_verify_key=public_verify_key(reporter_signing_key(report_id)),
            **fields,
        )
        return event, reporter_private

    return make


def reporter_signing_key(report_id: UUID) -> SigningKey:
    """The signing key of a test report's reporter (in intake it comes from the receipt)."""
    return signing_key(hashlib.sha256(b"test reporter " + report_id.bytes).digest())


def signed_by_reporter(event: ReporterSigned) -> ReporterSigned:
    """A reply or erasure request as intake sends it: signed with the reporter's key."""
    return event.model_copy(update={"signature": sign(reporter_signing_key(event.report_id), event.signed_content())})


@pytest.fixture
def reporter_signed():
    """`reporter_signed(event)`: the event signed with its reporter's key."""
    return signed_by_reporter


def totp_code(secret: str, offset_steps: int = 0) -> str:
    """A code for now (or a neighbouring 30-second step, for a second login within the same step)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)


class Staff:
    """Creates accounts through a running app's own database client and logs them in via the API."""

    password = PASSWORD

    def add(self, client, username: str, roles: list[str]) -> tuple[dict, str]:
        context = client.app.state.context
        return client.portal.call(lambda: create_account(username, PASSWORD, roles, staff=context.staff, totp_key=context.totp_key))

    def log_in(self, client, username: str, roles: list[str]) -> tuple[dict[str, str], str]:
        """Headers (session cookie and CSRF token) of a fresh session, and the account id; the client's cookie jar stays empty."""
        account, secret = self.add(client, username, roles)
        response = client.post("/api/v1/session", json={"username": username, "password": PASSWORD, "totp": totp_code(secret)})
        assert response.status_code == 201, response.text
        token = response.cookies["triage_session"]
        client.cookies.clear()
        return {"Cookie": f"triage_session={token}", "X-CSRF-Token": response.json()["csrf_token"]}, account["_id"]


@pytest.fixture
def staff() -> Staff:
    return Staff()


@pytest.fixture
def totp():
    return totp_code


@pytest.fixture(scope="session")
def evidence_files():
    """Generators of ordinary and hostile evidence files (tests/evidence_files.py), for the converter and the flow tests."""
    spec = importlib.util.spec_from_file_location("triage_test_evidence_files", Path(__file__).with_name("evidence_files.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
