"""Sending a socket's messages: one past the frame limit goes as ``part`` messages.

Every legal picture reaches the client, however large: a message longer than
``PAPERLABS_MAX_FRAME_BYTES`` is cut into parts the player joins, and one message's
parts go out together, never interleaved with the socket's other messages.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

from django.conf import settings

__all__ = ["Outbox"]


class Outbox:
    """One socket's sending side; ``send`` puts one text message on the wire."""

    def __init__(self, send: Callable[[str], Awaitable[None]]) -> None:
        self.send = send
        self.parts_sent = 0
        self.sending = asyncio.Lock()

    async def deliver(self, text: str) -> None:
        """Send one message; one over ``PAPERLABS_MAX_FRAME_BYTES`` goes as ``part``s.

        The text is ASCII (``json.dumps`` escapes the rest), so a slice of n characters
        is n bytes, at most 2n once quoted inside a part.
        """
        limit = int(settings.PAPERLABS_MAX_FRAME_BYTES)
        if len(text) <= limit:
            if self.sending.locked():
                async with self.sending:  # after the parts being sent, not among them
                    await self.send(text)
                return
            await self.send(text)
            return
        size = max(1024, limit // 2 - 256)
        count = -(-len(text) // size)
        self.parts_sent += 1
        # One message's parts go out together: other tasks of this socket (playing, a
        # sweep's progress) wait rather than slip a message in between.
        async with self.sending:
            for index in range(count):
                part = {
                    "type": "part",
                    "id": self.parts_sent,
                    "index": index,
                    "count": count,
                    "text": text[index * size : (index + 1) * size],
                }
                await self.send(json.dumps(part, separators=(",", ":")))
