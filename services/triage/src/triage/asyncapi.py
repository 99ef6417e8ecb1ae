"""triage's AsyncAPI document: `faststream docs gen --factory triage.asyncapi:app`."""

from faststream import FastStream

from meldestelle_shared.catalogue import dead_letters_publisher, kafka_settings, declare_published, describe
from meldestelle_shared.sealing import generate_key_pair
from triage.bootstrap import bootstrap
from triage.settings import Settings


def app() -> FastStream:
    """triage's consumers as its bootstrap subscribes them, and what it sends; throwaway keys, nothing connects."""
    settings = Settings(kafka=kafka_settings("triage"), office_private_key=generate_key_pair()[0], totp_private_key=generate_key_pair()[0])
    broker = bootstrap(settings).broker
    declare_published(broker, settings.kafka.topics, ["cases", "statistics"], service="triage")
    dead_letters_publisher(broker, settings.kafka.topics, service="triage")
    return describe(broker, service="triage", summary="The office's case work: reads reports, sends case events and the monthly statistics.")
