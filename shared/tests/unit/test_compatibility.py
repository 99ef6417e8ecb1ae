"""Tolerant readers, both ways: current code reads newer events, and code built on version 1.0 reads current ones."""

import json
from typing import Literal
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict

from meldestelle_shared.events import ReportSubmitted, decode_event, encode_event
from meldestelle_shared.sealing import generate_key_pair


class ReportSubmittedAsFirstReleased(BaseModel):
    """ReportSubmitted as the first release's readers knew it, frozen here on purpose."""

    model_config = ConfigDict(extra="ignore")

    event_id: UUID
    event_type: Literal["ReportSubmitted"]
    schema_version: int
    correlation_id: UUID
    report_id: UUID
    receipt_hash: str
    grounds: list[str]
    sealed_description: str


def current_report() -> ReportSubmitted:
    report_id = uuid4()
    return ReportSubmitted(
        correlation_id=report_id,
        report_id=report_id,
        receipt_hash="ab",
        sealed_description="c2VhbGVk",
        sealed_contact_for_notify="bm90aWZ5",
        reporter_public_key=generate_key_pair()[1],
    )


def test_older_reader_reads_the_current_event():
    current = current_report()
    old = ReportSubmittedAsFirstReleased.model_validate_json(encode_event(current))
    assert old.report_id == current.report_id and old.sealed_description == current.sealed_description


def test_current_reader_reads_a_newer_event_with_an_added_optional_field():
    newer = json.loads(encode_event(current_report()))
    newer |= {"added_in_a_later_minor_version": {"nested": [1, 2, 3]}, "schema_version": 1}
    event = decode_event(json.dumps(newer).encode())
    assert isinstance(event, ReportSubmitted) and str(event.report_id) == newer["report_id"]
