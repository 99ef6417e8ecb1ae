"""Reporter replies, erasure requests, duplicate hints and the scheduled jobs, against real Kafka and the database."""

import json
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from aiokafka.errors import KafkaConnectionError
from fastapi.testclient import TestClient
from pymongo import AsyncMongoClient

from devstack.probes import eventually, publish_raw, read_topic
from meldestelle_shared.events import (
    CaseErased,
    CaseStatusChanged,
    EvidenceFile,
    FirstResponseOverdue,
    ReporterEvidenceAdded,
    ReporterReplied,
    ReportErasureRequested,
    decode_event,
    encode_event,
)
from meldestelle_shared.sealing import load_public_key, seal
from meldestelle_shared.signing import sign, signing_key
from meldestelle_shared.taxonomy import CaseStatus, District, LifeArea, Wish
from triage.app import create_app
from triage.audit.log import SYSTEM
from triage.cases import actions
from triage.cases.duplicates import DuplicateGroups
from triage.cases.jobs import apply_retention, remind_overdue
from triage.cases.outbox import relay_outbox
from triage.cases.reminding import SentReminders, send_deadline_reminders
from meldestelle_shared.days import in_office_time
from triage.cases.service import case_id_for

pytestmark = pytest.mark.infra

job_reading = ContextVar("job_reading", default=False)


def publish(bootstrap, topic, *events) -> None:
    publish_raw(bootstrap, topic, [(e.partition_key(), encode_event(e)) for e in events])


def events_of(bootstrap, topic, kind) -> list:
    return [e for e in (decode_event(r.value) for r in read_topic(bootstrap, topic)) if isinstance(e, kind)]


def berlin_month(received_at: str) -> str:
    """The office's month of receipt, as the queue filters it."""
    return in_office_time(datetime.fromisoformat(received_at)).strftime("%Y-%m")


def case_documents(client):
    """The `cases` collection itself, to check what the database holds."""
    context = client.app.state.context
    return context.client[context.settings.database]["cases"]


def cases(client, headers, query: str = "") -> list:
    return client.get(f"/api/v1/cases{query}", headers=headers).json()["items"]


def test_reporter_replies_reach_the_timeline_once_and_stay_sealed(
    triage_settings, topics, infrastructure, make_report, office_keys, reporter_signed, service_headers
):
    bootstrap = infrastructure.kafka.admin
    report, _ = make_report()
    reply = reporter_signed(ReporterReplied(
        correlation_id=report.report_id, report_id=report.report_id, message_id=uuid4(),
        sealed_text=seal(load_public_key(office_keys[1]), "Es war am Montag."), signature="",
    ))  # fmt: skip
    with TestClient(create_app(triage_settings)) as client:
        publish(bootstrap, topics.reports, report, reply, reply)
        [case] = eventually(lambda: cases(client, service_headers), what="the case")
        detail = eventually(
            lambda: (d := client.get(f"/api/v1/cases/{case['id']}", headers=service_headers).json())["timeline"] and d,
            what="the reply",
        )
        publish(bootstrap, topics.reports, reply)  # redelivered later: still one entry
        stored = client.portal.call(lambda: case_documents(client).find_one({"_id": case["id"]}))
    [entry] = detail["timeline"]
    assert entry["kind"] == "reporter_message" and entry["text"] == "Es war am Montag." and entry["id"] == str(reply.message_id)
    assert len(stored["timeline"]) == 1 and "Montag" not in str(stored)  # the database holds the sealed text only


def test_erasure_request_deletes_the_case_and_is_announced(triage_settings, topics, infrastructure, make_report, reporter_signed, service_headers):
    bootstrap = infrastructure.kafka.admin
    report, _ = make_report()
    with TestClient(create_app(triage_settings)) as client:
        publish(bootstrap, topics.reports, report)
        [case] = eventually(lambda: cases(client, service_headers), what="the case")
        erasure = ReportErasureRequested(correlation_id=report.report_id, report_id=report.report_id, signature="")
        publish(bootstrap, topics.reports, reporter_signed(erasure))
        eventually(lambda: not cases(client, service_headers), what="the erasure")
        assert client.get(f"/api/v1/cases/{case['id']}", headers=service_headers).status_code == 404
        [erased] = eventually(lambda: events_of(bootstrap, topics.cases, CaseErased), what="CaseErased")
    assert erased.reason == "reporter_request" and str(erased.case_id) == case["id"]


