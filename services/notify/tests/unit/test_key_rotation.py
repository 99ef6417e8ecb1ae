"""notify's key rotation: addresses sealed to a retired key still open, through the keyring bootstrap builds from the settings."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from pydantic import SecretStr

from meldestelle_shared.events import CaseStatusChanged, ReportSubmitted
from meldestelle_shared.sealing import SealingError, generate_key_pair, load_public_key, seal
from meldestelle_shared.settings import KafkaSettings
from meldestelle_shared.taxonomy import CaseStatus
from notify.bootstrap import unsealer
from notify.settings import Settings

OLD, NEW = generate_key_pair(), generate_key_pair()


def settings(current: str, retired: str = "") -> Settings:
    return Settings(
        private_key=SecretStr(current),
        retired_private_keys=SecretStr(retired),
        kafka=KafkaSettings(username="notify", password="unit-test-password"),  # the unit tier never connects
    )


@pytest.fixture
def open_sealed():
    """The notifier opens addresses as bootstrap wires it after a rotation: the new key current, the old one retired."""
    return unsealer(settings(NEW[0], retired=f" {generate_key_pair()[0]}, {OLD[0]} "))


def test_a_keyring_opens_addresses_sealed_to_the_current_or_a_retired_key():
    rotated = unsealer(settings(NEW[0], retired=OLD[0]))
    assert rotated(seal(load_public_key(OLD[1]), "old@example.org")) == "old@example.org"
    assert rotated(seal(load_public_key(NEW[1]), "new@example.org")) == "new@example.org"
    with pytest.raises(SealingError):  # without the retired key, an address sealed to it stays closed
        unsealer(settings(NEW[0]))(seal(load_public_key(OLD[1]), "old@example.org"))


async def test_a_reporter_whose_address_was_sealed_before_the_rotation_still_gets_the_notice(notifier, outbox):
    report_id = uuid4()
    report = ReportSubmitted(
        correlation_id=report_id, report_id=report_id, sealed_description="x",
        sealed_contact_for_notify=seal(load_public_key(OLD[1]), "before@example.org"), language="de",
    )  # fmt: skip
    start = datetime(2026, 11, 24, 8, tzinfo=UTC)
    news = CaseStatusChanged(
        correlation_id=report_id, case_id=uuid4(), report_id=report_id, status=CaseStatus.IN_PROGRESS,
        previous_status=CaseStatus.IN_REVIEW, occurred_at=start,
    )  # fmt: skip
    await notifier.handle([report, news])
    await notifier.send_due(start + timedelta(minutes=15))
    assert [m["To"] for m in outbox] == ["before@example.org"]
