"""The event catalogue: each service's AsyncAPI document, from FastStream's own specification.

Consumers take raw batches (the project decodes events itself, see `consuming`), and events are sent
with `kafka.publish_event`, not through FastStream publishers. So each service declares here, for the
specification only, a publisher per topic it writes, whose schema is the union of the events it sends
there; the subscribers are the real ones. `python -m meldestelle_shared.catalogue` regenerates the
committed documents in docs/asyncapi/ with `faststream docs gen`; a static test fails when they are stale.
"""

import subprocess
import sys
import typing
from collections.abc import Iterable
from pathlib import Path
from typing import Union

from faststream import FastStream
from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI

from meldestelle_shared.events import AnyEvent, CaseCreated, CaseEvent, Event, MonthlyStatisticsPublished
from meldestelle_shared.settings import KafkaSettings
from meldestelle_shared.topics import Topics

SERVICES = ("intake", "triage", "notify")
VERSION = "1.0.0"
DOCUMENTS = Path(__file__).resolve().parents[3] / "docs" / "asyncapi"  # the repository's docs/asyncapi


def all_events() -> tuple[type[Event], ...]:
    """Every event type a consumer can decode, in the order `AnyEvent` lists them."""
    union = typing.get_args(AnyEvent)[0]
    return typing.get_args(union)


def topic_of(event: type[Event]) -> str:
    """The topic (by its `Topics` property name) an event is sent to: its writer decides."""
    if issubclass(event, CaseEvent | CaseCreated):
        return "cases"
    if issubclass(event, MonthlyStatisticsPublished):
        return "statistics"
    return "reports"


def kafka_settings(service: str) -> KafkaSettings:
    """Kafka settings for building a service's broker to describe it: the defaults, and a placeholder login it never uses."""
    return KafkaSettings(username=service, password="catalogue only")


def declare_published(broker: KafkaBroker, topics: Topics, names: Iterable[str], *, service: str) -> None:
    """Declare, for the specification only, what `service` sends to each named topic."""
    for name in names:
        sent = tuple(event for event in all_events() if topic_of(event) == name)
        summary = ", ".join(f"{event.__name__} (v{event.SCHEMA_VERSION})" for event in sent)
        broker.publisher(
            getattr(topics, name),
            title=f"{service}:{name}",
            description=f"{getattr(Topics, name).__doc__} Events, with their schema versions: {summary}.",
            schema=Union[sent],  # noqa: UP007 - a runtime union of classes
        )


def dead_letters_publisher(broker: KafkaBroker, topics: Topics, *, service: str) -> None:
    """Declare the dead-letter topic every consumer writes to: the original bytes, key and headers, plus why."""
    broker.publisher(
        topics.dead_letters,
        title=f"{service}:dead-letters",
        description=(
            f"{Topics.dead_letters.__doc__} The value and key are the original message's; headers dead_letter_error, "
            "dead_letter_consumer, dead_letter_topic, dead_letter_partition and dead_letter_offset say what failed where."
        ),
        schema=bytes,
    )


def describe(broker: KafkaBroker, *, service: str, summary: str) -> FastStream:
    """A FastStream app around one service's broker, only to carry its AsyncAPI document (never run)."""
    return FastStream(broker, specification=AsyncAPI(broker, title=f"Meldestelle {service}", version=VERSION, description=summary))


def generate(service: str, out: Path) -> None:
    """Write one service's document with `faststream docs gen`, as an integrator would (a fixed hash seed: FastStream orders channels by sets)."""
    command = [sys.executable, "-m", "faststream", "docs", "gen", "--factory", f"{service}.asyncapi:app", "--out", str(out)]
    subprocess.run(command, check=True, capture_output=True, env={"PATH": "/usr/bin:/bin", "PYTHONHASHSEED": "0"}, cwd=out.parent)


def main() -> None:
    """Regenerate every service's committed document."""
    DOCUMENTS.mkdir(parents=True, exist_ok=True)
    for service in SERVICES:
        generate(service, DOCUMENTS / f"{service}.json")
        print(f"wrote {DOCUMENTS / f'{service}.json'}")


if __name__ == "__main__":
    main()