def test_forged_reporter_requests_change_nothing_and_are_dead_lettered(
    triage_settings, topics, infrastructure, make_report, office_keys, reporter_signed, service_headers
):
    """A compromised intake (or anyone who can produce to the reports topic) asks to erase a report and
    writes in its name, without the receipt: unsigned, signed with its own key, or a genuine signature
    moved onto another report. Nothing is erased or added; each lands in the dead letters."""
    bootstrap = infrastructure.kafka.admin
    (target, _), (other, _) = make_report(), make_report()
    stranger = signing_key(bytes(range(32)))
    erase = ReportErasureRequested(correlation_id=target.report_id, report_id=target.report_id, signature="")
    reply = ReporterReplied(
        correlation_id=target.report_id, report_id=target.report_id, message_id=uuid4(),
        sealed_text=seal(load_public_key(office_keys[1]), "Bitte alles löschen."), signature="",
    )  # fmt: skip
    unsigned = json.loads(encode_event(erase)) | {"signature": None}
    own_key = erase.model_copy(update={"signature": sign(stranger, erase.signed_content())})
    forged_reply = reply.model_copy(update={"signature": sign(stranger, reply.signed_content())})
    genuine_for_other = reporter_signed(ReportErasureRequested(correlation_id=other.report_id, report_id=other.report_id, signature=""))
    moved = erase.model_copy(update={"signature": genuine_for_other.signature})
    with TestClient(create_app(triage_settings)) as client:
        publish(bootstrap, topics.reports, target, other)
        eventually(lambda: len(cases(client, service_headers)) == 2, what="two cases")
        publish_raw(bootstrap, topics.reports, [(target.partition_key(), json.dumps(unsigned).encode())])
        publish(bootstrap, topics.reports, own_key, forged_reply, moved)
        dead = eventually(lambda: len(found := read_topic(bootstrap, topics.dead_letters)) == 4 and found, timeout=60, what="four dead letters")
        publish(bootstrap, topics.reports, genuine_for_other)  # behind the forgeries: once it took effect, they were judged
        eventually(lambda: [c["id"] for c in cases(client, service_headers)] == [case_id_for(target.report_id)], what="the genuine erasure")
        target_case = client.portal.call(lambda: case_documents(client).find_one({"_id": case_id_for(target.report_id)}))
    assert target_case is not None and target_case["timeline"] == []
    errors = [dict(record.headers)["dead_letter_error"].decode() for record in dead]
    assert "signature" in errors[0] and all("ForgedSignature" in error for error in errors[1:]), errors
    erased = events_of(bootstrap, topics.cases, CaseErased)
    assert [e.report_id for e in erased] == [other.report_id]


def test_similar_reports_of_the_same_area_district_and_month_are_linked(triage_settings, topics, infrastructure, make_report, staff, service_headers):
    bootstrap = infrastructure.kafka.admin
    where = {"life_area": LifeArea.HOUSING, "district": District.HAMBORN}
    first, _ = make_report("Der Vermieter sagte, er vermiete nicht an Ausländer.", **where)
    second, _ = make_report("Der Vermieter sagte mir, er vermiete nicht an Ausländer!", **where)
    other_district, _ = make_report("Der Vermieter sagte, er vermiete nicht an Ausländer.", life_area=LifeArea.HOUSING, district=District.SUED)
    with TestClient(create_app(triage_settings)) as client:
        publish(bootstrap, topics.reports, first, second, other_district)
        listed = eventually(lambda: len(found := cases(client, service_headers)) == 3 and found, what="three cases")
        by_report = {c["reference"]: c for c in listed}
        a = next(c for c in listed if c["reporter"]["district"] == "hamborn")
        detail = eventually(
            lambda: (d := client.get(f"/api/v1/cases/{a['id']}", headers=service_headers).json())["duplicates"] and d,
            what="the hint",
        )
        [hint] = detail["duplicates"]
        worker, _ = staff.log_in(client, "dora", ["caseworker"])
        confirmed = client.post(f"/api/v1/cases/{a['id']}/duplicates/{hint['case_id']}", json={"confirmed": True}, headers=worker)
        assert confirmed.status_code == 200
        back = client.get(f"/api/v1/cases/{hint['case_id']}", headers=worker).json()["duplicates"]
    assert by_report[hint["reference"]]["reporter"]["district"] == "hamborn" and hint["score"] >= 0.6
    assert back == [{"case_id": a["id"], "reference": a["reference"], "score": hint["score"], "state": "confirmed"}]


