"""Accounts, sessions and permissions against the real database; every refusal lands in the audit log."""

import io
import sys
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from fastapi.testclient import TestClient

from devstack.probes import eventually, publish_raw
from meldestelle_shared.events import encode_event
from triage.app import create_app
from triage.staff import cli
from triage.staff.service import token_hash

pytestmark = pytest.mark.infra


def audit(client, **filters) -> list[dict]:
    entries, _ = client.portal.call(lambda: client.app.state.context.audit.page(filters=filters, skip=0, limit=50))
    return entries


def login(client, username, password, code):
    return client.post("/api/v1/session", json={"username": username, "password": password, "totp": code})


def with_case(client, token, infrastructure, topics, make_report) -> str:
    report, _ = make_report()
    publish_raw(infrastructure.kafka.admin, topics.reports, [(report.partition_key(), encode_event(report))])
    [case] = eventually(lambda: client.get("/api/v1/cases", headers=token).json()["items"], what="the case")
    return case["id"]


def test_login_needs_both_factors_and_slows_a_guessing_client_down(triage_settings, staff, totp):
    with TestClient(create_app(triage_settings)) as client:
        account, secret = staff.add(client, "maria", ["caseworker"])
        wrong_code = f"{(int(totp(secret)) + 1) % 1_000_000:06d}"
        refused = login(client, "maria", staff.password, wrong_code)
        assert refused.status_code == 401 and refused.json()["error"] == "login_failed" and "triage_session" not in refused.cookies
        assert login(client, "maria", "not the password", totp(secret)).status_code == 401
        assert login(client, "nobody", staff.password, totp(secret)).json()["message"] == refused.json()["message"]
        assert login(client, "maria", "not the password", "000000").status_code == 401  # the fourth failure: now wait
        slowed = login(client, "maria", staff.password, totp(secret))  # right factors, but this client must wait first
        assert slowed.status_code == 429 and slowed.json()["error"] == "too_many_attempts"
        reasons = [e["reason"] for e in audit(client, action="login", outcome="refused")]
    assert reasons.count("bad_totp") == 1 and reasons.count("bad_password") == 2 and "unknown_account" in reasons
    assert reasons[0] == "client_throttled"  # newest first


def test_a_totp_code_works_once(triage_settings, staff, totp):
    with TestClient(create_app(triage_settings)) as client:
        _, secret = staff.add(client, "olga", ["caseworker"])
        code = totp(secret)
        first = login(client, "olga", staff.password, code)
        assert first.status_code == 201
        cookie = first.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "max-age" not in cookie
        client.cookies.clear()
        assert login(client, "olga", staff.password, code).status_code == 401
        assert audit(client, reason="totp_replayed")


def test_https_only_workbench_sends_hsts_and_secure_host_prefixed_cookies(triage_settings, staff, totp):
    """The production default TRIAGE_HTTPS_ONLY=true: the login form, its CSRF cookie and the session all work prefixed."""
    import re

    settings = triage_settings.model_copy(update={"https_only": True})
    with TestClient(create_app(settings), base_url="https://testserver", follow_redirects=False) as client:
        _, secret = staff.add(client, "hana", ["caseworker"])
        form = client.get("/login")
        assert "max-age=31536000" in form.headers["strict-transport-security"]
        assert_host_cookie(form.headers["set-cookie"], "triage_login_csrf")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
        credentials = {"csrf_token": csrf, "username": "hana", "password": staff.password, "totp": totp(secret)}
        logged_in = client.post("/login", data=credentials)
        assert logged_in.status_code == 303, logged_in.text
        session_cookie = next(c for c in logged_in.headers.get_list("set-cookie") if c.startswith("__Host-triage_session="))
        assert_host_cookie(session_cookie, "triage_session")
        assert client.get("/cases").status_code == 200
        client.cookies.clear()
        token = session_cookie.split(";")[0].split("=", 1)[1]
        assert client.get("/cases", headers={"cookie": f"triage_session={token}"}).status_code == 303  # unprefixed: no session


def assert_host_cookie(header: str, base: str) -> None:
    """A `__Host-` cookie: prefixed name, Secure, Path=/, no Domain (browsers refuse it otherwise)."""
    name, _, attributes = header.partition("=")
    attributes = attributes.lower()
    assert name == f"__Host-{base}" and "secure" in attributes and "path=/" in attributes and "domain" not in attributes


