"""What the consistent-hashing lab can be asked (Karger et al. 1997; Dynamo §4.2, §6.2).

Everything is read from the engine's public surface: ``state()``, and commands applied
to a private copy of the engine for what-if questions (a join that did not happen).
In slots mode (Redis Cluster) the "nodes" are the shards.
"""

from __future__ import annotations

import copy
from typing import Any

from algorithms.hashing import SLOTS, key_slot
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

LAB = "consistent-hashing"
MEMBERSHIP = ("add_node", "remove_node")
MOVING = ("add_node", "remove_node", "set_vnodes", "set_strategy", "set_partitions")


def _nodes(state: dict[str, Any]) -> list[dict[str, Any]]:
    return list(state["nodes"] if state["mode"] == "ring" else state["shards"])


def _node_names(state: dict[str, Any]) -> list[str]:
    return [n["name"] for n in _nodes(state)]


def _node(state: dict[str, Any], node: str) -> dict[str, Any]:
    for entry in _nodes(state):
        if entry["name"] == node:
            return entry
    raise QueryError(f"there is no node {node!r} (nodes: {', '.join(_node_names(state))})")


def _owner(engine: Any, key: str) -> str | None:
    """The node (or shard) that holds ``key`` now, read through ``select_key``."""
    engine.apply({"action": "select_key", "key": key})
    selected = engine.state()["selected"]
    owner = selected.get("node") if "node" in selected else selected.get("served_by")
    return str(owner) if owner is not None else None


def _share(state: dict[str, Any], entry: dict[str, Any]) -> float:
    if state["mode"] == "ring":
        return float(entry["load_share"])
    return entry["slots"] / SLOTS


# -- options ----------------------------------------------------------------------------


@options(LAB, "nodes")
def nodes(ctx: Context) -> list[str]:
    """The physical nodes (or shards) at the scenario's end."""
    return _node_names(ctx.state)


@options(LAB, "nodes_and_joiner", args={"node": name("the node that would join")})
def nodes_and_joiner(ctx: Context, node: str) -> list[str]:
    """The current nodes plus one that would join."""
    names = _node_names(ctx.state)
    return [*names, node] if node not in names else names


@options(LAB, "keys")
def keys(ctx: Context) -> list[str]:
    """The listed keys (the first 2,000 stored)."""
    return [k["name"] for k in ctx.state["keys"]]


# -- queries ----------------------------------------------------------------------------


@query(LAB, "owner_of_key", args={"key": name("a key name")}, answer="choice", options="nodes")
def owner_of_key(ctx: Context, key: str) -> Answer:
    """The node that stores the key (its coordinator; in slots mode the serving shard)."""
    owner = _owner(ctx.probe(), key)
    if owner is None:
        raise QueryError("no node holds any key: the ring is empty")
    return ctx.shown(
        owner, ({"action": "select_key", "key": key},), why=f"Key '{key}' is stored on {owner}."
    )


@query(LAB, "preference_list", args={"key": name()}, answer="choices", options="nodes")
def preference_list(ctx: Context, key: str) -> Answer:
    """The N distinct physical nodes of the key's preference list (Dynamo §4.3)."""
    if ctx.state["mode"] != "ring":
        raise QueryError("preference lists exist in ring mode only")
    probe = ctx.probe()
    probe.apply({"action": "select_key", "key": key})
    pref = list(probe.state()["selected"]["preference_list"])
    if not pref:
        raise QueryError("the ring has no nodes")
    return ctx.shown(
        sorted(pref),
        ({"action": "select_key", "key": key},),
        why=f"The preference list of '{key}' is {', '.join(pref)}.",
    )


@query(LAB, "keys_moved_by_last_change", answer="number")
def keys_moved_by_last_change(ctx: Context) -> Answer:
    """How many keys the scenario's last membership or placement change moved."""
    move = ctx.state.get("last_move")
    if not move:
        raise QueryError("the scenario makes no membership change")
    steps = ctx.command_steps(MOVING)
    moved = int(move["moved"])
    return Answer(moved, step=steps[-1] if steps else ctx.length, why=f"{moved} keys moved.")


def _what_if(ctx: Context, command: dict[str, Any]) -> Answer:
    probe = ctx.probe()
    probe.apply(command)
    moved = int(probe.state()["last_move"]["moved"])
    verb = "joins" if command["action"] == "add_node" else "leaves"
    return ctx.shown(moved, (command,), why=f"When {command['name']} {verb}, {moved} keys move.")


