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


@pytest.mark.parametrize("mechanism", ["SCRAM-SHA-256", "SCRAM-SHA-512"])
def test_the_services_broker_logs_in_with_the_chosen_mechanism(mechanism: str) -> None:
    """FastStream's broker (every service's consumer and producer) uses the configured SCRAM variant, not a fixed one."""
    from meldestelle_shared.kafka import create_broker

    broker = create_broker(KafkaSettings(username="triage", password="secret", sasl_mechanism=mechanism), client_id="test")
    # The consumers' client options, as FastStream hands them to aiokafka (no connection is made here).
    options = broker.config.broker_config.builder.keywords
    assert options["sasl_mechanism"] == mechanism and options["sasl_plain_username"] == "triage"