def test_an_idle_session_expires_on_the_server(triage_settings, staff):
    with TestClient(create_app(triage_settings), follow_redirects=False) as client:
        headers, staff_id = staff.log_in(client, "idle", ["caseworker"])
        assert client.get("/api/v1/me", headers=headers).status_code == 200
        token = headers["Cookie"].split("=", 1)[1]
        sessions = client.app.state.context.sessions
        client.portal.call(lambda: sessions.touch(token_hash(token), datetime.now(UTC) - timedelta(minutes=31)))
        expired = client.get("/api/v1/cases", headers=headers)
        assert expired.status_code == 401 and expired.json()["error"] == "unauthorized"
        page = client.get("/cases", headers=headers)  # the session is gone now: the workbench asks to log in
        assert page.status_code == 303 and page.headers["location"].startswith("/login")
        [entry] = audit(client, reason="session_expired")
    assert entry["actor_id"] == staff_id and entry["outcome"] == "refused"


def test_unsafe_requests_without_the_csrf_token_are_refused(triage_settings, topics, infrastructure, make_report, staff, service_headers):
    with TestClient(create_app(triage_settings)) as client:
        case_id = with_case(client, service_headers, infrastructure, topics, make_report)
        headers, _ = staff.log_in(client, "csrf", ["caseworker"])
        cookie_only = {"Cookie": headers["Cookie"]}
        api = client.post(f"/api/v1/cases/{case_id}/notes", json={"text": "x"}, headers=cookie_only)
        assert api.status_code == 403 and api.json()["error"] == "csrf_failed"
        form = client.post(f"/cases/{case_id}/notes", data={"text": "x"}, headers=cookie_only)
        assert form.status_code == 403 and "reload" in form.text
        wrong = client.post(f"/cases/{case_id}/notes", data={"text": "x", "csrf_token": "guess"}, headers=cookie_only)
        assert wrong.status_code == 403
        assert len(audit(client, action="csrf")) == 3
        ok = client.post(f"/cases/{case_id}/notes", data={"text": "x", "csrf_token": headers["X-CSRF-Token"]}, headers=cookie_only, follow_redirects=False)
        assert ok.status_code == 303


def test_tampered_case_ids_are_not_found_and_audited(triage_settings, staff):
    with TestClient(create_app(triage_settings)) as client:
        headers, _ = staff.log_in(client, "tamper", ["caseworker"])
        for case_id in ("00000000-0000-4000-8000-000000000000", "not-a-case", "../../admin"):
            response = client.get(f"/api/v1/cases/{case_id}", headers=headers)
            assert response.status_code == 404 and response.json()["error"] == "not_found"
        reasons = [e["reason"] for e in audit(client, action="case.access")]
    assert sorted(reasons) == ["malformed_case_id", "unknown_case"]  # the path traversal never reached a route


def test_permissions_per_role(triage_settings, topics, infrastructure, make_report, staff, service_headers):
    with TestClient(create_app(triage_settings), follow_redirects=False) as client:
        case_id = with_case(client, service_headers, infrastructure, topics, make_report)
        worker, _ = staff.log_in(client, "worker1", ["caseworker"])
        other, other_id = staff.log_in(client, "worker2", ["caseworker"])
        lead, _ = staff.log_in(client, "lead1", ["lead"])
        admin, _ = staff.log_in(client, "admin1", ["admin"])
        url = f"/api/v1/cases/{case_id}"

        # A caseworker takes a free case; a colleague then cannot open it, nor assign anyone.
        assert client.put(f"{url}/assignee", json={"assignee_id": other_id}, headers=other).status_code == 200
        assert client.get(url, headers=worker).status_code == 403
        assert client.put(f"{url}/assignee", json={"assignee_id": None}, headers=other).status_code == 403
        assert client.get(url, headers=lead).status_code == 200  # leads open every case
        assert client.put(f"{url}/assignee", json={"assignee_id": None}, headers=lead).status_code == 200
        # Admins manage accounts but read no case; caseworkers manage no account and read no audit log.
        assert client.get("/api/v1/cases", headers=admin).status_code == 403
        assert client.get(url, headers=admin).status_code == 403
        assert client.get("/api/v1/staff", headers=admin).status_code == 200
        assert client.get("/api/v1/staff", headers=worker).status_code == 403
        assert client.get("/admin/staff", headers=worker).status_code == 403
        assert client.get("/api/v1/audit", headers=worker).status_code == 403
        assert client.get("/api/v1/cases/export", headers=worker).status_code == 403
        export = client.get("/api/v1/cases/export", headers=lead)
        assert export.status_code == 200 and export.text.startswith("reference,status,priority")
        log = client.get("/api/v1/audit", headers=lead).json()
        refused = {(e["action"], e["reason"]) for e in log["items"] if e["outcome"] == "refused"}
    assert ("case.access", "not_permitted") in refused and ("staff.manage", "role_lacks_permission") in refused
    assert ("audit.read", "role_lacks_permission") in refused and ("case.assign", "role_lacks_permission") in refused
    assert {"case.view", "case.export", "login"} <= {e["action"] for e in log["items"]}


