"""The annual report against real Kafka and the database: case work reaches the year's counters through events, leads
export the internal and public workbook and PDF, other roles are refused, and every export is audited."""

from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from devstack.probes import eventually, publish_raw
from meldestelle_shared.events import encode_event
from meldestelle_shared.settings import office_today
from meldestelle_shared.taxonomy import Ground, LifeArea
from triage.app import create_app
from triage.cases.service import case_id_for
from triage.stats.casework import rebuild_casework
from triage.stats.publication import publish_due_months

pytestmark = pytest.mark.infra

SHIPPED = Path(__file__).resolve().parents[4] / "deploy" / "referrals" / "services.json"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sheet(workbook: bytes, name: str) -> dict:
    """A sheet's rows below its title, as {first column: the other columns}."""
    rows = list(load_workbook(BytesIO(workbook))[name].values)
    return {row[0]: row[1:] if len(row) > 2 else row[1] for row in rows[1:]}


def test_leads_export_the_year_from_the_read_model_and_others_are_refused(triage_settings, topics, infrastructure, make_report, staff, service_headers):
    settings = triage_settings.model_copy(update={"referral_directory": SHIPPED})
    bootstrap = infrastructure.kafka.admin
    today = office_today()
    year = str(today.year)
    first, _ = make_report(grounds=[Ground.AGE], life_area=LifeArea.WORK, language="de", referral_consent=True, wishes=["advice"])
    second, _ = make_report(grounds=[Ground.AGE, Ground.DISABILITY], life_area=LifeArea.HOUSING)
    with TestClient(create_app(settings)) as client:
        publish_raw(bootstrap, topics.reports, [(r.partition_key(), encode_event(r)) for r in (first, second)])
        eventually(lambda: len(client.get("/api/v1/cases", headers=service_headers).json()["items"]) == 2, what="two cases")
        lead, _ = staff.log_in(client, "lena.lead", ["lead"])
        worker, _ = staff.log_in(client, "carla.worker", ["caseworker"])
        admin, _ = staff.log_in(client, "adam.admin", ["admin"])
        one, two = (f"/api/v1/cases/{case_id_for(r.report_id)}" for r in (first, second))
        day = today.isoformat()
        assert client.put(f"{one}/documentation", json={"level": "institutional", "consequences": []}, headers=worker).status_code == 200
        assert client.post(f"{one}/consultations", json={"held_on": day, "channel": "phone", "minutes": 40}, headers=worker).status_code == 201
        assert client.post(f"{two}/consultations", json={"held_on": day, "channel": "email", "minutes": 15}, headers=worker).status_code == 201
        mediation = client.post(f"{one}/interventions", json={"kind": "mediation", "started_on": day}, headers=worker)
        assert mediation.status_code == 201, mediation.text
        patched = client.patch(f"{one}/interventions/{mediation.json()['intervention_id']}", json={"outcome": "successful"}, headers=worker)
        assert patched.status_code == 200
        referral = client.post(
            f"{one}/referrals", json={"service_id": "example-work-counselling", "referred_on": day, "passed_on": ["case_codes"]}, headers=worker
        )
        assert referral.status_code == 201, referral.text
        uptake = client.put(f"{one}/referrals/{referral.json()['referral_id']}/uptake", json={"taken_up": False}, headers=worker)
        assert uptake.status_code == 200

        repository = client.app.state.context.statistics.repository
        expected = {
            "level:institutional": 1, "level:not_stated": 1, "consultations:phone": 1, "minutes:phone": 40, "consultations:email": 1,
            "minutes:email": 15, "interventions:mediation:successful": 1, "referrals:not_taken_up": 1,
        }  # fmt: skip
        eventually(lambda: client.portal.call(lambda: repository.casework.year_counts(year)) == expected, what="the year's casework counters")
        # The rebuild derives the same counters from the cases.
        assert client.portal.call(lambda: rebuild_casework(store=repository.casework, cases=repository.cases)) == 2
        assert client.portal.call(lambda: repository.casework.year_counts(year)) == expected

        url = f"/api/v1/reports/annual/{year}"
        internal = client.get(f"{url}.xlsx", headers=lead)
        assert internal.status_code == 200 and internal.headers["content-type"] == XLSX
        assert "attachment" in internal.headers["content-disposition"]
        pdf = client.get(f"{url}.pdf", headers=lead)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and pdf.headers["content-type"] == "application/pdf"

        # The month closes and is published (2 reports: below the threshold, so hidden whole); then the public year.
        feature = client.app.state.context.statistics
        next_month = datetime(today.year + (today.month == 12), today.month % 12 + 1, 28, 12, tzinfo=UTC)
        published = client.portal.call(lambda: publish_due_months(repository=repository, publish=feature.publish, settings=feature.settings, now=next_month))
        assert f"{year}-{today.month:02d}" in published
        public = client.get(f"{url}.xlsx?public=1", headers=lead)
        public_pdf = client.get(f"{url}.pdf?public=1", headers=lead)
        assert public.status_code == public_pdf.status_code == 200 and public_pdf.content.startswith(b"%PDF")

        for headers in (worker, admin):
            for path in (f"{url}.xlsx", f"{url}.pdf", f"{url}.xlsx?public=1", "/reports/annual"):
                assert client.get(path, headers=headers).status_code == 403, path
        assert client.get(f"{url}.xlsx").status_code == 401
        bad = client.get("/api/v1/reports/annual/20x6.xlsx", headers=lead)
        assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "year"
        page = client.get("/reports/annual", headers=lead)
        assert page.status_code == 200 and f'href="/api/v1/reports/annual/{year}.pdf?public=1"' in page.text
        audit = client.get("/api/v1/audit?action=report.annual_export&page_size=50", headers=lead).json()

    summary = sheet(internal.content, "Übersicht")
    assert summary["Fälle insgesamt"] == 2
    assert sheet(internal.content, "grounds")["Lebensalter"] == 2 and sheet(internal.content, "grounds")["Behinderung"] == 1
    assert sheet(internal.content, "life_area")["Arbeit"] == 1
    assert sheet(internal.content, "level")["Institutionelle Diskriminierung"] == 1
    consultations = sheet(internal.content, "consultations")
    assert consultations["Telefon"] == (1, 40) and consultations["E-Mail"] == (1, 15) and consultations["Summe"] == (2, 55)
    interventions = sheet(internal.content, "interventions")
    assert interventions["Vermittlungsgespräch (Mediation)"][1] == 1 and interventions["Vermittlungsgespräch (Mediation)"][-1] == 1
    assert sheet(internal.content, "referrals")["Nicht aufgenommen"] == 1
    # The public year shows only what the published month shows: the month was hidden, so "." everywhere, no casework.
    public_book = load_workbook(BytesIO(public.content))
    assert sheet(public.content, "Übersicht")["Fälle insgesamt"] == "."
    assert sheet(public.content, "grounds")["Lebensalter"] == "." and "level" not in public_book.sheetnames
    entries = audit["items"]
    assert len(entries) == 4 and {e["actor_kind"] for e in entries} == {"staff"}
    assert sorted(e["reason"] for e in entries) == sorted(
        f"year:{year};format:{kind};version:{version}" for kind, version in (("xlsx", "internal"), ("pdf", "internal"), ("xlsx", "public"), ("pdf", "public"))
    )