@pytest.mark.asyncio
async def test_duplicate_groups_hold_each_case_once_until_it_is_erased(infrastructure, unique_name):
    client = AsyncMongoClient(infrastructure.database_uri("triage"))
    try:
        groups = DuplicateGroups(client[unique_name])
        assert await groups.join("2026-03|housing|hamborn", "case-a") == ["case-a"]
        assert await groups.join("2026-03|housing|hamborn", "case-b") == ["case-a", "case-b"]
        assert await groups.join("2026-03|housing|hamborn", "case-a") == ["case-a", "case-b"]  # a redelivery
        assert await groups.join("2026-03|housing|sued", "case-c") == ["case-c"]
        await groups.leave(["case-a", "case-c"])
        assert await groups.join("2026-03|housing|hamborn", "case-d") == ["case-b", "case-d"]
        assert await groups.join("2026-03|housing|sued", "case-e") == ["case-e"]
    finally:
        await client.close()


def test_queue_filters_sorting_and_counts(triage_settings, topics, infrastructure, make_report, staff, service_headers):
    bootstrap = infrastructure.kafka.admin
    # Both arrive on the same day, which is all a case keeps of when; the threat is taken in first.
    threat, _ = make_report(
        "Man drohte mir.", forms=["threat"], life_area=LifeArea.PUBLIC_SPACE, district=District.MITTE, grounds=["religion_or_belief"],
        occurred_at=datetime.now(UTC) - timedelta(minutes=2),
    )  # fmt: skip
    plain, _ = make_report(
        "Im Amt unfreundlich.", life_area=LifeArea.PUBLIC_ADMINISTRATION, district=District.WALSUM, grounds=["language"],
        occurred_at=datetime.now(UTC) - timedelta(minutes=1),
    )  # fmt: skip
    with TestClient(create_app(triage_settings)) as client:
        publish(bootstrap, topics.reports, threat)
        eventually(lambda: len(cases(client, service_headers)) == 1, what="the first case")
        publish(bootstrap, topics.reports, plain)
        eventually(lambda: len(cases(client, service_headers)) == 2, what="two cases")
        worker, worker_id = staff.log_in(client, "fred", ["caseworker"])
        [urgent, normal] = client.get("/api/v1/cases", headers=worker).json()["items"]  # priority order: urgent first
        client.post(f"/api/v1/cases/{normal['id']}/status", json={"status": "in_review"}, headers=worker)
        client.put(f"/api/v1/cases/{normal['id']}/assignee", json={"assignee_id": worker_id}, headers=worker)  # taking a free case
        page = client.get("/api/v1/cases?status=in_review", headers=worker).json()
        assert [c["id"] for c in page["items"]] == [normal["id"]] and page["counts"] == {"new": 1, "in_review": 1}
        for query, expected in [
            ("priority=urgent", urgent), ("assignee=me", normal), ("assignee=none", urgent), ("life_area=public_space", urgent),
            ("ground=language", normal), ("district=walsum", normal), (f"month={berlin_month(normal['received_at'])}&sort=newest", None),
        ]:  # fmt: skip
            items = client.get(f"/api/v1/cases?{query}", headers=worker).json()["items"]
            # The threat was taken in first (a lower reference on the same day), so newest-first puts the plain case ahead.
            assert [c["id"] for c in items] == ([expected["id"]] if expected else [normal["id"], urgent["id"]]), query
        paged = client.get("/api/v1/cases?page=2&page_size=1", headers=worker).json()
        assert paged["total"] == 2 and [c["id"] for c in paged["items"]] == [normal["id"]]
        bad = client.get("/api/v1/cases?status=open", headers=worker)
        assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "status"
    assert urgent["priority"] == "urgent" and urgent["priority_reason"] == "physical_violence_or_threat"