@query(LAB, "keys_moved_if_joins", args={"node": name("a new node's name")}, answer="number")
def keys_moved_if_joins(ctx: Context, node: str) -> Answer:
    """How many keys would move if this node joined now."""
    if node in _node_names(ctx.state):
        raise QueryError(f"{node} is already a node")
    return _what_if(ctx, {"action": "add_node", "name": node})


@query(LAB, "keys_moved_if_leaves", args={"node": name("a current node")}, answer="number")
def keys_moved_if_leaves(ctx: Context, node: str) -> Answer:
    """How many keys would move if this node left now."""
    _node(ctx.state, node)
    return _what_if(ctx, {"action": "remove_node", "name": node})


@query(
    LAB,
    "owner_after_join",
    args={"key": name(), "node": name("a new node's name")},
    answer="choice",
    options="nodes_and_joiner",
)
def owner_after_join(ctx: Context, key: str, node: str) -> Answer:
    """The node that would store the key after this node joined."""
    if node in _node_names(ctx.state):
        raise QueryError(f"{node} is already a node")
    probe = ctx.probe()
    probe.apply({"action": "add_node", "name": node})
    owner = _owner(probe, key)
    return Answer(
        owner,
        step=ctx.length + 2,
        commands=({"action": "add_node", "name": node}, {"action": "select_key", "key": key}),
        why=f"After {node} joins, '{key}' is stored on {owner}.",
    )


@query(LAB, "load_share", args={"node": name()}, answer="number")
def load_share(ctx: Context, node: str) -> Answer:
    """The node's share of the hash space (slots mode: of the 16,384 slots), 0 to 1."""
    share = _share(ctx.state, _node(ctx.state, node))
    return Answer(share, why=f"{node} holds {share:.4f} of the hash space.")


@query(LAB, "keys_on_node", args={"node": name()}, answer="number")
def keys_on_node(ctx: Context, node: str) -> Answer:
    """How many keys the node stores as coordinator."""
    count = int(_node(ctx.state, node)["keys"])
    return Answer(count, why=f"{node} stores {count} keys.")


@query(LAB, "node_count", answer="number")
def node_count(ctx: Context) -> int:
    """How many physical nodes (or shards) there are."""
    return len(_nodes(ctx.state))


@query(LAB, "key_count", answer="number")
def key_count(ctx: Context) -> int:
    """How many keys are stored."""
    return int(ctx.state["key_count"])


@query(LAB, "slot_of_key", args={"key": name()}, answer="number")
def slot_of_key(ctx: Context, key: str) -> Answer:
    """The Redis Cluster hash slot of the key: CRC16 of the key (or hash tag) mod 16,384."""
    slot = key_slot(key)
    # Slots are seen in slots mode: the question opens the lab there, and the
    # feedback replay looks the key up on the same cluster size in that mode.
    return Answer(
        slot,
        step=1,
        commands=({"action": "select_key", "key": key},),
        why=f"'{key}' hashes to slot {slot}.",
        lab_params={"mode": "slots"},
    )


@query(LAB, "efficiency", args={"strategy": integer(1, 3, default=0)}, answer="number")
def efficiency(ctx: Context, strategy: int) -> Answer:
    """Load-balance efficiency (mean load / max load over the hash space, Dynamo §6.2)."""
    state = ctx.state
    if state["mode"] != "ring":
        raise QueryError("load-balance efficiency is defined in ring mode")
    which = str(strategy or state["strategy"])
    value = state["efficiency"][which]
    if value is None:
        raise QueryError("the ring has no nodes")
    return Answer(float(value), why=f"Strategy {which} has efficiency {value:.4f}.")


@query(LAB, "most_loaded_node", answer="pick", options="nodes")
def most_loaded_node(ctx: Context) -> Answer:
    """The node (or nodes, when tied) with the largest share of the hash space."""
    state = ctx.state
    entries = _nodes(state)
    if not entries:
        raise QueryError("there are no nodes")
    top = max(_share(state, e) for e in entries)
    names = sorted(e["name"] for e in entries if abs(_share(state, e) - top) < 1e-12)
    return Answer(names, why=f"{' and '.join(names)} holds the largest share, {top:.4f}.")


@query(
    LAB,
    "keys_that_move_on_join",
    args={"node": name("a new node's name")},
    answer="pick",
    options="keys",
)
def keys_that_move_on_join(ctx: Context, node: str) -> Answer:
    """The listed keys that would move if this node joined now (any one is right)."""
    if node in _node_names(ctx.state):
        raise QueryError(f"{node} is already a node")
    before = {k["name"]: k.get("node", k.get("shard")) for k in ctx.state["keys"]}
    probe = ctx.probe()
    probe.apply({"action": "add_node", "name": node})
    after = probe.state()
    moved = sorted(
        k["name"] for k in after["keys"] if before.get(k["name"]) != k.get("node", k.get("shard"))
    )
    if not moved:
        raise QueryError(f"no listed key moves when {node} joins")
    return ctx.shown(
        moved,
        ({"action": "add_node", "name": node},),
        why=f"{len(moved)} listed keys move to {node}.",
    )


