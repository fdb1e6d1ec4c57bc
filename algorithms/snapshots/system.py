"""A token system on FIFO channels, with Chandy–Lamport markers or aligned barriers.

Chandy & Lamport, "Distributed Snapshots: Determining Global States of Distributed
Systems", ACM TOCS 3(1), 1985, §3.2. The rules, as named methods of :class:`TokenSystem`:

- *Marker-sending rule* (:meth:`TokenSystem._record`): after recording its state, a
  process sends one marker along every outgoing channel before anything else.
- *Marker-receiving rule* (:meth:`TokenSystem._receive_marker`): on a marker along
  channel c, a process that has not recorded records its state and records c as empty;
  otherwise it records c as the messages received along c after it recorded and before
  this marker. Several snapshots may run at once, each with its own id and markers.

With ``mode="aligned"`` the same system runs Carbone et al.'s aligned barriers
("Lightweight Asynchronous Snapshots for Distributed Dataflows", 2015) on an acyclic
dataflow: barriers leave every source; an operator holds back the input of every
channel whose barrier has arrived until all its inputs' barriers have, then records its
state and forwards the barrier; no channel state is recorded.

The run is driven by :class:`algorithms.kernel.Network`: message delays come from the
seed, so the same topology, actions and seed give the same run.

Examples
--------
>>> from algorithms.snapshots.topology import load_topology
>>> system = TokenSystem(load_topology("2\\np 1\\nq 1\\np q\\nq p"), seed=4)
>>> system.start_snapshot("p").id
'S1'
>>> _ = system.send("p", "q", 1)
>>> system.finish()
>>> [(s.id, s.local, s.channels) for s in system.completed()]
[('S1', {'p': 1, 'q': 1}, {('p', 'q'): [], ('q', 'p'): []})]
"""

from __future__ import annotations

import operator
import random
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from algorithms.engine import CommandError
from algorithms.kernel import DelayModel, Message, Network, UniformDelay
from algorithms.snapshots.recorded import HeldMessage, Snapshot
from algorithms.snapshots.topology import Topology, check_process_id

__all__ = ["DEFAULT_DELAY", "MAX_SNAPSHOTS", "Marker", "RunEvent", "TokenSystem", "Tokens"]

DEFAULT_DELAY = UniformDelay(0.05, 1.0)
"""Delays in (0, 1]: every message sent before a tick is delivered by it."""

MAX_SNAPSHOTS = 1_000
"""The most snapshots one run may start."""

Link = tuple[str, str]
Mode = Literal["chandy-lamport", "aligned"]


class Tokens(NamedTuple):
    """An application message moving ``tokens`` tokens; ``sent_index`` is its send event."""

    tokens: int
    sent_index: int


class Marker(NamedTuple):
    """A marker (a barrier in aligned mode) of snapshot ``snapshot``."""

    snapshot: str
    sent_index: int


Payload = Tokens | Marker
_TOKENS, _SENT_INDEX = operator.itemgetter(0), operator.itemgetter(1)
_new_tuple = tuple.__new__


@dataclass(slots=True)
class RunEvent:
    """One event at one process, for the space-time view and the §4 reordering.

    ``kind`` is ``send``, ``receive``, ``record``, ``marker_send``,
    ``marker_receive``, ``hold`` or ``release``; ``tokens`` is the process's tokens
    after the event.
    """

    index: int
    time: float
    process: str
    kind: str
    message: int | None
    snapshot: str | None
    tokens: int
    peer: str | None = None
    amount: int = 0


@dataclass(slots=True)
class MessageRecord:
    """A message's life, for the space-time view."""

    id: int
    src: str
    dst: str
    kind: str
    tokens: int
    snapshot: str | None
    sent_at: float
    received_at: float | None = None
    send_event: int = 0
    receive_event: int | None = None


@dataclass
class _Recording:
    id: str
    initiator: str
    started_at: float
    local: dict[str, int] = field(default_factory=dict)
    recorded_index: dict[str, int] = field(default_factory=dict)
    recorded_time: dict[str, float] = field(default_factory=dict)
    sent_before: dict[Link, int] = field(default_factory=dict)
    received_before: dict[Link, int] = field(default_factory=dict)
    channel_messages: dict[Link, list[Tokens]] = field(default_factory=dict)
    closed_by: dict[Link, int] = field(default_factory=dict)
    held: list[HeldMessage] = field(default_factory=list)
    completed_at: float | None = None


