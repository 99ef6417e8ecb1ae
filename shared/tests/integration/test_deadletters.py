"""The dead-letter tool against real Kafka: a parked message is listed, shown and replayed unchanged."""


import pytest

from devstack.probes import publish_raw, read_topic
from meldestelle_shared.deadletters import main

pytestmark = pytest.mark.infra


def test_list_show_and_replay(infrastructure, topics, capsys, monkeypatch):
    bootstrap = infrastructure.kafka.admin
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", bootstrap.bootstrap_servers)
    monkeypatch.setenv("KAFKA_TOPIC_PREFIX", topics.prefix)
    # The operator runs the tool as the super user: it reads dead letters and replays them to any topic.
    monkeypatch.setenv("KAFKA_USERNAME", bootstrap.username)
    monkeypatch.setenv("KAFKA_PASSWORD", bootstrap.password)
    headers = [
        ("event_type", b"ReportSubmitted"),
        ("dead_letter_error", b"undecodable: message: Invalid JSON"),
        ("dead_letter_topic", topics.reports.encode()),
        ("dead_letter_consumer", b"triage"),
    ]
    publish_raw(bootstrap, topics.dead_letters, [(b"key-1", b"\xff broken")], headers=headers)

    assert main(["list"]) == 0
    listing = capsys.readouterr().out
    assert f"0\t{topics.reports}\ttriage\tReportSubmitted\tundecodable" in listing
    assert main(["show", "0"]) == 0 and "Invalid JSON" in capsys.readouterr().out
    assert main(["show", "7"]) == 1

    assert main(["replay", "0"]) == 0
    [replayed] = read_topic(bootstrap, topics.reports)
    assert (replayed.key, replayed.value) == (b"key-1", b"\xff broken")
    assert dict(replayed.headers) == {"event_type": b"ReportSubmitted"}
