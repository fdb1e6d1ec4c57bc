"""Versions with vector clocks, as Dynamo's replicas store them (SOSP 2007, section 4.4).

A put's coordinator merges the clocks of the versions the client read (its *context*)
and increments its own counter. A replica keeps every version that no other version it
holds descends from: concurrent writes leave *siblings*, and a get returns all of them
for the client to reconcile. Two versions with equal clocks (two blind writes through one
coordinator) are told apart by the write's serial number, the later one kept.

Examples
--------
>>> v1 = new_version((), "A", "cart=[milk]", 1)
>>> v2 = new_version((v1,), "B", "cart=[milk,eggs]", 2)
>>> v3 = new_version((v1,), "C", "cart=[milk,tea]", 3)
>>> [v.label for v in merge_versions((v1,), (v2, v3))]
['W2 ([A,1],[B,1])', 'W3 ([A,1],[C,1])']
>>> covers((v2,), v1), covers((v2,), v3)
(True, False)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["Version", "covers", "descends", "merge_versions", "new_version"]

Clock = tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class Version:
    """One stored version: its vector clock (sorted ``(node, counter)`` pairs), its value
    and the serial number of the write that made it (``W1``, ``W2``, ...)."""

    clock: Clock
    value: str
    write: int

    @property
    def label(self) -> str:
        """``W2 ([A,1],[B,1])``: the write and its clock in Figure 3's notation."""
        pairs = ",".join(f"[{node},{count}]" for node, count in self.clock)
        return f"W{self.write} ({pairs})"

    def to_json(self) -> dict[str, Any]:
        """The version as the view shows it."""
        return {
            "write": self.write,
            "value": self.value,
            "clock": dict(self.clock),
            "label": self.label,
        }


def descends(a: Clock, b: Clock) -> bool:
    """Whether clock ``a`` is at or after ``b`` on every node (``a >= b``).

    Examples
    --------
    >>> descends((("A", 2),), (("A", 1),)), descends((("A", 1),), (("B", 1),))
    (True, False)
    """
    mine = dict(a)
    return all(mine.get(node, 0) >= count for node, count in b)


def _supersedes(u: Version, v: Version) -> bool:
    if u.clock == v.clock:
        return u.write > v.write
    return descends(u.clock, v.clock)


def merge_versions(*groups: Iterable[Version]) -> tuple[Version, ...]:
    """Every version of ``groups`` that no other one supersedes, in write order.

    Examples
    --------
    >>> a = new_version((), "A", "x", 1)
    >>> merge_versions((a,), (new_version((a,), "A", "y", 2),))[0].value
    'y'
    """
    pool = {v for group in groups for v in group}
    kept = [v for v in pool if not any(u is not v and _supersedes(u, v) for u in pool)]
    return tuple(sorted(kept, key=lambda v: v.write))


def covers(held: Iterable[Version], version: Version) -> bool:
    """Whether ``held`` contains ``version`` or a version that descends from it.

    Examples
    --------
    >>> a = new_version((), "A", "x", 1)
    >>> covers((), a), covers((a,), a)
    (False, True)
    """
    return any(
        h == version
        or (h.clock != version.clock and descends(h.clock, version.clock))
        or (h.clock == version.clock and h.write >= version.write)
        for h in held
    )


def new_version(context: Iterable[Version], coordinator: str, value: str, write: int) -> Version:
    """The version a put makes: the context's clocks merged, the coordinator's counter + 1.

    Examples
    --------
    >>> new_version((new_version((), "A", "x", 1),), "A", "y", 2).label
    'W2 ([A,2])'
    """
    merged: dict[str, int] = {}
    for v in context:
        for node, count in v.clock:
            merged[node] = max(merged.get(node, 0), count)
    merged[coordinator] = merged.get(coordinator, 0) + 1
    return Version(tuple(sorted(merged.items())), value, write)
