"""The snapshot lab's library: Chandy–Lamport snapshots and aligned barriers.

Chandy & Lamport, "Distributed Snapshots: Determining Global States of Distributed
Systems", ACM TOCS 3(1), 1985; Carbone, Fóra, Ewen, Haridi, Tzoumas, "Lightweight
Asynchronous Snapshots for Distributed Dataflows", 2015.

A system of 2 to 16 processes holding tokens on a strongly connected topology of
reliable FIFO channels (:mod:`~algorithms.snapshots.topology`), driven by an events file
(:mod:`~algorithms.snapshots.events`) on the message-passing kernel
(:mod:`algorithms.kernel`); the marker rules live in
:mod:`~algorithms.snapshots.system`, the recorded states and their queries in
:mod:`~algorithms.snapshots.recorded`, the §4 reordering in
:mod:`~algorithms.snapshots.reachability`, the aligned dataflow mode in
:mod:`~algorithms.snapshots.dataflow`, the paper's narrated examples in
:mod:`~algorithms.snapshots.narrations` and the lab engine in
:mod:`~algorithms.snapshots.engine`.

Examples
--------
>>> topology = load_topology("2\\np 1\\nq 1\\np q\\nq p\\n")
>>> events = load_events("snapshot p\\nsend p q 1\\nsend q p 1\\ntick\\n")
>>> for s in run(topology, events, seed=3):
...     print(dump_snapshot(s), end="")
snapshot S1
p 1
q 0
q p token(1)
"""

from __future__ import annotations

from algorithms.snapshots.events import (
    MAX_EVENT_LINES,
    Send,
    StartSnapshot,
    Tick,
    dump_events,
    load_events,
)
from algorithms.snapshots.recorded import (
    HeldMessage,
    Snapshot,
    all_tokens_at_one_process,
    closing_marker,
    conserves,
    dump_snapshot,
    in_flight_tokens,
    is_consistent,
    load_snapshot,
    nothing_in_transit,
    recorded_channel_state,
    recorded_process_state,
    stable_property_holds,
)
from algorithms.snapshots.runner import apply_action, random_events, run
from algorithms.snapshots.system import DEFAULT_DELAY, TokenSystem
from algorithms.snapshots.topology import (
    MAX_PROCESSES,
    LineError,
    Topology,
    complete_topology,
    dump_topology,
    load_topology,
    random_topology,
    ring_topology,
)

__all__ = [
    "DEFAULT_DELAY",
    "MAX_EVENT_LINES",
    "MAX_PROCESSES",
    "HeldMessage",
    "LineError",
    "Send",
    "Snapshot",
    "StartSnapshot",
    "Tick",
    "TokenSystem",
    "Topology",
    "all_tokens_at_one_process",
    "apply_action",
    "closing_marker",
    "complete_topology",
    "conserves",
    "dump_events",
    "dump_snapshot",
    "dump_topology",
    "in_flight_tokens",
    "is_consistent",
    "load_events",
    "load_snapshot",
    "load_topology",
    "nothing_in_transit",
    "random_events",
    "random_topology",
    "recorded_channel_state",
    "recorded_process_state",
    "ring_topology",
    "run",
    "stable_property_holds",
]
