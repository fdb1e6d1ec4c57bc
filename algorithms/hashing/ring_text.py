"""The ring engine's sentences: who joins or leaves, and which keys move where.

Karger et al., "Consistent Hashing and Random Trees", STOC 1997: a join takes keys only
from the new node's clockwise successors, a leave gives a node's keys to them.
DeCandia et al., "Dynamo", SOSP 2007, §6.2: under strategies 2 and 3 whole partitions
change hands (strategy 3: a joining node steals Q/S of them, a leaving node hands its
partitions to the nodes holding the fewest); §4.3: with N > 1 replicas, the nodes that
enter or leave a preference list start or stop storing the key.

Examples
--------
>>> from algorithms.hashing.placement import KeyMoves
>>> change_text(KeyMoves((), 0)), change_text(KeyMoves((), 10))
('there are no keys to move', 'none of the 10 keys move')
"""

from __future__ import annotations

from collections.abc import Sequence

from algorithms.hashing.placement import KeyMoves
from algorithms.hashing.replicas import ReplicaMoves
from algorithms.hashing.words import breakdown, listed, number, plural

__all__ = ["STRATEGY_WORDS", "change_text", "join_text", "leave_text", "replica_text"]

STRATEGY_WORDS = {
    1: "T random tokens per node, partitions by token value",
    2: "T random tokens per node and Q equal-sized partitions",
    3: "Q/S tokens per node and equal-sized partitions",
}
"""Dynamo §6.2's three partitioning strategies, as the event sentences name them."""


def change_text(moves: KeyMoves) -> str:
    """How many keys a settings change moved, as the end of a sentence.

    Examples
    --------
    >>> from algorithms.hashing.placement import ArcMove
    >>> change_text(KeyMoves((ArcMove(0, 5, "A", "B", 0, 3),), 10))
    '3 of 10 keys change node'
    """
    if moves.total == 0:
        return "there are no keys to move"
    if moves.moved == 0:
        return f"none of the {number(moves.total)} keys move"
    return f"{number(moves.moved)} of {number(moves.total)} keys change node"


def join_text(
    strategy: int, q: int, name: str, tokens: int, before: list[str], moves: KeyMoves, parts: int
) -> str:
    """The sentence of a join: node ``name`` with ``tokens`` tokens joins ``before``.

    ``parts`` is how many of the ``q`` partitions changed owner (strategies 2 and 3).

    Examples
    --------
    >>> join_text(1, 64, "C", 8, ["A", "B"], KeyMoves((), 0), 0)
    'Node C joins with 8 tokens; there are no keys yet.'
    """
    total, moved = moves.total, moves.moved
    if strategy == 3:
        s = len(before) + 1
        head = (
            f"Node {name} joins and steals {plural(parts, 'partition')} of {number(q)} "
            f"(Q/S = {number(q)}/{s}, rounded down) from the nodes holding the most"
        )
        tail = f"{number(moved)} of {number(total)} keys move to {name}"
    else:
        head = f"Node {name} joins with {plural(tokens, 'token')}"
        if strategy == 2:
            head += f" and takes {number(parts)} of {number(q)} partitions"
        tail = (
            f"{number(moved)} of {number(total)} keys move to {name}, "
            "all from its clockwise successors"
        )
    if total == 0:
        return f"{head}; there are no keys yet."
    if not before:
        return f"{head}; it is the only node, so all {number(total)} keys are now on {name}."
    if moved == 0:
        return f"{head}; none of the {number(total)} keys move."
    return f"{head}; {tail} ({breakdown(moves.by_source(), before)})."


def leave_text(strategy: int, name: str, before: list[str], moves: KeyMoves, parts: int) -> str:
    """The sentence of a leave: node ``name`` leaves ``before``, holding ``parts`` partitions.

    Examples
    --------
    >>> leave_text(1, "A", ["A"], KeyMoves((), 0), 0)
    'Node A leaves; no node is left, so its 0 keys have no owner.'
    """
    moved = moves.moved
    if len(before) == 1:
        return f"Node {name} leaves; no node is left, so its {plural(moved, 'key')} have no owner."
    if moved == 0 and strategy != 3:
        return f"Node {name} leaves; it held no keys, so none move."
    to = breakdown(moves.by_target(), before)
    if strategy == 3:
        text = (
            f"Node {name} leaves; its {plural(parts, 'partition')} go to the nodes "
            f"holding the fewest, and its {plural(moved, 'key')} move with them"
        )
        return f"{text} ({to})." if moved else f"{text}."
    what = f"its {plural(moved, 'key')}"
    if strategy == 2:
        what = f"its {plural(parts, 'partition')} and {plural(moved, 'key')}"
    return f"Node {name} leaves; {what} move to its clockwise successors ({to})."


def replica_text(n: int, replicas: ReplicaMoves, order: Sequence[str]) -> str:
    """The sentence on replicas after a join or leave (empty for N = 1 or no change).

    The coordinators' moves are only part of a membership change: with N > 1 every key
    whose preference list changes is copied to the nodes that enter it (Dynamo §4.9).

    Examples
    --------
    >>> replica_text(1, ReplicaMoves(1, (), {"A": 3}, {}), ["A"])
    ''
    """
    gainers = [name for name in order if replicas.gained.get(name)]
    losers = [name for name in order if replicas.lost.get(name)]
    if n == 1 or not (gainers or losers):
        return ""
    parts = []
    if gainers:
        verb = "starts" if len(gainers) == 1 else "start"
        parts.append(f"{listed(gainers)} {verb} storing keys ({breakdown(replicas.gained, order)})")
    if losers:
        verb = "stops" if len(losers) == 1 else "stop"
        parts.append(f"{listed(losers)} {verb} storing keys ({breakdown(replicas.lost, order)})")
    return f" As replicas (N = {n}), {'; '.join(parts)}."
