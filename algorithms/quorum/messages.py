"""What travels on the quorum lab's kernel and what the view keeps of it.

Each request leg of Dynamo (DeCandia et al., SOSP 2007, §4.5) is a :class:`Leg` payload;
its delay comes from the WARS leg it stands for (Bailis et al., VLDB 2012, §5.1): ``w``
for a write, ``a`` for its acknowledgement, ``r`` for a read request and ``s`` for its
response. :class:`LegRecord` is the space-time diagram's picture of one message and
:class:`Request` a client's put or get from send to answer.

Examples
--------
>>> import random
>>> from algorithms.quorum.latency import latency_model
>>> LegDelay(latency_model("constant", 2.0), "w", 0).sample(random.Random(1), "A", "B")
2.0
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Literal

from algorithms.quorum.latency import WARSModel
from algorithms.quorum.versions import Version

__all__ = ["CLIENTS", "WARS_LEG", "Leg", "LegDelay", "LegKind", "LegRecord", "Request"]

CLIENTS = ("C1", "C2")
"""The two clients' process names."""

LegKind = Literal[
    "put",
    "put_ok",
    "get",
    "get_ok",
    "write",
    "write_ack",
    "read",
    "read_reply",
    "repair",
    "handoff",
    "handoff_ack",
]
# The WARS leg each message's delay is drawn from.
WARS_LEG = {
    "put": "r",
    "get": "r",
    "put_ok": "s",
    "get_ok": "s",
    "write": "w",
    "write_ack": "a",
    "read": "r",
    "read_reply": "s",
    "repair": "w",
    "handoff": "w",
    "handoff_ack": "a",
}


@dataclass(frozen=True)
class LegDelay:
    """The kernel delay model of one message: its WARS leg and replica rank (for WAN)."""

    model: WARSModel
    leg: str
    replica: int

    def sample(self, rng: random.Random, src: str, dst: str) -> float:
        """One delay in ms drawn from the leg's law."""
        return self.model.delay(self.leg, self.replica, rng)


@dataclass(frozen=True)
class Leg:
    """A message's payload: its kind, request, key, versions and (for hints) the owner."""

    kind: LegKind
    request: int
    key: str
    versions: tuple[Version, ...] = ()
    owner: str | None = None


@dataclass
class LegRecord:
    """What the space-time diagram draws of one message."""

    id: int
    kind: str
    src: str
    dst: str
    request: int
    key: str
    sent_at: float
    due: float
    status: str = "in_flight"
    received_at: float | None = None
    owner: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The leg for the view."""
        return {
            "id": self.id,
            "kind": self.kind,
            "from": self.src,
            "to": self.dst,
            "request": self.request,
            "key": self.key,
            "sent_at": self.sent_at,
            "due": self.due,
            "status": self.status,
            "received_at": self.received_at,
            "owner": self.owner,
        }


@dataclass
class Request:
    """A client's put or get, from its send to its answer (or failure)."""

    id: int
    kind: Literal["put", "get"]
    client: str
    coordinator: str
    key: str
    value: str | None
    context: tuple[Version, ...]
    sent_at: float
    status: str = "sent"  # sent, coordinating, ok, failed
    started_at: float | None = None
    done_at: float | None = None
    targets: list[tuple[str, str | None]] = field(default_factory=list)
    acks: list[str] = field(default_factory=list)
    replies: dict[str, tuple[Version, ...]] = field(default_factory=dict)
    version: Version | None = None
    result: tuple[Version, ...] = ()
    committed_at: float | None = None
    stale: bool | None = None
    since_commit: float | None = None
    repaired: list[str] = field(default_factory=list)
    reason: str = ""
    timer: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The request for the view."""
        return {
            "id": self.id,
            "kind": self.kind,
            "client": self.client,
            "coordinator": self.coordinator,
            "key": self.key,
            "value": self.value,
            "status": self.status,
            "sent_at": self.sent_at,
            "started_at": self.started_at,
            "done_at": self.done_at,
            "committed_at": self.committed_at,
            "targets": [{"node": n, "hint_for": o} for n, o in self.targets],
            "acks": list(self.acks),
            "replied": sorted(self.replies),
            "version": self.version.to_json() if self.version else None,
            "result": [v.to_json() for v in self.result],
            "stale": self.stale,
            "since_commit": self.since_commit,
            "repaired": list(self.repaired),
            "reason": self.reason,
        }
