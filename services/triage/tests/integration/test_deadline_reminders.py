"""Deadline reminders: triage's job announces each once, notify mails it once, against real Kafka, the database and SMTP."""

import time
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient
from pymongo import AsyncMongoClient

from devstack.processes import free_port
from devstack.probes import eventually, publish_raw, read_topic
from meldestelle_shared.events import DeadlineReminderDue, decode_event, encode_event
from meldestelle_shared.settings import MetricsSettings, MongoSettings, office_today
from meldestelle_shared.taxonomy import LifeArea
from notify.app import create_app as create_notify
from notify.settings import Settings as NotifySettings
from notify.settings import SmtpSettings
from triage.app import create_app
from triage.cases.deadlines import add_months, period_end, working_days_before
from triage.cases.reminding import SentReminders, send_deadline_reminders
from triage.cases.service import case_id_for

pytestmark = pytest.mark.infra


def reminders_on_kafka(bootstrap, topic) -> list[DeadlineReminderDue]:
    return [e for e in (decode_event(r.value) for r in read_topic(bootstrap, topic)) if isinstance(e, DeadlineReminderDue)]


def reminder_mails(infrastructure, address: str) -> list:
    """Deadline reminders to `address` (the office mailbox also gets a notice of each new case)."""
    return [m for m in infrastructure.smtp.messages() if m["To"] == address and m["Subject"].startswith("Frist ")]


def incident_with_deadline_soon(today):
    """An incident day whose two-month AGG period ends within 10 NRW working days from today (and not before it)."""
    day = add_months(today, -2)
    while not (today <= period_end(day, 2) and working_days_before(period_end(day, 2), 10) <= today):
        day += timedelta(days=1)
    return day


@pytest.fixture
def notify_settings(infrastructure, topics, unique_name) -> NotifySettings:
    return NotifySettings(
        smtp=SmtpSettings(host="127.0.0.1", port=infrastructure.smtp.port, starttls=False, timeout=2.0),
        office_address=f"{unique_name}@office.test",
        leads_address=f"{unique_name}-leads@office.test",
        database=f"{unique_name}_notify",
        consumer_group=f"{unique_name}-notify",
        kafka=infrastructure.kafka.access("notify").settings(topic_prefix=topics.prefix),
        mongodb=MongoSettings(uri=infrastructure.database_uri("notify")),
        metrics=MetricsSettings(port=free_port()),
    )