def test_admins_create_accounts_and_a_second_admin_approves(triage_settings, staff, totp):
    with TestClient(create_app(triage_settings)) as client:
        admin, _ = staff.log_in(client, "root", ["admin"])
        second, _ = staff.log_in(client, "root2", ["admin"])
        created = client.post("/api/v1/staff", json={"username": "Neu", "password": "a" * 12, "roles": ["caseworker"]}, headers=admin)
        assert created.status_code == 201
        enrolment = created.json()
        assert enrolment["account"]["username"] == "neu" and enrolment["totp_uri"].startswith("otpauth://totp/")
        assert enrolment["account"]["active"] is False and enrolment["approval"]["kind"] == "activate_account"
        weak = client.post("/api/v1/staff", json={"username": "xy2", "password": "short", "roles": ["lead"]}, headers=admin)
        assert weak.status_code == 422 and weak.json()["fields"][0]["field"] == "password"
        taken = client.post("/api/v1/staff", json={"username": "neu", "password": "b" * 12, "roles": ["lead"]}, headers=admin)
        assert taken.status_code == 422 and taken.json()["fields"][0]["reason"] == "is taken"
        assert login(client, "neu", "a" * 12, totp(enrolment["totp_secret"])).status_code == 401  # not yet approved
        approved = client.post(f"/api/v1/staff/approvals/{enrolment['approval']['id']}", json={}, headers=second)
        assert approved.status_code == 200 and approved.json()["account"]["active"] is True
        assert login(client, "neu", "a" * 12, totp(enrolment["totp_secret"], 1)).status_code == 201
        client.cookies.clear()
        asked = client.post(f"/api/v1/staff/{enrolment['account']['id']}/reset-factors", json={}, headers=admin)
        assert asked.status_code == 202
        reset = client.post(f"/api/v1/staff/approvals/{asked.json()['id']}", json={"password": "c" * 12}, headers=second)
        new_secret = reset.json()["enrolment"]["totp_secret"]
        assert new_secret != enrolment["totp_secret"]
        assert login(client, "neu", "a" * 12, totp(new_secret, 1)).status_code == 401
        assert login(client, "neu", "c" * 12, totp(new_secret, 1)).status_code == 201
        client.cookies.clear()
        off = client.patch(f"/api/v1/staff/{enrolment['account']['id']}", json={"active": False}, headers=admin)
        assert off.status_code == 200 and off.json()["active"] is False
        assert login(client, "neu", "c" * 12, totp(new_secret, -1)).status_code == 401


def test_an_admin_alone_cannot_come_to_read_cases(triage_settings, staff, totp):
    with TestClient(create_app(triage_settings)) as client:
        admin, admin_id = staff.log_in(client, "mallory", ["admin"])
        other, other_id = staff.log_in(client, "trent", ["admin"])
        lead_account, lead_secret = staff.add(client, "leonie", ["lead"])
        # 1. Granting oneself a case role: refused outright.
        own = client.patch(f"/api/v1/staff/{admin_id}", json={"roles": ["admin", "caseworker"]}, headers=admin)
        assert own.status_code == 403
        # 2. An account of one's own making with a case role: inactive, and one cannot approve it oneself or switch it on.
        sock = client.post("/api/v1/staff", json={"username": "sock", "password": "s" * 12, "roles": ["caseworker"]}, headers=admin).json()
        assert client.post(f"/api/v1/staff/approvals/{sock['approval']['id']}", json={}, headers=admin).status_code == 403
        assert client.patch(f"/api/v1/staff/{sock['account']['id']}", json={"active": True}, headers=admin).status_code == 403
        assert login(client, "sock", "s" * 12, totp(sock["totp_secret"])).status_code == 401
        # 3. A colleague admin granted a case role: pending; the colleague cannot approve their own grant.
        grant = client.patch(f"/api/v1/staff/{other_id}", json={"roles": ["admin", "lead"]}, headers=admin)
        assert grant.status_code == 202 and grant.json()["state"] == "pending"
        assert client.post(f"/api/v1/staff/approvals/{grant.json()['id']}", json={}, headers=other).status_code == 403
        assert client.get("/api/v1/cases", headers=other).status_code == 403  # still no case role
        # 4. Resetting a lead's factors: pending; the requester cannot approve; the lead's factors still work.
        reset = client.post(f"/api/v1/staff/{lead_account['_id']}/reset-factors", json={}, headers=admin)
        assert reset.status_code == 202
        assert client.post(f"/api/v1/staff/approvals/{reset.json()['id']}", json={"password": "m" * 12}, headers=admin).status_code == 403
        assert login(client, "leonie", staff.password, totp(lead_secret)).status_code == 201
        client.cookies.clear()
        pending = client.get("/api/v1/staff/approvals", headers=other).json()
        refused = {e["reason"] for e in audit(client, outcome="refused") if e["action"].startswith("staff.")}
    assert {p["kind"] for p in pending} == {"activate_account", "grant_roles", "reset_factors"}
    assert {"own_roles", "needs_another_admin", "awaiting_approval"} <= refused


