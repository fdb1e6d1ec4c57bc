"""What the quorum lab can be asked (Dynamo, SOSP 2007, §4.5-4.7; Bailis et al., PBS,
VLDB 2012).

Nodes are named A, B, ...; requests by their number (#1, #2, ... in the requests
table). Every answer is read from the engine's state for the scenario (who holds which
version, which copies are hints, each get's staleness), from a look-up on a copy of it
(P(consistent) at t), or from the PBS library (the smallest R for strong consistency).
"""

from __future__ import annotations

from typing import Any

from algorithms.quorum import smallest_r_for_strong
from algorithms.quorum.limits import MAX_N, MAX_T_MS
from labs.teaching.queries import Answer, Context, QueryError, integer, name, number, options, query

LAB = "quorum"
KEY = name("a key, cart")
NODE = name("a node, A")


def _key(state: dict[str, Any], key: str) -> dict[str, Any]:
    for k in state["keys"]:
        if k["key"] == key:
            return dict(k)
    known = ", ".join(k["key"] for k in state["keys"]) or "none"
    raise QueryError(f"the scenario never uses the key {key} (keys: {known})")


@options(LAB, "nodes")
def nodes(ctx: Context) -> list[str]:
    """The nodes' names."""
    return [n["id"] for n in ctx.state["nodes"]]


@query(LAB, "nodes_holding", args={"key": KEY}, answer="choices", options="nodes")
def nodes_holding(ctx: Context, key: str) -> Answer:
    """The nodes holding any version of the key, as a home copy or a hint."""
    k = _key(ctx.state, key)
    held = sorted({h["node"] for h in k["holders"]})
    shown = ", ".join(
        h["node"] + (f" (hint for {h['hint_for']})" if h["hint_for"] else "") for h in k["holders"]
    )
    return ctx.shown(
        held,
        ({"action": "which_nodes", "key": key},),
        why=f"{key} is held by {shown or 'no node'}.",
    )


@query(LAB, "read_is_stale", args={"request": integer(1, 300, "a get's number")}, answer="bool")
def read_is_stale(ctx: Context, request: int) -> Answer:
    """Whether the get missed the key's latest write committed before it started."""
    reqs = ctx.state["requests"]
    if not 1 <= request <= len(reqs) or reqs[request - 1]["kind"] != "get":
        raise QueryError(f"request #{request} is not a get of the scenario")
    r = reqs[request - 1]
    if r["stale"] is None:
        raise QueryError(f"get #{request} was not answered after a committed write")
    return Answer(
        bool(r["stale"]),
        step=ctx.length + 1,
        why=f"Get #{request} started {r['since_commit']:.3f} ms after the latest commit "
        f"and returned {', '.join(v['label'] for v in r['result']) or 'nothing'}.",
    )


@query(LAB, "hint_holders", args={"owner": NODE}, answer="choices", options="nodes")
def hint_holders(ctx: Context, owner: str) -> Answer:
    """The nodes holding a hint whose intended owner is this node."""
    if owner not in nodes(ctx):
        raise QueryError(f"there is no node {owner}")
    held = sorted(
        n["id"] for n in ctx.state["nodes"] if any(h["owner"] == owner for h in n["hints"])
    )
    return Answer(
        held,
        step=ctx.length + 1,
        why=f"Hints for {owner} are held by {', '.join(held) or 'no node'}.",
    )


@query(
    LAB,
    "p_consistent_at",
    args={"t": number(0.0, MAX_T_MS, "ms after the commit")},
    answer="number",
)
def p_consistent_at(ctx: Context, t: float) -> Answer:
    """PBS: P(a read t ms after a write commits sees it), 20,000 Monte Carlo trials."""
    probe = ctx.probe()
    probe.apply({"action": "p_consistent", "t": t})
    value = round(float(probe.state()["answer"]["p_consistent"]), 3)
    return ctx.shown(
        value,
        ({"action": "p_consistent", "t": t},),
        why=f"Over 20,000 trials of the WARS model, {value:.3f} of reads {t:g} ms "
        "after the commit see the write.",
    )


@query(
    LAB,
    "smallest_r_for_strong",
    args={"n": integer(1, MAX_N, "replicas N"), "w": integer(1, MAX_N, "write quorum W")},
    answer="number",
)
def smallest_r(ctx: Context, n: int, w: int) -> Answer:
    """The smallest R with R + W > N: every read quorum then meets every write quorum."""
    if w > n:
        raise QueryError(f"w must be at most N={n}")
    value = smallest_r_for_strong(n, w)
    return Answer(value, why=f"R + W > N needs R > {n} - {w}, so R = {value}.")
