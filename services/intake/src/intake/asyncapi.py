"""intake's AsyncAPI document: `faststream docs gen --factory intake.asyncapi:app`."""

from faststream import FastStream

from intake.bootstrap import bootstrap
from intake.settings import Settings
from meldestelle_shared.catalogue import dead_letters_publisher, kafka_settings, declare_published, describe
from meldestelle_shared.sealing import generate_key_pair


def app() -> FastStream:
    """intake's consumers as its bootstrap subscribes them, and what it sends; throwaway keys, nothing connects."""
    settings = Settings(kafka=kafka_settings("intake"), office_public_key=generate_key_pair()[1], notify_public_key=generate_key_pair()[1], receipt_pepper="catalogue only!!")
    broker = bootstrap(settings).broker
    declare_published(broker, settings.kafka.topics, ["reports"], service="intake")
    dead_letters_publisher(broker, settings.kafka.topics, service="intake")
    return describe(broker, service="intake", summary="The public site: sends what residents submit, reads case events and published statistics.")
