"""Per-process limits on sockets and on what clients store.

Sockets are counted per process and per client (its address), so one client cannot
hold every socket of a server, and the process's memory is bounded by the number of
sockets times the largest picture one socket holds (``make bench``, socket memory).
Saves (a replay saved from a lab, an import, new feedback replays of the practice
form) are rate-limited per client over a sliding hour. All counters live in this
process, as the sockets do; a deployment with several processes has one set each.
"""

from __future__ import annotations

import time
import weakref
from collections import deque
from collections.abc import Mapping
from typing import Any

from django.conf import settings

from algorithms.engine import CommandError
from algorithms.recording import Timeline
from labs.replays import command_bytes, recording_bytes

__all__ = [
    "SAVES",
    "SOCKETS",
    "RecordingGrowth",
    "SaveRate",
    "SocketCount",
    "client_of_request",
    "client_of_scope",
]


def client_of_scope(scope: Mapping[str, Any]) -> str:
    """Who a websocket belongs to: its signed-in user, else its address."""
    user = scope.get("user")
    if user is not None and getattr(user, "is_authenticated", False):
        return f"user:{user.pk}"
    client = scope.get("client") or ("?", 0)
    return f"ip:{client[0]}"


def client_of_request(request: Any) -> str:
    """Who an HTTP request belongs to, as :func:`client_of_scope` names it."""
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return f"user:{user.pk}"
    return f"ip:{request.META.get('REMOTE_ADDR', '?')}"


class SocketCount:
    """Open sockets in this process, in all and per client.

    Lab sockets (each holds a lab) count against ``PAPERLABS_MAX_SOCKETS``; a classroom
    student's socket that follows the lecture holds no lab, and counts against
    ``PAPERLABS_MAX_CLASSROOM_SOCKETS`` instead, until it explores
    (:meth:`take_lab`). Every socket counts against its client's cap.
    """

    def __init__(self) -> None:
        self.total = 0
        self.classroom = 0
        self.per_client: dict[str, int] = {}

    def _check_lab(self) -> None:
        most = int(settings.PAPERLABS_MAX_SOCKETS)
        if self.total >= most:
            raise CommandError(
                "connection",
                f"{self.total} open sockets",
                f"must wait: this server holds at most {most} lab sockets at once "
                "(PAPERLABS_MAX_SOCKETS); try again in a minute",
            )

    def take_lab(self) -> None:
        """A following classroom socket starts a lab of its own, or a CommandError."""
        self._check_lab()
        self.total += 1
        self.classroom -= 1

    def give_lab(self) -> None:
        """The exploring classroom socket follows again: its lab is gone."""
        self.total -= 1
        self.classroom += 1

    def open(self, client: str, following: bool = False) -> None:
        """Count one more socket for ``client``, or raise CommandError naming the cap.

        ``following``: a classroom student's socket, which holds no lab.
        """
        if following:
            most = int(settings.PAPERLABS_MAX_CLASSROOM_SOCKETS)
            if self.classroom >= most:
                raise CommandError(
                    "connection",
                    f"{self.classroom} students connected",
                    f"must wait: this server holds at most {most} classroom students at "
                    "once (PAPERLABS_MAX_CLASSROOM_SOCKETS); try again in a minute",
                )
        else:
            self._check_lab()
        per_client = int(settings.PAPERLABS_MAX_SOCKETS_PER_CLIENT)
        have = self.per_client.get(client, 0)
        if have >= per_client:
            raise CommandError(
                "connection",
                f"{have} open sockets from this client",
                f"must be at most {per_client} labs open at once per client "
                "(PAPERLABS_MAX_SOCKETS_PER_CLIENT): close another lab or classroom tab first",
            )
        if following:
            self.classroom += 1
        else:
            self.total += 1
        self.per_client[client] = have + 1

    def close(self, client: str, following: bool = False) -> None:
        if following:
            self.classroom -= 1
        else:
            self.total -= 1
        left = self.per_client.get(client, 1) - 1
        if left > 0:
            self.per_client[client] = left
        else:
            self.per_client.pop(client, None)


class SaveRate:
    """At most ``PAPERLABS_SAVES_PER_HOUR`` stored replays per client in any hour."""

    WINDOW = 3600.0

    def __init__(self) -> None:
        self.stamps: dict[str, deque[float]] = {}

    def _recent(self, client: str) -> deque[float]:
        now = time.monotonic()
        stamps = self.stamps.setdefault(client, deque())
        while stamps and stamps[0] <= now - self.WINDOW:
            stamps.popleft()
        return stamps

    def left(self, client: str) -> int:
        """How many more saves ``client`` may make now."""
        recent = self._recent(client)
        if not recent:
            self.stamps.pop(client, None)  # forget clients with nothing in the window
        return max(0, int(settings.PAPERLABS_SAVES_PER_HOUR) - len(recent))

    def check(self, client: str, what: str = "save", count: int = 1) -> None:
        """Raise CommandError if ``client`` may not store ``count`` more replays now."""
        most = int(settings.PAPERLABS_SAVES_PER_HOUR)
        if self.left(client) < count:
            raise CommandError(
                "action",
                what,
                f"must wait: at most {most} replays may be stored per client in an hour "
                "(PAPERLABS_SAVES_PER_HOUR); export the recording to keep it meanwhile",
            )

    def take(self, client: str, what: str = "save", count: int = 1) -> None:
        """Count ``count`` saves for ``client``, or raise CommandError if over the rate."""
        self.check(client, what, count)
        now = time.monotonic()
        self._recent(client).extend([now] * count)

    def reset(self) -> None:
        self.stamps.clear()


class RecordingGrowth:
    """A socket's recording size in bytes, kept per branch as it grows.

    Checked before every recorded move, not only at save: a session cannot build a
    recording it could not store, export or replay within its budgets.
    """

    def __init__(self) -> None:
        # Whose size is known: the timeline (a reset or new parameters replace it), its
        # branch, and the size in bytes.
        self.timeline: weakref.ref[Timeline] | None = None
        self.branch = -1
        self.size = 0

    def check(self, timeline: Timeline, command: Mapping[str, Any]) -> int:
        """The recording's size once ``command`` is recorded; refuse past the limit."""
        known = self.timeline is not None and self.timeline() is timeline
        if not known or self.branch != timeline.branch_id:
            self.grew(timeline, recording_bytes(timeline.recording()))
        # An upper bound: acting in the past drops the later commands of this branch.
        grown = self.size + command_bytes(timeline.position, command)
        limit = int(settings.PAPERLABS_MAX_RECORDING_BYTES)
        if grown > limit:
            raise CommandError(
                "recording",
                f"{grown:,} bytes",
                f"must stay under {limit:,} bytes (PAPERLABS_MAX_RECORDING_BYTES): save or "
                "export it and start a new recording, or step back and branch",
            )
        return grown

    def grew(self, timeline: Timeline, size: int) -> None:
        """Within a branch commands are only ever appended: keep the size as it grows."""
        self.timeline, self.branch, self.size = weakref.ref(timeline), timeline.branch_id, size


SOCKETS = SocketCount()
"""The sockets of this server process."""
SAVES = SaveRate()
"""The saves of this server process."""
