"""Route-level guarantees checked on the built application, without any I/O."""

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from meldestelle_shared.sealing import generate_key_pair
from meldestelle_shared.settings import KafkaSettings
from triage.app import create_app
from triage.audit.log import AuditLog
from triage.settings import Settings
from triage.workbench.router import router as workbench_router


def app():
    return create_app(Settings(
        office_private_key=generate_key_pair()[0],
        totp_private_key=generate_key_pair()[0],
        job_interval_seconds=0,
        kafka=KafkaSettings(username="triage", password="unit-test-password"),  # never connects
    ))


def test_the_audit_log_can_only_be_read():
    application = app()
    api = {path: set(methods) for path, methods in application.openapi()["paths"].items() if "audit" in path}
    assert api == {"/api/v1/audit": {"get"}}
    pages = [r for r in workbench_router.routes if isinstance(r, APIRoute) and "audit" in r.path]
    assert pages and all(r.methods <= {"GET", "HEAD"} for r in pages)
    client = TestClient(application)  # no lifespan: routing refuses before anything is touched
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        assert client.request(method, "/api/v1/audit", json={}).status_code == 405
    # The repository has no code path that changes or removes an entry either.
    assert not [name for name in vars(AuditLog) if any(word in name for word in ("update", "delete", "remove", "replace"))]


def test_openapi_documents_the_case_operations():
    paths = app().openapi()["paths"]
    assert {"get"} <= set(paths["/api/v1/cases"]) and "post" in paths["/api/v1/cases/{case_id}/messages"]
    names = {p["name"] for p in paths["/api/v1/cases"]["get"]["parameters"]}
    assert {"status", "priority", "assignee", "life_area", "ground", "district", "month", "sort", "page"} <= names
