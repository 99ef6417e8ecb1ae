"""Issue 15's case work against real Kafka and the real database: documentation, consultations, interventions and
referrals are stored, audited, announced, shown in one timeline, and feed the deadlines; bad input is refused by field."""

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pymongo import MongoClient

from devstack.probes import eventually, publish_raw, read_topic
from meldestelle_shared.events import (
    CaseCreated,
    CaseDocumented,
    CaseReferred,
    CaseStatusChanged,
    ConsultationLogged,
    InterventionRecorded,
    InterventionUpdated,
    ReferralTakenUp,
    decode_event,
    encode_event,
)
from meldestelle_shared.settings import office_today
from meldestelle_shared.taxonomy import Ground, LifeArea
from triage.app import create_app
from triage.referrals.directory import DirectoryError

pytestmark = pytest.mark.infra

SHIPPED = Path(__file__).resolve().parents[4] / "deploy" / "referrals" / "services.json"
NOTE = "Frau K. möchte erst mit ihrer Schwester sprechen."


@pytest.fixture
def settings(triage_settings):
    return triage_settings.model_copy(update={"referral_directory": SHIPPED})


def submit(client, bootstrap, topics, event, token) -> dict:
    publish_raw(bootstrap, topics.reports, [(event.partition_key(), encode_event(event))])
    return eventually(lambda: next(iter(client.get("/api/v1/cases", headers=token).json()["items"]), None), what="the case")


def work_events(bootstrap, topic: str, count: int) -> list:
    events = [decode_event(r.value) for r in read_topic(bootstrap, topic)]
    events = [e for e in events if not isinstance(e, CaseCreated | CaseStatusChanged)]
    return events if len(events) >= count else []


