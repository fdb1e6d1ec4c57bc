"""The small-world lab engine: a ring lattice rewired edge by edge, measured, gossiped on.

Watts & Strogatz, "Collective dynamics of 'small-world' networks", Nature 393:440-442
(1998), Fig. 1; Newman & Watts, Physics Letters A 263:341-346 (1999); DeCandia et al.,
"Dynamo", SOSP 2007, section 4.8 (gossip). The decisions are drawn at the start
(:class:`~algorithms.smallworld.plan.GraphPlan`); the engine's own state is how many
are applied (``done``, the graph's version), the rumour, the selection and the path.

``state()`` changes nothing: the measures of each version are kept in a
:class:`~algorithms.smallworld.memo.VersionMemo` keyed by ``done``, which holds only
immutable values and which a copy of the engine (the player's checkpoints) gets its
own copy of.

Examples
--------
>>> engine = SmallWorldEngine(SmallWorldParams(n=20, k=4, p=0.2), seed=1)
>>> _ = engine.apply({"action": "rewire_all"})
>>> engine.state()["decisions_done"], engine.state()["components"]
(40, 1)
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any, ClassVar

import networkx as nx  # type: ignore[import-untyped]
import numpy as np

from algorithms.engine import (
    CommandError,
    Event,
    LabEngine,
    check_choice,
    check_fields,
    check_int,
    check_seed,
    look_up,
    move,
)
from algorithms.smallworld.gossip import Rumour
from algorithms.smallworld.limits import GOSSIP_MODES, JSON, RING_MODELS, _gossip_round_cap
from algorithms.smallworld.memo import VersionMemo
from algorithms.smallworld.metrics import _bfs_path, _reachable
from algorithms.smallworld.params import SmallWorldParams
from algorithms.smallworld.plan import GraphPlan, Measures, Neighbours, Picture
from algorithms.smallworld.view import fmt, state_json

__all__ = ["SmallWorldEngine"]


class SmallWorldEngine(LabEngine[SmallWorldParams]):
    """The small-world lab: watch a ring lattice rewire edge by edge, measure it, gossip on it.

    For the two ring models the graph starts as the lattice and every step (or
    ``rewire_next``) applies the next decision of the paper's procedure, lap by lap, so
    shortcuts appear one at a time while ``C`` and ``L`` update (Watts & Strogatz 1998,
    Fig. 1). Once a ``gossip`` starts, steps advance it round by round instead, until
    every reachable node knows the rumour (Dynamo section 4.8). The graph after all
    decisions equals ``watts_strogatz(n, k, p, seed)`` (or ``newman_watts``); Erdos-Renyi
    and Barabasi-Albert graphs are built whole and equal
    ``erdos_renyi(n, m=n*k//2, seed=seed)`` and ``barabasi_albert(n, m, seed)``. The
    Figure 2 sweep is not a command: it is heavy, and runs outside the engine through
    :func:`~algorithms.smallworld.sweep.sweep`.

    Commands
    --------
    ``{"action": "rewire_next"}``
        Apply the next rewiring decision (ring models; refused when none is left).
    ``{"action": "rewire_all"}``
        Apply every remaining decision at once, with one summarizing event.
    ``{"action": "gossip", "source": node, "mode": "push" | "pull" | "push-pull"}``
        Start a rumour at ``source`` (0..n-1); steps then run one round each.
    ``{"action": "select_node", "node": node}``
        Show the node's degree and local clustering ``C_v`` (``node`` null clears).
    ``{"action": "shortest_path", "a": node, "b": node}``
        Highlight a shortest path between two nodes (kept up to date as edges move).
    ``{"action": "clear"}``
        Clear the selection and the path (a look-up: the rumour keeps spreading).

    State
    -----
    ``state()`` returns ``{"model", "n", "k", "p", "m", "nodes": n, "edges": ((u, v), ...)
    (u < v, sorted), "shortcuts": ((u, v), ...) (edges that are not lattice edges; empty
    for Erdos-Renyi and Barabasi-Albert), "lap": lap of the next decision (null for ER/BA),
    "decisions_done", "decisions_total", "C", "L" (null if disconnected), "L_note" (one
    sentence), "components", "C0", "L0" (the lattice's exact values for n and k),
    "degree_histogram": [[degree, count], ...], "selected": null or {"node", "degree",
    "C_v"}, "path": null or [a, ..., b], "gossip": null or {"mode", "source", "round",
    "informed": [...], "history": [informed count per round], "finished"}}``. The edges
    and shortcuts are tuples (JSON arrays on the wire), the same objects at every call
    while the graph is unchanged; everything else is built afresh.

    Examples
    --------
    >>> engine = SmallWorldEngine(SmallWorldParams(n=12, k=4, p=0.5), seed=3)
    >>> engine.state()["decisions_total"], engine.state()["shortcuts"]
    (24, ())
    >>> [e.text for e in engine.step() + engine.step()]
    ['Lap 1: edge (0, 1) is rewired to (0, 8): a shortcut across the ring.', 'Lap 1: edge (1, 2) is rewired to (1, 9): a shortcut across the ring.']
    >>> engine.apply({"action": "rewire_all"})[0].text
    'All 24 decisions are made: 14 of the 24 edges were rewired, and 11 of them are now shortcuts across the ring.'
    """

    Params = SmallWorldParams
    _FIELDS: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "rewire_next": (),
        "rewire_all": (),
        "gossip": ("source", "mode"),
        "select_node": ("node",),
        "shortest_path": ("a", "b"),
        "clear": (),
    }
    MEMO_VERSIONS = 4
    """Versions of the graph whose measures are kept (a student steps back and forth)."""

    def __init__(self, params: SmallWorldParams, seed: int) -> None:
        self.params = params
        self.seed = check_seed(seed)
        self.rng = random.Random(self.seed)
        n, k = params.n, params.k
        self.n = n
        self.h = k // 2
        self.ring = params.model in RING_MODELS
        self.remove = params.model == "watts_strogatz"
        # The graph is a pure function of how many decisions are applied: the plan is
        # drawn now, is immutable, and copies of the engine share it.
        if self.ring:
            self.plan = GraphPlan.ring_model(n, k, params.p, self.rng, remove=self.remove)
        elif params.model == "erdos_renyi":
            self.plan = GraphPlan.whole(n, k, nx.gnm_random_graph(n, n * k // 2, seed=self.rng))
        else:
            self.plan = GraphPlan.whole(n, k, nx.barabasi_albert_graph(n, params.m, seed=self.rng))
        self.total = self.plan.total
        self.done = 0
        self.selected: int | None = None
        self.path_ends: tuple[int, int] | None = None
        self.rumour: Rumour | None = None
        self._graph_memo = VersionMemo(self.MEMO_VERSIONS)

    # -- the graph at this version (memoised by ``done``) ---------------------------------

    def _measures(self) -> Measures:
        """C, L, local clustering, degrees and components of the graph as it is now."""
        return self._graph_memo.get(self.done, "measures", lambda: self.plan.measure(self.done))

    def _neighbours(self) -> Neighbours:
        return self._graph_memo.get(
            self.done, "neighbours", lambda: self.plan.neighbours(self.done)
        )

    def _picture(self) -> Picture:
        return self._graph_memo.get(self.done, "picture", lambda: self.plan.picture(self.done))

    def _reachable_from(self, source: int) -> int:
        return self._graph_memo.get(
            self.done, ("reach", source), lambda: _reachable(self._neighbours(), source)
        )

    def _path(self) -> tuple[int, ...] | None:
        if self.path_ends is None:
            return None
        a, b = self.path_ends

        def find() -> tuple[int, ...] | None:
            path = _bfs_path(self._neighbours(), a, b)
            return None if path is None else tuple(path)

        return self._graph_memo.get(self.done, ("path", a, b), find)

    # -- commands -------------------------------------------------------------------------

    def _fields(self, command: Mapping[str, Any]) -> None:
        check_fields(command, self._FIELDS[command["action"]])

    def _node(self, name: str, value: object) -> int:
        return check_int(name, value, 0, self.n - 1)

    def _require_decisions(self, action: str) -> None:
        if not self.ring:
            raise CommandError(
                "action", action, "applies only to the watts_strogatz and newman_watts models"
            )
        if self.done >= self.total:
            raise CommandError(
                "action", action, f"has nothing left: all {self.total} decisions are made"
            )

    def _apply_decision(self) -> Event:
        r = self.plan.decision(self.done)
        self.done += 1
        data = {"lap": r.lap, "edge": [r.node, r.old], "new": None, "done": self.done}
        if r.new is None:
            if self.remove:
                text = f"Lap {r.lap}: edge ({r.node}, {r.old}) stays."
            else:
                text = f"Lap {r.lap}: no shortcut is added at edge ({r.node}, {r.old})."
            return Event("stay", text, data)
        data["new"] = [r.node, r.new]
        if not self.remove:
            text = (
                f"Lap {r.lap}: edge ({r.node}, {r.old}) stays and a shortcut "
                f"({r.node}, {r.new}) is added."
            )
            return Event("shortcut", text, data)
        across = not self.plan.is_lattice_edge(r.node, r.new)
        what = "a shortcut across the ring" if across else "it joins ring neighbours again"
        text = f"Lap {r.lap}: edge ({r.node}, {r.old}) is rewired to ({r.node}, {r.new}): {what}."
        return Event("rewire", text, data)

    @move("rewire_next")
    def _cmd_rewire_next(self, command: Mapping[str, Any]) -> list[Event]:
        self._fields(command)
        self._require_decisions("rewire_next")
        return [self._apply_decision()]

    @move("rewire_all")
    def _cmd_rewire_all(self, command: Mapping[str, Any]) -> list[Event]:
        self._fields(command)
        self._require_decisions("rewire_all")
        first = self.done
        self.done = self.total
        moved = len(self.plan.ids)
        if not self.remove:
            text = (
                f"All {self.total} decisions are made: {moved} shortcuts were added, "
                "and no lattice edge was removed."
            )
        else:
            node = self.plan.ids % self.n
            gap = (self.plan.far - node) % self.n
            across = int(np.count_nonzero(np.minimum(gap, self.n - gap) > self.h))
            text = (
                f"All {self.total} decisions are made: {moved} of the {self.total} edges were "
                f"rewired, and {across} of them are now shortcuts across the ring."
            )
        return [Event("rewire_all", text, {"from": first, "done": self.done})]

    @move("gossip")
    def _cmd_gossip(self, command: Mapping[str, Any]) -> list[Event]:
        self._fields(command)
        source = self._node("source", command["source"])
        mode = check_choice("mode", command["mode"], GOSSIP_MODES)
        self.rumour = Rumour.start(self.n, source, mode)
        how = {
            "push": "nodes that know it tell the neighbour they call",
            "pull": "nodes that do not know it ask the neighbour they call",
            "push-pull": "every call passes it on, whichever end knows it",
        }[mode]
        text = (
            f"Node {source} starts a rumour ({mode}): each round every node calls one "
            f"random neighbour, and {how}."
        )
        return [Event("gossip_start", text, {"source": source, "mode": mode})]

    @look_up("select_node", example={"action": "select_node", "node": 0})
    def _cmd_select_node(self, command: Mapping[str, Any]) -> list[Event]:
        self._fields(command)
        if command["node"] is None:
            self.selected = None
            return [Event("select", "No node is selected.", {"node": None})]
        node = self._node("node", command["node"])
        self.selected = node
        measures = self._measures()
        d = int(measures.degree[node])
        local = float(measures.local[node])
        if d < 2:
            text = f"Node {node} has degree {d}: with fewer than two neighbours, C_v is 0."
        else:
            pairs = d * (d - 1) // 2
            joined = round(local * pairs)
            text = (
                f"Node {node} has degree {d} and local clustering C_v = {fmt(local)}: "
                f"{joined} of its {pairs} neighbour pairs are joined."
            )
        return [Event("select", text, {"node": node, "degree": d, "C_v": local})]

    @look_up("shortest_path", example={"action": "shortest_path", "a": 0, "b": 1})
    def _cmd_shortest_path(self, command: Mapping[str, Any]) -> list[Event]:
        self._fields(command)
        a = self._node("a", command["a"])
        b = self._node("b", command["b"])
        self.path_ends = (a, b)
        found = self._path()
        path = None if found is None else list(found)
        if path is None:
            text = f"Nodes {a} and {b} are in different components: no path joins them."
        else:
            hops = len(path) - 1
            shown = " → ".join(str(v) for v in path)
            text = f"Shortest path from {a} to {b}: {shown} ({hops} hop{'s' * (hops != 1)}"
            if self.ring and a != b:
                text += f"; around the lattice alone it takes {self.plan.ring_hops(a, b)})."
            else:
                text += ")."
        return [Event("path", text, {"a": a, "b": b, "path": path})]

    @look_up("clear", example={"action": "clear"})
    def _cmd_clear(self, command: Mapping[str, Any]) -> list[Event]:
        self._fields(command)
        self.selected = None
        self.path_ends = None
        return [Event("clear", "The selected node and the path are cleared.", {})]

    # -- time -----------------------------------------------------------------------------

    def _gossip_step(self) -> list[Event]:
        r = self.rumour
        assert r is not None
        newly = r.spread(self._neighbours(), self.rng)
        n, count, rnd = self.n, r.count, r.round
        if count == n:
            r.finished = True
            text = f"Round {rnd}: all {n:,} nodes know the rumour."
        elif count == self._reachable_from(r.source):
            r.finished = True
            text = (
                f"Round {rnd}: {count:,} of {n:,} nodes know the rumour; the other "
                f"{n - count:,} cannot be reached from node {r.source}."
            )
        elif rnd >= _gossip_round_cap(n):
            r.finished = True
            text = f"Round {rnd}: {count:,} of {n:,} nodes know the rumour; the spread stops here."
        else:
            text = f"Round {rnd}: {count:,} of {n:,} nodes know the rumour."
        return [Event("gossip_round", text, {"round": rnd, "newly": newly, "informed": count})]

    def step(self) -> list[Event]:
        """Advance the rumour one round if one is spreading, else apply the next decision."""
        r = self.rumour
        if r is not None and not r.finished:
            if r.count == self._reachable_from(r.source):
                r.finished = True  # the graph changed under a finished spread
            else:
                return self._gossip_step()
        if self.done < self.total:
            return [self._apply_decision()]
        return []

    # -- the picture ----------------------------------------------------------------------

    def state(self) -> JSON:
        """The JSON-ready picture; its shape is in the class docstring. Changes nothing."""
        return state_json(
            self.params,
            self.plan,
            self.done,
            self._measures(),
            self._picture(),
            self.selected,
            self._path(),
            self.rumour,
        )
