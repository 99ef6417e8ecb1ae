"""The event catalogue in headless Chromium: the vendored viewer draws each service's document, sandboxed, with nothing from elsewhere."""

from pathlib import Path

import pytest

from meldestelle_shared.catalogue import all_events, topic_of

pytestmark = [pytest.mark.infra, pytest.mark.browser]

DOCUMENTS = Path(__file__).resolve().parents[4] / "docs" / "asyncapi"
WRITER = {"reports": "intake", "cases": "triage", "statistics": "triage"}


def test_each_service_s_events_are_drawn_from_its_own_files_in_a_sandbox(browser, screenshots, serve, triage_settings):
    workbench = serve(triage_settings.model_copy(update={"event_catalogue_dir": DOCUMENTS}))
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    requests, errors = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    for service in ("intake", "triage"):
        response = page.goto(f"{workbench}/events?service={service}")
        assert response.status == 200 and "sandbox allow-scripts" in response.headers["content-security-policy"]
        sent = [event.__name__ for event in all_events() if WRITER[topic_of(event)] == service]
        page.get_by_text(sent[-1], exact=True).first.wait_for(timeout=30_000)  # drawn by the viewer, not the raw JSON
        page.screenshot(path=screenshots / f"events-{service}.png", full_page=False)
    assert errors == []
    assert all(url.startswith(workbench) for url in requests), [url for url in requests if not url.startswith(workbench)]
    assert page.evaluate("() => { try { return document.cookie, 'reachable' } catch (e) { return 'opaque' } }") == "opaque"

    assert page.goto(f"{workbench}/events?service=mail").status == 422  # only the three services
    assert page.goto(f"{serve(triage_settings)}/events").status == 404  # not installed: says so, draws nothing