def test_case_work_is_stored_audited_announced_and_shown_in_one_timeline(settings, topics, infrastructure, make_report, staff, service_headers):
    bootstrap = infrastructure.kafka.admin
    report, _ = make_report(grounds=[Ground.AGE], life_area=LifeArea.WORK, language="bg", referral_consent=True, wishes=["advice"])
    today = office_today()
    with TestClient(create_app(settings)) as client:
        case = submit(client, bootstrap, topics, report, service_headers)
        worker, worker_id = staff.log_in(client, "carla.worker", ["caseworker"])
        url = f"/api/v1/cases/{case['id']}"

        documentation = {"level": "institutional", "consequences": ["health", "job_or_housing"], "other_side": "employer", "source": "online_form"}
        assert client.put(f"{url}/documentation", json=documentation, headers=worker).status_code == 200
        consultation = client.post(
            f"{url}/consultations", json={"held_on": today.isoformat(), "channel": "phone", "minutes": 40, "note": NOTE}, headers=worker
        )
        assert consultation.status_code == 201, consultation.text
        reply_by, due = today + timedelta(days=14), today + timedelta(days=30)
        request = client.post(
            f"{url}/interventions", json={"kind": "statement_request", "started_on": today.isoformat(), "due_on": reply_by.isoformat()}, headers=worker
        )
        mediation = client.post(
            f"{url}/interventions", json={"kind": "mediation", "started_on": today.isoformat(), "due_on": due.isoformat()}, headers=worker
        )
        assert request.status_code == mediation.status_code == 201
        mediation_id = mediation.json()["intervention_id"]
        assert client.patch(f"{url}/interventions/{mediation_id}", json={"outcome": "successful"}, headers=worker).status_code == 200

        suggestions = client.get(f"{url}/referral-suggestions", headers=worker).json()
        assert suggestions[0]["service"]["id"] == "example-work-counselling" and suggestions[0]["speaks_language"]
        assert suggestions[0]["shared_topics"] == ["age", "work"] and suggestions[0]["service"]["example"] is True
        referral = client.post(
            f"{url}/referrals", json={"service_id": "example-work-counselling", "referred_on": today.isoformat(), "passed_on": ["case_codes", "account"]},
            headers=worker,
        )  # fmt: skip
        assert referral.status_code == 201, referral.text
        referral_id = referral.json()["referral_id"]
        assert client.put(f"{url}/referrals/{referral_id}/uptake", json={"taken_up": True}, headers=worker).status_code == 200

        view = client.get(url, headers=worker).json()
        announced = eventually(lambda: work_events(bootstrap, topics.cases, 7), what="seven case work events")
        raw = b"".join(r.value for r in read_topic(bootstrap, topics.cases))

    assert [type(e) for e in announced] == [
        CaseDocumented, ConsultationLogged, InterventionRecorded, InterventionRecorded, InterventionUpdated, CaseReferred, ReferralTakenUp
    ]  # fmt: skip
    documented, consulted, requested, mediated, updated, referred, taken = announced
    assert all(str(e.case_id) == case["id"] and e.report_id == report.report_id for e in announced)
    assert documented.consequences == ["health", "job_or_housing"] and documented.other_side == "employer"
    assert (consulted.channel, consulted.minutes, str(consulted.consultation_id)) == ("phone", 40, consultation.json()["consultation_id"])
    assert requested.kind == "statement_request" and requested.due_on == reply_by and mediated.due_on == due
    assert str(updated.intervention_id) == mediation_id and updated.outcome == "successful"
    assert referred.service_id == "example-work-counselling" and referred.passed_on == ["account", "case_codes"]
    assert taken.taken_up and str(taken.referral_id) == referral_id
    assert NOTE.encode() not in raw and "Schwester".encode() not in raw  # the note never travels, in clear or at all

    kinds = [entry["kind"] for entry in view["timeline"] if entry["kind"] != "status_changed"]  # the first look moved it to in_review
    assert kinds == [
        "documented", "consultation", "intervention_recorded", "intervention_recorded", "intervention_updated", "referred", "referral_taken_up"
    ]  # fmt: skip
    consultation_entry = next(e for e in view["timeline"] if e["kind"] == "consultation")
    assert consultation_entry["text"] == NOTE and consultation_entry["minutes"] == 40 and consultation_entry["actor_id"] == worker_id
    assert view["documentation"] == documentation | {"consequences": ["health", "job_or_housing"]}
    assert [(i["kind"], i["outcome"]) for i in view["interventions"]] in (
        [("statement_request", "open"), ("mediation", "successful")], [("mediation", "successful"), ("statement_request", "open")]
    )
    assert view["referrals"][0]["service_name"].startswith("Beispiel") and view["referrals"][0]["taken_up"] is True
    assert view["reporter"]["referral_consent"] is True and view["reporter"]["wishes"] == ["advice"]
    # The open statement request's reply date is a deadline; the successful mediation's due date no longer is.
    office_set = [(d["kind"], d["due"]) for d in view["deadlines"]["items"] if d["kind"] in ("statement_reply", "intervention")]
    assert office_set == [("statement_reply", reply_by.isoformat())]

    with MongoClient(settings.mongodb.uri) as mongo:
        audited = [e["action"] for e in mongo[settings.database]["audit"].find({"case_id": case["id"], "actor_id": worker_id}).sort("at", 1)]
        stored = mongo[settings.database]["cases"].find_one({"_id": case["id"]})
    for action in ("case.document", "case.consultation", "case.intervention", "case.intervention_update", "case.refer", "case.referral_uptake"):
        assert action in audited
    consultation_doc = next(e for e in stored["timeline"] if e["kind"] == "consultation")
    assert NOTE not in json.dumps(stored, default=str) and consultation_doc["sealed_text"]


