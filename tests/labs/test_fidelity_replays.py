"""The narrated replays say what the engine reports: Dynamo Figure 2's leave and join.

With N = 3 a membership change moves replicas as well as coordinators (Dynamo §4.9);
the captions name both, and here each claim is checked against the engine's own
moved-key report (``last_move``: ``from``/``to`` for coordinators, ``replicas`` for
the N copies).
"""

from __future__ import annotations

import re
from typing import Any

from algorithms.consistent_hashing import ConsistentHashingEngine, ConsistentHashingParams
from labs.lablets.consistent_hashing.replays import dynamo_figure_2

RANGE = re.compile(r"\(([A-H]), ([A-H])\]")
NODE_RANGE = re.compile(r"\b([A-H]) \(([A-H]), ([A-H])\]")


def _run() -> dict[str, tuple[str, dict[str, Any], dict[str, str]]]:
    """For the leave of B and the join of H: caption, move record, token position → node."""
    sample = dynamo_figure_2()
    engine = ConsistentHashingEngine(ConsistentHashingParams(**sample.params), sample.seed)
    out = {}
    for command, caption in sample.moves:
        assert command is not None
        before = {round(t["pos"], 9): t["node"] for t in engine.state()["tokens"]}
        engine.apply(command)
        after = {round(t["pos"], 9): t["node"] for t in engine.state()["tokens"]}
        changes = command["action"] in ("remove_node", "add_node") and command["name"] in "BH"
        if changes and engine.state()["key_count"]:
            assert caption is not None
            out[command["name"]] = (caption, engine.state()["last_move"], before | after)
    return out


def _engine_ranges(
    move: dict[str, Any], names: dict[float, str], side: str
) -> set[tuple[str, ...]]:
    """(node, start token's node, end token's node) for each range a node gains or loses."""
    out = set()
    for r in move["replicas"]["ranges"]:
        nodes = (
            [n for n in r["after"] if n not in r["before"]]
            if side == "gained"
            else [n for n in r["before"] if n not in r["after"]]
        )
        start, end = names[round(r["start"], 9)], names[round(r["end"], 9)]
        out |= {(n, start, end) for n in nodes}
    assert move["replicas"]["range_count"] == len(move["replicas"]["ranges"])
    return out


def _sentence(caption: str, marker: str) -> str:
    return next(part for part in caption.split(". ") if marker in part)


def test_b_leaving_moves_coordinators_to_c_and_replicas_to_c_d_e() -> None:
    caption, move, names = _run()["B"]
    # coordinators: only B's keys change node, all to C
    assert move["from"] == {"B": move["moved"]} and move["to"] == {"C": move["moved"]}
    assert "only B's keys change node, all to its clockwise successor C" in caption
    # replicas: the caption's "C (F, G], D (G, A] and E (A, B]" is what the engine moved
    said = {tuple(m) for m in NODE_RANGE.findall(_sentence(caption, "replicas move too"))}
    assert said == _engine_ranges(move, names, "gained")
    assert {n for n, _, _ in said} == {"C", "D", "E"} == set(move["replicas"]["gained"])
    assert move["replicas"]["ranges_gained"] == {"C": 1, "D": 1, "E": 1}
    assert move["replicas"]["lost"] == {"B": sum(move["replicas"]["gained"].values())}


def test_h_joining_takes_from_c_as_coordinator_and_from_c_d_e_as_replica() -> None:
    caption, move, names = _run()["H"]
    assert move["from"] == {"C": move["moved"]} and move["to"] == {"H": move["moved"]}
    assert "H takes keys only from its clockwise successor C" in caption
    # H's new ranges: its own (A, H] as coordinator, plus the two the caption names
    also = {("H", *m) for m in RANGE.findall(_sentence(caption, "H also starts storing"))}
    gained = _engine_ranges(move, names, "gained")
    assert gained == also | {("H", "A", "H")}
    # each of C, D and E stops storing the range the caption names
    lost = _sentence(caption, "each stop storing").split(":", 1)[1]
    assert {tuple(m) for m in NODE_RANGE.findall(lost)} == _engine_ranges(move, names, "lost")
    # "nothing else moves": no other node appears in either report
    touched = set(move["from"]) | set(move["to"])
    touched |= set(move["replicas"]["gained"]) | set(move["replicas"]["lost"])
    assert touched == {"C", "D", "E", "H"}
