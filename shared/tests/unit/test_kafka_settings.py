"""KAFKA_SASL_MECHANISM: the project's brokers check SCRAM-SHA-256, Strimzi's SCRAM-SHA-512."""

import pytest
from pydantic import ValidationError

from meldestelle_shared.settings import KafkaSettings


def test_clients_use_scram_sha_256_unless_told_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KAFKA_SASL_MECHANISM", raising=False)
    options = KafkaSettings(username="intake", password="secret").client_options()
    assert options["sasl_mechanism"] == "SCRAM-SHA-256"


def test_scram_sha_512_is_chosen_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
    assert KafkaSettings(username="intake", password="secret").client_options()["sasl_mechanism"] == "SCRAM-SHA-512"


@pytest.mark.parametrize("mechanism", ["PLAIN", "GSSAPI", "scram-sha-256", ""])
def test_other_mechanisms_are_refused_by_name(mechanism: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """PLAIN would send the password itself; only the SCRAM variants are allowed."""
    monkeypatch.setenv("KAFKA_SASL_MECHANISM", mechanism)
    with pytest.raises(ValidationError, match="sasl_mechanism"):
        KafkaSettings()
