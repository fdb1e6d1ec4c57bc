"""The vector-clocks lab engine: its commands, its views and its state().

Lamport, "Time, Clocks, and the Ordering of Events in a Distributed System", CACM
21(7), 1978; Fidge 1988; Mattern 1989; DeCandia et al., "Dynamo", SOSP 2007, §4.4 and
Figure 3; Beschastnikh et al., "Visualizing Distributed System Executions" (ShiViz).

The run itself (processes, events, messages on the message-passing kernel) is a
:class:`~algorithms.clocks.run.Run`; the Dynamo key is a
:class:`~algorithms.clocks.dynamo.VersionedKey` whose writes are narrated by
:mod:`algorithms.clocks.versions`. The engine validates commands, keeps the selection
and the total-order switch, and draws the picture the view reads.

Examples
--------
>>> engine = VectorClocksEngine(VectorClocksParams(processes=2), seed=1)
>>> _ = engine.apply({"action": "send", "from": "P1", "to": "P2"})
>>> [e.kind for e in engine.step() + engine.step()], engine.state()["now"]
(['tick', 'receive'], 2)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from algorithms.clocks.causality import CausalIndex
from algorithms.clocks.dynamo import (
    DYNAMO_TRUNCATE,
    MAX_TRUNCATE,
    VersionedKey,
)
from algorithms.clocks.params import MAX_IMPORT_HOSTS, ShiVizImportError, VectorClocksParams
from algorithms.clocks.run import MAX_EVENTS, Run, RunEvent, RunMessage, plural
from algorithms.clocks.shiviz import (
    parse_shiviz,
    to_shiviz,
    validate_shiviz,
)
from algorithms.clocks.versions import write_events
from algorithms.engine import (
    CommandError,
    Event,
    LabEngine,
    check_bool,
    check_choice,
    check_fields,
    check_int,
    look_up,
    move,
)
from algorithms.kernel import UniformDelay

__all__ = ["VectorClocksEngine"]

JSON = dict[str, Any]


class VectorClocksEngine(LabEngine[VectorClocksParams]):
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
    >>> from algorithms.clocks.figure3 import figure3_commands
    >>> for command, caption in figure3_commands():
    ...     _ = engine.apply(command)
    >>> [(v["id"], v["status"]) for v in engine.state()["versions"]["versions"]]
    [('D1', 'ancestor'), ('D2', 'ancestor'), ('D3', 'ancestor'), ('D4', 'ancestor'), ('D5', 'current')]
    """

    def __init__(self, params: VectorClocksParams, seed: int) -> None:
        super().__init__(params, seed)
        # Unordered channels: a later message may overtake an earlier one.
        self.delay = UniformDelay(params.min_delay, params.max_delay, integer=True)
        names = [f"P{i}" for i in range(1, params.processes + 1)]
        self.run = Run(names, self.delay, self.rng)
        self.selected: int | None = None
        self.show_order = False
        self.store = VersionedKey("cart", params.truncate)
        if params.random_events:
            self.run.random_run(params.random_events)

    @property
    def processes(self) -> list[str]:
        """The process names, in the order vector clocks are printed."""
        return self.run.processes

    @property
    def events(self) -> list[RunEvent]:
        """Every event of the run, by id."""
        return self.run.events

    @property
    def messages(self) -> list[RunMessage]:
        """Every message of the run, by id (delivered, dropped or in flight)."""
        return self.run.messages

    @property
    def now(self) -> int:
        """The current tick."""
        return self.run.now

    # -- validation helpers ------------------------------------------------------------

    def _process(self, field: str, value: object) -> str:
        return check_choice(field, value, tuple(self.processes))

    def _room(self, more: int = 1) -> None:
        if len(self.events) + more > MAX_EVENTS:
            raise CommandError(
                "events",
                len(self.events) + more,
                f"must stay within {MAX_EVENTS:,} events in a run",
            )

    def _in_flight(self, field: str, value: object) -> RunMessage:
        if not self.messages:
            raise CommandError(field, value, "must be the id of a message in flight (none is)")
        message_id = check_int(field, value, 0, len(self.messages) - 1)
        if self.messages[message_id].status != "in_flight":
            raise CommandError(field, value, "must be the id of a message in flight")
        return self.messages[message_id]

    # -- commands ----------------------------------------------------------------------

    @move("local")
    def do_local(self, command: Mapping[str, Any]) -> list[Event]:
        """``local`` {process}: an internal event (IR1)."""
        check_fields(command, ("process",))
        process = self._process("process", command["process"])
        self._room()
        return [self.run.local(process)]

    @move("send")
    def do_send(self, command: Mapping[str, Any]) -> list[Event]:
        """``send`` {from, to}: a send event; the message is in flight for a seeded delay."""
        check_fields(command, ("from", "to"))
        sender = self._process("from", command["from"])
        receiver = self._process("to", command["to"])
        if receiver == sender:
            raise CommandError("to", receiver, "must be a process other than the sender")
        self._room()
        return [self.run.send(sender, receiver)]

    @move("deliver")
    def do_deliver(self, command: Mapping[str, Any]) -> list[Event]:
        """``deliver`` {message}: receive an in-flight message now (any order)."""
        check_fields(command, ("message",))
        message = self._in_flight("message", command["message"])
        self._room()
        return [self.run.deliver(message)]

    @move("drop")
    def do_drop(self, command: Mapping[str, Any]) -> list[Event]:
        """``drop`` {message}: the network loses an in-flight message."""
        check_fields(command, ("message",))
        message = self._in_flight("message", command["message"])
        return [self.run.drop(message)]

    @move("random_run")
    def do_random_run(self, command: Mapping[str, Any]) -> list[Event]:
        """``random_run`` {events: 1..2000}: a seeded run of local, send and receive events."""
        check_fields(command, ("events",))
        count = check_int("events", command["events"], 1, MAX_EVENTS)
        self._room(count)
        first = len(self.events)
        made = self.run.random_run(count)
        flying = self.run.in_flight()
        text = (
            f"A random run adds {plural(count, 'event')}: {plural(made['local'], 'local event')}, "
            f"{plural(made['send'], 'send')} and {plural(made['receive'], 'receive')}; "
            f"{plural(flying, 'message is', 'messages are')} still in flight at time {self.now}."
        )
        return [Event("random_run", text, {"first": first, "events": count})]

    @look_up("select_event", example={"action": "select_event", "event": None})
    def do_select_event(self, command: Mapping[str, Any]) -> list[Event]:
        """``select_event`` {event: id or null}: show its causal past, future and concurrency."""
        check_fields(command, ("event",))
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
            f"{plural(len(sel['past']), 'event')} in its causal past, "
            f"{len(sel['future']):,} in its future and {len(sel['concurrent']):,} "
            "concurrent with it."
        )
        return [Event("select", text, {"event": event_id})]

    @look_up("show_total_order", example={"action": "show_total_order", "on": True})
    def do_show_total_order(self, command: Mapping[str, Any]) -> list[Event]:
        """``show_total_order`` {on}: Lamport's total order by (Lamport clock, process)."""
        check_fields(command, ("on",))
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
        check_fields(command, ("coordinator", "value"), ("context",))
        coordinator = self.store.check_coordinator(command["coordinator"])
        value = self.store.check_value(command["value"])
        context = command.get("context", "latest")
        items = self.store.check_context(context)
        self.store.check_room()
        version = self.store.put(coordinator, value, items)
        return write_events(self.store, version, reconcile=False)

    @move("reconcile")
    def do_reconcile(self, command: Mapping[str, Any]) -> list[Event]:
        """``reconcile`` {coordinator, value}: a client merges every sibling and writes back."""
        check_fields(command, ("coordinator", "value"))
        coordinator = self.store.check_coordinator(command["coordinator"])
        value = self.store.check_value(command["value"])
        self.store.check_room()
        if not self.store.get():
            raise CommandError("reconcile", self.store.key, "needs at least one written version")
        version = self.store.reconcile(coordinator, value)
        return write_events(self.store, version, reconcile=True)

    @move("set_truncate")
    def do_set_truncate(self, command: Mapping[str, Any]) -> list[Event]:
        """``set_truncate`` {size: 1..64}: Dynamo's clock truncation threshold."""
        check_fields(command, ("size",))
        size = check_int("size", command["size"], 1, MAX_TRUNCATE)
        self.store.set_truncate(size)
        text = (
            f"Clocks now keep at most {plural(size, '(node, counter) pair')}; past that the "
            f"oldest pair is dropped (Dynamo uses {DYNAMO_TRUNCATE})."
        )
        return [Event("set_truncate", text, {"size": size})]

    @move("import_shiviz")
    def do_import_shiviz(self, command: Mapping[str, Any]) -> list[Event]:
        """``import_shiviz`` {text}: replace the run by a parsed, fully validated GoVector log.

        Only GoVector's regex with a blank second line is accepted (read in linear
        time; see :mod:`algorithms.clocks.shiviz`), at most :data:`MAX_SHIVIZ_BYTES`,
        :data:`MAX_EVENTS` events and :data:`MAX_IMPORT_HOSTS` hosts. A refusal
        names the first problem's line and carries every problem
        (:class:`ShiVizImportError`). Processes become the log's hosts, in order of
        first appearance; messages are the arrows ShiViz would draw; Lamport clocks
        are computed from the vector clocks and used as the events' times.
        """
        check_fields(command, ("text",))
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
        self.run = Run.imported(chosen, index, self.delay, self.rng)
        self.selected = None
        text_out = (
            f"The ShiViz log is loaded: {plural(len(chosen), 'event')} on "
            f"{plural(len(index.hosts), 'host')} ({', '.join(index.hosts)}) with "
            f"{plural(len(self.messages), 'message')}; Lamport clocks are computed from the "
            "vector clocks."
        )
        return [Event("import", text_out, {"events": len(chosen), "hosts": index.hosts})]

    # -- time --------------------------------------------------------------------------

    def step(self) -> list[Event]:
        """Advance one tick and deliver every message whose delay has elapsed.

        Returns ``[]`` (and changes nothing) when no message is in flight, or when
        the run is full (:data:`MAX_EVENTS`) so nothing more can be received.
        """
        return self.run.tick()

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
