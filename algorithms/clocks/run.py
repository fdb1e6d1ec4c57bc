"""A run of the vector-clocks lab: processes, their events and messages, on the kernel.

Lamport, "Time, Clocks, and the Ordering of Events in a Distributed System", CACM
21(7), 1978 (IR1, IR2); Fidge 1988 and Mattern 1989 (vector clocks).

Each process keeps a Lamport clock and a vector clock (:class:`Process`); a local or
send event increments its own entry, a receive takes the element-wise maximum with
the message's clock and then increments its own entry. Messages travel on the
message-passing kernel (:class:`algorithms.kernel.Network`) with unordered channels:
each message's delay is a whole number of ticks drawn from the lab's seed
(:class:`~algorithms.kernel.UniformDelay`), and a tick delivers every message due by
then in the kernel's ``(time, priority, sequence number)`` order, which for messages
alone is the order of their due times, then of sending. The kernel forgets what it
has delivered; the run keeps every event and message for the view.

Examples
--------
>>> import random
>>> run = Run(["P1", "P2"], UniformDelay(1, 5, integer=True), random.Random(1))
>>> print(run.send("P1", "P2").text)
P1 sends m0 to P2 with vector clock [P1:1, P2:0] (Lamport clock 1); it is due at time 2.
>>> print(run.tick()[0].text)
Time 1: no message arrives; 1 message is in flight, the next due at time 2.
>>> print(run.tick()[0].text)
P2 receives m0: it takes the element-wise maximum with its own clock and increments its own entry: [P1:1, P2:1] (Lamport clock max(0, 1) + 1 = 2).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from algorithms.clocks.causality import CausalIndex
from algorithms.clocks.clock import Process, Stamp, VectorClock
from algorithms.clocks.shiviz import ShiVizEvent
from algorithms.engine import Event
from algorithms.kernel import Message, Network, UniformDelay
from algorithms.recording import MAX_STEPS

__all__ = ["MAX_EVENTS", "MAX_NOW", "MAX_TEXT_CHARS", "Run", "RunEvent", "RunMessage"]

JSON = dict[str, Any]

MAX_EVENTS = 2_000
"""The most events one run may hold (commands past it are refused)."""

MAX_TEXT_CHARS = 200
"""Imported event texts are cut to this many characters."""

MAX_NOW = MAX_STEPS * 60
"""The recording layer bounds the number of ticks; the clock stays well inside it."""


@dataclass
class RunEvent:
    """One event of the run, with its Lamport clock and vector clock."""

    id: int
    process: str
    index: int
    kind: str
    text: str
    lamport: int
    vc: VectorClock
    message: int | None
    time: int

    @property
    def host(self) -> str:
        """The process, under ShiViz's name for it."""
        return self.process

    @property
    def clock(self) -> VectorClock:
        """The vector clock, under ShiViz's name for it."""
        return self.vc

    def to_json(self) -> JSON:
        """The event as the view reads it."""
        return {
            "id": self.id,
            "process": self.process,
            "index": self.index,
            "kind": self.kind,
            "text": self.text,
            "lamport": self.lamport,
            "vc": self.vc.to_json(),
            "message": self.message,
            "time": self.time,
        }


@dataclass
class RunMessage:
    """A message of the run; ``status`` is ``in_flight``, ``delivered`` or ``dropped``.

    ``channel_id`` is its id on the kernel's network while it is in flight (``None``
    for the messages of an imported log, which arrive already delivered).
    """

    id: int
    sender: str
    receiver: str
    send_event: int
    receive_event: int | None
    status: str
    due: int
    stamp: Stamp
    channel_id: int | None = None

    def to_json(self) -> JSON:
        """The message as the view reads it."""
        return {
            "id": self.id,
            "from": self.sender,
            "to": self.receiver,
            "send_event": self.send_event,
            "receive_event": self.receive_event,
            "status": self.status,
            "due": self.due,
        }


def plural(n: int, word: str, many: str | None = None) -> str:
    """``n`` with ``word`` (or ``many``, default ``word + "s"``), thousands separated.

    Examples
    --------
    >>> plural(1, "event"), plural(2_000, "message is", "messages are")
    ('1 event', '2,000 messages are')
    """
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