def test_bad_case_work_is_refused_naming_the_field_and_a_referral_needs_consent(settings, topics, infrastructure, make_report, staff, service_headers):
    report, _ = make_report(referral_consent=False)
    today = office_today()
    with TestClient(create_app(settings)) as client:
        case = submit(client, infrastructure.kafka.admin, topics, report, service_headers)
        worker, worker_id = staff.log_in(client, "walt.worker", ["caseworker"])
        admin, _ = staff.log_in(client, "ada.admin", ["admin"])
        url = f"/api/v1/cases/{case['id']}"

        def refused(method: str, path: str, body: dict, status: int = 422) -> str:
            response = client.request(method, f"{url}{path}", json=body, headers=worker)
            assert response.status_code == status, response.text
            return response.json()["fields"][0]["field"] if status == 422 else response.json()["message"]

        assert refused("PUT", "/documentation", {"level": "cosmic", "consequences": []}) == "level"
        assert refused("PUT", "/documentation", {"consequences": ["boredom"]}).startswith("consequences")
        assert refused("PUT", "/documentation", {"other_side": "Herr Müller"}) == "other_side"  # a category, never a name
        assert refused("PUT", "/documentation", {"source": "pigeon"}) == "source"
        consult = {"held_on": today.isoformat(), "channel": "phone", "minutes": 30}
        assert refused("POST", "/consultations", consult | {"minutes": 0}) == "minutes"
        assert refused("POST", "/consultations", consult | {"minutes": 100000}) == "minutes"
        assert refused("POST", "/consultations", consult | {"channel": "telepathy"}) == "channel"
        assert refused("POST", "/consultations", consult | {"held_on": (today + timedelta(days=1)).isoformat()}) == "held_on"
        assert refused("POST", "/consultations", consult | {"held_on": "yesterday"}) == "held_on"
        assert refused("POST", "/consultations", consult | {"note": "x" * 5001}) == "note"
        started = {"started_on": today.isoformat()}
        assert refused("POST", "/interventions", started | {"kind": "statement_request"}) == "due_on"
        assert refused("POST", "/interventions", started | {"kind": "mediation", "due_on": (today - timedelta(days=1)).isoformat()}) == "due_on"
        assert refused("POST", "/interventions", started | {"kind": "referral"}) == "kind"
        assert refused("POST", "/interventions", {"kind": "mediation", "started_on": "0001-01-01"}) == "started_on"  # no overflow later
        assert refused("POST", "/interventions", started | {"kind": "mediation", "due_on": "9999-12-31"}) == "due_on"
        assert refused("POST", "/interventions", started | {"kind": "mediation", "outcome": "great"}) == "outcome"
        refer = {"service_id": "example-work-counselling", "referred_on": today.isoformat(), "passed_on": ["case_codes"]}
        assert refused("POST", "/referrals", refer | {"service_id": "nobody"}) == "service_id"
        assert refused("POST", "/referrals", refer | {"passed_on": ["everything"]}).startswith("passed_on")
        assert "did not consent" in refused("POST", "/referrals", refer, status=409)
        assert client.patch(f"{url}/interventions/00000000-0000-4000-8000-000000000000", json={"outcome": "successful"}, headers=worker).status_code == 404
        # Admins read no case, so they document none either.
        assert client.put(f"{url}/documentation", json={"level": "individual"}, headers=admin).status_code == 403
        assert client.get(f"{url}/referral-suggestions", headers=admin).status_code == 403
        view = client.get(url, headers=worker).json()
        assert client.get("/api/v1/referral-services", headers=worker).json()[0]["example"] is True

    assert [e["kind"] for e in view["timeline"]] == ["status_changed"]  # nothing refused reached the case
    assert view["interventions"] == [] and view["referrals"] == [] and view["documentation"] is None
    with MongoClient(settings.mongodb.uri) as mongo:
        refusal = mongo[settings.database]["audit"].find_one({"case_id": case["id"], "action": "case.refer"})
    assert refusal["outcome"] == "refused" and refusal["reason"] == "no_referral_consent" and refusal["actor_id"] == worker_id


def test_a_bad_referral_directory_stops_triage_naming_the_entry_and_field(triage_settings, tmp_path):
    bad = tmp_path / "services.json"
    bad.write_text(json.dumps({"services": [{"id": "ok-one", "name": "X", "topics": ["work"], "languages": ["xx yy"], "contact": {}}]}))
    with pytest.raises(DirectoryError, match=r"entry 1 \(ok-one\), field languages\.0"):
        create_app(triage_settings.model_copy(update={"referral_directory": bad}))
