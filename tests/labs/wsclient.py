"""A small wrapper over Channels' WebsocketCommunicator for the consumer tests."""

from __future__ import annotations

import json
from typing import Any

from channels.testing import WebsocketCommunicator

from labs.asgi import application

HEADERS = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]


class LabSocket:
    def __init__(self, path: str) -> None:
        self.comm = WebsocketCommunicator(application, path, headers=HEADERS)
        self.hello: dict[str, Any] | None = None
        self.state: dict[str, Any] = {}
        self.received_bytes = 0  # the largest single websocket message seen
        self.parts_joined = 0

    async def open(self) -> dict[str, Any]:
        connected, code = await self.comm.connect()
        assert connected, code
        first = await self.recv()
        if first["type"] == "error":
            return first
        assert first["type"] == "hello", first
        self.hello = first
        frame = await self.recv()
        assert frame["type"] == "frame", frame
        return frame

    async def recv(self, timeout: float = 5) -> dict[str, Any]:
        message = await self.comm.receive_from(timeout=timeout)
        data: dict[str, Any] = json.loads(message)
        self.received_bytes = max(self.received_bytes, len(message.encode()))
        if data.get("type") == "part":
            # A large message in parts, joined as the browser player joins them.
            parts = [data["text"]]
            for _ in range(data["count"] - 1):
                part = json.loads(await self.comm.receive_from(timeout=timeout))
                assert part["type"] == "part" and part["id"] == data["id"], part
                parts.append(part["text"])
            self.parts_joined += 1
            data = json.loads("".join(parts))
        if data.get("type") == "frame":
            # Frames carry the state as a delta by key, as the browser player merges it.
            for key in data.get("unchanged", []):
                data["state"][key] = self.state[key]
            self.state = dict(data["state"])
        return data

    async def send(self, data: Any) -> None:
        await self.comm.send_to(text_data=json.dumps(data))

    async def ask(self, data: Any, want: str = "frame", timeout: float = 5) -> dict[str, Any]:
        """Send and return the first message of type ``want`` (skipping notices)."""
        await self.send(data)
        while True:
            message = await self.recv(timeout)
            if message["type"] == want or message["type"] == "error":
                return message

    async def close(self) -> None:
        await self.comm.disconnect()
