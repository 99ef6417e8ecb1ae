"""The event catalogue: docs/asyncapi is what `faststream docs gen` makes of each service today, names every event, and
the viewer triage serves it with is the npm package's own files."""

import hashlib
import json
from pathlib import Path

import pytest

from meldestelle_shared.catalogue import SERVICES, all_events, generate

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = ROOT / "docs" / "asyncapi"
VIEWER = ROOT / "services" / "triage" / "src" / "triage" / "workbench" / "static" / "asyncapi"


@pytest.mark.parametrize("service", SERVICES)
def test_the_committed_document_is_what_faststream_generates_today(service, tmp_path):
    generate(service, tmp_path / f"{service}.json")
    fresh = json.loads((tmp_path / f"{service}.json").read_text())
    committed = json.loads((DOCUMENTS / f"{service}.json").read_text())
    assert committed == fresh, f"docs/asyncapi/{service}.json is stale: run `.venv/bin/python -m meldestelle_shared.catalogue`"


def test_every_event_is_documented_with_its_topic_and_schema_version():
    documents = {service: json.loads((DOCUMENTS / f"{service}.json").read_text()) for service in SERVICES}
    for event in all_events():
        writers = [service for service, document in documents.items() if event.__name__ in document["components"]["schemas"]]
        assert writers, f"{event.__name__} is in no service's document"
        channel_texts = [channel["description"] for service in writers for channel in documents[service]["channels"].values()]
        assert any(f"{event.__name__} (v{event.SCHEMA_VERSION})" in text for text in channel_texts), event.__name__


def test_every_consumer_group_is_documented():
    receiving = {
        service: {op["channel"]["$ref"] for op in json.loads((DOCUMENTS / f"{service}.json").read_text())["operations"].values() if op["action"] == "receive"}
        for service in SERVICES
    }
    assert all(receiving.values()), receiving  # each service reads at least one topic


def test_the_vendored_viewer_is_the_npm_package_s_files():
    source = json.loads((VIEWER / "SOURCE.json").read_text())
    for name, entry in source["files"].items():
        assert hashlib.sha256((VIEWER / name).read_bytes()).hexdigest() == entry["sha256"], name