def test_each_deadline_reminder_is_announced_and_mailed_once_to_assignee_or_leads(
    triage_settings, notify_settings, topics, infrastructure, make_report, staff, service_headers
):
    bootstrap = infrastructure.kafka.admin
    today = office_today()
    incident = incident_with_deadline_soon(today)
    unassigned, _ = make_report("Man hat mich wegen meines Alters nicht eingestellt.", life_area=LifeArea.WORK, incident_date=incident.isoformat())
    assigned, _ = make_report("Die Vermieterin lehnte mich ab.", life_area=LifeArea.HOUSING, incident_date=incident.isoformat())
    without_deadline, _ = make_report("Beleidigung im Park.", life_area=LifeArea.PUBLIC_SPACE, incident_date=incident.isoformat())
    with TestClient(create_app(triage_settings)) as client, TestClient(create_notify(notify_settings)):
        publish_raw(bootstrap, topics.reports, [(r.partition_key(), encode_event(r)) for r in (unassigned, assigned, without_deadline)])
        eventually(lambda: len(client.get("/api/v1/cases", headers=service_headers).json()["items"]) == 3, what="three cases")
        lead, _ = staff.log_in(client, "lena.lead", ["lead"])
        _, worker_id = staff.log_in(client, "carl.worker", ["caseworker"])
        url = f"/api/v1/cases/{case_id_for(assigned.report_id)}/assignee"
        assert client.put(url, json={"assignee_id": worker_id}, headers=lead).status_code == 200

        context = client.app.state.context
        desk, deadline = context.desk, triage_settings.deadline

        def run_job(sent: SentReminders) -> int:
            return client.portal.call(lambda: send_deadline_reminders(
                today, lead_times=deadline.reminder_working_days, periods=deadline.periods(), cases=desk.cases, sent=sent, publish=desk.publish,
            ))  # fmt: skip

        database = context.client[triage_settings.database]
        assert run_job(SentReminders(database)) == 2
        # A second round, and a second instance with its own repository object on the same database, send nothing.
        assert run_job(SentReminders(database)) == 0 and run_job(SentReminders(database)) == 0
        announced = eventually(lambda: (lambda found: found if len(found) == 2 else None)(reminders_on_kafka(bootstrap, topics.cases)), what="two reminders")
        leads_mail = eventually(lambda: reminder_mails(infrastructure, notify_settings.leads_address), what="the leads' reminder")
        office_mail = eventually(lambda: reminder_mails(infrastructure, notify_settings.office_address), what="the assignee's reminder")
        time.sleep(2)  # give a wrong second e-mail time to arrive
        mails = reminder_mails(infrastructure, notify_settings.leads_address) + reminder_mails(infrastructure, notify_settings.office_address)
    assert len(mails) == 2 and len(leads_mail) == 1 and len(office_mail) == 1

    events = {str(e.report_id): e for e in announced}
    employment, housing = events[str(unassigned.report_id)], events[str(assigned.report_id)]
    assert (employment.deadline_kind, employment.legal_basis, employment.assignee_id) == ("agg_15_4", "legal_basis_agg_15_4", None)
    assert (housing.deadline_kind, housing.assignee_id) == ("agg_21_5", worker_id)
    assert employment.runs_from == incident and employment.counted_from == "incident_date" and employment.due >= today
    text = leads_mail[0].get_content()
    assert employment.reference in leads_mail[0]["Subject"] and "§ 15 Abs. 4 AGG" in text
    assert incident.strftime("%d.%m.%Y") in text and employment.due.strftime("%d.%m.%Y") in text
    assert worker_id in office_mail[0].get_content() and "§ 21 Abs. 5 AGG" in office_mail[0].get_content()
    for mail in mails:  # nothing the person wrote travels
        assert "Alters" not in mail.as_string() and "Vermieterin" not in mail.as_string()


async def test_the_daily_sweep_forgets_the_claims_of_passed_deadlines_only(triage_settings):
    """Claims of deadlines due before today go; today's and later ones, and recent claims stored without a due date, stay."""
    today = office_today()
    client = AsyncMongoClient(triage_settings.mongodb.uri, tz_aware=True)
    try:
        database = client[triage_settings.database]
        sent = SentReminders(database)
        for due in (today - timedelta(days=1), today, today + timedelta(days=3)):
            case_id = uuid4()
            event = DeadlineReminderDue(
                correlation_id=case_id, report_id=case_id, case_id=case_id, reference="DU-2026-000001", reminder_key=f"agg_15_4|{due}|3",
                deadline_kind="agg_15_4", legal_basis="legal_basis_agg_15_4", runs_from=due - timedelta(days=60), counted_from="incident_date",
                estimated=False, due=due, working_days_before=3, assignee_id=None,
            )  # fmt: skip
            assert await sent.claim(event) is not None
        claims = database["deadline_reminders"]
        await claims.insert_many([
            {"_id": "from-before-due-was-stored|old", "state": "sent", "claimed_at": datetime.now(UTC) - timedelta(days=400)},
            {"_id": "from-before-due-was-stored|recent", "state": "sent", "claimed_at": datetime.now(UTC) - timedelta(days=30)},
        ])  # fmt: skip
        assert await sent.forget_past(today) == 2 and await sent.forget_past(today) == 0
        left = [claim async for claim in claims.find({})]
    finally:
        await client.close()
    assert sorted(claim.get("due", "none") for claim in left) == sorted([today.isoformat(), (today + timedelta(days=3)).isoformat(), "none"])
