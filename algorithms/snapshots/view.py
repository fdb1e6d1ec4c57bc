"""The snapshot lab's JSON picture: what the space-time view and the tables read.

Chandy & Lamport, "Distributed Snapshots", ACM TOCS 3(1), 1985. Rendering only reads
this data: every process event with its time (the space-time diagram's dots), every
message and marker with its send and receive times (its arrows), each snapshot's cut
(the time and event at which each process recorded), its recorded table, the
conservation check (recorded tokens plus recorded in-flight tokens equal the total),
and for the selected snapshot whether the run passed through its state, the §4
reordering that does, and the stable properties evaluated on it.

Examples
--------
>>> from algorithms.snapshots.system import Tokens, TokenSystem
>>> from algorithms.snapshots.topology import ring_topology
>>> system = TokenSystem(ring_topology(3, 1), seed=2)
>>> _ = system.start_snapshot("P1"); system.finish()
>>> picture = state_json(system, "S1", None)
>>> picture["snapshots"][0]["conservation"], picture["snapshots"][0]["occurred"]
({'recorded': 3, 'in_flight': 0, 'total': 3, 'holds': True}, True)
"""

from __future__ import annotations

from typing import Any

from algorithms.snapshots.dataflow import DataflowComparison
from algorithms.snapshots.reachability import first_passage, reordering, state_of
from algorithms.snapshots.recorded import (
    STABLE_PROPERTIES,
    closing_marker,
    in_flight_tokens,
    is_consistent,
    stable_property_holds,
)
from algorithms.snapshots.system import Tokens, TokenSystem

__all__ = ["properties_now", "snapshot_json", "state_json"]

JSON = dict[str, Any]


def snapshot_json(system: TokenSystem, rec_id: str, detail: bool) -> JSON:
    """One snapshot's cut, table and checks; with ``detail``, the §4 analysis too."""
    rec = system.snapshots[rec_id]
    snap = system.result(rec)
    total = system.topology.total
    recorded = sum(snap.local.values())
    flying = in_flight_tokens(snap)
    out: JSON = {
        "id": snap.id,
        "initiator": snap.initiator,
        "started_at": snap.started_at,
        "complete": rec.completed_at is not None,
        "completed_at": rec.completed_at,
        "cut": {
            p: {"time": rec.recorded_time[p], "event": rec.recorded_index[p]} for p in rec.local
        },
        "local": dict(snap.local),
        "channels": [
            {"from": a, "to": b, "tokens": v, "closed_by": closing_marker(snap, a, b)}
            for (a, b), v in snap.channels.items()
        ],
        "conservation": {
            "recorded": recorded,
            "in_flight": flying,
            "total": total,
            "holds": recorded + flying == total,
        },
        "consistent": is_consistent(snap),
        "held": [
            {
                "from": h.channel[0],
                "to": h.channel[1],
                "tokens": h.tokens,
                "arrived": h.arrived,
                "released": h.released,
            }
            for h in snap.held
        ],
    }
    if detail and rec.completed_at is not None:
        passage = first_passage(system, state_of(snap, system.topology))
        order, at = reordering(system, snap)
        out["occurred"] = passage is not None
        out["occurred_after"] = passage
        out["reordering"] = {
            "order": [system.events[i].index for i in order],
            "recorded_after": at,
        }
        now = properties_now(system)
        out["properties"] = {
            name: {"recorded": stable_property_holds(snap, name, system.idle), "now": now[name]}
            for name in STABLE_PROPERTIES
        }
    return out


def properties_now(system: TokenSystem) -> dict[str, bool]:
    """The stable properties evaluated on the run's current state.

    Held-back input of an aligning operator counts as in transit. By §4 the current
    state is reachable from any recorded one, so a stable property that holds in a
    recorded state holds here too; the view shows both to make that visible.

    Examples
    --------
    >>> from algorithms.snapshots.topology import load_topology
    >>> system = TokenSystem(load_topology("2\\np 2\\nq 0\\np q\\nq p"), seed=0)
    >>> properties_now(system)
    {'terminated': False, 'all_tokens_at_one_process': True}
    """
    transit = any(isinstance(m.payload, Tokens) for m in system.net.in_flight()) or any(
        system.buffer.values()
    )
    holders = [p for p, k in system.tokens.items() if k > 0]
    return {
        "terminated": not transit and set(system.idle) >= set(system.tokens),
        "all_tokens_at_one_process": not transit and len(holders) == 1,
    }


def state_json(
    system: TokenSystem, selected: str | None, comparison: DataflowComparison | None
) -> JSON:
    """The whole picture of a run (see the module docstring)."""
    flying = {m.id: m.due for m in system.net.in_flight()}
    return {
        "mode": system.mode,
        "now": system.now,
        "total": system.topology.total,
        "processes": [
            {"id": p, "tokens": system.tokens[p], "idle": p in system.idle}
            for p in system.topology.processes
        ],
        "links": [[a, b] for a, b in system.topology.links],
        "events": [
            {
                "index": e.index,
                "time": e.time,
                "process": e.process,
                "kind": e.kind,
                "message": e.message,
                "snapshot": e.snapshot,
                "tokens": e.tokens,
            }
            for e in system.events
        ],
        "messages": [
            {
                "id": m.id,
                "from": m.src,
                "to": m.dst,
                "kind": m.kind,
                "tokens": m.tokens,
                "snapshot": m.snapshot,
                "sent_at": m.sent_at,
                "received_at": m.received_at,
                "due": flying.get(m.id),
            }
            for m in system.messages.values()
        ],
        "snapshots": [snapshot_json(system, sid, sid == selected) for sid in system.snapshots],
        "selected": selected,
        "comparison": comparison.to_json() if comparison is not None else None,
    }
