"""Duplicate hints: reports of the same area, district and month whose texts are alike."""

import re
from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import Any

from nacl.public import PrivateKey

from meldestelle_shared.sealing import unseal
from triage.cases.repository import CaseRepository

_WORDS = re.compile(r"\w+")


def normalise(text: str) -> list[str]:
    """The lower-case words of a text, so punctuation and layout do not count."""
    return _WORDS.findall(text.lower())


def similarity(first: str, second: str) -> float:
    """How alike two texts are, from 0 (nothing shared) to 1 (the same words in the same order).

    Compared word by word, not character by character: about forty times faster, nearly the same score.
    """
    a, b = normalise(first), normalise(second)
    if not a or not b:
        return 0.0
    return round(SequenceMatcher(None, a, b, autojunk=False).ratio(), 3)


async def link_duplicates(
    case_ids: Sequence[str], *, cases: CaseRepository, office_key: PrivateKey, threshold: float
) -> int:
    """Link each case to earlier-or-later cases of the same life area, district and month with a similar text.

    The texts are opened in memory only; the hint stores ids, the reference and the score. Returns new links.
    """
    linked = 0
    for case in await cases.find({"_id": {"$in": list(case_ids)}}, full=True):
        reporter = case["reporter"]
        if not reporter.get("life_area") or not reporter.get("district"):
            continue  # too little in common to call anything a duplicate
        candidates = await cases.find(
            {
                "_id": {"$ne": case["_id"]},
                "received_month": case["received_month"],
                "reporter.life_area": reporter["life_area"],
                "reporter.district": reporter["district"],
            },
            limit=200,
            full=True,
        )
        text = unseal(office_key, case["sealed_description"])
        for other in candidates:
            if other["_id"] in case.get("duplicates", {}):
                continue
            score = similarity(text, unseal(office_key, other["sealed_description"]))
            if score >= threshold:
                await cases.update_fields(case["_id"], {f"duplicates.{other['_id']}": _hint(other, score)})
                await cases.update_fields(other["_id"], {f"duplicates.{case['_id']}": _hint(case, score)})
                linked += 1
    return linked


def _hint(other: dict[str, Any], score: float) -> dict[str, Any]:
    return {"case_id": other["_id"], "reference": other["reference"], "score": score, "state": "suggested"}
