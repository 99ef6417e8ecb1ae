"""The dead-letter tool: list, show and replay messages consumers could not process.

    python -m meldestelle_shared.deadletters list
    python -m meldestelle_shared.deadletters show OFFSET
    python -m meldestelle_shared.deadletters replay OFFSET

It reads `<prefix>.dead-letters` from the beginning without joining a consumer group, and a
replay publishes the original bytes, key and headers back to the topic they came from.
"""

import argparse
import asyncio
import json
import sys
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from meldestelle_shared.settings import KafkaSettings

_PREFIX = "dead_letter_"


@dataclass(frozen=True)
class DeadLetter:
    """One parked message with why and where it failed."""

    offset: int
    key: bytes | None
    value: bytes
    headers: dict[str, str]

    @property
    def error(self) -> str:
        """Why the consumer gave up."""
        return self.headers.get(f"{_PREFIX}error", "")

    @property
    def original_topic(self) -> str:
        """The topic the message was consumed from."""
        return self.headers[f"{_PREFIX}topic"]

    def original_headers(self) -> list[tuple[str, bytes]]:
        """The headers the message had before it was dead-lettered."""
        return [(name, value.encode()) for name, value in self.headers.items() if not name.startswith(_PREFIX)]


async def read_dead_letters(settings: KafkaSettings, *, idle_ms: int = 1000) -> list[DeadLetter]:
    """Every dead letter so far, oldest first."""
    consumer = AIOKafkaConsumer(
        settings.topics.dead_letters,
        bootstrap_servers=settings.bootstrap_servers,
        group_id=None,
        auto_offset_reset="earliest",
        **settings.client_options(),
    )
    await consumer.start()
    letters = []
    try:
        while batch := await consumer.getmany(timeout_ms=idle_ms):
            for records in batch.values():
                letters.extend(
                    DeadLetter(r.offset, r.key, r.value or b"", {k: v.decode(errors="replace") for k, v in r.headers or ()})
                    for r in records
                )
    finally:
        await consumer.stop()
    return sorted(letters, key=lambda letter: letter.offset)


async def replay(settings: KafkaSettings, letter: DeadLetter) -> None:
    """Publish a dead letter back to its original topic, unchanged."""
    producer = AIOKafkaProducer(bootstrap_servers=settings.bootstrap_servers, enable_idempotence=True, **settings.client_options())
    await producer.start()
    try:
        await producer.send_and_wait(letter.original_topic, letter.value, key=letter.key, headers=letter.original_headers())
    finally:
        await producer.stop()


def main(argv: list[str] | None = None) -> int:
    """Run the command line tool against the Kafka in KAFKA_BOOTSTRAP_SERVERS / KAFKA_TOPIC_PREFIX, as KAFKA_USERNAME (the operator's admin)."""
    parser = argparse.ArgumentParser(prog="python -m meldestelle_shared.deadletters", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="one line per dead letter")
    for name in ("show", "replay"):
        commands.add_parser(name, help=f"{name} one dead letter").add_argument("offset", type=int)
    args = parser.parse_args(argv)
    settings = KafkaSettings.from_environment()
    letters = {letter.offset: letter for letter in asyncio.run(read_dead_letters(settings))}
    if args.command == "list":
        for letter in letters.values():
            consumer = letter.headers.get(f"{_PREFIX}consumer", "?")
            print(f"{letter.offset}\t{letter.original_topic}\t{consumer}\t{letter.headers.get('event_type', '-')}\t{letter.error}")
        return 0
    letter = letters.get(args.offset)
    if letter is None:
        print(f"no dead letter at offset {args.offset}", file=sys.stderr)
        return 1
    if args.command == "show":
        print(json.dumps({"offset": letter.offset, "headers": letter.headers, "value": letter.value.decode(errors="replace")}, indent=2))
    else:
        asyncio.run(replay(settings, letter))
        print(f"replayed offset {letter.offset} to {letter.original_topic}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