@query(LAB, "key_moves_on_join", args={"key": name(), "node": name()}, answer="bool")
def key_moves_on_join(ctx: Context, key: str, node: str) -> Answer:
    """Whether the key would change node if this node joined now."""
    if node in _node_names(ctx.state):
        raise QueryError(f"{node} is already a node")
    before = _owner(ctx.probe(), key)
    probe = ctx.probe()
    probe.apply({"action": "add_node", "name": node})
    after = _owner(probe, key)
    moves = before != after
    return Answer(
        moves,
        step=ctx.length + 2,
        commands=({"action": "add_node", "name": node}, {"action": "select_key", "key": key}),
        why=f"'{key}' is on {before} before {node} joins and on {after} after.",
    )


# -- goals for construct tasks ------------------------------------------------------------


@goal(LAB, "key_moves_on_join", args={"key": name("the key that must move")})
def goal_key_moves_on_join(g: GoalContext, key: str) -> Verdict:
    """Add exactly one node so that the key moves to it."""
    joins = [(s, c) for s, c in g.actions if c.get("action") == "add_node"]
    others = [c["action"] for _, c in g.actions if c.get("action") in MOVING[1:]]
    if len(joins) != 1:
        return Verdict(False, f"Add exactly one node: your recording adds {len(joins)}.")
    if others:
        return Verdict(False, f"Only add a node: your recording also uses {', '.join(others)}.")
    step = joins[0][0]
    before = _owner(copy.deepcopy(g.before), key)
    joined = g.engine_at(step)
    new = [n for n in _node_names(joined.state()) if n not in _node_names(g.before_state)]
    after = _owner(joined, key)
    if new and after == new[0] and before != after:
        return Verdict(True, f"'{key}' moves from {before} to {after} when {after} joins.", step)
    return Verdict(
        False,
        f"'{key}' stays on {before}: the new node's tokens do not take over its arc.",
        step,
    )


@goal(LAB, "node_count_at_least", args={"n": integer(0, 64)})
def goal_node_count_at_least(g: GoalContext, n: int) -> Verdict:
    """End with at least n nodes."""
    count = len(_nodes(g.after_state))
    last = g.actions[-1][0] if g.actions else g.setup_length
    if count >= n:
        return Verdict(True, f"You end with {count} nodes.", last)
    return Verdict(False, f"You end with {count} nodes; at least {n} are needed.", last)


@goal(
    LAB,
    "balanced",
    args={"efficiency": number(0, 1), "max_nodes": integer(1, 64, default=64)},
)
def goal_balanced(g: GoalContext, efficiency: float, max_nodes: int) -> Verdict:
    """End with a load-balance efficiency of at least x, with at most max_nodes nodes."""
    state = g.after_state
    if state["mode"] != "ring":
        return Verdict(False, "Load-balance efficiency is defined in ring mode.")
    value = state["efficiency"][str(state["strategy"])]
    count = len(state["nodes"])
    last = g.actions[-1][0] if g.actions else g.setup_length
    if value is None:
        return Verdict(False, "The ring has no nodes.", last)
    if count > max_nodes:
        return Verdict(False, f"You use {count} nodes; at most {max_nodes} are allowed.", last)
    if value >= efficiency:
        return Verdict(True, f"Efficiency {value:.3f} ≥ {efficiency} with {count} nodes.", last)
    return Verdict(False, f"Efficiency is {value:.3f}, below {efficiency}.", last)


@goal(LAB, "in_preference_list", args={"key": name(), "node": name()})
def goal_in_preference_list(g: GoalContext, key: str, node: str) -> Verdict:
    """End with the node in the key's preference list."""
    if g.after_state["mode"] != "ring":
        return Verdict(False, "Preference lists exist in ring mode only.")
    probe = g.engine_at(g.timeline.length)
    probe.apply({"action": "select_key", "key": key})
    pref = probe.state()["selected"]["preference_list"]
    last = g.actions[-1][0] if g.actions else g.setup_length
    if node in pref:
        return Verdict(
            True, f"{node} is in the preference list of '{key}': {', '.join(pref)}.", last
        )
    return Verdict(False, f"The preference list of '{key}' is {', '.join(pref)}.", last)
