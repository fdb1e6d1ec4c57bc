"""The vector-clocks lab: Lamport clocks, vector clocks, ShiViz logs, Dynamo versions.

Papers: Lamport, "Time, Clocks, and the Ordering of Events in a Distributed System",
CACM 21(7), 1978; Fidge, "Timestamps in Message-Passing Systems That Preserve the
Partial Ordering", 1988; Mattern, "Virtual Time and Global States of Distributed
Systems", 1989; DeCandia et al., "Dynamo: Amazon's Highly Available Key-value
Store", SOSP 2007, §4.4 and Figure 3; Beschastnikh et al., "Visualizing Distributed
System Executions" (ShiViz) and the GoVector log format.

The library parts live in :mod:`algorithms.causality` (:class:`VectorClock`,
:class:`Process`, :class:`CausalIndex`), :mod:`algorithms.shiviz` (parsing and
writing logs) and :mod:`algorithms.dynamo_versions` (versions, siblings, truncation,
Figure 3); every public name is importable from here too.

The engine, :class:`VectorClocksEngine`, runs processes that perform local, send and
receive events. Each event gets a Lamport clock (IR1, IR2) and a vector clock; a
receive takes the element-wise maximum with the message's clock *then* increments
its own entry. Messages are in flight for a seeded delay and are delivered by
:meth:`VectorClocksEngine.step` when due, or at once with ``deliver``; they can be
dropped. Selecting an event shows its causal past, future and the events concurrent
with it; Lamport's total order (by Lamport clock, then process) can be shown. A
Dynamo key (``cart``) takes ``put`` and ``reconcile`` commands.

Examples
--------
>>> engine = VectorClocksEngine(VectorClocksParams(processes=2), seed=1)
>>> print(engine.apply({"action": "send", "from": "P1", "to": "P2"})[0].text)
P1 sends m0 to P2 with vector clock [P1:1, P2:0] (Lamport clock 1); it is due at time 2.
>>> print(engine.apply({"action": "local", "process": "P2"})[0].text)
P2 performs a local event: it increments its own entry, so its vector clock becomes [P1:0, P2:1] (Lamport clock 1).
>>> print(engine.apply({"action": "deliver", "message": 0})[0].text)
P2 receives m0: it takes the element-wise maximum with its own clock and increments its own entry: [P1:1, P2:2] (Lamport clock max(1, 1) + 1 = 2).
>>> s = engine.state()
>>> [(e["process"], e["kind"], e["vc"], e["lamport"]) for e in s["events"]]
[('P1', 'send', {'P1': 1}, 1), ('P2', 'local', {'P2': 1}, 1), ('P2', 'receive', {'P1': 1, 'P2': 2}, 2)]
>>> _ = engine.apply({"action": "select_event", "event": 1})
>>> engine.state()["selected"]
{'event': 1, 'past': [], 'future': [2], 'concurrent': [0]}
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from algorithms.causality import (
    MAX_NAME_CHARS,
    CausalEventLike,
    CausalIndex,
    Process,
    Stamp,
    VectorClock,
    check_process_name,
)
from algorithms.dynamo_versions import (
    DYNAMO_TRUNCATE,
    MAX_TRUNCATE,
    DynamoVersion,
    VersionedKey,
    Write,
    compare_versions,
    figure3,
    figure3_commands,
    format_pairs,
)
from algorithms.engine import (
    CommandError,
    Event,
    LabEngine,
    LabParams,
    check_bool,
    check_choice,
    check_int,
    look_up,
    move,
)
from algorithms.recording import MAX_STEPS
from algorithms.shiviz import (
    GOVECTOR_REGEX,
    MAX_SHIVIZ_BYTES,
    MAX_SHIVIZ_EVENTS,
    ShiVizError,
    ShiVizEvent,
    parse_shiviz,
    to_shiviz,
    validate_shiviz,
)

__all__ = [
    "DYNAMO_TRUNCATE",
    "GOVECTOR_REGEX",
    "MAX_EVENTS",
    "MAX_IMPORT_HOSTS",
    "MAX_NAME_CHARS",
    "MAX_SHIVIZ_BYTES",
    "MAX_SHIVIZ_EVENTS",
    "MAX_TEXT_CHARS",
    "CausalEventLike",
    "CausalIndex",
    "DynamoVersion",
    "Process",
    "ShiVizError",
    "ShiVizEvent",
    "ShiVizImportError",
    "Stamp",
    "VectorClock",
    "VectorClocksEngine",
    "VectorClocksParams",
    "VersionedKey",
    "Write",
    "check_process_name",
    "compare_versions",
    "figure3",
    "figure3_commands",
    "format_pairs",
    "parse_shiviz",
    "to_shiviz",
    "validate_shiviz",
]

JSON = dict[str, Any]

MAX_EVENTS = 2_000
"""The most events one run may hold (commands past it are refused)."""

MAX_IMPORT_HOSTS = 32
"""The most hosts an imported ShiViz execution may have."""

MAX_TEXT_CHARS = 200
"""Imported event texts are cut to this many characters."""

# The recording layer bounds the number of ticks; keep the clock well inside it.
_MAX_NOW = MAX_STEPS * 60


@dataclass(frozen=True)
class VectorClocksParams(LabParams):
    """Parameters of the vector-clocks lab.

    Parameters
    ----------
    processes : int
        Number of processes, 2 to 12 (named P1, P2, ...). Default 3.
    min_delay, max_delay : int
        A message's delay in ticks is drawn uniformly (seeded) from
        ``[min_delay, max_delay]``, each 1 to 50, ``max_delay >= min_delay``.
        Defaults 1 and 5.
    random_events : int
        If above 0, the engine starts with a random run of this many events, 0 to
        2,000. Default 0.
    truncate : int
        Dynamo's clock truncation threshold (most (node, counter) pairs kept),
        1 to 64. Default 10, as in the paper.

    Examples
    --------
    >>> VectorClocksParams(processes=4).processes
    4
    >>> VectorClocksParams(min_delay=5, max_delay=2)
    Traceback (most recent call last):
    ...
    algorithms.engine.CommandError: max_delay must be at least min_delay (5), got 2
    """

    processes: int = 3
    min_delay: int = 1
    max_delay: int = 5
    random_events: int = 0
    truncate: int = DYNAMO_TRUNCATE

    def __post_init__(self) -> None:
        check_int("processes", self.processes, 2, 12)
        check_int("min_delay", self.min_delay, 1, 50)
        check_int("max_delay", self.max_delay, 1, 50)
        if self.max_delay < self.min_delay:
            raise CommandError(
                "max_delay", self.max_delay, f"must be at least min_delay ({self.min_delay})"
            )
        check_int("random_events", self.random_events, 0, MAX_EVENTS)
        check_int("truncate", self.truncate, 1, MAX_TRUNCATE)


class ShiVizImportError(CommandError):
    """A refused ``import_shiviz``: the first problem, with every problem attached.

    Examples
    --------
    >>> engine = VectorClocksEngine(VectorClocksParams(), seed=1)
    >>> log = GOVECTOR_REGEX + '\\n\\na {"a":1}\\nx\\nb {"a":1}\\ny'
    >>> try:
    ...     engine.apply({"action": "import_shiviz", "text": log})
    ... except ShiVizImportError as err:
    ...     print(err.to_json()["problems"])
    [{'line': 5, 'reason': 'host b is missing from its own clock {"a":1}', 'message': 'line 5: host b is missing from its own clock {"a":1}'}]
    """

    def __init__(self, problems: list[ShiVizError]) -> None:
        self.problems = problems
        first = problems[0]
        super().__init__("text", f"line {first.line}", f"is not a valid ShiViz log: {first}")

    def to_json(self) -> JSON:
        """The error frame fields, plus ``problems`` (each with its line)."""
        return {**super().to_json(), "problems": [p.to_json() for p in self.problems]}


@dataclass
class _RunEvent:
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
        return self.process

    @property
    def clock(self) -> VectorClock:
        return self.vc

    def to_json(self) -> JSON:
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
class _Message:
    id: int
    sender: str
    receiver: str
    send_event: int
    receive_event: int | None
    status: str
    due: int
    stamp: Stamp

    def to_json(self) -> JSON:
        return {
            "id": self.id,
            "from": self.sender,
            "to": self.receiver,
            "send_event": self.send_event,
            "receive_event": self.receive_event,
            "status": self.status,
            "due": self.due,
        }


def _plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


class VectorClocksEngine(LabEngine):
    """Processes exchanging messages, with Lamport and vector clocks on every event.

    Parameters
    ----------
    params : VectorClocksParams
    seed : int
        Seeds the message delays and random runs.

    Commands
    --------
    ``local`` {process}; ``send`` {from, to}; ``deliver`` {message};
    ``drop`` {message}; ``random_run`` {events: 1..2000};
    ``select_event`` {event: id or null}; ``show_total_order`` {on};
    ``put`` {coordinator, value, context: list of version ids or "latest"};
    ``reconcile`` {coordinator, value}; ``set_truncate`` {size: 1..64};
    ``import_shiviz`` {text} (a GoVector log, one execution).
    A run holds at most :data:`MAX_EVENTS` events.

    Examples
    --------
    >>> engine = VectorClocksEngine(VectorClocksParams(random_events=50), seed=7)
    >>> len(engine.state()["events"])
    50
    >>> for command, caption in figure3_commands():
    ...     _ = engine.apply(command)
    >>> [(v["id"], v["status"]) for v in engine.state()["versions"]["versions"]]
    [('D1', 'ancestor'), ('D2', 'ancestor'), ('D3', 'ancestor'), ('D4', 'ancestor'), ('D5', 'current')]
    """

    Params = VectorClocksParams

    def __init__(self, params: VectorClocksParams, seed: int) -> None:
        if not isinstance(params, VectorClocksParams):
            raise CommandError("params", params, "must be VectorClocksParams")
        self.params = params
        self.seed = check_int("seed", seed, 0, 2**63 - 1)
        self.rng = random.Random(seed)
        self.processes: list[str] = [f"P{i}" for i in range(1, params.processes + 1)]
        self._proc: dict[str, Process] = {name: Process(name) for name in self.processes}
        self.events: list[_RunEvent] = []
        self.messages: list[_Message] = []
        self.now = 0
        self.selected: int | None = None
        self.show_order = False
        self.store = VersionedKey("cart", params.truncate)
        if params.random_events:
            self._random_run(params.random_events)

    # -- validation helpers ------------------------------------------------------------

    @staticmethod
    def _fields(
        command: Mapping[str, Any], required: Sequence[str], optional: Sequence[str] = ()
    ) -> None:
        allowed = {"action", *required, *optional}
        for key in command:
            if key not in allowed:
                takes = ", ".join([*required, *optional]) or "no fields"
                raise CommandError(
                    str(key),
                    command[key],
                    f"is not a field of {command['action']} (it takes {takes})",
                )
        for key in required:
            if key not in command:
                raise CommandError(key, None, f"is required by {command['action']}")

    def _process(self, field: str, value: object) -> str:
        return check_choice(field, value, tuple(self.processes))

    def _room(self, more: int = 1) -> None:
        if len(self.events) + more > MAX_EVENTS:
            raise CommandError(
                "events",
                len(self.events) + more,
                f"must stay within {MAX_EVENTS:,} events in a run",
            )

    def _in_flight(self, field: str, value: object) -> _Message:
        if not self.messages:
            raise CommandError(field, value, "must be the id of a message in flight (none is)")
        message_id = check_int(field, value, 0, len(self.messages) - 1)
        if self.messages[message_id].status != "in_flight":
            raise CommandError(field, value, "must be the id of a message in flight")
        return self.messages[message_id]

    # -- the rules ---------------------------------------------------------------------

    def _add(
        self, process: str, kind: str, stamp: Stamp, message: int | None, text: str
    ) -> _RunEvent:
        event = _RunEvent(
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

    def _local(self, process: str) -> Event:
        stamp = self._proc[process].local_event()
        text = (
            f"{process} performs a local event: it increments its own entry, so its vector "
            f"clock becomes {stamp.vector.format(self.processes)} (Lamport clock {stamp.lamport})."
        )
        event = self._add(process, "local", stamp, None, text)
        return Event("local", text, {"event": event.id})

    def _send(self, sender: str, receiver: str) -> Event:
        stamp = self._proc[sender].send_event()
        delay = self.rng.randint(self.params.min_delay, self.params.max_delay)
        message_id = len(self.messages)
        due = self.now + delay
        text = (
            f"{sender} sends m{message_id} to {receiver} with vector clock "
            f"{stamp.vector.format(self.processes)} (Lamport clock {stamp.lamport}); "
            f"it is due at time {due}."
        )
        event = self._add(sender, "send", stamp, message_id, text)
        self.messages.append(
            _Message(message_id, sender, receiver, event.id, None, "in_flight", due, stamp)
        )
        return Event("send", text, {"event": event.id, "message": message_id})

    def _deliver(self, message: _Message) -> Event:
        receiver = self._proc[message.receiver]
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
        return Event("receive", text, {"event": event.id, "message": message.id})

    def _due(self) -> list[_Message]:
        due = [m for m in self.messages if m.status == "in_flight" and m.due <= self.now]
        return sorted(due, key=lambda m: (m.due, m.id))

    def _random_run(self, count: int) -> dict[str, int]:
        made = {"local": 0, "send": 0, "receive": 0}
        while sum(made.values()) < count:
            self.now += 1
            delivered = False
            for message in self._due():
                if sum(made.values()) >= count:
                    break
                self._deliver(message)
                made["receive"] += 1
                delivered = True
            if delivered:
                continue
            sender = self.processes[self.rng.randrange(len(self.processes))]
            if self.rng.random() < 0.4:
                self._local(sender)
                made["local"] += 1
            else:
                others = [p for p in self.processes if p != sender]
                self._send(sender, others[self.rng.randrange(len(others))])
                made["send"] += 1
        return made

    # -- commands ----------------------------------------------------------------------

    @move("local")
    def do_local(self, command: Mapping[str, Any]) -> list[Event]:
        """``local`` {process}: an internal event (IR1)."""
        self._fields(command, ("process",))
        process = self._process("process", command["process"])
        self._room()
        return [self._local(process)]

    @move("send")
    def do_send(self, command: Mapping[str, Any]) -> list[Event]:
        """``send`` {from, to}: a send event; the message is in flight for a seeded delay."""
        self._fields(command, ("from", "to"))
        sender = self._process("from", command["from"])
        receiver = self._process("to", command["to"])
        if receiver == sender:
            raise CommandError("to", receiver, "must be a process other than the sender")
        self._room()
        return [self._send(sender, receiver)]

    @move("deliver")
    def do_deliver(self, command: Mapping[str, Any]) -> list[Event]:
        """``deliver`` {message}: receive an in-flight message now (any order)."""
        self._fields(command, ("message",))
        message = self._in_flight("message", command["message"])
        self._room()
        return [self._deliver(message)]

    @move("drop")
    def do_drop(self, command: Mapping[str, Any]) -> list[Event]:
        """``drop`` {message}: the network loses an in-flight message."""
        self._fields(command, ("message",))
        message = self._in_flight("message", command["message"])
        message.status = "dropped"
        text = (
            f"m{message.id} from {message.sender} to {message.receiver} is lost: "
            f"{message.receiver} never receives it, so what {message.sender} knew when it "
            "sent it does not reach that process this way."
        )
        return [Event("drop", text, {"message": message.id})]

    @move("random_run")
    def do_random_run(self, command: Mapping[str, Any]) -> list[Event]:
        """``random_run`` {events: 1..2000}: a seeded run of local, send and receive events."""
        self._fields(command, ("events",))
        count = check_int("events", command["events"], 1, MAX_EVENTS)
        self._room(count)
        first = len(self.events)
        made = self._random_run(count)
        flying = sum(1 for m in self.messages if m.status == "in_flight")
        text = (
            f"A random run adds {_plural(count, 'event')}: {_plural(made['local'], 'local event')}, "
            f"{_plural(made['send'], 'send')} and {_plural(made['receive'], 'receive')}; "
            f"{_plural(flying, 'message is', 'messages are')} still in flight at time {self.now}."
        )
        return [Event("random_run", text, {"first": first, "events": count})]

    @look_up("select_event", example={"action": "select_event", "event": None})
    def do_select_event(self, command: Mapping[str, Any]) -> list[Event]:
        """``select_event`` {event: id or null}: show its causal past, future and concurrency."""
        self._fields(command, ("event",))
        value = command["event"]
        if value is None:
            self.selected = None
            return [Event("select", "No event is selected.", {"event": None})]
        if not self.events:
            raise CommandError("event", value, "must be null: the run has no events yet")
        event_id = check_int("event", value, 0, len(self.events) - 1)
        self.selected = event_id
        sel = self._selection(event_id)
        e = self.events[event_id]
        text = (
            f"Event {event_id} ({e.process}'s event {e.index}, vector clock "
            f"{e.vc.format(self.processes)}, Lamport clock {e.lamport}) has "
            f"{_plural(len(sel['past']), 'event')} in its causal past, "
            f"{len(sel['future']):,} in its future and {len(sel['concurrent']):,} "
            "concurrent with it."
        )
        return [Event("select", text, {"event": event_id})]

    @look_up("show_total_order", example={"action": "show_total_order", "on": True})
    def do_show_total_order(self, command: Mapping[str, Any]) -> list[Event]:
        """``show_total_order`` {on}: Lamport's total order by (Lamport clock, process)."""
        self._fields(command, ("on",))
        self.show_order = check_bool("on", command["on"])
        if self.show_order:
            text = (
                "Events are listed in Lamport's total order: by Lamport clock, ties broken "
                f"by the process order {' < '.join(self.processes)}."
            )
        else:
            text = "Lamport's total order is hidden."
        return [Event("total_order", text, {"on": self.show_order})]

    @move("put")
    def do_put(self, command: Mapping[str, Any]) -> list[Event]:
        """``put`` {coordinator, value, context}: a Dynamo write (context defaults to latest)."""
        self._fields(command, ("coordinator", "value"), ("context",))
        coordinator = self.store.check_coordinator(command["coordinator"])
        value = self.store.check_value(command["value"])
        context = command.get("context", "latest")
        items = self.store.check_context(context)
        self.store.check_room()
        version = self.store.put(coordinator, value, items)
        return self._write_events(version, reconcile=False)

    @move("reconcile")
    def do_reconcile(self, command: Mapping[str, Any]) -> list[Event]:
        """``reconcile`` {coordinator, value}: a client merges every sibling and writes back."""
        self._fields(command, ("coordinator", "value"))
        coordinator = self.store.check_coordinator(command["coordinator"])
        value = self.store.check_value(command["value"])
        self.store.check_room()
        if not self.store.get():
            raise CommandError("reconcile", self.store.key, "needs at least one written version")
        version = self.store.reconcile(coordinator, value)
        return self._write_events(version, reconcile=True)

    def _write_events(self, version: DynamoVersion, reconcile: bool) -> list[Event]:
        write = self.store.history[-1]
        pairs = format_pairs(version.clock)
        parents = ", ".join(version.parents)
        if reconcile:
            text = (
                f"The client reads {parents}, reconciles them into {version.value!r} and writes "
                f"back through {version.coordinator}: {version.id} gets clock {pairs}."
            )
        elif version.parents:
            text = (
                f"{version.coordinator} coordinates the write of {version.id} with context "
                f"{parents}: it increments its own counter on the merged clock, giving {pairs}."
            )
        else:
            text = (
                f"{version.coordinator} coordinates the write of {version.id} with no context: "
                f"a fresh clock with its own counter, {pairs}."
            )
        data = {"version": version.id}
        events = [Event("put", text, data)]
        if version.truncated:
            events.append(
                Event(
                    "truncate",
                    f"{version.id}'s clock would have more than {self.store.truncate} pairs, so "
                    f"the oldest ({', '.join(version.truncated)}) "
                    f"{'is' if len(version.truncated) == 1 else 'are'} dropped; a descendant "
                    "may now look concurrent with its ancestors.",
                    data,
                )
            )
        events.extend(self._reconciliation_events(write, version))
        return events

    def _reconciliation_events(self, write: Write, version: DynamoVersion) -> list[Event]:
        events: list[Event] = []
        for dropped in write.dropped:
            other = self.store.version(dropped)
            if dropped == version.id:
                text = (
                    f"{version.id}'s clock {format_pairs(version.clock)} does not descend from "
                    "the current versions, and one of them descends from it, so syntactic "
                    f"reconciliation drops {version.id} itself: this write is lost."
                )
            elif other.clock == version.clock:
                text = (
                    f"{dropped} has the same clock as {version.id}, so syntactic reconciliation "
                    f"cannot tell them apart and keeps only the newer, {version.id}."
                )
            else:
                text = (
                    f"{dropped}'s clock {format_pairs(other.clock)} is ≤ "
                    f"{format_pairs(version.clock)}: {dropped} is an ancestor and syntactic "
                    "reconciliation drops it."
                )
            events.append(Event("ancestor", text, {"version": dropped}))
        if write.lost:
            events.append(self._lost_update_event(write, version))
        if len(write.current) > 1:
            names = list(write.current)
            listed = " and ".join([", ".join(names[:-1]), names[-1]])
            text = (
                f"{listed} are siblings: neither clock descends from the other, so the "
                "client must reconcile them."
            )
            events.append(Event("siblings", text, {"versions": names}))
        return events

    def _lost_update_event(self, write: Write, version: DynamoVersion) -> Event:
        """A lost update: reconciliation dropped a version the writing client never read."""
        lost = [v for v in write.lost if v != version.id]
        read = ", ".join(version.parents) if version.parents else "nothing"
        if lost:
            values = ", ".join(f"{v} ({self.store.version(v).value!r})" for v in lost)
            text = (
                f"Lost update: the client had read {read}, yet {version.id}'s clock "
                f"{format_pairs(version.clock)} covers {', '.join(lost)}, because "
                f"{version.coordinator} increments its own counter on the context's clock. "
                f"{values} {'is' if len(lost) == 1 else 'are'} dropped with no sibling: not a "
                "concurrent branch, a silently lost write."
            )
        else:
            text = (
                f"Lost update: {version.id} (read {read}) is dominated by a version its client "
                f"never read, so {version.id}'s value {version.value!r} is dropped with no sibling."
            )
        return Event("lost_update", text, {"versions": list(write.lost)})

    @move("set_truncate")
    def do_set_truncate(self, command: Mapping[str, Any]) -> list[Event]:
        """``set_truncate`` {size: 1..64}: Dynamo's clock truncation threshold."""
        self._fields(command, ("size",))
        size = check_int("size", command["size"], 1, MAX_TRUNCATE)
        self.store.set_truncate(size)
        text = (
            f"Clocks now keep at most {_plural(size, '(node, counter) pair')}; past that the "
            f"oldest pair is dropped (Dynamo uses {DYNAMO_TRUNCATE})."
        )
        return [Event("set_truncate", text, {"size": size})]

    @move("import_shiviz")
    def do_import_shiviz(self, command: Mapping[str, Any]) -> list[Event]:
        """``import_shiviz`` {text}: replace the run by a parsed, fully validated GoVector log.

        Only GoVector's regex with a blank second line is accepted (read in linear
        time; see :mod:`algorithms.shiviz`), at most :data:`MAX_SHIVIZ_BYTES`,
        :data:`MAX_EVENTS` events and :data:`MAX_IMPORT_HOSTS` hosts. A refusal
        names the first problem's line and carries every problem
        (:class:`ShiVizImportError`). Processes become the log's hosts, in order of
        first appearance; messages are the arrows ShiViz would draw; Lamport clocks
        are computed from the vector clocks and used as the events' times.
        """
        self._fields(command, ("text",))
        text = command["text"]
        if not isinstance(text, str):
            raise CommandError("text", text, "must be the text of a ShiViz log")
        problems = validate_shiviz(text, govector_only=True)
        if problems:
            raise ShiVizImportError(problems)
        chosen = parse_shiviz(text, govector_only=True)
        if len(chosen) > MAX_EVENTS:
            raise CommandError(
                "text", f"{len(chosen):,} events", f"must hold at most {MAX_EVENTS:,} events"
            )
        index = CausalIndex(chosen)
        if len(index.hosts) > MAX_IMPORT_HOSTS:
            raise CommandError(
                "text", f"{len(index.hosts)} hosts", f"must have at most {MAX_IMPORT_HOSTS} hosts"
            )
        self._load(chosen, index)
        text_out = (
            f"The ShiViz log is loaded: {_plural(len(chosen), 'event')} on "
            f"{_plural(len(index.hosts), 'host')} ({', '.join(index.hosts)}) with "
            f"{_plural(len(self.messages), 'message')}; Lamport clocks are computed from the "
            "vector clocks."
        )
        return [Event("import", text_out, {"events": len(chosen), "hosts": index.hosts})]

    def _load(self, chosen: list[ShiVizEvent], index: CausalIndex) -> None:
        """Replace the run by the imported execution (already validated)."""
        lamport = index.lamport
        order = sorted(range(len(chosen)), key=lambda i: (lamport[i], i))
        new_id = {old: new for new, old in enumerate(order)}
        sources = {i: index.receives_from(i) for i in range(len(chosen))}
        messages: list[_Message] = []
        sent_by: dict[int, list[int]] = {}
        received_by: dict[int, list[int]] = {}
        for old in order:
            for src in sources[old]:
                mid = len(messages)
                messages.append(
                    _Message(
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
        events: list[_RunEvent] = []
        procs: dict[str, Process] = {}
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
                _RunEvent(
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
            proc = procs.get(e.host)
            if proc is None:
                proc = procs[e.host] = Process(e.host)
            proc.clock, proc.lamport, proc.events = e.clock, lamport[old], e.clock[e.host]
        self.processes = list(index.hosts)
        self._proc = {name: procs[name] for name in self.processes}
        self.events = events
        self.messages = messages
        self.now = max(lamport) if lamport else 0
        self.selected = None

    # -- time --------------------------------------------------------------------------

    def step(self) -> list[Event]:
        """Advance one tick and deliver every message whose delay has elapsed.

        Returns ``[]`` (and changes nothing) when no message is in flight, or when
        the run is full (:data:`MAX_EVENTS`) so nothing more can be received.
        """
        flying = [m for m in self.messages if m.status == "in_flight"]
        if not flying or len(self.events) >= MAX_EVENTS or self.now >= _MAX_NOW:
            return []
        self.now += 1
        out: list[Event] = []
        for message in self._due():
            if len(self.events) >= MAX_EVENTS:
                break
            out.append(self._deliver(message))
        if not out:
            left = [m for m in self.messages if m.status == "in_flight"]
            nxt = min(m.due for m in left)
            out.append(
                Event(
                    "tick",
                    f"Time {self.now}: no message arrives; "
                    f"{_plural(len(left), 'message is', 'messages are')} in flight, the next "
                    f"due at time {nxt}.",
                    {"now": self.now},
                )
            )
        return out

    # -- views -------------------------------------------------------------------------

    def _happens_before(self, a: int, b: int) -> bool:
        ea, eb = self.events[a], self.events[b]
        return a != b and eb.vc[ea.process] >= ea.index

    def _selection(self, e: int) -> JSON:
        past, future, concurrent = [], [], []
        for f in range(len(self.events)):
            if f == e:
                continue
            if self._happens_before(f, e):
                past.append(f)
            elif self._happens_before(e, f):
                future.append(f)
            else:
                concurrent.append(f)
        return {"event": e, "past": past, "future": future, "concurrent": concurrent}

    def total_order(self) -> list[int]:
        """Event ids in Lamport's total order ⇒: by (Lamport clock, process order)."""
        rank = {name: r for r, name in enumerate(self.processes)}
        return sorted(
            range(len(self.events)),
            key=lambda i: (self.events[i].lamport, rank[self.events[i].process]),
        )

    def causal_index(self) -> CausalIndex:
        """A :class:`CausalIndex` over the run's events (positions are event ids)."""
        return CausalIndex(self.events)

    def export_shiviz(self) -> str:
        """The run as a ShiViz log (GoVector format; ValueError if it has no events)."""
        return to_shiviz(self.events)

    def state(self) -> JSON:
        """Processes, events, messages, the selection, the total order and the versions."""
        return {
            "processes": list(self.processes),
            "events": [e.to_json() for e in self.events],
            "messages": [m.to_json() for m in self.messages],
            "now": self.now,
            "selected": self._selection(self.selected) if self.selected is not None else None,
            "total_order": self.total_order() if self.show_order else None,
            "versions": self.store.to_json(),
        }
