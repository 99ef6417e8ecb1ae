"""Key rotation for cases: re-seal what rests sealed to a retired office key to the current one.

A maintenance job, run by an operator after a new office key is in place (`python -m triage.staff.cli
reseal`); it scans every case once, off the hot paths. Each write is guarded by the old value, so a
concurrent change is never overwritten (the next run picks it up).
"""

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from meldestelle_shared.sealing import Keyring

_FIELDS = ("sealed_description", "sealed_contact")


async def reseal_cases(database: AsyncDatabase, *, office_key: Keyring) -> int:
    """Re-seal every case's description, contact and timeline texts to the current office key; returns the values changed."""
    cases = database["cases"]
    changed = 0
    projection = {**{field: 1 for field in _FIELDS}, "timeline": 1}
    async for case in cases.find({}, projection):
        for field in _FIELDS:
            if case.get(field) and not office_key.is_current(case[field]):
                changed += await _replace(cases, case["_id"], field, case[field], office_key.reseal(case[field]))
        for index, entry in enumerate(case.get("timeline", [])):
            sealed = entry.get("sealed_text")
            if sealed and not office_key.is_current(sealed):
                path = f"timeline.{index}.sealed_text"
                changed += await _replace(cases, case["_id"], path, sealed, office_key.reseal(sealed), {f"timeline.{index}.id": entry.get("id")})
    return changed


async def _replace(cases: Any, case_id: str, path: str, old: str, new: str, guard: dict[str, Any] | None = None) -> int:
    result = await cases.update_one({"_id": case_id, path: old, **(guard or {})}, {"$set": {path: new}})
    return result.modified_count
