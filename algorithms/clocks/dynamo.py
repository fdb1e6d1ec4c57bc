"""Dynamo's versioned objects: vector clocks, siblings, reconciliation, truncation.

DeCandia et al., "Dynamo: Amazon's Highly Available Key-value Store", SOSP 2007, §4.4
(Data Versioning). Every ``put`` creates a new immutable version of the object. Its
vector clock is a list of (node, counter) pairs: the coordinator that handles the
write takes the clock of the version(s) the client read (the *context*), merges them
and increments its own counter. If a version's clock is ≤ another's, it is an
ancestor and can be forgotten (*syntactic reconciliation*); otherwise the versions
are *siblings*, all returned by ``get``, and the client reconciles them (*semantic
reconciliation*, e.g. merging shopping carts) and writes the result back with all of
them in its context.

Clock truncation: each (node, counter) pair also carries the time the node last
updated the object; when a clock has more pairs than a threshold (Dynamo: 10), the
oldest pair is dropped. Here that time is a logical write counter (the number of the
write, 1, 2, ...), and a clock keeps at most ``truncate`` pairs. Truncation can make
a descendant look concurrent with its ancestor (a false conflict): the paper notes
the risk and that it did not surface in production.

Lost updates: a coordinator increments its own counter on the *context's* clock, not on
the newest version it holds, so a write through the same coordinator with an empty or
old context can get a clock equal to (or above) a version the client never read. Put
(Sx, context []) after D1 = ([Sx,1]) gives ([Sx,1]) again: the two clocks are equal, so
syntactic reconciliation keeps only the newer and D1's value is silently gone. This is
not a concurrent branch. :attr:`Write.lost` names such versions: dropped although they
are not in the new version's causal history (what the client read, and what that
descends from), or the new version itself when an unread version dominates it.

Figure 3 of the paper is reproduced in :mod:`algorithms.clocks.figure3`.

This model keeps one logical store for the key (the union of what the replicas hold
after they exchange versions), enough to show how clocks order versions.

Examples
--------
>>> store = VersionedKey("cart", DYNAMO_TRUNCATE)
>>> d1 = store.put("Sx", "book", [])
>>> d2 = store.put("Sy", "pen", [])  # no context: a sibling of D1
>>> [(v.id, v.clock.to_json()) for v in store.get()]
[('D1', {'Sx': 1}), ('D2', {'Sy': 1})]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from algorithms.clocks.clock import VectorClock
from algorithms.engine import CommandError, check_int

__all__ = [
    "DYNAMO_TRUNCATE",
    "MAX_CONTEXT",
    "MAX_TRUNCATE",
    "MAX_VALUE_CHARS",
    "MAX_WRITES",
    "DynamoVersion",
    "VersionedKey",
    "Write",
    "compare_versions",
    "format_pairs",
]

DYNAMO_TRUNCATE = 10
"""Dynamo's truncation threshold: at most 10 (node, counter) pairs."""

MAX_TRUNCATE = 64
"""The largest truncation threshold accepted."""

MAX_WRITES = 1_000
"""The most writes (versions) one key model holds."""

MAX_CONTEXT = 64
"""The most versions a client's context may name."""

MAX_VALUE_CHARS = 200
"""The longest value text."""

MAX_NODE_CHARS = 20

_NODE = re.compile(r"[A-Za-z0-9_.:-]{1,20}")


def format_pairs(clock: VectorClock) -> str:
    """A clock in the paper's Figure 3 notation, ``([Sx,2],[Sy,1])``.

    Examples
    --------
    >>> format_pairs(VectorClock({"Sy": 1, "Sx": 2}))
    '([Sx,2],[Sy,1])'
    >>> format_pairs(VectorClock())
    '()'
    """
    return "(" + ",".join(f"[{node},{count}]" for node, count in clock.items()) + ")"


