"""Bench only, never shipped: put on triage's PYTHONPATH, Python imports this at start-up and it times the
stages of the report drain (wall clock, summed per stage) into the JSON file named by BENCH_STAGES_FILE.

The stages are looked up by name and skipped when absent, so a changed triage still runs. Wall time in one
event loop overlaps: a stage waiting on the database lets the other consumer groups run meanwhile.
"""

import atexit
import functools
import importlib
import inspect
import json
import os
import time

_FILE = os.environ.get("BENCH_STAGES_FILE")
_totals: dict[str, list[float]] = {}
_written = [0.0]

# stage name -> (module, attribute path) of the function or method that does it
_STAGES = {
    "batch, reports group (all of it)": None,
    "batch, statistics group (all of it)": None,
    "batch, duplicates group (all of it)": None,
    "open_cases": ("triage.cases.service", "open_cases"),
    "  reference numbers (per-year counter)": ("triage.cases.repository", "CaseRepository.allocate_reference_numbers"),
    "  new_case (building a case)": ("triage.cases.service", "new_case"),
    "  insert_many of the cases": ("triage.cases.repository", "CaseRepository.insert_reporting_conflicts"),
    "  publish events (acks=all)": ("meldestelle_shared.kafka", "publish_events"),
    "apply_followups": ("triage.cases.followups", "apply_followups"),
    "statistics read model": ("triage.stats.service", "apply_case_events"),
    "duplicate groups": ("triage.cases.duplicates", "link_duplicates"),
}


def _add(stage: str, seconds: float) -> None:
    total = _totals.setdefault(stage, [0, 0.0])
    total[0] += 1
    total[1] += seconds
    if time.monotonic() - _written[0] > 1:
        _write()


def _write() -> None:
    _written[0] = time.monotonic()
    if _FILE:
        with open(_FILE + ".tmp", "w") as file:
            json.dump({stage: {"calls": calls, "seconds": seconds} for stage, (calls, seconds) in _totals.items()}, file)
        os.replace(_FILE + ".tmp", _FILE)


def _timed(stage: str, function):
    if inspect.iscoroutinefunction(function):

        @functools.wraps(function)
        async def timed_async(*args, **kwargs):
            started = time.perf_counter()
            try:
                return await function(*args, **kwargs)
            finally:
                _add(stage, time.perf_counter() - started)

        return timed_async

    @functools.wraps(function)
    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            _add(stage, time.perf_counter() - started)

    return timed


def _install() -> None:
    for stage, where in _STAGES.items():
        if where is None:
            continue
        module_name, path = where
        try:
            owner = importlib.import_module(module_name)
        except ImportError:
            continue
        *parents, name = path.split(".")
        for parent in parents:
            owner = getattr(owner, parent, None)
        if owner is not None and hasattr(owner, name):
            setattr(owner, name, _timed(stage, getattr(owner, name)))
    consuming = importlib.import_module("meldestelle_shared.consuming")
    call = consuming.BatchConsumer.__call__

    async def timed_call(self, message):
        started = time.perf_counter()
        try:
            return await call(self, message)
        finally:
            kind = "statistics" if self.name.endswith("-stats") else "duplicates" if self.name.endswith("-duplicates") else "reports"
            _add(f"batch, {kind} group (all of it)", time.perf_counter() - started)

    consuming.BatchConsumer.__call__ = timed_call


if _FILE:
    _install()
    atexit.register(_write)
