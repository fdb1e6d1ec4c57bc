"""Snapshots today: aligned barriers on a dataflow, compared with Chandy–Lamport.

Carbone, Fóra, Ewen, Haridi, Tzoumas, "Lightweight Asynchronous Snapshots for
Distributed Dataflows", 2015 (Apache Flink's checkpoints): on an acyclic dataflow graph
(sources, operators, sinks) barriers leave every source; an operator with several inputs
holds back the input of each channel whose barrier has arrived until every input's
barrier has (alignment), then records its state and forwards the barrier. No channel
state is recorded: alignment makes every channel empty in the cut. Chandy & Lamport
("Distributed Snapshots", ACM TOCS 3(1), 1985) never hold input back, and record those
messages in the channels instead.

Here operators pass every token they receive straight on (round-robin over their
outgoing channels) and sinks keep them, so a recorded state conserves the tokens.
:func:`compare_modes` runs the same actions with the same seed both ways and reports
how many messages Chandy–Lamport records in channels and how many the aligned variant
holds back, and for how long.

Examples
--------
>>> topo = dataflow_topology()
>>> topo.sources, topo.sinks
(('src1', 'src2'), ('sink',))
>>> cmp = compare_modes(topo, dataflow_events(topo, seed=2, messages=60, snapshots=3), seed=2)
>>> [s.mode for s in cmp.chandy_lamport][:1], [s.mode for s in cmp.aligned][:1]
(['chandy-lamport'], ['aligned'])
>>> all(sum(s.local.values()) == topo.total for s in cmp.aligned)
True
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from algorithms.engine import check_int
from algorithms.snapshots.events import Action, Send, StartSnapshot, Tick
from algorithms.snapshots.recorded import Snapshot
from algorithms.snapshots.runner import run
from algorithms.snapshots.topology import Topology, load_topology

__all__ = [
    "DATAFLOW_TEXT",
    "DataflowComparison",
    "compare_modes",
    "dataflow_events",
    "dataflow_topology",
]

DATAFLOW_TEXT = """\
# Two sources feed a join; a map and the join feed the sink.
5
src1 50
src2 50
map 0
join 0
sink 0
src1 map
src1 join
src2 join
map sink
join sink
"""
"""The lab's default dataflow: two sources, a map, a two-input join and a sink."""


def dataflow_topology() -> Topology:
    """The default dataflow (:data:`DATAFLOW_TEXT`) as an acyclic topology.

    Examples
    --------
    >>> dataflow_topology().incoming("join")
    [('src1', 'join'), ('src2', 'join')]
    """
    return load_topology(DATAFLOW_TEXT, dataflow=True)


def dataflow_events(
    topology: Topology, seed: int, messages: int = 100, snapshots: int = 5
) -> list[Action]:
    """A seeded run: sources send 1 to 3 tokens each, with checkpoints spread over it.

    Parameters
    ----------
    topology : Topology
        An acyclic topology (``dataflow=True``).
    seed : int
    messages : int
        Application messages sent by the sources, 1 to 100,000.
    snapshots : int
        Checkpoints, 1 to 1,000, started at evenly spaced moments.

    Examples
    --------
    >>> events = dataflow_events(dataflow_topology(), seed=1, messages=10, snapshots=2)
    >>> sum(isinstance(e, StartSnapshot) for e in events), sum(isinstance(e, Send) for e in events)
    (2, 10)
    """
    check_int("messages", messages, 1, 100_000)
    check_int("snapshots", snapshots, 1, 1_000)
    rng = random.Random(seed)
    held = {p: topology.tokens[p] for p in topology.sources}
    outs = {p: [b for a, b in topology.links if a == p] for p in topology.sources}
    every = max(1, messages // snapshots)
    out: list[Action] = []
    started = 0
    for i in range(messages):
        if i % every == 0 and started < snapshots:
            out.append(StartSnapshot(topology.sources[0]))
            started += 1
        ready = [p for p in topology.sources if held[p] > 0 and outs[p]]
        if not ready:
            break
        src = rng.choice(ready)
        k = rng.randint(1, min(3, held[src]))
        held[src] -= k
        out.append(Send(src, rng.choice(outs[src]), k))
        if rng.random() < 0.3:
            out.append(Tick(1))
    while started < snapshots:
        out.append(StartSnapshot(topology.sources[0]))
        started += 1
    return out


@dataclass(frozen=True)
class DataflowComparison:
    """The same dataflow run snapshotted with markers and with aligned barriers."""

    chandy_lamport: list[Snapshot]
    aligned: list[Snapshot]

    @property
    def recorded_in_channels(self) -> int:
        """Messages Chandy–Lamport recorded in channel states, over every snapshot."""
        return sum(len(v) for s in self.chandy_lamport for v in s.channels.values())

    @property
    def held_back(self) -> int:
        """Messages the aligned variant held back, over every checkpoint."""
        return sum(len(s.held) for s in self.aligned)

    @property
    def total_held_time(self) -> float:
        """The time all held messages spent waiting, summed."""
        return sum(h.held_for for s in self.aligned for h in s.held)

    @property
    def longest_hold(self) -> float:
        """The longest any message waited for alignment."""
        return max((h.held_for for s in self.aligned for h in s.held), default=0.0)

    def to_json(self) -> dict[str, object]:
        """The figures the view shows side by side."""
        return {
            "recorded_in_channels": self.recorded_in_channels,
            "held_back": self.held_back,
            "total_held_time": self.total_held_time,
            "longest_hold": self.longest_hold,
        }


def compare_modes(topology: Topology, events: list[Action], seed: int) -> DataflowComparison:
    """Run ``events`` on the dataflow with the same seed, once per mode."""
    markers = run(topology, events, seed, forward=True)
    barriers = run(topology, events, seed, mode="aligned", forward=True)
    return DataflowComparison(markers, barriers)