def compare_versions(a: VectorClock, b: VectorClock) -> str:
    """How version clock ``a`` relates to ``b``.

    Returns ``"ancestor"`` (a < b: b descends from a), ``"descendant"`` (a > b),
    ``"equal"`` or ``"concurrent"`` (siblings).

    Examples
    --------
    >>> compare_versions(VectorClock({"Sx": 2}), VectorClock({"Sx": 2, "Sy": 1}))
    'ancestor'
    >>> compare_versions(VectorClock({"Sx": 2, "Sz": 1}), VectorClock({"Sx": 2, "Sy": 1}))
    'concurrent'
    """
    if a == b:
        return "equal"
    if a <= b:
        return "ancestor"
    if b <= a:
        return "descendant"
    return "concurrent"


@dataclass(frozen=True)
class DynamoVersion:
    """One version of the object.

    Parameters
    ----------
    id : str
        ``D1``, ``D2``, ... in write order.
    value : str
        The object's value.
    clock : VectorClock
        Its (node, counter) pairs.
    stamps : tuple of (node, write number)
        For each pair, the logical time (write number) the node last updated the
        object; truncation drops the pair with the oldest stamp.
    parents : tuple of str
        The versions named in the write's context (what the client had read).
    coordinator : str
        The node that handled the write.
    written_at : int
        The write number that created it.
    truncated : tuple of str
        Nodes whose pairs were dropped from this clock by truncation.

    Examples
    --------
    >>> from algorithms.clocks.figure3 import figure3
    >>> d3 = figure3().version("D3")
    >>> format_pairs(d3.clock), d3.parents, d3.stamp("Sx"), d3.stamp("Sy")
    ('([Sx,2],[Sy,1])', ('D2',), 2, 3)
    """

    id: str
    value: str
    clock: VectorClock
    stamps: tuple[tuple[str, int], ...]
    parents: tuple[str, ...]
    coordinator: str
    written_at: int
    truncated: tuple[str, ...] = ()

    def stamp(self, node: str) -> int:
        """When ``node``'s pair was last updated (0 if unknown)."""
        return dict(self.stamps).get(node, 0)

    def to_json(self) -> dict[str, Any]:
        """The version as JSON (status is the store's, see :meth:`VersionedKey.to_json`)."""
        return {
            "id": self.id,
            "value": self.value,
            "clock": self.clock.to_json(),
            "stamps": dict(self.stamps),
            "parents": list(self.parents),
            "coordinator": self.coordinator,
            "written_at": self.written_at,
            "truncated": list(self.truncated),
        }