def test_overdue_first_response_is_announced_once_per_day(triage_settings, topics, infrastructure, make_report, service_headers):
    bootstrap = infrastructure.kafka.admin
    old, _ = make_report(occurred_at=datetime.now(UTC) - timedelta(days=14), wishes=[Wish.ADVICE])
    fresh, _ = make_report()
    # As old, but all the person asked is that it be recorded: the office owes no first response.
    record_only, _ = make_report(occurred_at=datetime.now(UTC) - timedelta(days=14), wishes=[Wish.RECORD_ONLY], referral_consent=True)
    with TestClient(create_app(triage_settings)) as client:
        publish(bootstrap, topics.reports, old, fresh, record_only)
        eventually(lambda: len(cases(client, service_headers)) == 3, what="three cases")
        stored = client.portal.call(lambda: case_documents(client).find_one({"_id": case_id_for(record_only.report_id)}))
        assert stored["reporter"]["wishes"] == ["record_only"] and stored["reporter"]["referral_consent"] is True
        desk = client.app.state.context.desk
        today = datetime.now(UTC).date()
        remind = lambda: client.portal.call(lambda: remind_overdue(today, working_days=3, cases=desk.cases, publish=desk.publish))  # noqa: E731
        assert remind() == 1 and remind() == 0  # the second run on the same day sends nothing
        [overdue] = eventually(lambda: events_of(bootstrap, topics.cases, FirstResponseOverdue), what="the reminder")
    assert overdue.report_id == old.report_id and overdue.working_days >= 3 and overdue.reference.startswith("DU-")


def test_retention_erases_long_closed_cases_and_flags_old_open_ones(triage_settings, topics, infrastructure, make_report, service_headers):
    bootstrap = infrastructure.kafka.admin
    closed, _ = make_report()
    ancient_open, _ = make_report(occurred_at=datetime.now(UTC) - timedelta(days=800))
    recent, _ = make_report()
    with TestClient(create_app(triage_settings)) as client:
        publish(bootstrap, topics.reports, closed, ancient_open, recent)
        eventually(lambda: len(cases(client, service_headers)) == 3, what="three cases")
        context = client.app.state.context
        target = {"id": client.portal.call(lambda: context.cases.get_by_report_id(closed.report_id)).id}
        client.post(f"/api/v1/cases/{target['id']}/close", json={"reason": "resolved"}, headers=service_headers)
        # The case was closed 25 months ago, as far as retention is concerned.
        backdated = {"$set": {"closed_at": datetime.now(UTC) - timedelta(days=25 * 31)}}
        client.portal.call(lambda: case_documents(client).update_one({"_id": target["id"]}, backdated))
        run = lambda: client.portal.call(  # noqa: E731
            lambda: apply_retention(datetime.now(UTC), months=24, cases=context.cases, audit=context.audit, publish=context.desk.publish)
        )
        assert run() == (1, 1) and run() == (0, 0)
        remaining = cases(client, service_headers)
        flagged = cases(client, service_headers, "?retention_review=true")
        audit = client.portal.call(lambda: context.audit.page(filters={"action": "case.erase"}, skip=0, limit=5))
        [erased] = eventually(lambda: events_of(bootstrap, topics.cases, CaseErased), what="CaseErased")
    assert len(remaining) == 2 and target["id"] not in {c["id"] for c in remaining}
    [flagged_case] = flagged
    assert flagged_case["retention_review"] and flagged_case["received_at"][:4] < str(datetime.now(UTC).year)
    assert erased.reason == "retention" and str(erased.case_id) == target["id"]
    assert audit[0][0]["actor_kind"] == SYSTEM.kind and audit[0][0]["reason"] == "retention"


