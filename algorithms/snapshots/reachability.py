"""Why a recorded state is meaningful: it is reachable (Chandy & Lamport §4).

Chandy & Lamport, "Distributed Snapshots", ACM TOCS 3(1), 1985, §4: the recorded global
state S* may be none of the states the run passed through (Example 2.2), yet there is a
computation, a *permutation* of the run's events, that passes through it: every
*pre-recording* event (one at a process before that process recorded) is moved ahead of
every *post-recording* event. No post-recording send can be received by a pre-recording
event (the marker travels between them on the FIFO channel), so the permuted sequence
is still a computation; it starts in the initial state, passes through S* after the
pre-recording events and ends in the run's current state. Hence a stable property that
holds in S* holds now.

Examples
--------
>>> from algorithms.snapshots.system import TokenSystem
>>> from algorithms.snapshots.topology import load_topology
>>> system = TokenSystem(load_topology("2\\np 1\\nq 1\\np q\\nq p"), seed=0)
>>> rec = system.start_snapshot("p")
>>> _ = system.send("p", "q", 1)
>>> _ = system.send("q", "p", 1)
>>> _ = system.deliver_next("q", "p")   # M' reaches p after p recorded
>>> _ = system.deliver_next("p", "q")   # the marker reaches q: q records D
>>> _ = system.deliver_next("q", "p")   # the marker closes c' holding M'
>>> snap = system.result(rec)
>>> state_of(snap, system.topology) in states_passed(system)
False
>>> order, at = reordering(system, snap)
>>> replay(system.topology, system.events, order)[at] == state_of(snap, system.topology)
True
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence

from algorithms.engine import CommandError
from algorithms.snapshots.recorded import Snapshot
from algorithms.snapshots.system import RunEvent, TokenSystem
from algorithms.snapshots.topology import Topology

__all__ = [
    "GlobalState",
    "first_passage",
    "is_consistent_cut",
    "reordering",
    "replay",
    "state_of",
    "states_passed",
]

GlobalState = tuple[tuple[int, ...], tuple[tuple[int, ...], ...]]
"""(tokens per process in order, token amounts in each channel in link order)."""


def state_of(snapshot: Snapshot, topology: Topology) -> GlobalState:
    """A recorded snapshot as a :data:`GlobalState`.

    Examples
    --------
    >>> from algorithms.snapshots.topology import load_topology
    >>> topo = load_topology("2\\np 1\\nq 1\\np q\\nq p")
    >>> state_of(Snapshot("S1", "p", {"p": 1, "q": 0}, {("q", "p"): [1]}), topo)
    ((1, 0), ((), (1,)))
    """
    return (
        tuple(snapshot.local[p] for p in topology.processes),
        tuple(tuple(snapshot.channels.get(link, [])) for link in topology.links),
    )


class _Walk:
    """Applies application events one by one, refusing any that cannot occur (§2)."""

    def __init__(self, topology: Topology) -> None:
        self.processes = topology.processes
        self.tokens = dict(topology.tokens)
        self.index = {link: i for i, link in enumerate(topology.links)}
        self.channels: list[deque[tuple[int, int]]] = [deque() for _ in topology.links]

    def apply(self, e: RunEvent, position: int) -> None:
        assert e.peer is not None and e.message is not None
        if e.kind == "send":
            self.tokens[e.process] -= e.amount
            self.channels[self.index[(e.process, e.peer)]].append((e.message, e.amount))
        else:
            channel = self.channels[self.index[(e.peer, e.process)]]
            if not channel or channel[0][0] != e.message:
                raise CommandError(
                    "order", position, "must receive each message at its channel's head"
                )
            channel.popleft()
            self.tokens[e.process] += e.amount

    def local(self) -> tuple[int, ...]:
        return tuple(self.tokens[p] for p in self.processes)

    def state(self) -> GlobalState:
        return (self.local(), tuple(tuple(k for _, k in c) for c in self.channels))


def replay(
    topology: Topology, events: Sequence[RunEvent], order: Sequence[int]
) -> list[GlobalState]:
    """The global states a sequence of application events passes through.

    ``order`` lists positions in ``events`` (send and receive events only). A
    receive of a message that is not at the head of its channel is refused: the
    sequence would not be a computation (§2).

    Examples
    --------
    >>> from algorithms.snapshots.topology import load_topology
    >>> system = TokenSystem(load_topology("2\\np 1\\nq 0\\np q\\nq p"), seed=0)
    >>> _ = system.send("p", "q", 1); system.tick()
    >>> replay(system.topology, system.events, [0])  # only the send: in-c
    [((1, 0), ((), ())), ((0, 0), ((1,), ()))]
    """
    walk = _Walk(topology)
    states = [walk.state()]
    for position in order:
        walk.apply(events[position], position)
        states.append(walk.state())
    return states


def first_passage(system: TokenSystem, target: GlobalState) -> int | None:
    """After how many application events the run was in ``target`` (``None``: never).

    Examples
    --------
    >>> from algorithms.snapshots.topology import load_topology
    >>> system = TokenSystem(load_topology("2\\np 1\\nq 0\\np q\\nq p"), seed=0)
    >>> _ = system.send("p", "q", 1); system.tick()
    >>> first_passage(system, ((0, 1), ((), ()))), first_passage(system, ((1, 1), ((), ())))
    (2, None)
    """
    walk = _Walk(system.topology)
    # Compare the processes' tokens first: building the channels is the costly part.
    if walk.local() == target[0] and walk.state() == target:
        return 0
    step = 0
    for position, e in enumerate(system.events):
        if e.kind in ("send", "receive"):
            walk.apply(e, position)
            step += 1
            if walk.local() == target[0] and walk.state() == target:
                return step
    return None


def states_passed(system: TokenSystem) -> list[GlobalState]:
    """Every global state the run passed through, in order (needs the run's history).

    Examples
    --------
    >>> from algorithms.snapshots.topology import load_topology
    >>> system = TokenSystem(load_topology("2\\np 1\\nq 0\\np q\\nq p"), seed=0)
    >>> _ = system.send("p", "q", 1); system.tick()
    >>> [s[0] for s in states_passed(system)]  # Example 2.1: in-p, in-c, in-q
    [(1, 0), (0, 0), (0, 1)]
    """
    events = system.events
    order = [i for i, e in enumerate(events) if e.kind in ("send", "receive")]
    return replay(system.topology, events, order)


def reordering(system: TokenSystem, snapshot: Snapshot) -> tuple[list[int], int]:
    """The §4 permutation of the run's events and where it passes through the snapshot.

    Returns the positions (in ``system.events``) of the application events, every
    pre-recording event first, each group in run order, and the number of
    pre-recording events: the state after them is the recorded one.
    """
    pre: list[int] = []
    post: list[int] = []
    for i, e in enumerate(system.events):
        if e.kind not in ("send", "receive"):
            continue
        recorded = snapshot.recorded_index.get(e.process)
        if recorded is None:
            raise CommandError("snapshot", snapshot.id, "must have completed")
        (pre if e.index < recorded else post).append(i)
    return pre + post, len(pre)


def is_consistent_cut(system: TokenSystem, cut: Mapping[str, int]) -> bool:
    """Whether a cut of the run is consistent: no message received inside it was sent outside.

    ``cut`` maps every process to a position in the run's event order: the process's
    events before that position are inside the cut. Chandy & Lamport §3.1: a cut in
    which a message is received but not yet sent is a state no run can pass through.

    Examples
    --------
    >>> from algorithms.snapshots.topology import load_topology
    >>> system = TokenSystem(load_topology("2\\np 1\\nq 0\\np q\\nq p"), seed=0)
    >>> _ = system.send("p", "q", 1); _ = system.deliver_next("p", "q")
    >>> is_consistent_cut(system, {"p": 1, "q": 2}), is_consistent_cut(system, {"p": 0, "q": 2})
    (True, False)
    """
    processes = system.topology.processes
    if set(cut) != set(processes):
        raise CommandError(
            "cut", sorted(cut), f"must give a position for each of {', '.join(processes)}"
        )
    for e in system.events:
        if e.kind != "receive" or e.index >= cut[e.process]:
            continue
        assert e.message is not None
        sent = system.messages[e.message]
        if sent.send_event >= cut[sent.src]:
            return False
    return True
