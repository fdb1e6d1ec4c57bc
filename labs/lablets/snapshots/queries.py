"""What the snapshots lab can be asked (Chandy & Lamport, ACM TOCS 3(1), 1985).

Snapshots are named by their id (S1, S2, ... unless the scenario names them); channels
by their two processes, from and to. Every answer is read from the engine's state for
the scenario: the recorded local states, the recorded channel states (the messages
received after the receiver recorded and before the marker on that channel), the
conservation check, the consistency of the cut and the stable properties.
"""

from __future__ import annotations

from typing import Any

from labs.teaching.queries import Answer, Context, QueryError, name, options, query

LAB = "snapshots"
SNAPSHOT = name("a snapshot id, S1")
PROCESS = name("a process id, P1")


def _snapshot(state: dict[str, Any], sid: str) -> dict[str, Any]:
    for snap in state["snapshots"]:
        if snap["id"] == sid:
            if not snap["complete"]:
                raise QueryError(f"snapshot {sid} has not completed in the scenario")
            return dict(snap)
    known = ", ".join(s["id"] for s in state["snapshots"]) or "none"
    raise QueryError(f"there is no snapshot {sid} (snapshots: {known})")


def _channel(snap: dict[str, Any], src: str, dst: str) -> dict[str, Any]:
    for channel in snap["channels"]:
        if channel["from"] == src and channel["to"] == dst:
            return dict(channel)
    raise QueryError(f"there is no channel {src} -> {dst}")


def _shown(sid: str) -> tuple[dict[str, Any], ...]:
    return ({"action": "select_snapshot", "id": sid},)


@options(LAB, "processes")
def processes(ctx: Context) -> list[str]:
    """The processes' ids."""
    return [p["id"] for p in ctx.state["processes"]]


@options(LAB, "snapshots")
def snapshots(ctx: Context) -> list[str]:
    """The ids of the snapshots started in the scenario."""
    return [s["id"] for s in ctx.state["snapshots"]]


@query(LAB, "recorded_tokens", args={"snapshot": SNAPSHOT, "process": PROCESS}, answer="number")
def recorded_tokens(ctx: Context, snapshot: str, process: str) -> Answer:
    """The tokens a process recorded as its own state in the snapshot."""
    snap = _snapshot(ctx.state, snapshot)
    if process not in snap["local"]:
        raise QueryError(f"there is no process {process}")
    value = int(snap["local"][process])
    return ctx.shown(
        value,
        _shown(snapshot),
        why=f"{process} recorded {value} token(s) when it recorded its state for {snapshot}.",
    )


@query(
    LAB,
    "recorded_channel_tokens",
    args={"snapshot": SNAPSHOT, "src": PROCESS, "dst": PROCESS},
    answer="number",
)
def recorded_channel_tokens(ctx: Context, snapshot: str, src: str, dst: str) -> Answer:
    """The tokens recorded in flight on the channel src -> dst (its recorded state)."""
    channel = _channel(_snapshot(ctx.state, snapshot), src, dst)
    value = sum(int(k) for k in channel["tokens"])
    shown = ", ".join(f"token({k})" for k in channel["tokens"]) or "nothing"
    return ctx.shown(
        value,
        _shown(snapshot),
        why=f"{dst} received {shown} on {src} -> {dst} after it recorded and before "
        f"{snapshot}'s marker on that channel.",
    )


@query(LAB, "in_flight_tokens", args={"snapshot": SNAPSHOT}, answer="number")
def in_flight_tokens(ctx: Context, snapshot: str) -> Answer:
    """All tokens the snapshot recorded in channels."""
    snap = _snapshot(ctx.state, snapshot)
    c = snap["conservation"]
    return ctx.shown(
        int(c["in_flight"]),
        _shown(snapshot),
        why=f"{c['recorded']} recorded at processes + {c['in_flight']} in channels = {c['total']}.",
    )


@query(LAB, "cut_is_consistent", args={"snapshot": SNAPSHOT}, answer="bool")
def cut_is_consistent(ctx: Context, snapshot: str) -> Answer:
    """Whether every message recorded as received was recorded as sent."""
    value = bool(_snapshot(ctx.state, snapshot)["consistent"])
    return ctx.shown(value, _shown(snapshot))


@query(
    LAB,
    "closing_marker_event",
    args={"snapshot": SNAPSHOT, "src": PROCESS, "dst": PROCESS},
    answer="number",
)
def closing_marker_event(ctx: Context, snapshot: str, src: str, dst: str) -> Answer:
    """The event (its number in the run) at which the marker closing src -> dst arrived."""
    channel = _channel(_snapshot(ctx.state, snapshot), src, dst)
    if channel["closed_by"] is None:
        raise QueryError(f"no marker of {snapshot} closed {src} -> {dst}")
    return ctx.shown(
        int(channel["closed_by"]),
        _shown(snapshot),
        why=f"{dst} received {snapshot}'s marker from {src} at event {channel['closed_by']}.",
    )


@query(
    LAB,
    "stable_property_in_recorded_state",
    args={"snapshot": SNAPSHOT, "property": name("terminated or all_tokens_at_one_process")},
    answer="bool",
)
def stable_property_in_recorded_state(ctx: Context, snapshot: str, property: str) -> Answer:
    """Whether a stable property holds in the snapshot's recorded state."""
    probe = ctx.probe()
    probe.apply({"action": "select_snapshot", "id": snapshot})
    snap = _snapshot(probe.state(), snapshot)
    props = snap.get("properties") or {}
    if property not in props:
        raise QueryError(f"property must be one of {', '.join(sorted(props)) or 'none'}")
    value = bool(props[property]["recorded"])
    return ctx.shown(
        value,
        _shown(snapshot),
        why=f"In {snapshot}'s recorded state, {property.replace('_', ' ')} "
        f"{'holds' if value else 'does not hold'}.",
    )