def test_events_stranded_by_a_kafka_outage_are_relayed_with_the_same_id(triage_settings, topics, infrastructure, make_report, service_headers):
    bootstrap = infrastructure.kafka.admin
    report, _ = make_report()
    with TestClient(create_app(triage_settings)) as client:
        publish(bootstrap, topics.reports, report)
        [listed] = eventually(lambda: cases(client, service_headers), what="the case")
        context = client.app.state.context

        async def kafka_down(events):
            raise KafkaConnectionError("broker away")

        offline = actions.CaseDesk(cases=context.cases, audit=context.audit, publish=kafka_down, office_key=context.office_key, rules=context.desk.rules)
        case = client.portal.call(lambda: context.cases.get(listed["id"]))
        client.portal.call(lambda: actions.change_status(case, CaseStatus.IN_REVIEW, actor=SYSTEM, desk=offline))
        stranded = client.portal.call(lambda: case_documents(client).find_one({"_id": listed["id"]}))
        assert stranded["status"] == "in_review" and len(stranded["outbox"]) == 1  # the change is kept, its event waits
        assert client.portal.call(lambda: relay_outbox(cases=context.cases, publish=context.desk.publish)) == 1
        assert client.portal.call(lambda: relay_outbox(cases=context.cases, publish=context.desk.publish)) == 0
        [event] = eventually(lambda: events_of(bootstrap, topics.cases, CaseStatusChanged), what="the relayed event")
    assert str(event.event_id) == next(iter(stranded["outbox"])) and event.status == "in_review"


def test_the_relay_finds_stranded_events_by_their_marks_and_the_daily_sweep_finds_unmarked_ones(
    triage_settings, topics, infrastructure, make_report, service_headers
):
    report, _ = make_report()
    with TestClient(create_app(triage_settings)) as client:
        publish(infrastructure.kafka.admin, topics.reports, report)
        [listed] = eventually(lambda: cases(client, service_headers), what="the case")
        context = client.app.state.context
        marks = context.client[triage_settings.database]["outbox_marks"]
        call = client.portal.call

        async def kafka_down(events):
            raise KafkaConnectionError("broker away")

        offline = actions.CaseDesk(cases=context.cases, audit=context.audit, publish=kafka_down, office_key=context.office_key, rules=context.desk.rules)
        case = call(lambda: context.cases.get(listed["id"]))
        call(lambda: actions.change_status(case, CaseStatus.IN_REVIEW, actor=SYSTEM, desk=offline))
        [(event_id, encoded)] = call(lambda: case_documents(client).find_one({"_id": listed["id"]}))["outbox"].items()
        assert call(lambda: marks.find_one({"_id": event_id}))["case_id"] == listed["id"]  # written before the change

        # Left by a version before the marks: a round does not see it, the daily sweep's scan does.
        left = {"_id": "an-event-without-a-mark", "case_id": listed["id"]}
        call(lambda: marks.delete_one({"_id": event_id}))
        assert call(lambda: relay_outbox(cases=context.cases, publish=context.desk.publish)) == 0
        assert call(lambda: relay_outbox(cases=context.cases, publish=context.desk.publish, everywhere=True)) == 1
        assert not call(lambda: case_documents(client).find_one({"_id": listed["id"]})).get("outbox")

        # Marks whose event never reached an outbox (a refused or crashed write) go once their grace is over.
        orphans = [{**left, "at": datetime.now(UTC) - timedelta(minutes=10)}, {**left, "_id": "on-its-way", "at": datetime.now(UTC)}]
        call(lambda: marks.insert_many(orphans))
        assert call(lambda: relay_outbox(cases=context.cases, publish=context.desk.publish)) == 0
        remaining = call(lambda: marks.find({}).to_list())
    assert [mark["_id"] for mark in remaining] == ["on-its-way"]
    relayed = events_of(infrastructure.kafka.admin, topics.cases, CaseStatusChanged)
    assert [str(e.event_id) for e in relayed if str(e.case_id) == listed["id"]] == [event_id] and encoded


