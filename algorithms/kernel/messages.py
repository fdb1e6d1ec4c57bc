"""The kernel's model: messages and timers as plain data, and the kernel's bounds.

See :mod:`algorithms.kernel` for the model and the rules; :class:`Message` and
:class:`Timer` carry no behaviour, the :class:`~algorithms.kernel.Network` moves them.

Examples
--------
>>> m = Message(0, "p", "q", "hello", sent_at=0.0, due=2.0)
>>> m.status, copy_message(m, {}) == m, copy_message(m, {}) is m
('in_flight', True, False)
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

__all__ = [
    "MAX_IN_FLIGHT",
    "MAX_PROCESSES",
    "MAX_TIME",
    "MAX_TIMERS",
    "PRIORITY_MESSAGE",
    "PRIORITY_TIMER",
    "Message",
    "MessageStatus",
    "Timer",
    "copy_message",
]

MAX_PROCESSES = 256
"""The most processes a network may have."""

MAX_IN_FLIGHT = 500_000
"""The most messages in flight at once; a send past it is refused."""

MAX_TIMERS = 100_000
"""The most pending timers at once; scheduling past it is refused."""

MAX_TIME = 1e12
"""No event may be scheduled later than this (it keeps times finite and exact)."""

PRIORITY_MESSAGE = 1
"""Deliveries at the same time as a timer come first (lower priority pops first)."""

PRIORITY_TIMER = 2
"""The default priority of a timer."""

P = TypeVar("P")

MessageStatus = Literal["in_flight", "delivered", "lost", "dropped"]


@dataclass(slots=True)
class Message(Generic[P]):
    """A message on channel ``(src, dst)``.

    ``due`` is when it is to be delivered; ``status`` is ``"in_flight"``,
    ``"delivered"``, ``"lost"`` (receiver crashed or partitioned away at delivery time)
    or ``"dropped"`` (by :meth:`Network.drop`); ``delivered_at`` is set when it leaves
    the channel either way.
    """

    id: int
    src: str
    dst: str
    payload: P
    sent_at: float
    due: float
    status: MessageStatus = "in_flight"
    delivered_at: float | None = None
    seq: int = 0  # the sequence number of its current heap entry


@dataclass(slots=True)
class Timer(Generic[P]):
    """A timer of ``process`` firing at ``at`` with ``payload``; ``status`` as for messages."""

    id: int
    process: str
    at: float
    payload: P
    priority: int = PRIORITY_TIMER
    status: Literal["pending", "fired", "cancelled"] = "pending"


def copy_message(message: Message[P], memo: dict[int, Any]) -> Message[P]:
    """A deep copy of ``message`` for :func:`copy.deepcopy` (``memo`` is its memo):
    a message another object already copied is reused, so both keep pointing at one."""
    found: Message[P] | None = memo.get(id(message))
    if found is None:
        found = Message(
            message.id,
            message.src,
            message.dst,
            copy.deepcopy(message.payload, memo),
            message.sent_at,
            message.due,
            message.status,
            message.delivered_at,
            message.seq,
        )
        memo[id(message)] = found
    return found
