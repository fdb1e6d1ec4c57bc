"""A lecture's messages to this process's students: one subscription, one loop.

Every student socket of a session on this process registers with the session's hub.
The hub holds the process's one channel-layer subscription to the session's group,
decodes each message once, and hands its text, encoded once by the instructor's
process, to each socket in turn. A socket has no channel, queue or task of its own for
the lecture: a frame to 300 students is one Redis message per process and 300 writes.

The hub also says which students this process holds: a presence row per student,
refreshed every ``PAPERLABS_CLASSROOM_HEARTBEAT`` seconds (labs/classroom/store.py), so
the students of a process that dies stop counting as connected on their own. And it
coalesces the students' "something changed" pings to the instructor's socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import Counter
from typing import Any, Protocol

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from labs.classroom import store

log = logging.getLogger(__name__)
db = database_sync_to_async

PROCESS = uuid.uuid4().hex
"""This server process, as presence rows name it."""
PENDING_MAX = 64
"""Messages kept for a socket that is still sending its opening messages."""
PING_DELAY = 0.05
"""Pings to the instructor within this many seconds go as one."""


class Follower(Protocol):
    participant: int

    async def hub_message(self, event: dict[str, Any]) -> None: ...


class Hub:
    """This process's students of one session."""

    def __init__(self, group: str, teachers: str, session_id: int) -> None:
        self.group = group
        self.teachers = teachers
        self.session_id = session_id
        self.sockets: dict[Follower, list[dict[str, Any]] | None] = {}
        self.participants: Counter[int] = Counter()
        self.channel = ""
        self.tasks: list[asyncio.Task[None]] = []
        self.ping_task: asyncio.Task[None] | None = None
        self.started: asyncio.Task[None] = asyncio.create_task(self._start())

    async def _start(self) -> None:
        layer = get_channel_layer()
        assert layer is not None
        self.channel = await layer.new_channel("classroom.")
        await layer.group_add(self.group, self.channel)
        self.tasks = [
            asyncio.create_task(self._run(layer)),
            asyncio.create_task(self._beat()),
        ]

    async def _run(self, layer: Any) -> None:
        while True:
            try:
                event = await layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                # Redis away for a moment: the next frame carries the whole state.
                log.exception("classroom %s: the channel layer failed", self.group)
                await asyncio.sleep(0.5)
                continue
            for sock, pending in list(self.sockets.items()):
                if pending is not None:
                    # Still opening: kept, and sent in order once it is ready.
                    if len(pending) < PENDING_MAX:
                        pending.append(event)
                    continue
                try:
                    await sock.hub_message(event)
                except Exception:
                    log.exception("classroom %s: a student's socket failed", self.group)

    async def _beat(self) -> None:
        every = float(settings.PAPERLABS_CLASSROOM_HEARTBEAT)
        while True:
            await asyncio.sleep(every)
            try:
                await db(store.heartbeat)(self.session_id, PROCESS, list(self.participants))
            except Exception:
                log.exception("classroom %s: heartbeat failed", self.group)

    def ping(self) -> None:
        """Tell the instructor's socket to recount, once for a burst of changes."""
        if self.ping_task is None:
            self.ping_task = asyncio.create_task(self._ping())

    async def _ping(self) -> None:
        await asyncio.sleep(PING_DELAY)
        self.ping_task = None
        layer = get_channel_layer()
        assert layer is not None
        await layer.group_send(self.teachers, {"type": "classroom.ping"})

    async def stop(self) -> None:
        for task in self.tasks:  # a last ping still goes: the count went down
            task.cancel()
        layer = get_channel_layer()
        if layer is not None and self.channel:
            with contextlib.suppress(Exception):
                await layer.group_discard(self.group, self.channel)


_hubs: dict[str, Hub] = {}


async def join(group: str, teachers: str, session_id: int, sock: Follower) -> Hub:
    """Register a student's socket; it gets nothing until :func:`ready`."""
    while True:
        hub = _hubs.get(group)
        if hub is None:
            hub = _hubs[group] = Hub(group, teachers, session_id)
        await asyncio.shield(hub.started)
        if _hubs.get(group) is hub:  # not stopped meanwhile by its last student leaving
            break
    hub.sockets[sock] = []
    hub.participants[sock.participant] += 1
    if hub.participants[sock.participant] == 1:
        await db(store.present)(session_id, sock.participant, PROCESS)
    return hub


async def ready(hub: Hub, sock: Follower) -> None:
    """The socket has sent its opening messages: what came meanwhile, then everything."""
    while pending := hub.sockets.get(sock):
        hub.sockets[sock] = []
        for event in pending:
            await sock.hub_message(event)
    if sock in hub.sockets:
        hub.sockets[sock] = None


async def leave(hub: Hub, sock: Follower) -> None:
    if hub.sockets.pop(sock, False) is False:
        return
    hub.participants[sock.participant] -= 1
    if hub.participants[sock.participant] <= 0:
        del hub.participants[sock.participant]
        await db(store.absent)(sock.participant, PROCESS)
    if not hub.sockets and _hubs.get(hub.group) is hub:
        del _hubs[hub.group]
        await hub.stop()
