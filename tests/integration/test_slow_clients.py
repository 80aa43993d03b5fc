"""Slow and greedy clients against a real ``reportgen serve``: each is cut off, within a bound.

Real sockets on a real server process, with deadlines of one second so that the test is
short; every read has a deadline of its own, well beyond the server's.
"""

import contextlib
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.console import clean_env, reportgen
from tests.integration.test_cli_serve import free_port, serving

BOUND_SECONDS = 10  # far beyond the 1 s deadlines: a server that never cuts off fails
DEADLINES = {
    "REPORTGEN_CLIENT_HEADER_TIMEOUT_SECONDS": "1",
    "REPORTGEN_CLIENT_BODY_TIMEOUT_SECONDS": "1",
    "REPORTGEN_KEEP_ALIVE_SECONDS": "1",
    "REPORTGEN_MAX_HEADER_BYTES": "16384",
}
HEAD = b"POST /api/v1/reports/report-123/generate HTTP/1.1\r\nHost: localhost\r\n"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("slow-clients")
    assert reportgen("db", "upgrade", env=clean_env(data_dir)).returncode == 0
    return data_dir


@pytest.fixture(scope="module")
def port(data_dir: Path) -> Iterator[int]:
    port = free_port()
    with serving(data_dir, port, **DEADLINES):
        yield port


@pytest.fixture(scope="module")
def authorization(data_dir: Path, port: int) -> bytes:
    issued = reportgen("token", "--sub", "alice", "--role", "analyst", env=clean_env(data_dir))
    return b"Authorization: Bearer " + issued.stdout.strip().encode() + b"\r\n"


def connect(port: int) -> socket.socket:
    connection = socket.create_connection(("127.0.0.1", port), timeout=BOUND_SECONDS)
    connection.settimeout(BOUND_SECONDS)
    return connection


def read_until_closed(connection: socket.socket, bound: float = BOUND_SECONDS) -> bytes:
    """Everything the server sends until it closes the connection; ``TimeoutError`` if it
    keeps it open beyond ``bound`` seconds."""
    received = b""
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        try:
            chunk = connection.recv(65536)
        except ConnectionResetError:
            return received
        if not chunk:
            return received
        received += chunk
    raise TimeoutError(f"still open after {bound} s; received {received[:200]!r}")


def test_an_idle_connection_is_closed(port: int) -> None:
    with connect(port) as connection:
        assert read_until_closed(connection) == b""


def test_a_head_sent_a_byte_at_a_time_is_cut_off_with_408(port: int) -> None:
    with connect(port) as connection:
        connection.sendall(HEAD)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            for _ in range(BOUND_SECONDS * 4):
                connection.sendall(b"X")
                time.sleep(0.25)
        answer = read_until_closed(connection)

    assert answer.startswith(b"HTTP/1.1 408 ")
    assert answer.endswith(b'{"error":"The request head came too slowly."}')


def test_a_body_that_stops_coming_is_cut_off_with_408(port: int, authorization: bytes) -> None:
    with connect(port) as connection:
        connection.sendall(
            HEAD + authorization + b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
        )
        answer = read_until_closed(connection)

    assert answer.startswith(b"HTTP/1.1 408 ")
    assert answer.endswith(b'{"error":"The request body came too slowly."}')


def test_a_1_mib_header_is_refused_with_431(port: int) -> None:
    with connect(port) as connection:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            connection.sendall(HEAD + b"X-Padding: " + b"a" * 1024 * 1024 + b"\r\n\r\n")
        answer = read_until_closed(connection)

    assert answer.startswith(b"HTTP/1.1 431 ")


def test_a_connection_kept_alive_is_closed_once_idle_after_its_answer(port: int) -> None:
    with connect(port) as connection:
        connection.sendall(b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        # Sooner than uvicorn's own default of 5 s: the configured 1 s holds.
        answer = read_until_closed(connection, bound=4)

    assert answer.startswith(b"HTTP/1.1 200 ")
    assert b'"status":"ok"' in answer
