"""Tolerant readers, both ways: current code reads newer events, and code built on version 1.0 reads current ones."""

import json
from typing import Literal
from uuid import UUID, uuid4

import pytest
from pydantic import BaseModel, ConfigDict

from meldestelle_shared.events import ReportSubmitted, UndecodableEvent, decode_event, encode_event
from meldestelle_shared.sealing import generate_key_pair
from meldestelle_shared.taxonomy import Wish


class ReportSubmittedAsFirstReleased(BaseModel):
    """ReportSubmitted as the first release's readers knew it (schema version 1), frozen here on purpose."""

    model_config = ConfigDict(extra="ignore")

    event_id: UUID
    event_type: Literal["ReportSubmitted"]
    schema_version: int
    correlation_id: UUID
    report_id: UUID
    receipt_hash: str
    grounds: list[str]
    sealed_description: str


class ReportSubmittedAsVersion2(BaseModel):
    """ReportSubmitted as schema version 2 (no receipt hash, a reporter verify key) was released, frozen on purpose."""

    model_config = ConfigDict(extra="ignore")

    event_id: UUID
    event_type: Literal["ReportSubmitted"]
    schema_version: Literal[2]
    correlation_id: UUID
    report_id: UUID
    grounds: list[str]
    sealed_description: str
    reporter_verify_key: str | None


def current_report() -> ReportSubmitted:
    report_id = uuid4()
    return ReportSubmitted(
        correlation_id=report_id,
        report_id=report_id,
        sealed_description="c2VhbGVk",
        sealed_contact_for_notify="bm90aWZ5",
        reporter_public_key=generate_key_pair()[1],
    )


def test_older_reader_of_this_major_version_reads_the_current_event():
    current = current_report()
    old = ReportSubmittedAsVersion2.model_validate_json(encode_event(current))
    assert old.report_id == current.report_id and old.sealed_description == current.sealed_description


def test_current_reader_still_reads_a_first_release_event_left_on_the_topic():
    first = ReportSubmittedAsFirstReleased(
        event_id=uuid4(), event_type="ReportSubmitted", schema_version=1, correlation_id=uuid4(), report_id=uuid4(),
        receipt_hash="ab" * 32, grounds=["age"], sealed_description="c2VhbGVk",
    )  # fmt: skip
    event = decode_event(first.model_dump_json().encode())
    assert isinstance(event, ReportSubmitted) and event.report_id == first.report_id and event.reporter_verify_key is None
    assert "receipt_hash" not in encode_event(event).decode()


def test_a_first_release_reader_refuses_version_2_instead_of_guessing():
    """Dropping a field old readers required is a breaking change: the major version says so, and they dead-letter it."""
    assert json.loads(encode_event(current_report()))["schema_version"] == 2 > 1


def test_current_reader_reads_a_newer_event_with_an_added_optional_field():
    newer = json.loads(encode_event(current_report()))
    newer |= {"added_in_a_later_minor_version": {"nested": [1, 2, 3]}, "schema_version": 1}
    event = decode_event(json.dumps(newer).encode())
    assert isinstance(event, ReportSubmitted) and str(event.report_id) == newer["report_id"]


def test_a_report_from_before_wishes_and_referral_consent_reads_as_none_asked_and_no_consent():
    before = json.loads(encode_event(current_report()))
    del before["wishes"], before["referral_consent"]
    event = decode_event(json.dumps(before).encode())
    assert isinstance(event, ReportSubmitted) and event.wishes == [] and event.referral_consent is False


def test_wishes_and_referral_consent_survive_the_topic_and_older_readers_ignore_them():
    current = current_report().model_copy(update={"wishes": [Wish.ADVICE, Wish.LEGAL_SUPPORT], "referral_consent": True})
    event = decode_event(encode_event(current))
    assert event.wishes == [Wish.ADVICE, Wish.LEGAL_SUPPORT] and event.referral_consent is True
    assert ReportSubmittedAsVersion2.model_validate_json(encode_event(current)).report_id == current.report_id


def test_an_unknown_wish_on_the_topic_is_undecodable_and_says_where():
    newer = json.loads(encode_event(current_report())) | {"wishes": ["telepathy"]}
    with pytest.raises(UndecodableEvent, match="wishes"):
        decode_event(json.dumps(newer).encode())