class TokenSystem:
    """Processes holding tokens, sending them on FIFO channels, while snapshots run.

    Parameters
    ----------
    topology : Topology
        Processes, initial tokens, channels.
    seed : int
        Seeds every message delay.
    delay : DelayModel, optional
        Default :data:`DEFAULT_DELAY`.
    mode : {"chandy-lamport", "aligned"}
        Markers (any topology that is strongly connected, snapshots from one process)
        or aligned barriers (an acyclic dataflow, barriers from every source).
    forward : bool
        Dataflow operators pass every received token on at once, round-robin over
        their outgoing channels (sinks keep them).
    history : bool
        Keep every event and message for the view (off for long library runs).
    """

    def __init__(
        self,
        topology: Topology,
        seed: int,
        *,
        delay: DelayModel | None = None,
        mode: Mode = "chandy-lamport",
        forward: bool = False,
        history: bool = True,
    ) -> None:
        self.topology = topology
        self.mode: Mode = mode
        self.forward = forward
        self.net: Network[Payload] = Network(
            topology.processes,
            topology.links,
            fifo=True,
            delay=delay if delay is not None else DEFAULT_DELAY,
            rng=random.Random(seed),
        )
        self.tokens = dict(topology.tokens)
        self.sent = dict.fromkeys(topology.links, 0)
        self.received = dict.fromkeys(topology.links, 0)
        self.index = 0
        self.keep_history = history
        self.events: list[RunEvent] = []
        self.messages: dict[int, MessageRecord] = {}
        self.snapshots: dict[str, _Recording] = {}
        self.running = 0  # snapshots started and not yet complete
        self.idle: set[str] = set()
        self._incoming = {p: topology.incoming(p) for p in topology.processes}
        self._outgoing = {p: topology.outgoing(p) for p in topology.processes}
        self._next_out = dict.fromkeys(topology.processes, 0)
        # Per channel, the snapshots recording it: id -> the messages recorded so far.
        self._open_on: dict[Link, dict[str, list[Tokens]]] = {link: {} for link in topology.links}
        self._blocked: dict[str, dict[str, set[Link]]] = {p: {} for p in topology.processes}
        self.buffer: dict[str, list[tuple[Message[Payload], float]]] = {
            p: [] for p in topology.processes
        }

    # -- the student's actions ---------------------------------------------------------

    @property
    def now(self) -> float:
        """The current time."""
        return self.net.now

    def send(self, src: str, dst: str, tokens: int) -> Message[Payload]:
        """``src`` sends ``tokens`` of its tokens to ``dst`` (an application message)."""
        if (src, dst) not in self.sent:
            ends = ", ".join(d for _, d in self._outgoing.get(src, [])) or "none"
            raise CommandError(
                "receiver", dst, f"must be at the end of a channel from {src} ({ends})"
            )
        if tokens > self.tokens[src]:
            raise CommandError(
                "tokens", tokens, f"must be at most what {src} holds ({self.tokens[src]})"
            )
        if tokens < 1:
            raise CommandError("tokens", tokens, "must be at least 1")
        return self.send_checked(src, dst, tokens)

    def send_checked(self, src: str, dst: str, tokens: int) -> Message[Payload]:
        """:meth:`send` once the caller has checked the channel and ``1 <= tokens <= held``."""
        self.tokens[src] -= tokens
        if self.idle:
            self.idle.discard(src)
        # tuple.__new__ skips the named tuple's Python-level constructor on the hot path.
        message = self.net.send(src, dst, _new_tuple(Tokens, (tokens, self.index)))
        self.sent[(src, dst)] += 1
        if self.keep_history:
            self._log(src, "send", message, None, dst, tokens)
        else:
            self.index += 1
        return message

    def start_snapshot(self, process: str, sid: str | None = None) -> _Recording:
        """``process`` records its state spontaneously and starts a snapshot.

        In aligned mode the barriers leave every source at once (``process`` names
        the checkpoint's first source).
        """
        if sid is None:
            k = len(self.snapshots) + 1
            while f"S{k}" in self.snapshots:
                k += 1
            sid = f"S{k}"
        check_process_id("snapshot id", sid)
        if sid in self.snapshots:
            raise CommandError("snapshot id", sid, "must not be reused (it was started before)")
        if len(self.snapshots) >= MAX_SNAPSHOTS:
            raise CommandError(
                "snapshots", len(self.snapshots) + 1, f"must be at most {MAX_SNAPSHOTS}"
            )
        initiators = [process]
        if self.mode == "aligned" or self.topology.dataflow:
            # A dataflow's checkpoint starts at every source (no marker reaches them).
            initiators = list(self.topology.sources)
            if process not in initiators:
                raise CommandError(
                    "initiator", process, f"must be a source ({', '.join(initiators)})"
                )
        rec = _Recording(sid, process, self.now)
        self.snapshots[sid] = rec
        self.running += 1
        for p in initiators:
            self._record(rec, p, None)
        return rec

    def tick(self, units: float = 1.0) -> None:
        """Let time advance ``units``, delivering every message due."""
        until = self.now + units
        # Each arrival is handled as it pops: a marker it triggers leaves at that time.
        net, arrive = self.net, self._arrive
        receive, marker = self._receive_tokens, self._receive_marker
        plain = self.mode == "chandy-lamport"  # nothing is ever held back: no dispatch
        while (event := net.next_event(until)) is not None:
            assert isinstance(event, Message)
            if not plain:
                arrive(event)
            elif type(event.payload) is Tokens:
                receive(event, event.payload)
            else:
                marker(event)
        net.run_until(until)

    def deliver_next(self, src: str, dst: str) -> Message[Payload]:
        """Deliver the oldest message on channel ``src → dst`` now."""
        message = self.net.deliver_next(src, dst)
        self._arrive(message)
        return message

    def step_one(self) -> Message[Payload] | None:
        """Deliver the next message in the kernel's order (advancing time)."""
        event = self.net.next_event()
        if event is None:
            return None
        assert isinstance(event, Message)
        self._arrive(event)
        return event

    def finish(self) -> None:
        """Keep running until every snapshot started has completed."""
        while self.running:
            if self.step_one() is None:  # pragma: no cover - topologies are checked
                raise CommandError("snapshots", "incomplete", "must be able to complete")

    def completed(self) -> list[Snapshot]:
        """The completed snapshots, in the order they were started."""
        return [self.result(r) for r in self.snapshots.values() if r.completed_at is not None]

    def result(self, rec: _Recording) -> Snapshot:
        """The recorded state of a (possibly still running) snapshot as a :class:`Snapshot`."""
        order = {p: i for i, p in enumerate(self.topology.processes)}
        local = {p: rec.local[p] for p in sorted(rec.local, key=order.__getitem__)}
        channels = {
            link: list(map(_TOKENS, rec.channel_messages.get(link, ())))
            for link in self.topology.links
        }
        return Snapshot(
            rec.id,
            rec.initiator,
            local,
            channels,
            dict(rec.sent_before),
            dict(rec.received_before),
            dict(rec.recorded_index),
            dict(rec.recorded_time),
            {k: list(map(_SENT_INDEX, v)) for k, v in rec.channel_messages.items()},
            dict(rec.closed_by),
            rec.started_at,
            rec.completed_at if rec.completed_at is not None else -1.0,
            self.mode,
            tuple(rec.held),
        )

    # -- the rules ---------------------------------------------------------------------

    def _record(self, rec: _Recording, p: str, via: Link | None) -> None:
        """Record ``p``'s state, then the marker-sending rule on every outgoing channel."""
        self._log(p, "record", None, rec.id, None, 0)
        rec.local[p] = self.tokens[p]
        rec.recorded_index[p] = self.index - 1
        rec.recorded_time[p] = self.now
        for link in self._incoming[p]:
            rec.received_before[link] = self.received[link]
            if self.mode == "chandy-lamport" and link != via:
                received: list[Tokens] = []
                rec.channel_messages[link] = received
                self._open_on[link][rec.id] = received
        for link in self._outgoing[p]:
            rec.sent_before[link] = self.sent[link]
            marker = self.net.send(p, link[1], _new_tuple(Marker, (rec.id, self.index)))
            if self.keep_history:
                self._log(p, "marker_send", marker, rec.id, link[1], 0)
            else:
                self.index += 1
        self._check_complete(rec)

    def _arrive(self, message: Message[Payload]) -> None:
        link = (message.src, message.dst)
        blocked = self._blocked[message.dst]
        if self.mode == "aligned" and any(link in chans for chans in blocked.values()):
            # Alignment: input behind a barrier waits until every barrier is in.
            self.buffer[message.dst].append((message, self.now))
            self._log(message.dst, "hold", message, None, message.src, 0)
            return
        self._process(message)

    def _process(self, message: Message[Payload]) -> None:
        if isinstance(message.payload, Marker):
            self._receive_marker(message)
        else:
            self._receive_tokens(message, message.payload)

    def _receive_tokens(self, message: Message[Payload], payload: Tokens) -> None:
        link = (message.src, message.dst)
        dst = message.dst
        self.tokens[dst] += payload.tokens
        self.received[link] += 1
        if self.idle:
            self.idle.discard(dst)
        if self.keep_history:
            self._log(dst, "receive", message, None, message.src, payload.tokens)
        else:
            self.index += 1
        recording = self._open_on[link]
        if recording:
            for received in recording.values():
                received.append(payload)
        if self.forward and self._outgoing[dst] and dst not in self.topology.sources:
            outs = self._outgoing[dst]
            i = self._next_out[dst]
            self._next_out[dst] = (i + 1) % len(outs)
            self.send(dst, outs[i][1], payload.tokens)

    def _receive_marker(self, message: Message[Payload]) -> None:
        assert isinstance(message.payload, Marker)
        link = (message.src, message.dst)
        q = message.dst
        rec = self.snapshots[message.payload.snapshot]
        if self.keep_history:
            self._log(q, "marker_receive", message, rec.id, message.src, 0)
        else:
            self.index += 1
        if self.mode == "aligned":
            self._receive_barrier(rec, q, link, message.id)
            return
        rec.closed_by[link] = message.id
        if q not in rec.local:
            rec.channel_messages[link] = []
            self._record(rec, q, link)
        else:
            del self._open_on[link][rec.id]
            self._check_complete(rec)

    def _receive_barrier(self, rec: _Recording, q: str, link: Link, barrier: int) -> None:
        waiting = self._blocked[q].setdefault(rec.id, set())
        waiting.add(link)
        rec.closed_by[link] = barrier
        if len(waiting) < len(self._incoming[q]):
            return
        del self._blocked[q][rec.id]
        self._record(rec, q, link)
        # Release what alignment held back, in arrival order; it may block again.
        held, self.buffer[q] = self.buffer[q], []
        for message, arrived in held:
            assert isinstance(message.payload, Tokens | Marker)
            if isinstance(message.payload, Tokens):
                rec.held.append(
                    HeldMessage((message.src, q), message.payload.tokens, arrived, self.now)
                )
            self._log(q, "release", message, rec.id, message.src, 0)
            self._arrive(message)

    def _check_complete(self, rec: _Recording) -> None:
        if len(rec.local) < len(self.tokens):
            return
        if self.mode == "chandy-lamport" and len(rec.closed_by) < len(self.sent):
            return
        if rec.completed_at is None:
            rec.completed_at = self.now
            self.running -= 1

    def _log(
        self,
        process: str,
        kind: str,
        message: Message[Payload] | None,
        snapshot: str | None,
        peer: str | None,
        amount: int,
    ) -> None:
        if self.keep_history:
            mid = message.id if message is not None else None
            self.events.append(
                RunEvent(
                    self.index,
                    self.now,
                    process,
                    kind,
                    mid,
                    snapshot,
                    self.tokens[process],
                    peer,
                    amount,
                )
            )
            if message is not None and kind in ("send", "marker_send"):
                is_marker = isinstance(message.payload, Marker)
                self.messages[message.id] = MessageRecord(
                    message.id,
                    message.src,
                    message.dst,
                    "marker" if is_marker else "tokens",
                    0 if is_marker else amount,
                    snapshot,
                    self.now,
                    send_event=self.index,
                )
            elif message is not None and kind in ("receive", "marker_receive"):
                record = self.messages[message.id]
                record.received_at = self.now
                record.receive_event = self.index
        self.index += 1
