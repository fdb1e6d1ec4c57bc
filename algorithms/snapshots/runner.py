"""Running an events file on a topology: the library's ``run``.

Chandy & Lamport, "Distributed Snapshots", ACM TOCS 3(1), 1985. :func:`run` applies
the actions in order, then keeps the system running until every snapshot started has
completed (§3.3: with a strongly connected topology every marker arrives in finite time)
and returns the completed snapshots in the order they were started.

Examples
--------
>>> from algorithms.snapshots.events import load_events
>>> from algorithms.snapshots.topology import load_topology
>>> topo = load_topology("2\\np 1\\nq 1\\np q\\nq p\\n")
>>> [s] = run(topo, load_events("snapshot p\\nsend p q 1\\nsend q p 1\\n"), seed=1)
>>> s.id, sum(s.local.values()) + sum(map(sum, s.channels.values()))
('S1', 2)
>>> run(topo, load_events("send p q 2\\n"), seed=1)
Traceback (most recent call last):
...
algorithms.snapshots.topology.LineError: line 1: tokens sent must be at most what p holds (1), got 2
"""

from __future__ import annotations

import random
from collections.abc import Iterable

from algorithms.engine import CommandError, check_int
from algorithms.kernel import DelayModel
from algorithms.snapshots.events import Action, Send, StartSnapshot, Tick
from algorithms.snapshots.recorded import Snapshot
from algorithms.snapshots.system import Mode, TokenSystem
from algorithms.snapshots.topology import LineError, Topology

__all__ = ["apply_action", "random_events", "run"]


def apply_action(system: TokenSystem, action: Action) -> None:
    """Apply one action of an events file; a refusal names its line, value and rule.

    Examples
    --------
    >>> from algorithms.snapshots.events import load_events
    >>> from algorithms.snapshots.topology import ring_topology
    >>> system = TokenSystem(ring_topology(3, 1), seed=0)
    >>> for action in load_events("send P1 P2 1\\nsnapshot P3\\ntick"):
    ...     apply_action(system, action)
    >>> system.tokens
    {'P1': 0, 'P2': 2, 'P3': 1}
    """
    line = action.line
    known = system.topology.tokens
    if isinstance(action, Send):
        if (action.src, action.dst) in system.sent and action.tokens <= system.tokens[action.src]:
            system.send(action.src, action.dst, action.tokens)  # the common case, checked
            return
        for what, who in (("sender", action.src), ("receiver", action.dst)):
            if who not in system.tokens:
                raise LineError(line, what, who, f"must be a process ({', '.join(known)})")
        if (action.src, action.dst) not in system.sent:
            ends = ", ".join(b for a, b in system.topology.links if a == action.src) or "none"
            raise LineError(
                line,
                "receiver",
                action.dst,
                f"must be at the end of a channel from {action.src} ({ends})",
            )
        held = system.tokens[action.src]
        if action.tokens > held:
            raise LineError(
                line,
                "tokens sent",
                action.tokens,
                f"must be at most what {action.src} holds ({held})",
            )
        system.send(action.src, action.dst, action.tokens)
    elif isinstance(action, StartSnapshot):
        if action.process not in system.tokens:
            raise LineError(
                line, "initiator", action.process, f"must be a process ({', '.join(known)})"
            )
        try:
            system.start_snapshot(action.process, action.id)
        except CommandError as err:
            raise LineError(line, err.field, err.value, err.rule) from None
    else:
        assert isinstance(action, Tick)
        system.tick(action.units)


def run(
    topology: Topology,
    events: Iterable[Action],
    seed: int,
    *,
    delay: DelayModel | None = None,
    mode: Mode = "chandy-lamport",
    forward: bool = False,
) -> list[Snapshot]:
    """Apply ``events`` to ``topology`` with delays from ``seed``; return the snapshots.

    Parameters
    ----------
    topology : Topology
        From :func:`algorithms.snapshots.load_topology`.
    events : iterable of actions
        From :func:`algorithms.snapshots.load_events`.
    seed : int
        Seeds every message delay.
    delay, mode, forward
        See :class:`algorithms.snapshots.system.TokenSystem`.

    Returns
    -------
    list of Snapshot
        Every snapshot started, completed, in the order started; each has ``.id``,
        ``.local`` (process → tokens recorded) and ``.channels`` ((src, dst) → token
        amounts recorded in flight, in arrival order).
    """
    system = TokenSystem(topology, seed, delay=delay, mode=mode, forward=forward, history=False)
    send, links, tokens = system.send_checked, system.sent, system.tokens
    for action in events:
        # The common case first: a send that passes every check.
        if (
            type(action) is Send
            and (action.src, action.dst) in links
            and 0 < action.tokens <= tokens[action.src]
        ):
            send(action.src, action.dst, action.tokens)
        else:
            apply_action(system, action)
    system.finish()
    return system.completed()


def random_events(
    topology: Topology, seed: int, messages: int, snapshots: int, per_tick: int = 10
) -> list[Action]:
    """A seeded events file: sends, overlapping snapshots, a tick every ``per_tick`` sends.

    Every send is valid: between ticks a process only spends what it held at the last
    tick (with the default delays every message sent before a tick arrives by it).

    Parameters
    ----------
    topology : Topology
    seed : int
    messages : int
        Application messages, 0 to 300,000 (fewer if every process runs dry).
    snapshots : int
        Snapshots, 0 to 1,000, spread evenly over the sends, each at a random process.
    per_tick : int
        Sends between two ticks, 1 to 100,000.

    Examples
    --------
    >>> from algorithms.snapshots.topology import ring_topology
    >>> events = random_events(ring_topology(3, 5), seed=1, messages=20, snapshots=2)
    >>> sum(isinstance(e, StartSnapshot) for e in events)
    2
    """
    check_int("messages", messages, 0, 300_000)
    check_int("snapshots", snapshots, 0, 1_000)
    check_int("per_tick", per_tick, 1, 100_000)
    rng = random.Random(seed)
    settled = dict(topology.tokens)  # what each process holds once in-flight tokens land
    spendable = dict(settled)
    outs = {p: [b for a, b in topology.links if a == p] for p in topology.processes}
    every = max(1, messages // max(1, snapshots))
    out: list[Action] = []
    started = 0
    for i in range(messages):
        if started < snapshots and i % every == 0:
            out.append(StartSnapshot(rng.choice(topology.processes)))
            started += 1
        ready = [p for p in topology.processes if spendable[p] > 0]
        if not ready:
            out.append(Tick(1))
            spendable = dict(settled)
            ready = [p for p in topology.processes if spendable[p] > 0]
            if not ready:
                break
        src = rng.choice(ready)
        dst = rng.choice(outs[src])
        k = rng.randint(1, min(3, spendable[src]))
        spendable[src] -= k
        settled[src] -= k
        settled[dst] += k
        out.append(Send(src, dst, k))
        if (i + 1) % per_tick == 0:
            out.append(Tick(1))
            spendable = dict(settled)
    while started < snapshots:
        out.append(StartSnapshot(rng.choice(topology.processes)))
        started += 1
    return out
