"""Starting and joining classroom sessions from tests, and a socket that keeps state."""

from __future__ import annotations

import json
from typing import Any

from channels.testing import WebsocketCommunicator
from django.test import Client

from labs.asgi import application


def start(client: Client, **form: str) -> str:
    """Start a session as the instructor behind ``client``; return its join code."""
    response = client.post("/classroom/start/", form or {"lab": "consistent-hashing"})
    assert response.status_code == 302, response.status_code
    return str(response.url).split("/")[2]


def join(client: Client, code: str, name: str) -> None:
    response = client.post("/classroom/join/", {"code": code, "name": name})
    assert response.status_code == 302, response.content[:500]


def headers(client: Client) -> list[tuple[bytes, bytes]]:
    cookie = "; ".join(f"{k}={v.value}" for k, v in client.cookies.items())
    return [
        (b"origin", b"http://127.0.0.1"),
        (b"host", b"127.0.0.1"),
        (b"cookie", cookie.encode()),
    ]


class ClassSocket:
    """One classroom socket; frames are merged like the browser's player merges them."""

    def __init__(self, path: str, client: Client) -> None:
        self.comm = WebsocketCommunicator(application, path, headers=headers(client))
        self.state: dict[str, Any] = {}
        self.frames: list[dict[str, Any]] = []
        self.seen: list[dict[str, Any]] = []

    async def open(self) -> None:
        connected, code = await self.comm.connect()
        assert connected, code

    async def recv(self, timeout: float = 5) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(await self.comm.receive_from(timeout=timeout))
        if data.get("type") == "frame":
            for key in data.get("unchanged", []):
                data["state"][key] = self.state[key]
            self.state = dict(data["state"])
            self.frames.append(data)
        self.seen.append(data)
        return data

    async def until(self, kind: str, timeout: float = 5) -> dict[str, Any]:
        while True:
            data = await self.recv(timeout)
            if data["type"] == kind:
                return data

    async def send(self, message: dict[str, Any]) -> None:
        await self.comm.send_to(text_data=json.dumps(message))

    async def ask(self, message: dict[str, Any], want: str = "frame") -> dict[str, Any]:
        await self.send(message)
        return await self.until(want)

    async def quiet(self, timeout: float = 0.3) -> bool:
        return await self.comm.receive_nothing(timeout=timeout)

    async def drain(self, timeout: float = 0.3) -> list[dict[str, Any]]:
        """Everything that arrives until the socket has been quiet for ``timeout``."""
        got = []
        while not await self.comm.receive_nothing(timeout=timeout):
            got.append(await self.recv())
        return got

    async def close(self) -> None:
        await self.comm.disconnect()
