import json
import typing
from uuid import uuid4

import pytest

from meldestelle_shared.events import (
    AnyEvent,
    CaseCreated,
    ReportErasureRequested,
    ReportSubmitted,
    UndecodableEvent,
    decode_event,
    encode_event,
)
from meldestelle_shared.signing import ForgedSignature, public_verify_key, sign, signing_key, verify
from meldestelle_shared.taxonomy import Form, Ground, Priority


def report(**overrides) -> ReportSubmitted:
    report_id = uuid4()
    fields = dict(
        correlation_id=report_id,
        report_id=report_id,
        grounds=[Ground.RACIST_ATTRIBUTION, Ground.AGE],
        forms=[Form.THREAT],
        incident_date="2026-03",
        sealed_description="c2VhbGVk",
    )
    return ReportSubmitted(**(fields | overrides))


def test_report_submitted_round_trips():
    event = report()
    assert decode_event(encode_event(event)) == event


def test_case_created_round_trips_and_derives_a_stable_event_id():
    report_id = uuid4()
    first = CaseCreated.for_case(case_id=uuid4(), report_id=report_id, reference="DU-2026-000001", priority=Priority.HIGH)
    again = CaseCreated.for_case(case_id=first.case_id, report_id=report_id, reference="DU-2026-000001", priority=Priority.HIGH)
    assert decode_event(encode_event(first)) == first
    assert first.event_id == again.event_id


def test_reader_ignores_fields_added_by_a_newer_producer():
    data = json.loads(encode_event(report()))
    data["added_later"] = {"optional": True}
    assert isinstance(decode_event(json.dumps(data).encode()), ReportSubmitted)


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"\xff\xfe not json", "Invalid JSON"),
        (b'{"event_type": "SomethingNew"}', "event_type"),
        (b"[]", "message"),
    ],
)
def test_undecodable_messages_say_why(payload, reason):
    with pytest.raises(UndecodableEvent, match=reason):
        decode_event(payload)


def test_newer_major_version_is_refused():
    data = json.loads(encode_event(report()))
    data["schema_version"] = 3
    with pytest.raises(UndecodableEvent, match="schema_version 3"):
        decode_event(json.dumps(data).encode())


def test_unknown_code_is_refused():
    data = json.loads(encode_event(report()))
    data["grounds"] = ["astrology"]
    with pytest.raises(UndecodableEvent, match="grounds"):
        decode_event(json.dumps(data).encode())


def test_no_event_carries_a_receipt_hash():
    """It linked Kafka to intake's inboxes and no reader used it (issue 11/12)."""
    kinds = typing.get_args(typing.get_args(AnyEvent)[0])
    assert kinds and all("receipt_hash" not in kind.model_fields for kind in kinds)
    assert "receipt_hash" not in encode_event(report(receipt_hash="ab" * 32)).decode()


def test_reporter_requests_verify_only_with_the_reporters_key():
    reporter, stranger = signing_key(bytes(32)), signing_key(bytes([1]) * 32)
    report_id = uuid4()
    unsigned = ReportErasureRequested(correlation_id=report_id, report_id=report_id, signature="")
    genuine = unsigned.model_copy(update={"signature": sign(reporter, unsigned.signed_content())})
    verify(public_verify_key(reporter), genuine.signed_content(), genuine.signature)
    for forged in (unsigned, unsigned.model_copy(update={"signature": sign(stranger, unsigned.signed_content())})):
        with pytest.raises(ForgedSignature):
            verify(public_verify_key(reporter), forged.signed_content(), forged.signature)
    other_report = genuine.model_copy(update={"report_id": uuid4()})  # a signature does not carry over to another report
    with pytest.raises(ForgedSignature):
        verify(public_verify_key(reporter), other_report.signed_content(), other_report.signature)
    with pytest.raises(UndecodableEvent, match="signature"):
        decode_event(json.dumps(json.loads(encode_event(genuine)) | {"signature": None}).encode())
