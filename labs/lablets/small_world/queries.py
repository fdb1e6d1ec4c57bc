"""What the small-world lab can be asked (Watts & Strogatz 1998; Dynamo §4.8 gossip).

Nodes are named by their number 0..n-1. C and L are the engine's own measures (the
paper's clustering coefficient and characteristic path length); what-if questions
(a rumour, a path) run on a copy of the engine.
"""

from __future__ import annotations

from typing import Any

from algorithms.smallworld import ENGINE_MAX_NODES
from labs.teaching.queries import (
    Answer,
    Context,
    GoalContext,
    QueryError,
    Verdict,
    goal,
    integer,
    name,
    number,
    options,
    query,
)

LAB = "small-world"
NODE = integer(0, ENGINE_MAX_NODES - 1, "a node number")
MAX_ROUNDS = 10 * ENGINE_MAX_NODES


def _node(state: dict[str, Any], node: int) -> int:
    if not 0 <= node < int(state["nodes"]):
        raise QueryError(f"there is no node {node} (nodes 0 to {int(state['nodes']) - 1})")
    return node


def _degrees(state: dict[str, Any]) -> list[int]:
    degree = [0] * int(state["nodes"])
    for u, v in state["edges"]:
        degree[u] += 1
        degree[v] += 1
    return degree


@options(LAB, "nodes")
def nodes(ctx: Context) -> list[str]:
    """The node numbers 0..n-1."""
    return [str(i) for i in range(int(ctx.state["nodes"]))]


@query(LAB, "clustering", answer="number")
def clustering(ctx: Context) -> Answer:
    """C, the clustering coefficient (mean of the local C_v)."""
    value = float(ctx.state["C"])
    return Answer(value, why=f"C = {value:.4f} (the lattice has C(0) = {ctx.state['C0']:.4f}).")


@query(LAB, "path_length", answer="number")
def path_length(ctx: Context) -> Answer:
    """L, the characteristic path length (mean shortest path over all pairs)."""
    value = ctx.state["L"]
    if value is None:
        raise QueryError("the graph is disconnected, so L is undefined")
    return Answer(
        float(value), why=f"L = {value:.4f} (the lattice has L(0) = {ctx.state['L0']:.4f})."
    )


@query(LAB, "clustering_ratio", answer="number")
def clustering_ratio(ctx: Context) -> float:
    """C(p)/C(0), as on the paper's Figure 2."""
    return float(ctx.state["C"]) / float(ctx.state["C0"])


@query(LAB, "path_length_ratio", answer="number")
def path_length_ratio(ctx: Context) -> float:
    """L(p)/L(0), as on the paper's Figure 2."""
    if ctx.state["L"] is None:
        raise QueryError("the graph is disconnected, so L is undefined")
    return float(ctx.state["L"]) / float(ctx.state["L0"])


@query(LAB, "degree", args={"node": NODE}, answer="number")
def degree(ctx: Context, node: int) -> Answer:
    """The number of edges at the node."""
    value = _degrees(ctx.state)[_node(ctx.state, node)]
    return ctx.shown(
        value, ({"action": "select_node", "node": node},), why=f"Node {node} has degree {value}."
    )


@query(LAB, "shortcut_count", answer="number")
def shortcut_count(ctx: Context) -> int:
    """How many edges are shortcuts (not lattice edges)."""
    return len(ctx.state["shortcuts"])


@query(LAB, "components", answer="number")
def components(ctx: Context) -> int:
    """How many connected components the graph has."""
    return int(ctx.state["components"])


@query(LAB, "highest_degree_node", answer="pick", options="nodes")
def highest_degree_node(ctx: Context) -> Answer:
    """The node (or nodes, when tied) with the most edges."""
    degree = _degrees(ctx.state)
    top = max(degree)
    return Answer(
        [str(i) for i, d in enumerate(degree) if d == top], why=f"The highest degree is {top}."
    )


@query(LAB, "shortest_path_length", args={"a": NODE, "b": NODE}, answer="number")
def shortest_path_length(ctx: Context, a: int, b: int) -> Answer:
    """The number of edges on a shortest path from a to b."""
    _node(ctx.state, a)
    _node(ctx.state, b)
    probe = ctx.probe()
    probe.apply({"action": "shortest_path", "a": a, "b": b})
    path = probe.state()["path"]
    if not path:
        raise QueryError(f"no path joins {a} and {b}")
    hops = len(path) - 1
    return ctx.shown(
        hops,
        ({"action": "shortest_path", "a": a, "b": b},),
        why=f"A shortest path: {' - '.join(str(v) for v in path)} ({hops} edges).",
    )


@query(
    LAB,
    "rounds_until_all_informed",
    args={"source": NODE, "mode": name("push, pull or push-pull")},
    answer="number",
)
def rounds_until_all_informed(ctx: Context, source: int, mode: str) -> Answer:
    """Gossip rounds until every reachable node knows a rumour started at source."""
    _node(ctx.state, source)
    probe = ctx.probe()
    probe.apply({"action": "gossip", "source": source, "mode": mode})
    steps = 0
    while not probe.state()["gossip"]["finished"]:
        if not probe.step() or steps > MAX_ROUNDS:
            raise QueryError("the rumour stopped spreading")
        steps += 1
    rounds = int(probe.state()["gossip"]["round"])
    return Answer(
        rounds,
        step=ctx.length + 1 + steps,
        commands=({"action": "gossip", "source": source, "mode": mode}, {"tick": steps}),
        why=f"Every reachable node knows the rumour after {rounds} rounds.",
    )


@goal(
    LAB,
    "small_world",
    args={"l_ratio_below": number(0, 1), "c_ratio_above": number(0, 1)},
)
def goal_small_world(g: GoalContext, l_ratio_below: float, c_ratio_above: float) -> Verdict:
    """End in the small-world regime: L/L(0) below a and C/C(0) above b."""
    s = g.after_state
    last = g.actions[-1][0] if g.actions else g.setup_length
    if s["L"] is None:
        return Verdict(False, "The graph is disconnected, so L is undefined.", last)
    lr, cr = s["L"] / s["L0"], s["C"] / s["C0"]
    if lr < l_ratio_below and cr > c_ratio_above:
        return Verdict(True, f"L/L(0) = {lr:.3f} and C/C(0) = {cr:.3f}: a small world.", last)
    return Verdict(
        False, f"L/L(0) = {lr:.3f}, C/C(0) = {cr:.3f}: not yet in the regime asked for.", last
    )
