"""Key rotation: values name their key, retired keys still open until `reseal`, and TOTP secrets have a key of their own."""

import sys

import pyotp
import pytest
from fastapi.testclient import TestClient
from pymongo import MongoClient

from devstack.probes import eventually, publish_raw
from meldestelle_shared.events import encode_event
from meldestelle_shared.sealing import SealingError, generate_key_pair, key_id, load_keyring, load_private_key, seal, sealed_key_id, unseal
from triage.app import create_app
from triage.staff import cli

pytestmark = pytest.mark.infra


def sealed_values(settings) -> list[str]:
    """Every office-sealed value of every case, as stored."""
    with MongoClient(settings.mongodb.uri) as mongo:
        cases = list(mongo[settings.database]["cases"].find())
    values = [case[field] for case in cases for field in ("sealed_description", "sealed_contact") if case.get(field)]
    return values + [entry["sealed_text"] for case in cases for entry in case.get("timeline", []) if entry.get("sealed_text")]


def test_rotating_the_office_key_keeps_every_case_readable(triage_settings, topics, infrastructure, make_report, service_headers, monkeypatch, capsys):
    report, _ = make_report("Vor der Rotation versiegelt.")
    with TestClient(create_app(triage_settings)) as client:
        publish_raw(infrastructure.kafka.admin, topics.reports, [(report.partition_key(), encode_event(report))])
        [case] = eventually(lambda: client.get("/api/v1/cases", headers=service_headers).json()["items"], what="the case")
        assert client.post(f"/api/v1/cases/{case['id']}/notes", json={"text": "alte Notiz"}, headers=service_headers).status_code == 201
    old = triage_settings.office_private_key.get_secret_value()
    new, _ = generate_key_pair()
    rotated = triage_settings.model_copy(update={"office_private_key": type(triage_settings.office_private_key)(new), "office_retired_private_keys": type(triage_settings.office_private_key)(old)})
    with TestClient(create_app(rotated)) as client:  # a value sealed to a retired key still opens
        opened = client.get(f"/api/v1/cases/{case['id']}", headers=service_headers).json()
        assert opened["description"] == "Vor der Rotation versiegelt." and opened["timeline"][0]["text"] == "alte Notiz"
        assert client.post(f"/api/v1/cases/{case['id']}/notes", json={"text": "neue Notiz"}, headers=service_headers).status_code == 201
    assert {sealed_key_id(value) for value in sealed_values(rotated)} == {key_id(load_private_key(old)), key_id(load_private_key(new))}

    for name, value in {"TRIAGE_OFFICE_PRIVATE_KEY": new, "TRIAGE_OFFICE_RETIRED_PRIVATE_KEYS": old,
                        "TRIAGE_TOTP_PRIVATE_KEY": triage_settings.totp_private_key.get_secret_value(),
                        "TRIAGE_DATABASE": triage_settings.database, "MONGODB_URI": triage_settings.mongodb.uri}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "argv", ["cli"])
    cli.main(["reseal"])
    assert "re-sealed 2 case value(s)" in capsys.readouterr().out  # the description and the old note
    assert {sealed_key_id(value) for value in sealed_values(rotated)} == {key_id(load_private_key(new))}

    retired_dropped = rotated.model_copy(update={"office_retired_private_keys": type(triage_settings.office_private_key)("")})
    with TestClient(create_app(retired_dropped)) as client:
        opened = client.get(f"/api/v1/cases/{case['id']}", headers=service_headers).json()
    assert opened["description"] == "Vor der Rotation versiegelt."
    assert [entry["text"] for entry in opened["timeline"]] == ["alte Notiz", "neue Notiz"]
    with pytest.raises(SealingError):
        unseal(load_private_key(old), sealed_values(rotated)[0])  # the retired key opens nothing any more


def test_totp_secrets_are_not_openable_with_the_office_key(triage_settings, staff, totp):
    with TestClient(create_app(triage_settings)) as client:
        account, secret = staff.add(client, "tina", ["caseworker"])
        context = client.app.state.context
        stored = client.portal.call(lambda: context.staff.get(account["_id"]))
        with pytest.raises(SealingError):
            unseal(context.office_key, stored["sealed_totp_secret"])
        assert unseal(context.totp_key, stored["sealed_totp_secret"]) == secret


def test_a_totp_secret_sealed_to_the_office_key_still_works_and_moves_to_the_totp_key(triage_settings, staff):
    with TestClient(create_app(triage_settings)) as client:
        account, _ = staff.add(client, "ulla", ["caseworker"])
        context = client.app.state.context
        legacy_secret = pyotp.random_base32(32)
        client.portal.call(lambda: context.staff.update(account["_id"], {"sealed_totp_secret": seal(context.office_key.public_key, legacy_secret)}))
        response = client.post("/api/v1/session", json={"username": "ulla", "password": staff.password, "totp": pyotp.TOTP(legacy_secret).now()})
        assert response.status_code == 201
        stored = client.portal.call(lambda: context.staff.get(account["_id"]))
    assert context.totp_key.is_current(stored["sealed_totp_secret"])
    with pytest.raises(SealingError):
        unseal(load_keyring(triage_settings.office_private_key.get_secret_value()), stored["sealed_totp_secret"])