def test_cli_creates_the_first_admin(triage_settings, monkeypatch, capsys):
    monkeypatch.setenv("TRIAGE_OFFICE_PRIVATE_KEY", triage_settings.office_private_key.get_secret_value())
    monkeypatch.setenv("TRIAGE_TOTP_PRIVATE_KEY", triage_settings.totp_private_key.get_secret_value())
    monkeypatch.setenv("TRIAGE_DATABASE", triage_settings.database)
    monkeypatch.setenv("MONGODB_URI", triage_settings.mongodb.uri)
    monkeypatch.setattr(sys, "stdin", io.StringIO("the first admin password\n"))
    cli.main(["create-admin", "--username", "chief", "--password-stdin"])
    secret = capsys.readouterr().out.split("TOTP secret: ")[1].split()[0]
    with TestClient(create_app(triage_settings)) as client:
        response = login(client, "chief", "the first admin password", pyotp.TOTP(secret).now())
        assert response.status_code == 201 and response.json()["roles"] == ["admin"]
        assert "staff.manage" in response.json()["permissions"] and "case.read" not in response.json()["permissions"]
    with pytest.raises(SystemExit, match="taken"):
        monkeypatch.setattr(sys, "stdin", io.StringIO("the first admin password\n"))
        cli.main(["create-admin", "--username", "chief", "--password-stdin"])


def test_leads_see_unsuppressed_figures_in_the_workbench_and_caseworkers_do_not(triage_settings, staff, infrastructure, topics, make_report, service_headers):
    with TestClient(create_app(triage_settings), follow_redirects=False) as client:
        with_case(client, service_headers, infrastructure, topics, make_report)
        lead, lead_id = staff.log_in(client, "leitung", ["lead"])
        worker, _ = staff.log_in(client, "bearbeiter", ["caseworker"])
        page = eventually(lambda: (r := client.get("/statistics", headers=lead)).status_code == 200 and 'class="total">1<' in r.text and r, what="the figures")
        assert "Ungeschwärzte Zahlen" in page.text
        assert client.get("/statistics", headers=worker).status_code == 403
        assert audit(client, action="statistics.view", outcome="ok")[0]["actor_id"] == lead_id


def test_a_caseworker_cannot_settle_a_duplicate_against_a_case_they_may_not_open(
    triage_settings, topics, infrastructure, make_report, staff, service_headers
):
    with TestClient(create_app(triage_settings), follow_redirects=False) as client:
        mine = with_case(client, service_headers, infrastructure, topics, make_report)
        report, _ = make_report("Ein zweiter Bericht.")
        publish_raw(infrastructure.kafka.admin, topics.reports, [(report.partition_key(), encode_event(report))])
        theirs = eventually(lambda: [c["id"] for c in client.get("/api/v1/cases", headers=service_headers).json()["items"] if c["id"] != mine], what="the second case")[0]
        worker, _ = staff.log_in(client, "worker-a", ["caseworker"])
        _, colleague_id = staff.log_in(client, "worker-b", ["caseworker"])
        assert client.put(f"/api/v1/cases/{theirs}/assignee", json={"assignee_id": colleague_id}, headers=service_headers).status_code == 200
        context = client.app.state.context
        cases = context.client[context.settings.database]["cases"]  # the stored documents themselves
        hint = {"case_id": theirs, "reference": "DU-0", "score": 0.9, "state": "open"}
        client.portal.call(lambda: cases.update_one({"_id": mine}, {"$set": {f"duplicates.{theirs}": hint}}))
        client.portal.call(lambda: cases.update_one({"_id": theirs}, {"$set": {f"duplicates.{mine}": {**hint, "case_id": mine}}}))
        api = client.post(f"/api/v1/cases/{mine}/duplicates/{theirs}", json={"confirmed": True}, headers=worker)
        form = client.post(f"/cases/{mine}/duplicates/{theirs}", data={"decision": "confirm", "csrf_token": worker["X-CSRF-Token"]}, headers={"Cookie": worker["Cookie"]})
        other = client.portal.call(lambda: cases.find_one({"_id": theirs}))
        refused = audit(client, action="case.access", outcome="refused")
    assert api.status_code == 403 and form.status_code == 403
    assert other["duplicates"][mine]["state"] == "open"  # the colleague's case was not written
    assert [entry["case_id"] for entry in refused] == [theirs, theirs]
