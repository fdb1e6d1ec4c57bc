"""The transport's bounds, through a real Daphne: oversized messages, clients that do
not read."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.labs.rawws import RawSocket
from tests.servers import daphne

CH = "/ws/labs/consistent-hashing/"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "labs.settings",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        **extra,
    }
    env.pop("REDIS_URL", None)
    return env


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    with daphne(_env(tmp_path)) as address:
        yield address


def _opened(address: str, **kw: int) -> RawSocket:
    sock = RawSocket(address, CH, **kw)
    assert sock.recv_json()["type"] == "hello"
    assert sock.recv_json()["type"] == "frame"
    return sock


def test_a_message_over_the_transport_limit_gets_an_error_frame_not_a_closed_socket(
    server: str,
) -> None:
    sock = _opened(server)
    sock.send_text('{"action":"step","pad":"' + "x" * (3 * 1024 * 1024) + '"}')
    refusal = sock.recv_json()
    assert refusal["type"] == "error" and refusal["field"] == "message", refusal
    assert "must be at most 65536 bytes" in refusal["message"]
    # The socket and the engine survive.
    sock.send_text('{"action":"add_node"}')
    frame = sock.recv_json()
    assert frame["type"] == "frame" and frame["step"] == 1, frame
    sock.close()


def test_a_client_that_does_not_read_is_closed_not_buffered_for(tmp_path: Path) -> None:
    with daphne(_env(tmp_path, PAPERLABS_SEND_BUFFER_BYTES="200000")) as address:
        sock = _opened(address, rcvbuf=4096)
        # Each of these frames is over a megabyte (the largest ring's picture, sent in
        # parts); the client reads none of them.
        for vnodes in (256, 255, 256, 255, 256, 255):
            params = {"nodes": 64, "vnodes": vnodes, "keys": 0}
            try:
                sock.send_text(json.dumps({"action": "set_params", "params": params}))
            except OSError:
                break
            time.sleep(1.5)
        # The server gave up on this client: reading what is left ends in a close, not
        # in a wait for frames still coming (that would time out: TimeoutError).
        sock.sock.settimeout(20)
        with pytest.raises(ConnectionError):
            for _ in range(10_000):
                sock.recv_json()
        sock.close()
