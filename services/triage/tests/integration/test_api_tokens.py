"""API tokens: the old static token is gone, tokens are off by default, scoped, expiring, and audited by actor name."""

import sys
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient
from pymongo import MongoClient

from triage.app import create_app
from triage.settings import Settings
from triage.staff import cli
from triage.staff.tokens import new_token, token_id

pytestmark = pytest.mark.infra
OLD_STATIC_TOKEN = "integration-test-token-" + "x" * 20


def audit(client, **filters) -> list[dict]:
    entries, _ = client.portal.call(lambda: client.app.state.context.audit.page(filters=filters, skip=0, limit=50))
    return entries


def cli_token(monkeypatch, capsys, settings, *arguments: str) -> str:
    """Create a token the way an operator does, with the service's own settings from the environment."""
    monkeypatch.setenv("TRIAGE_OFFICE_PRIVATE_KEY", settings.office_private_key.get_secret_value())
    monkeypatch.setenv("TRIAGE_TOTP_PRIVATE_KEY", settings.totp_private_key.get_secret_value())
    monkeypatch.setenv("TRIAGE_DATABASE", settings.database)
    monkeypatch.setenv("MONGODB_URI", settings.mongodb.uri)
    monkeypatch.setattr(sys, "argv", ["cli"])
    cli.main(["create-token", *arguments])
    return capsys.readouterr().out.splitlines()[1].strip()


def test_the_old_static_token_and_any_token_are_refused_by_default(triage_settings, monkeypatch, capsys):
    monkeypatch.setenv("TRIAGE_API_TOKEN", OLD_STATIC_TOKEN)  # what every deployment had configured
    assert Settings.model_fields["api_tokens_enabled"].default is False
    default = triage_settings.model_copy(update={"api_tokens_enabled": False})  # this test's infrastructure, the default switch
    token = cli_token(monkeypatch, capsys, default, "--actor", "report-tool", "--scopes", "case.read")
    with TestClient(create_app(default)) as client:
        for value in (OLD_STATIC_TOKEN, token):
            refused = client.get("/api/v1/cases", headers={"Authorization": f"Bearer {value}"})
            assert refused.status_code == 401 and refused.json()["error"] == "unauthorized"
        assert len(audit(client, reason="api_tokens_disabled")) == 2


def test_tokens_are_stored_as_hashes_scoped_and_audited_by_actor(triage_settings, monkeypatch, capsys):
    token = cli_token(monkeypatch, capsys, triage_settings, "--actor", "Report-Tool", "--scopes", "case.read", "--days", "7")
    stats_only = cli_token(monkeypatch, capsys, triage_settings, "--actor", "stats-tool", "--scopes", "stats.read")
    with MongoClient(triage_settings.mongodb.uri) as mongo:
        stored = list(mongo[triage_settings.database]["api_tokens"].find())
    assert {document["_id"] for document in stored} == {token_id(token), token_id(stats_only)}
    assert token not in str(stored) and stats_only not in str(stored)
    with TestClient(create_app(triage_settings)) as client:
        headers = {"Authorization": f"Bearer {token}"}
        assert client.get("/api/v1/cases", headers=headers).status_code == 200
        assert client.get(f"/api/v1/cases/{uuid4()}", headers=headers).status_code == 404
        # Out of scope: reading cases with a statistics token, or working them with a read-only one.
        assert client.get("/api/v1/cases", headers={"Authorization": f"Bearer {stats_only}"}).status_code == 403
        assert client.post(f"/api/v1/cases/{uuid4()}/notes", json={"text": "x"}, headers=headers).status_code == 403
        assert client.get("/api/v1/staff", headers=headers).status_code == 403
        assert client.get("/api/v1/audit", headers=headers).status_code == 403
        entries = audit(client, actor_id="report-tool")
    assert {entry["actor_kind"] for entry in entries} == {"api_token"}
    assert ("case.access", "unknown_case") in {(entry["action"], entry["reason"]) for entry in entries}
    assert ("case.work", "refused") in {(entry["action"], entry["outcome"]) for entry in entries}


def test_an_expired_or_revoked_token_is_refused(triage_settings, monkeypatch, capsys):
    expired, document = new_token("old-tool", ["case.read"], 1, created_by="tests")
    document["expires_at"] = datetime.now(UTC) - timedelta(seconds=1)
    with MongoClient(triage_settings.mongodb.uri) as mongo:
        mongo[triage_settings.database]["api_tokens"].insert_one(document)
    revoked = cli_token(monkeypatch, capsys, triage_settings, "--actor", "gone-tool", "--scopes", "case.read")
    cli.main(["revoke-tokens", "--actor", "gone-tool"])
    with TestClient(create_app(triage_settings)) as client:
        for value in (expired, revoked):
            refused = client.get("/api/v1/cases", headers={"Authorization": f"Bearer {value}"})
            assert refused.status_code == 401
        reasons = {(entry["actor_id"], entry["reason"]) for entry in audit(client, action="authenticate")}
    assert reasons == {("old-tool", "token_expired"), ("gone-tool", "token_revoked")}


def test_bad_token_fields_are_refused_by_the_cli(triage_settings, monkeypatch, capsys):
    with pytest.raises(SystemExit, match="scopes"):
        cli_token(monkeypatch, capsys, triage_settings, "--actor", "admin-tool", "--scopes", "staff.manage")
    with pytest.raises(SystemExit, match="days"):
        cli_token(monkeypatch, capsys, triage_settings, "--actor", "long-tool", "--scopes", "case.read", "--days", "1000")
