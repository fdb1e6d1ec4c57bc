"""A real Daphne on loopback for the benchmarks, on its own SQLite file.

Also a minimal websocket client that merges delta frames, and the percentiles the
benchmarks print.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.servers import ROOT, daphne


@contextmanager
def served(setup: str = "", settings: dict[str, str] | None = None) -> Iterator[str]:
    """Migrate a fresh database, run ``setup`` (Python, in ``manage.py shell``), serve it.

    ``settings`` are extra environment settings for the server (``PAPERLABS_*``).

    Yields ``127.0.0.1:PORT``; the server and the database are gone afterwards.
    """
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            "DJANGO_SETTINGS_MODULE": "labs.settings",
            **(settings or {}),
        }
        env.pop("REDIS_URL", None)
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=300)
        if setup:
            subprocess.run(
                [*manage, "shell", "-c", setup], cwd=ROOT, env=env, check=True, timeout=300
            )
        with daphne(env) as address:
            yield address


def percentile(sorted_values: list[float], q: float) -> float:
    """The nearest-rank percentile ``q`` (0..100) of already sorted values; NaN if none."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


class Client:
    """One lab socket: send actions, receive messages, keep the merged state."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.state: dict[str, Any] = {}
        self.hello: dict[str, Any] = {}
        self.bytes = 0

    @classmethod
    async def open(cls, address: str, path: str) -> Client:
        import websockets

        ws = await websockets.connect(  # type: ignore[attr-defined]
            f"ws://{address}{path}", origin=f"http://{address}", max_size=2**24
        )
        client = cls(ws)
        client.hello = await client.until("hello", timeout=60)
        await client.until("frame", timeout=60)
        return client

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(message))

    async def recv(self, timeout: float) -> dict[str, Any]:
        """The next message; one the server sent as ``part``s is joined first, as the
        player joins it (labs/live/outbox.py)."""
        deadline = time.monotonic() + timeout
        parts: list[str] = []
        while True:
            raw = await asyncio.wait_for(
                self.ws.recv(), timeout=max(0.001, deadline - time.monotonic())
            )
            self.bytes += len(raw)
            data: dict[str, Any] = json.loads(raw)
            if data.get("type") != "part":
                break
            if data["index"] == 0:
                parts = []
            parts.append(data["text"])
            if len(parts) == data["count"]:
                data = json.loads("".join(parts))
                break
        if data.get("type") == "frame":
            for key in data.get("unchanged", []):
                data["state"][key] = self.state[key]
            self.state = dict(data["state"])
        return data

    async def until(self, kind: str, timeout: float) -> dict[str, Any]:
        """The next message of type ``kind``; an ``error`` raises; others are skipped."""
        deadline = time.monotonic() + timeout
        while True:
            data = await self.recv(max(0.001, deadline - time.monotonic()))
            if data.get("type") == kind:
                return data
            if data.get("type") == "error":
                raise RuntimeError(f"the server refused a message: {data.get('message')}")

    async def close(self) -> None:
        await self.ws.close()