def test_a_round_of_the_jobs_reads_only_the_open_cases_changed_since_it_last_checked_them(
    triage_settings, topics, infrastructure, make_report, service_headers
):
    reports = [make_report(occurred_at=datetime.now(UTC) - timedelta(days=14), wishes=[Wish.ADVICE])[0] for _ in range(3)]
    with TestClient(create_app(triage_settings)) as client:
        publish(infrastructure.kafka.admin, topics.reports, *reports)
        listed = eventually(lambda: len(c := cases(client, service_headers)) == 3 and c, what="three cases")
        context = client.app.state.context
        repository, memory, read = context.cases, context.jobs, []
        get_many = repository.get_many

        async def counted(ids, **options):
            if job_reading.get():  # the job's own reads, not those of the consumers running beside it
                read.extend(ids)
            return await get_many(ids, **options)

        repository.get_many = counted  # a spy on the real repository: which cases each round reads
        today, deadline = datetime.now(UTC).date(), triage_settings.deadline
        sent = SentReminders(context.client[triage_settings.database])

        def reads(job) -> tuple[int, list[str]]:
            async def as_the_job():
                job_reading.set(True)  # in this task only
                return await job()

            read.clear()
            return client.portal.call(as_the_job), sorted(read)

        def remind():
            return remind_overdue(today, working_days=3, cases=repository, publish=context.desk.publish, seen=memory.first_responses)

        def deadlines():
            return send_deadline_reminders(
                today, lead_times=deadline.reminder_working_days, periods=deadline.periods(), cases=repository, sent=sent,
                publish=context.desk.publish, seen=memory.deadlines,
            )  # fmt: skip

        every = sorted(c["id"] for c in listed)
        assert reads(remind) == (3, every) and reads(remind) == (0, [])  # reminded; then unchanged, so not read again
        assert reads(deadlines)[1] == every and reads(deadlines)[1] == []
        changed = listed[0]["id"]
        case = client.portal.call(lambda: repository.get(changed))
        client.portal.call(lambda: actions.change_status(case, CaseStatus.IN_REVIEW, actor=SYSTEM, desk=context.desk))
        assert reads(deadlines)[1] == [changed]  # its last change moved its stamp: read once more
        assert reads(remind) == (0, [])  # no longer new: not even a candidate


def test_files_the_reporter_adds_later_are_attached_once_and_forged_ones_are_dead_lettered(
    triage_settings, topics, infrastructure, make_report, reporter_signed, service_headers
):
    """intake announces files added through the portal with the reporter's signature; one without it
    (a compromised intake attaching files to someone's case) changes nothing."""
    bootstrap = infrastructure.kafka.admin
    report, _ = make_report()
    file = EvidenceFile(evidence_id=uuid4(), media_type="image/png", size=2048, sealed_sha256="ab" * 32)
    added = reporter_signed(ReporterEvidenceAdded(correlation_id=report.report_id, report_id=report.report_id, evidence=[file], signature=""))
    forged = added.model_copy(update={"evidence": [file.model_copy(update={"evidence_id": uuid4()})]})
    with TestClient(create_app(triage_settings)) as client:
        publish(bootstrap, topics.reports, report, added, added, forged)
        eventually(lambda: read_topic(bootstrap, topics.dead_letters), timeout=60, what="the forgery's dead letter")
        stored = client.portal.call(lambda: case_documents(client).find_one({"_id": case_id_for(report.report_id)}))
    # Attached once, its safe copy attempted at once: there is no such original in the store, so it cannot be made safe.
    assert list(stored["evidence"]) == [str(file.evidence_id)]
    assert stored["evidence"][str(file.evidence_id)]["state"] == "could_not_be_made_safe"
