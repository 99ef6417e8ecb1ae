"""bench/results.json is what tools read: every entry must carry the fields issue 14 names, with usable types."""

import json
from datetime import datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results.json"
NUMBER = (int, float)
# Each required field and the types it may hold (None where a benchmark has no baseline or ratio).
REQUIRED = {
    "name": (str,),
    "target": (str,),
    "measured": NUMBER,
    "baseline": (*NUMBER, type(None)),
    "ratio": (*NUMBER, type(None)),
    "unit": (str,),
    "date": (str,),
    "commit": (str,),
    "met": (bool,),
}


def problems(entries: object) -> list[str]:
    """What is wrong with a results.json document, one line per problem; empty when it is well formed."""
    if not isinstance(entries, list):
        return ["the document is not a list of entries"]
    found, names = [], [entry.get("name") for entry in entries if isinstance(entry, dict)]
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            found.append(f"entry {index} is not an object")
            continue
        for field, types in REQUIRED.items():
            if field not in entry:
                found.append(f"entry {index} ({entry.get('name')}) lacks {field}")
            elif not isinstance(entry[field], types) or (field != "met" and isinstance(entry[field], bool)):
                found.append(f"entry {index} ({entry.get('name')}): {field} is {type(entry[field]).__name__}")
        if isinstance(entry.get("date"), str):
            try:
                datetime.fromisoformat(entry["date"])
            except ValueError:
                found.append(f"entry {index} ({entry.get('name')}): date is not ISO 8601")
    found += [f"name {name!r} appears more than once" for name in {n for n in names if names.count(n) > 1}]
    return found


@pytest.mark.skipif(not RESULTS.exists(), reason="no benchmark has written bench/results.json yet")
def test_committed_results_have_every_required_field():
    assert problems(json.loads(RESULTS.read_text())) == []


def test_record_result_writes_entries_the_check_accepts(tmp_path, monkeypatch):
    harness = pytest.importorskip("bench.harness")
    monkeypatch.setattr(harness, "RESULTS_JSON", tmp_path / "results.json")
    harness.record_result("backlog", target="≥ 2000 cases/s", measured=1500.0, baseline=3000.0, unit="cases/s", met=False)
    harness.record_result("footprint", target="≤ 2048 MiB", measured=900.0, baseline=None, unit="MiB", met=True)
    harness.record_result("backlog", target="≥ 2000 cases/s", measured=2100.0, baseline=3000.0, unit="cases/s", met=True)
    entries = json.loads((tmp_path / "results.json").read_text())
    assert problems(entries) == []
    assert [(e["name"], e["measured"], e["ratio"]) for e in entries] == [("backlog", 2100.0, 0.7), ("footprint", 900.0, None)]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda e: e.pop("commit"), "lacks commit"),
        (lambda e: e.update(met="yes"), "met is str"),
        (lambda e: e.update(measured=True), "measured is bool"),
        (lambda e: e.update(date="1 Dec"), "date is not ISO 8601"),
    ],
)
def test_the_check_rejects_an_incomplete_entry(change, problem):
    entry = {"name": "end_to_end", "target": "p99 < 1000 ms", "measured": 640.0, "baseline": 40.0, "ratio": 16.0,
             "unit": "ms p99", "date": "2026-12-01T20:00:00+00:00", "commit": "abc", "met": True}  # fmt: skip
    change(entry)
    assert any(problem in line for line in problems([entry]))
