"""The fixed-rate load generator of the end-to-end benchmark, run as a process of its own.

    .venv/bin/python -m bench.end_to_end.load URL RATE SECONDS OUTPUT.json

Open loop: request i is sent at start + i/RATE whether or not earlier ones were answered, so a slow
server shows as latency, not as a lower rate. It speaks HTTP/1.1 itself over keep-alive connections on
uvloop, with the bodies encoded before the clock starts: a request costs tens of microseconds of the
generator's CPU, not the ~1 ms of a full client, so on two shared cores it takes little from the services
it measures. Being its own process, its pauses (garbage collection, scheduling) do not delay the benchmark's
reading of results, and the services' do not delay its sends. Writes {report_id: ns sent}, the POST → 201
latencies and the failures as JSON.
"""

import asyncio
import json
import random
import sys
import time
from urllib.parse import urlsplit

import uvloop

from bench.synthetic import report


class Connections:
    """Keep-alive HTTP/1.1 connections to one server: a recently used one is reused, otherwise a new one is opened."""

    # uvicorn closes a keep-alive connection idle for 5 s; one idle for longer than this is not reused,
    # so a request never races the server closing its connection.
    MAX_IDLE = 2.0

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter, float]] = []

    async def _connection(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        while self.idle:
            reader, writer, since = self.idle.pop()
            if time.monotonic() - since < self.MAX_IDLE:
                return reader, writer
            writer.close()
        return await asyncio.open_connection(self.host, self.port)

    async def post(self, request: bytes) -> tuple[int, bytes]:
        """Send one prepared request; returns the status and the body."""
        reader, writer = await self._connection()
        try:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            headers = dict(line.split(":", 1) for line in lines[1:] if ":" in line)
            length = int(next((v for k, v in headers.items() if k.lower() == "content-length"), "0"))
            body = await reader.readexactly(length)
        except BaseException:
            writer.close()
            raise
        self.idle.append((reader, writer, time.monotonic()))
        return int(lines[0].split(" ", 2)[1]), body


def prepared(url: str, count: int, seed: int = 11) -> list[bytes]:
    """`count` POST requests with varied report bodies, encoded in full before the clock starts."""
    parts, rng = urlsplit(url), random.Random(seed)
    requests = []
    for _ in range(count):
        body = json.dumps(report(rng)).encode()
        head = (
            f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: application/json\r\n"
            f"Accept: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        requests.append(head.encode() + body)
    return requests


async def run(url: str, rate: float, seconds: float) -> dict:
    """Send at `rate` for `seconds`; returns what was accepted when, the POST latencies and the failures."""
    parts = urlsplit(url)
    connections = Connections(parts.hostname, parts.port)
    requests = prepared(url, int(rate * seconds))
    sent: dict[str, int] = {}
    latencies: list[float] = []
    failures: list[str] = []
    lateness: list[float] = []

    async def one(request: bytes) -> None:
        started = time.time_ns()
        try:
            status, body = await asyncio.wait_for(connections.post(request), timeout=30)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError) as error:
            failures.append(type(error).__name__)
            return
        if status == 201:
            sent[json.loads(body)["report_id"]] = started
            latencies.append((time.time_ns() - started) / 1e6)
        else:
            failures.append(str(status))

    tasks, start = [], time.monotonic()
    for index, request in enumerate(requests):
        due = start + index / rate
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        lateness.append((time.monotonic() - due) * 1000)
        tasks.append(asyncio.create_task(one(request)))
    await asyncio.gather(*tasks)
    return {"sent": sent, "latencies_ms": latencies, "failures": failures, "send_lateness_ms": lateness}


def main() -> None:
    """Run the load and write its JSON to the output file."""
    url, rate, seconds, output = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    result = uvloop.run(run(url, rate, seconds))
    with open(output, "w") as file:
        json.dump(result, file)


if __name__ == "__main__":
    main()