class Run:
    """Processes exchanging messages on the kernel, every event stamped with both clocks.

    Parameters
    ----------
    processes : list of str
        The process names, in the order vector clocks are printed.
    delay : UniformDelay
        Whole-number delays in ticks.
    rng : random.Random
        The lab's seeded generator: the network draws delays from it and
        :meth:`random_run` its choices, so one seed fixes the whole run.
    """

    def __init__(self, processes: list[str], delay: UniformDelay, rng: random.Random) -> None:
        self.processes = processes
        self.clocks: dict[str, Process] = {name: Process(name) for name in processes}
        self.events: list[RunEvent] = []
        self.messages: list[RunMessage] = []
        self.network: Network[int] = Network(processes, fifo=False, delay=delay, rng=rng)
        self.flying = 0  # messages in flight, counted here so a tick need not list them

    @property
    def now(self) -> int:
        """The current tick (the kernel's clock; it only takes whole values here)."""
        return int(self.network.now)

    def in_flight(self) -> int:
        """How many messages are in flight."""
        return self.flying

    # -- the rules ---------------------------------------------------------------------

    def _add(
        self, process: str, kind: str, stamp: Stamp, message: int | None, text: str
    ) -> RunEvent:
        event = RunEvent(
            len(self.events),
            process,
            stamp.vector[process],
            kind,
            text,
            stamp.lamport,
            stamp.vector,
            message,
            self.now,
        )
        self.events.append(event)
        return event

    def local(self, process: str) -> Event:
        """A local event of ``process`` (IR1)."""
        stamp = self.clocks[process].local_event()
        text = (
            f"{process} performs a local event: it increments its own entry, so its vector "
            f"clock becomes {stamp.vector.format(self.processes)} (Lamport clock {stamp.lamport})."
        )
        event = self._add(process, "local", stamp, None, text)
        return Event("local", text, {"event": event.id})

    def send(self, sender: str, receiver: str) -> Event:
        """A send event; the kernel draws the message's delay from the seed."""
        message_id = len(self.messages)
        # The kernel may refuse a send: ask it before the sender's clock moves.
        sent = self.network.send(sender, receiver, message_id)
        stamp = self.clocks[sender].send_event()
        due = int(sent.due)
        self.flying += 1
        text = (
            f"{sender} sends m{message_id} to {receiver} with vector clock "
            f"{stamp.vector.format(self.processes)} (Lamport clock {stamp.lamport}); "
            f"it is due at time {due}."
        )
        event = self._add(sender, "send", stamp, message_id, text)
        self.messages.append(
            RunMessage(
                message_id, sender, receiver, event.id, None, "in_flight", due, stamp, sent.id
            )
        )
        return Event("send", text, {"event": event.id, "message": message_id})

    def deliver(self, message: RunMessage) -> Event:
        """Deliver an in-flight message now, ahead of its due time if need be."""
        assert message.channel_id is not None
        self.network.deliver(message.channel_id)
        return self._receive(message)

    def drop(self, message: RunMessage) -> Event:
        """The network loses an in-flight message."""
        assert message.channel_id is not None
        self.network.drop(message.channel_id)
        message.status = "dropped"
        self.flying -= 1
        text = (
            f"m{message.id} from {message.sender} to {message.receiver} is lost: "
            f"{message.receiver} never receives it, so what {message.sender} knew when it "
            "sent it does not reach that process this way."
        )
        return Event("drop", text, {"message": message.id})

    def _receive(self, message: RunMessage) -> Event:
        receiver = self.clocks[message.receiver]
        before = receiver.lamport
        stamp = receiver.receive_event(message.stamp)
        text = (
            f"{message.receiver} receives m{message.id}: it takes the element-wise maximum "
            f"with its own clock and increments its own entry: "
            f"{stamp.vector.format(self.processes)} (Lamport clock "
            f"max({before}, {message.stamp.lamport}) + 1 = {stamp.lamport})."
        )
        event = self._add(message.receiver, "receive", stamp, message.id, text)
        message.receive_event = event.id
        message.status = "delivered"
        self.flying -= 1
        return Event("receive", text, {"event": event.id, "message": message.id})

    def _arrival(self) -> RunMessage | None:
        """The next message due by now, taken off the network, or ``None``."""
        arrived = self.network.next_event(until=self.network.now)
        if not isinstance(arrived, Message):
            return None  # no timers are set in this lab
        return self.messages[arrived.payload]

    def _advance(self) -> None:
        self.network.now += 1

    # -- time --------------------------------------------------------------------------

    def tick(self) -> list[Event]:
        """Advance one tick and deliver every message due by then.

        Returns ``[]`` (and changes nothing) when no message is in flight, or when the
        run is full (:data:`MAX_EVENTS`) so nothing more can be received.
        """
        if self.network.peek() is None or len(self.events) >= MAX_EVENTS or self.now >= MAX_NOW:
            return []
        self._advance()
        out: list[Event] = []
        while len(self.events) < MAX_EVENTS and (message := self._arrival()) is not None:
            out.append(self._receive(message))
        if not out:
            nxt = self.network.peek()
            assert nxt is not None
            out.append(
                Event(
                    "tick",
                    f"Time {self.now}: no message arrives; "
                    f"{plural(self.in_flight(), 'message is', 'messages are')} in flight, "
                    f"the next due at time {int(nxt)}.",
                    {"now": self.now},
                )
            )
        return out

    def random_run(self, count: int) -> dict[str, int]:
        """``count`` more events: each tick delivers what is due, else a local or a send."""
        rng = self.network.rng
        made = {"local": 0, "send": 0, "receive": 0}
        while sum(made.values()) < count:
            self._advance()
            delivered = False
            while sum(made.values()) < count and (message := self._arrival()) is not None:
                self._receive(message)
                made["receive"] += 1
                delivered = True
            if delivered:
                continue
            sender = self.processes[rng.randrange(len(self.processes))]
            if rng.random() < 0.4:
                self.local(sender)
                made["local"] += 1
            else:
                others = [p for p in self.processes if p != sender]
                self.send(sender, others[rng.randrange(len(others))])
                made["send"] += 1
        return made

    # -- an imported execution ---------------------------------------------------------

    @classmethod
    def imported(
        cls,
        chosen: list[ShiVizEvent],
        index: CausalIndex,
        delay: UniformDelay,
        rng: random.Random,
    ) -> Run:
        """A run holding a validated ShiViz execution, every message delivered.

        Events are renumbered in (Lamport clock, log position) order; messages are the
        arrows ShiViz would draw; the Lamport clocks serve as the events' times, and
        the clock stands at the largest, so later sends continue from there.
        """
        lamport = index.lamport
        order = sorted(range(len(chosen)), key=lambda i: (lamport[i], i))
        new_id = {old: new for new, old in enumerate(order)}
        sources = {i: index.receives_from(i) for i in range(len(chosen))}
        messages: list[RunMessage] = []
        sent_by: dict[int, list[int]] = {}
        received_by: dict[int, list[int]] = {}
        for old in order:
            for src in sources[old]:
                mid = len(messages)
                messages.append(
                    RunMessage(
                        mid,
                        chosen[src].host,
                        chosen[old].host,
                        new_id[src],
                        new_id[old],
                        "delivered",
                        lamport[old],
                        Stamp(chosen[src].clock, lamport[src]),
                    )
                )
                sent_by.setdefault(src, []).append(mid)
                received_by.setdefault(old, []).append(mid)
        events: list[RunEvent] = []
        clocks: dict[str, Process] = {}
        for old in order:
            e = chosen[old]
            if old in received_by:
                kind, message = "receive", received_by[old][0]
            elif old in sent_by:
                kind, message = "send", sent_by[old][0]
            else:
                kind, message = "local", None
            text = e.text if len(e.text) <= MAX_TEXT_CHARS else e.text[: MAX_TEXT_CHARS - 1] + "…"
            events.append(
                RunEvent(
                    len(events),
                    e.host,
                    e.clock[e.host],
                    kind,
                    text,
                    lamport[old],
                    e.clock,
                    message,
                    lamport[old],
                )
            )
            proc = clocks.get(e.host)
            if proc is None:
                proc = clocks[e.host] = Process(e.host)
            proc.clock, proc.lamport, proc.events = e.clock, lamport[old], e.clock[e.host]
        run = cls(list(index.hosts), delay, rng)
        run.clocks = {name: clocks[name] for name in run.processes}
        run.events = events
        run.messages = messages
        run.network.now = float(max(lamport) if lamport else 0)
        return run
