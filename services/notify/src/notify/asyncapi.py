"""notify's AsyncAPI document: `faststream docs gen --factory notify.asyncapi:app`."""

from faststream import FastStream

from meldestelle_shared.catalogue import dead_letters_publisher, kafka_settings, describe
from notify.bootstrap import bootstrap
from notify.settings import Settings


def app() -> FastStream:
    """notify's consumer as its bootstrap subscribes it; it sends no events, only dead letters. Nothing connects."""
    settings = Settings(kafka=kafka_settings("notify"))
    broker = bootstrap(settings).broker
    dead_letters_publisher(broker, settings.kafka.topics, service="notify")
    return describe(broker, service="notify", summary="E-mails without content: reads report, case and statistics events.")
