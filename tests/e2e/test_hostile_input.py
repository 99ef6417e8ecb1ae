"""Hostile input against the real intake server: a clear 4xx or a closed connection, never a 5xx, memory bounded."""

import socket
import threading
import time

import httpx
import pytest

pytestmark = pytest.mark.e2e


def raw_request(port: int, data: bytes, *, timeout: float = 10) -> bytes:
    """Send bytes as they are and return whatever the server answers before closing."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except (ConnectionResetError, TimeoutError):
            pass
    return b"".join(chunks)


def post(port: int, body: bytes, extra_headers: bytes = b"") -> bytes:
    head = (
        b"POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\n"
        + extra_headers
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
    )
    return raw_request(port, head + body)


def status_of(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


def test_deeply_nested_json_is_refused_as_a_client_error(stack):
    nested = b'{"description": ' + b"[" * 30_000 + b"]" * 30_000 + b"}"
    assert status_of(post(stack.ports.intake, nested[: 60 * 1024])) in (400, 422)
    assert status_of(post(stack.ports.intake, b'{"description": ' + b"[" * 5000 + b"]" * 5000 + b"}")) in (400, 422)


def test_invalid_utf8_is_a_400(stack):
    response = post(stack.ports.intake, b'{"description": "\xff\xfe ungueltig \xc3\x28 kodiert"}')
    assert status_of(response) == 400 and b"malformed_body" in response


def test_huge_headers_are_refused_or_the_connection_closed(stack):
    response = post(stack.ports.intake, b"{}", extra_headers=b"X-Filler: " + b"a" * 200_000 + b"\r\n")
    assert response == b"" or 400 <= status_of(response) < 500


def test_a_declared_huge_body_is_refused_before_it_is_sent(stack):
    head = b"POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n"
    response = raw_request(stack.ports.intake, head)
    assert status_of(response) == 413


def test_a_slow_client_does_not_hold_up_anyone_else(stack):
    stop = threading.Event()

    def dribble() -> None:
        with socket.create_connection(("127.0.0.1", stack.ports.intake), timeout=30) as sock:
            sock.sendall(b"POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n")
            while not stop.is_set():
                try:
                    sock.sendall(b" ")
                except OSError:
                    return
                time.sleep(0.5)

    slow = [threading.Thread(target=dribble) for _ in range(20)]
    for thread in slow:
        thread.start()
    try:
        time.sleep(1)
        started = time.monotonic()
        assert httpx.get(f"{stack.url('intake')}/healthz", timeout=5).status_code == 200
        assert time.monotonic() - started < 1
    finally:
        stop.set()
        for thread in slow:
            thread.join()
