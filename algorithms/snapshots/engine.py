"""The snapshot lab's engine: tokens on FIFO channels, markers, cuts, conservation.

Chandy & Lamport, "Distributed Snapshots: Determining Global States of Distributed
Systems", ACM TOCS 3(1), 1985; Carbone et al., "Lightweight Asynchronous Snapshots for
Distributed Dataflows", 2015, for the aligned mode. The student sends tokens, ticks,
delivers the head of a channel, and starts snapshots at any process and moment, several
at once; :meth:`SnapshotsEngine.state` gives the space-time view (every event with its
time, every message and marker with its send and receive times), each snapshot's cut,
its recorded table, the conservation check, and for the selected snapshot whether the
run passed through its state and the §4 reordering that does.

Examples
--------
>>> engine = SnapshotsEngine(SnapshotsParams(processes=3, tokens=2), seed=1)
>>> print(engine.apply({"action": "snapshot", "process": "P1"})[0].text)
P1 records its state (2 tokens) for snapshot S1 and sends a marker on each of its 2 outgoing channels before anything else.
>>> _ = engine.apply({"action": "send", "from": "P2", "to": "P1", "tokens": 1})
>>> _ = engine.apply({"action": "tick", "units": 3})
>>> s = engine.state()["snapshots"][0]
>>> s["complete"], s["conservation"]["holds"]
(True, True)
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Mapping
from typing import Any

from algorithms.engine import (
    CommandError,
    Event,
    LabEngine,
    check_choice,
    check_fields,
    check_int,
    look_up,
    move,
)
from algorithms.kernel import UniformDelay
from algorithms.snapshots.dataflow import DATAFLOW_TEXT, DataflowComparison
from algorithms.snapshots.events import load_events
from algorithms.snapshots.params import (
    KINDS,
    MAX_LAB_EVENTS,
    MAX_LAB_TOKENS,
    MAX_TICK_UNITS,
    MODES,
    SnapshotsParams,
)
from algorithms.snapshots.recorded import (
    Snapshot,
    conserves,
    in_flight_tokens,
)
from algorithms.snapshots.runner import apply_action
from algorithms.snapshots.system import Marker, Mode, TokenSystem
from algorithms.snapshots.topology import (
    MAX_PROCESSES,
    MIN_PROCESSES,
    Topology,
    complete_topology,
    load_topology,
    random_topology,
    ring_topology,
)
from algorithms.snapshots.view import state_json

__all__ = ["MAX_LAB_EVENTS", "MAX_LAB_TOKENS", "SnapshotsEngine", "SnapshotsParams"]

JSON = dict[str, Any]


def _plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


class SnapshotsEngine(LabEngine[SnapshotsParams]):
    """Processes passing tokens while Chandy–Lamport snapshots (or aligned barriers) run.

    Commands
    --------
    ``send`` {from, to, tokens}; ``tick`` {units: 1..100, optional};
    ``deliver`` {from, to} (the oldest message on that channel, now);
    ``snapshot`` {process, id optional}; ``idle`` {process} (it sends nothing until it
    receives); ``set_topology`` {kind, processes, tokens}; ``import_topology`` {text};
    ``add_link`` / ``remove_link`` {from, to}; ``import_events`` {text};
    ``set_mode`` {mode}; ``select_snapshot`` {id or null} (a look-up).
    Changing the topology or the mode starts a new run. A run holds at most
    :data:`MAX_LAB_EVENTS` events.

    Examples
    --------
    >>> engine = SnapshotsEngine(SnapshotsParams(mode="aligned"), seed=2)
    >>> _ = engine.apply({"action": "snapshot", "process": "src1"})
    >>> _ = engine.apply({"action": "tick", "units": 4})
    >>> s = engine.state()["snapshots"][0]
    >>> s["complete"], s["consistent"], [c["tokens"] for c in s["channels"]][:2]
    (True, True, [[], []])
    """

    def __init__(self, params: SnapshotsParams, seed: int) -> None:
        super().__init__(params, seed)
        self.mode: Mode = "aligned" if params.mode == "aligned" else "chandy-lamport"
        self.delay = UniformDelay(params.max_delay / 20, params.max_delay)
        self.selected: str | None = None
        self._reset(self._initial_topology())

    # -- runs --------------------------------------------------------------------------

    def _initial_topology(self) -> Topology:
        if self.mode == "aligned":
            return load_topology(DATAFLOW_TEXT, dataflow=True)
        return self._generated(self.params.topology, self.params.processes, self.params.tokens)

    def _generated(self, kind: str, n: int, tokens: int) -> Topology:
        if kind == "ring":
            return ring_topology(n, tokens)
        if kind == "complete":
            return complete_topology(n, tokens)
        return random_topology(n, self.rng.getrandbits(32), max_tokens=tokens)

    def _reset(self, topology: Topology) -> None:
        run_seed = self.rng.getrandbits(63)
        forward = topology.dataflow
        self.topology = topology
        self.system = TokenSystem(
            topology, run_seed, delay=self.delay, mode=self.mode, forward=forward
        )
        # On a dataflow the same actions also drive Chandy–Lamport, for the comparison.
        self.shadow: TokenSystem | None = None
        if topology.dataflow and self.mode == "aligned":
            self.shadow = TokenSystem(
                topology, run_seed, delay=self.delay, forward=True, history=False
            )
        self.selected = None
        self._announced: set[str] = set()

    # -- validation --------------------------------------------------------------------

    def _process(self, field: str, value: object) -> str:
        return check_choice(field, value, self.topology.processes)

    def _channel(self, command: Mapping[str, Any]) -> tuple[str, str]:
        src = self._process("from", command["from"])
        dst = self._process("to", command["to"])
        if (src, dst) not in self.system.sent:
            ends = ", ".join(b for a, b in self.topology.links if a == src) or "none"
            raise CommandError("to", dst, f"must be at the end of a channel from {src} ({ends})")
        return src, dst

    def _room(self, more: int) -> None:
        if len(self.system.events) + more > MAX_LAB_EVENTS:
            raise CommandError(
                "events",
                len(self.system.events) + more,
                f"must stay within {MAX_LAB_EVENTS:,} in a run",
            )

    def _new_events(self, before: int) -> list[Event]:
        out = []
        marker = "barrier" if self.mode == "aligned" else "marker"
        for e in self.system.events[before:]:
            if e.kind == "receive":
                text = (
                    f"{e.process} receives {_plural(e.amount, 'token')} from {e.peer} "
                    f"(it now holds {e.tokens})."
                )
            elif e.kind == "marker_receive" and e.snapshot is not None and e.peer is not None:
                text = self._marker_text(e.snapshot, e.peer, e.process, e.index, marker)
            elif e.kind == "hold":
                text = (
                    f"{e.process} holds back a message from {e.peer}: that input's barrier has "
                    "arrived, so its input waits until every input's barrier has (alignment)."
                )
            elif e.kind == "record" and e.snapshot is not None:
                outs = len(self.topology.outgoing(e.process))
                sending = (
                    f"sends a {marker} on each of its {outs} outgoing channels before anything else"
                    if outs > 1
                    else f"sends a {marker} on its outgoing channel before anything else"
                    if outs == 1
                    else "has no outgoing channel to send a " + marker + " on"
                )
                text = (
                    f"{e.process} records its state ({_plural(e.tokens, 'token')}) for snapshot "
                    f"{e.snapshot} and {sending}."
                )
            elif e.kind == "send":
                text = (
                    f"{e.process} passes {_plural(e.amount, 'token')} on to {e.peer} "
                    f"(it now holds {e.tokens})."
                )
            else:
                continue
            out.append(Event(e.kind, text, {"event": e.index, "time": e.time}))
        for rec in self.system.snapshots.values():
            if rec.completed_at is not None and rec.id not in self._announced:
                self._announced.add(rec.id)
                snap = self.system.result(rec)
                out.append(
                    Event(
                        "complete",
                        f"Snapshot {rec.id} is complete: "
                        f"{_plural(sum(snap.local.values()), 'token')} recorded at processes and "
                        f"{in_flight_tokens(snap):,} in channels, "
                        f"{'equal to' if conserves(snap, self.topology.total) else 'NOT equal to'} "
                        f"the total of {self.topology.total:,}.",
                        {"snapshot": rec.id},
                    )
                )
        return out

    def _marker_text(self, sid: str, src: str, dst: str, index: int, marker: str) -> str:
        rec = self.system.snapshots[sid]
        # The marker that makes a process record is followed at once by its recording.
        first = rec.recorded_index.get(dst) == index + 1
        if self.mode == "aligned":
            waiting = len(self.topology.incoming(dst))
            if first:
                return (
                    f"{dst} receives {sid}'s barrier from {src}: every input's barrier is in "
                    "(alignment done), so it records and releases what it held back."
                )
            return f"{dst} receives {sid}'s barrier from {src} and blocks that input ({waiting} inputs in all)."
        if first:
            return (
                f"{dst} receives {sid}'s marker from {src}: it had not recorded, so it records "
                f"its state now and records channel {src}->{dst} as empty."
            )
        amounts = rec.channel_messages.get((src, dst), [])
        tokens = ", ".join(str(m.tokens) for m in amounts) or "nothing"
        return (
            f"{dst} receives {sid}'s marker from {src}: channel {src}->{dst} is recorded as the "
            f"messages received after {dst} recorded and before this marker ({tokens})."
        )

    # -- commands ----------------------------------------------------------------------

    @move("send")
    def do_send(self, command: Mapping[str, Any]) -> list[Event]:
        """``send`` {from, to, tokens}: an application message moving tokens."""
        check_fields(command, ("from", "to", "tokens"))
        src, dst = self._channel(command)
        held = self.system.tokens[src]
        tokens = check_int("tokens", command["tokens"], 1, max(1, held))
        if tokens > held:
            raise CommandError("tokens", tokens, f"must be at most what {src} holds ({held})")
        self._room(1)
        before = len(self.system.events)
        message = self.system.send(src, dst, tokens)
        if self.shadow is not None and self.shadow.tokens[src] >= tokens:
            self.shadow.send(src, dst, tokens)
        text = (
            f"{src} sends {_plural(tokens, 'token')} to {dst} (m{message.id}, due at "
            f"{message.due:.2f}); it now holds {self.system.tokens[src]}."
        )
        return [Event("send", text, {"message": message.id}), *self._new_events(before + 1)]

    @move("tick")
    def do_tick(self, command: Mapping[str, Any]) -> list[Event]:
        """``tick`` {units}: time advances; every message due is delivered."""
        check_fields(command, (), ("units",))
        units = check_int("units", command.get("units", 1), 1, MAX_TICK_UNITS)
        return self._advance(units)

    def _advance(self, units: int) -> list[Event]:
        # At worst every message in flight arrives (and is passed on), and every running
        # snapshot still records everywhere and sends and receives a marker per channel.
        links, n = len(self.topology.links), len(self.topology.tokens)
        self._room(2 * len(self.system.net.in_flight()) + self.system.running * (2 * links + n) + 1)
        before = len(self.system.events)
        self.system.tick(units)
        if self.shadow is not None:
            self.shadow.tick(units)
        text = f"Time advances to {self.system.now:g}."
        return [Event("tick", text, {"now": self.system.now}), *self._new_events(before)]

    @move("deliver")
    def do_deliver(self, command: Mapping[str, Any]) -> list[Event]:
        """``deliver`` {from, to}: the oldest message on that channel arrives now."""
        check_fields(command, ("from", "to"))
        src, dst = self._channel(command)
        if not self.system.net.in_flight(src, dst):
            raise CommandError("from", src, f"must have a message in flight to {dst}")
        self._room(2 * len(self.topology.links) + 2)
        before = len(self.system.events)
        message = self.system.deliver_next(src, dst)
        if self.shadow is not None and self.shadow.net.in_flight(src, dst):
            self.shadow.deliver_next(src, dst)
        events = self._new_events(before)
        if not events:  # held back by alignment is reported by _new_events
            kind = "marker" if isinstance(message.payload, Marker) else "message"
            events = [Event("deliver", f"{dst} receives a {kind} from {src}.", {})]
        return events

    @move("snapshot")
    def do_snapshot(self, command: Mapping[str, Any]) -> list[Event]:
        """``snapshot`` {process, id}: the process records its state and sends markers."""
        check_fields(command, ("process",), ("id",))
        process = self._process("process", command["process"])
        self._room(len(self.topology.links) + len(self.topology.tokens))
        before = len(self.system.events)
        rec = self.system.start_snapshot(process, command.get("id"))
        if self.shadow is not None:
            self.shadow.start_snapshot(process, rec.id)
        return self._new_events(before)

    @move("idle")
    def do_idle(self, command: Mapping[str, Any]) -> list[Event]:
        """``idle`` {process}: the process sends nothing more until it receives."""
        check_fields(command, ("process",))
        process = self._process("process", command["process"])
        self.system.idle.add(process)
        text = f"{process} becomes idle: it will send nothing until a message arrives."
        return [Event("idle", text, {"process": process})]

    def _replace(self, topology: Topology, what: str) -> list[Event]:
        self._reset(topology)
        text = (
            f"{what}: {_plural(len(topology.tokens), 'process', 'processes')}, "
            f"{_plural(len(topology.links), 'channel')}, {_plural(topology.total, 'token')}; a new run starts."
        )
        return [Event("topology", text, {})]

    @move("set_topology")
    def do_set_topology(self, command: Mapping[str, Any]) -> list[Event]:
        """``set_topology`` {kind, processes, tokens}: a ring, complete or random graph."""
        check_fields(command, ("kind", "processes", "tokens"))
        kind = check_choice("kind", command["kind"], KINDS)
        n = check_int("processes", command["processes"], MIN_PROCESSES, MAX_PROCESSES)
        tokens = check_int("tokens", command["tokens"], 0, MAX_LAB_TOKENS)
        if self.mode == "aligned":
            raise CommandError(
                "kind", kind, "needs the chandy-lamport mode (a dataflow is acyclic)"
            )
        return self._replace(self._generated(kind, n, tokens), f"A {kind} topology")

    @move("import_topology")
    def do_import_topology(self, command: Mapping[str, Any]) -> list[Event]:
        """``import_topology`` {text}: a topology file (a dataflow in aligned mode)."""
        check_fields(command, ("text",))
        topology = load_topology(command["text"], dataflow=self.mode == "aligned")
        if max(topology.tokens.values()) > MAX_LAB_TOKENS:
            raise CommandError(
                "tokens", max(topology.tokens.values()), f"must be at most {MAX_LAB_TOKENS}"
            )
        return self._replace(topology, "The imported topology")

    def _edit(self, command: Mapping[str, Any], add: bool) -> list[Event]:
        check_fields(command, ("from", "to"))
        src = self._process("from", command["from"])
        dst = self._process("to", command["to"])
        links = list(self.topology.links)
        if add:
            if (src, dst) in links:
                raise CommandError("to", dst, f"must not already have a channel from {src}")
            links.append((src, dst))
        else:
            if (src, dst) not in links:
                raise CommandError("to", dst, f"must be at the end of a channel from {src}")
            links.remove((src, dst))
        topology = Topology(self.topology.tokens, tuple(links), self.topology.dataflow)
        verb = "added" if add else "removed"
        return self._replace(topology, f"Channel {src}->{dst} {verb}")

    @move("add_link")
    def do_add_link(self, command: Mapping[str, Any]) -> list[Event]:
        """``add_link`` {from, to}: a new channel (the run restarts)."""
        return self._edit(command, add=True)

    @move("remove_link")
    def do_remove_link(self, command: Mapping[str, Any]) -> list[Event]:
        """``remove_link`` {from, to}: drop a channel; the rest must stay strongly connected."""
        return self._edit(command, add=False)

    @move("import_events")
    def do_import_events(self, command: Mapping[str, Any]) -> list[Event]:
        """``import_events`` {text}: apply an events file to the current run, in order."""
        check_fields(command, ("text",))
        actions = load_events(command["text"])
        self._room(len(actions))
        before = len(self.system.events)
        # Run the file on a copy: a refused line, or a run grown past the bound,
        # leaves the engine exactly as it was.
        trial = copy.deepcopy(self.system)
        for action in actions:
            apply_action(trial, action)
        if len(trial.events) > MAX_LAB_EVENTS:
            raise CommandError(
                "text",
                f"{len(trial.events):,} events",
                f"must keep the run within {MAX_LAB_EVENTS:,}",
            )
        self.system = trial
        if self.shadow is not None:
            for action in actions:
                with contextlib.suppress(CommandError):
                    apply_action(self.shadow, action)
        text = f"{_plural(len(actions), 'action')} applied from the events file."
        return [Event("import_events", text, {}), *self._new_events(before)]

    @move("set_mode")
    def do_set_mode(self, command: Mapping[str, Any]) -> list[Event]:
        """``set_mode`` {mode}: Chandy–Lamport markers or aligned barriers (new run)."""
        check_fields(command, ("mode",))
        mode = check_choice("mode", command["mode"], MODES)
        self.mode = mode
        if mode == "aligned":
            return self._replace(
                load_topology(DATAFLOW_TEXT, dataflow=True), "Aligned barriers on a dataflow"
            )
        return self._replace(self._initial_topology(), "Chandy–Lamport markers")

    @look_up("select_snapshot", example={"action": "select_snapshot", "id": None})
    def do_select_snapshot(self, command: Mapping[str, Any]) -> list[Event]:
        """``select_snapshot`` {id or null}: show a snapshot's cut, table and §4 reordering."""
        check_fields(command, ("id",))
        sid = command["id"]
        if sid is not None:
            check_choice("id", sid, tuple(self.system.snapshots))
        self.selected = sid
        return [
            Event(
                "select", f"Snapshot {sid} is selected." if sid else "No snapshot is selected.", {}
            )
        ]

    # -- time --------------------------------------------------------------------------

    def step(self) -> list[Event]:
        """One tick, if any message is in flight (else nothing changes)."""
        if not self.system.net.in_flight():
            return []
        try:
            return self._advance(1)
        except CommandError:
            return []

    # -- views -------------------------------------------------------------------------

    def snapshot(self, sid: str) -> Snapshot:
        """The recorded state of snapshot ``sid`` (complete or not)."""
        check_choice("id", sid, tuple(self.system.snapshots))
        return self.system.result(self.system.snapshots[sid])

    def comparison(self) -> DataflowComparison | None:
        """Aligned barriers against Chandy–Lamport on the same dataflow run."""
        if self.shadow is None:
            return None
        return DataflowComparison(self.shadow.completed(), self.system.completed())

    def state(self) -> JSON:
        """Processes, channels, events, messages, snapshots and the comparison."""
        # The §4 analysis replays the run: draw it once per version of the engine.
        return self.memo("state", lambda: state_json(self.system, self.selected, self.comparison()))