@dataclass(frozen=True)
class Write:
    """What one ``put`` did: the version, and what syntactic reconciliation dropped.

    Examples
    --------
    >>> from algorithms.clocks.figure3 import figure3
    >>> w = figure3().history[-1]
    >>> w.version, w.context, w.dropped, w.current, w.reconcile, w.lost
    ('D5', ('D3', 'D4'), ('D3', 'D4'), ('D5',), True, ())
    >>> k = VersionedKey("cart")
    >>> _ = k.put("Sx", "book", []), k.put("Sx", "pen", [])
    >>> k.history[-1].dropped, k.history[-1].lost  # D1 was never read: a lost update
    (('D1',), ('D1',))
    """

    version: str
    coordinator: str
    context: tuple[str, ...]
    clock: VectorClock
    truncated: tuple[str, ...]
    dropped: tuple[str, ...]
    current: tuple[str, ...]
    reconcile: bool = False
    lost: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The write as JSON (one entry of the store's history)."""
        return {
            "version": self.version,
            "coordinator": self.coordinator,
            "context": list(self.context),
            "clock": self.clock.to_json(),
            "truncated": list(self.truncated),
            "dropped": list(self.dropped),
            "current": list(self.current),
            "reconcile": self.reconcile,
            "lost": list(self.lost),
        }


ContextItem = str | DynamoVersion | VectorClock


@dataclass
class VersionedKey:
    """One key of a Dynamo store: its versions, siblings and clock truncation.

    Parameters
    ----------
    key : str
        The key's name (for display).
    truncate : int
        The most (node, counter) pairs a clock keeps, 1 to :data:`MAX_TRUNCATE`
        (Dynamo: 10).

    Examples
    --------
    >>> k = VersionedKey("cart", truncate=2)
    >>> d1 = k.put("Sx", "book", [])
    >>> d2 = k.put("Sy", "book, pen", ["D1"])
    >>> d3 = k.put("Sz", "book, pen, mug", ["D2"])
    >>> d3.clock, d3.truncated
    (VectorClock({'Sy': 1, 'Sz': 1}), ('Sx',))
    >>> [v.id for v in k.get()]  # D3 descends from D2 but no longer looks like it
    ['D2', 'D3']
    """

    key: str = "cart"
    truncate: int = DYNAMO_TRUNCATE
    versions: list[DynamoVersion] = field(default_factory=list, init=False)
    history: list[Write] = field(default_factory=list, init=False)
    _current: list[str] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        check_int("truncate", self.truncate, 1, MAX_TRUNCATE)

    # -- queries -----------------------------------------------------------------------

    def version(self, version_id: str) -> DynamoVersion:
        """The version with this id (KeyError if none)."""
        for v in self.versions:
            if v.id == version_id:
                return v
        raise KeyError(version_id)

    def get(self) -> list[DynamoVersion]:
        """The current versions: one, or several siblings, in write order."""
        return [self.version(i) for i in self._current]

    def status(self, version_id: str) -> str:
        """``"current"`` (the only current version), ``"sibling"`` or ``"ancestor"``."""
        if version_id not in self._current:
            self.version(version_id)
            return "ancestor"
        return "current" if len(self._current) == 1 else "sibling"

    # -- checks (no mutation) ----------------------------------------------------------

    def check_coordinator(self, coordinator: object) -> str:
        """Return a valid node name (1 to 20 of letters, digits, ``_.:-``)."""
        if not isinstance(coordinator, str) or not _NODE.fullmatch(coordinator):
            raise CommandError(
                "coordinator",
                coordinator,
                f"must be a node name of 1 to {MAX_NODE_CHARS} letters, digits or _.:-",
            )
        return coordinator

    def check_value(self, value: object) -> str:
        """Return a valid value text."""
        if not isinstance(value, str) or len(value) > MAX_VALUE_CHARS or not value.isprintable():
            raise CommandError(
                "value", value, f"must be a text of at most {MAX_VALUE_CHARS} printable characters"
            )
        return value

    def check_context(self, context: object) -> list[ContextItem]:
        """Resolve a context: ``"latest"`` (every current version) or a list of ids/clocks."""
        if context == "latest":
            return list(self._current)
        if not isinstance(context, list | tuple) or len(context) > MAX_CONTEXT:
            raise CommandError(
                "context",
                context,
                f'must be "latest" or a list of at most {MAX_CONTEXT} version ids',
            )
        known = {v.id for v in self.versions}
        out: list[ContextItem] = []
        for i, item in enumerate(context):
            if isinstance(item, DynamoVersion | VectorClock) or (
                isinstance(item, str) and item in known
            ):
                out.append(item)
            else:
                raise CommandError(f"context[{i}]", item, "must be the id of a written version")
        return out

    def check_room(self) -> None:
        """Refuse a write past :data:`MAX_WRITES`."""
        if len(self.versions) >= MAX_WRITES:
            raise CommandError(
                "put", len(self.versions), f"must stay within {MAX_WRITES} writes to one key"
            )

    # -- writes ------------------------------------------------------------------------

    def set_truncate(self, size: int) -> None:
        """Change the threshold; it applies to later writes."""
        self.truncate = check_int("size", size, 1, MAX_TRUNCATE)

    def put(
        self,
        coordinator: str,
        value: str,
        context: Sequence[ContextItem] | str = "latest",
        *,
        reconcile: bool = False,
    ) -> DynamoVersion:
        """Write ``value`` through ``coordinator`` with the client's ``context``.

        The new clock is the merge of the context's clocks with the coordinator's
        counter incremented, truncated to ``truncate`` pairs; then every version
        whose clock is ≤ another current one is dropped (of two equal clocks the
        older goes). Everything is checked before anything changes.

        Parameters
        ----------
        coordinator : str
            The node handling the write.
        value : str
            The new value.
        context : "latest" or sequence of version ids, versions or clocks
            What the client read; ``[]`` for a write without a read.
        reconcile : bool
            Marks the write as a client's reconciliation of siblings (for history).

        Returns
        -------
        DynamoVersion
            The new version (see :attr:`history` for what it dropped).
        """
        coordinator = self.check_coordinator(coordinator)
        value = self.check_value(value)
        items = self.check_context(context)
        self.check_room()

        write_no = len(self.versions) + 1
        merged = VectorClock()
        stamps: dict[str, int] = {}
        parents: list[str] = []
        read_clocks: list[VectorClock] = []
        for item in items:
            if isinstance(item, str):
                item = self.version(item)
            if isinstance(item, DynamoVersion):
                parents.append(item.id)
                clock, item_stamps = item.clock, dict(item.stamps)
            else:
                clock, item_stamps = item, {}
                read_clocks.append(clock)
            merged = merged.merge(clock)
            for node in clock:
                stamps[node] = max(stamps.get(node, 0), item_stamps.get(node, 0))
        counters = merged.increment(coordinator).to_json()
        stamps[coordinator] = write_no
        truncated: list[str] = []
        while len(counters) > self.truncate:
            oldest = min(counters, key=lambda n: (stamps.get(n, 0), n))
            del counters[oldest]
            truncated.append(oldest)
        stamps = {n: stamps.get(n, 0) for n in counters}
        version = DynamoVersion(
            f"D{write_no}",
            value,
            VectorClock(counters),
            tuple(sorted(stamps.items())),
            tuple(dict.fromkeys(parents)),
            coordinator,
            write_no,
            tuple(truncated),
        )
        self.versions.append(version)
        candidates = [*self.get(), version]
        keep: list[str] = []
        for i, v in enumerate(candidates):
            dominated = any(
                (v.clock < w.clock) or (v.clock == w.clock and j > i)
                for j, w in enumerate(candidates)
                if j != i
            )
            if not dominated:
                keep.append(v.id)
        dropped = tuple(v.id for v in candidates if v.id not in keep)
        seen = self._history_of(parents, read_clocks)
        lost = tuple(d for d in dropped if d == version.id or d not in seen)
        self._current = keep
        self.history.append(
            Write(
                version.id,
                coordinator,
                version.parents,
                version.clock,
                version.truncated,
                dropped,
                tuple(keep),
                reconcile,
                lost,
            )
        )
        return version

    def _history_of(self, parents: Sequence[str], read_clocks: Sequence[VectorClock]) -> set[str]:
        """The versions a write's context covers: those read and everything they descend
        from (by the parents recorded at each write, which truncation cannot blur); a
        bare clock in the context covers every version whose clock is ≤ it."""
        seen: set[str] = set()
        todo = list(parents)
        todo += [v.id for v in self.versions for c in read_clocks if v.clock <= c]
        while todo:
            vid = todo.pop()
            if vid not in seen:
                seen.add(vid)
                todo.extend(self.version(vid).parents)
        return seen

    def lost_updates(self) -> list[str]:
        """Every version lost so far: dropped by a write whose client had not read it.

        Examples
        --------
        >>> k = VersionedKey("cart")
        >>> _ = k.put("Sx", "book", []), k.put("Sy", "pen", []), k.put("Sx", "mug", ["D2"])
        >>> k.lost_updates()  # D3 = ([Sx,1],[Sy,1]) covers D1, which its client never read
        ['D1']
        >>> from algorithms.clocks.figure3 import figure3
        >>> figure3().lost_updates()
        []
        """
        return [vid for w in self.history for vid in w.lost]

    def reconcile(self, coordinator: str, value: str) -> DynamoVersion:
        """A client reads every current version, merges them into ``value`` and writes it back."""
        if not self._current:
            raise CommandError("reconcile", self.key, "needs at least one written version")
        return self.put(coordinator, value, list(self._current), reconcile=True)

    def to_json(self) -> dict[str, Any]:
        """The store as the lab's ``versions`` object."""
        return {
            "key": self.key,
            "versions": [{**v.to_json(), "status": self.status(v.id)} for v in self.versions],
            "current": list(self._current),
            "truncate": self.truncate,
            "history": [w.to_json() for w in self.history],
            "lost": self.lost_updates(),
        }
