"""The consistent hashing ring: MD5 positions, tokens, arcs and the keys that move.

Karger, Lehman, Leighton, Panigrahy, Levine and Lewin, "Consistent Hashing and Random
Trees", STOC 1997, map keys and caches onto one circle: an item belongs to the first
cache point clockwise from it, so adding or removing a cache moves only the items of
the arcs that change hands. DeCandia et al., "Dynamo: Amazon's Highly Available
Key-value Store", SOSP 2007, §4.2 hash keys with MD5 onto a 128-bit ring, give each
physical node several *tokens* (virtual nodes), and §4.3 store a key on the first N
distinct physical nodes clockwise from it (its *preference list*).

Conventions used everywhere in :mod:`algorithms.hashing`:

- a position is an int in ``[0, 2**128)``: the MD5 digest of the key read big-endian;
- token ``i`` of node ``X`` sits at the MD5 position of the text ``f"{X}#{i}"``, so a
  ring is reproducible from node names alone, with no seed;
- a token owns the arc ``(previous token, token]``: a key lying exactly on a token
  belongs to that token, and the first token owns the arc that wraps around zero.

Examples
--------
>>> ring = HashRing(vnodes=8, nodes=["A", "B", "C"])
>>> ring.node_for("key-0") in {"A", "B", "C"}
True
>>> sorted(ring.preference_list("key-0", 3))
['A', 'B', 'C']
>>> round(sum(ring.load_shares().values()), 12)
1.0
"""

from __future__ import annotations

import hashlib
import math
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from fractions import Fraction
from itertools import pairwise

__all__ = [
    "HASH_SPACE",
    "MAX_RING_TOKENS",
    "MAX_RING_VNODES",
    "ArcMap",
    "HashRing",
    "fraction_to_position",
    "key_position",
    "position_to_fraction",
    "token_position",
]

HASH_BITS = 128
HASH_SPACE = 1 << HASH_BITS
"""Size of Dynamo's MD5 ring: positions are ints in ``[0, 2**128)``."""

MAX_RING_VNODES = 1024
"""Most tokens (virtual nodes) per physical node a :class:`HashRing` accepts."""

MAX_RING_TOKENS = 1 << 20
"""Most tokens in one ring, over all nodes (bounds memory at a few tens of MB)."""

_md5 = hashlib.md5
_BELOW_ONE = math.nextafter(1.0, 0.0)
_from_bytes = int.from_bytes


def _as_bytes(key: str | bytes) -> bytes:
    if isinstance(key, str):
        return key.encode()
    if isinstance(key, bytes | bytearray | memoryview):
        return bytes(key)
    raise TypeError(f"key must be str or bytes, got {type(key).__name__}")


def key_position(key: str | bytes) -> int:
    """The ring position of a key: its MD5 digest as a big-endian 128-bit int (Dynamo §4.2).

    A ``str`` key is hashed as its UTF-8 bytes.

    Examples
    --------
    >>> key_position("")  # MD5 of the empty string
    281949768489412648962353822266799178366
    >>> key_position(b"key-1") == key_position("key-1")
    True
    """
    if isinstance(key, str):
        return _from_bytes(_md5(key.encode()).digest(), "big")
    return _from_bytes(_md5(_as_bytes(key)).digest(), "big")


def token_position(node: str, index: int) -> int:
    """The position of token ``index`` of node ``node``: MD5 of ``f"{node}#{index}"``.

    Examples
    --------
    >>> token_position("A", 0) == key_position("A#0")
    True
    """
    return key_position(f"{node}#{index}")


def fraction_to_position(fraction: float | Fraction) -> int:
    """Turn a fraction of the ring in ``[0, 1)`` into a position, exactly (rounding down).

    Examples
    --------
    >>> fraction_to_position(0.5) == 2**127
    True
    >>> fraction_to_position(1.0)
    Traceback (most recent call last):
    ...
    ValueError: a token must be a fraction in [0, 1), got 1.0
    """
    if isinstance(fraction, bool) or not isinstance(fraction, int | float | Fraction):
        raise ValueError(f"a token must be a fraction in [0, 1), got {fraction!r}")
    exact = Fraction(fraction)
    if not 0 <= exact < 1:
        raise ValueError(f"a token must be a fraction in [0, 1), got {fraction!r}")
    return int(exact * HASH_SPACE)


def position_to_fraction(position: int) -> float:
    """A position as a float in ``[0, 1)``: correctly rounded, but never 1.0.

    A fraction given as a float survives the round trip through a position exactly.

    Examples
    --------
    >>> position_to_fraction(2**127)
    0.5
    >>> position_to_fraction(fraction_to_position(0.1))
    0.1
    >>> position_to_fraction(2**128 - 1) < 1.0
    True
    """
    fraction = position / HASH_SPACE
    return fraction if fraction < 1.0 else _BELOW_ONE


class ArcMap:
    """Who owns each arc of the ring: sorted boundary positions and their owners.

    Arc ``i`` is ``(positions[i-1], positions[i]]`` (the first arc wraps around zero)
    and belongs to ``owners[i]``. A :class:`HashRing`'s tokens form an arc map, and so
    do the equal-sized partitions of Dynamo's strategies 2 and 3 (§6.2).

    Parameters
    ----------
    pairs : iterable of (int, str)
        ``(position, owner)`` pairs; positions must be distinct ints in ``[0, 2**128)``.

    Examples
    --------
    >>> m = ArcMap([(2**127, "B"), (0, "A")])
    >>> m.owner_at(1), m.owner_at(2**127), m.owner_at(2**127 + 1)
    ('B', 'B', 'A')
    >>> m.distinct_from(1, 5)
    ['B', 'A']
    """

    __slots__ = ("_wrap", "owners", "positions")

    def __init__(self, pairs: Iterable[tuple[int, str]]) -> None:
        ordered = sorted(pairs)
        positions = [p for p, _ in ordered]
        for p in positions[:1] + positions[-1:]:
            if not 0 <= p < HASH_SPACE:
                raise ValueError(f"a position must be in [0, 2**128), got {p}")
        for a, b in pairwise(positions):
            if a == b:
                raise ValueError(f"two tokens share the position {a}")
        self.positions: list[int] = positions
        self.owners: list[str] = [o for _, o in ordered]
        self._wrap: list[str] = self.owners + self.owners[:1]

    def __len__(self) -> int:
        return len(self.positions)

    def index_at(self, position: int) -> int:
        """Index of the first boundary at or clockwise after ``position`` (wrapping)."""
        i = bisect_left(self.positions, position)
        return 0 if i == len(self.positions) else i

    def owner_at(self, position: int) -> str | None:
        """Owner of the arc holding ``position``; None if the map is empty."""
        if not self.positions:
            return None
        return self._wrap[bisect_left(self.positions, position)]

    def distinct_from(self, position: int, n: int) -> list[str]:
        """The first ``n`` distinct owners met walking clockwise from ``position``.

        Further boundaries of an owner already chosen are skipped (Dynamo §4.3: virtual
        nodes of one physical node count once). Fewer than ``n`` if fewer owners exist.
        """
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        owners = self.owners
        count = len(owners)
        if not count:
            return []
        start = self.index_at(position)
        chosen: list[str] = []
        seen: set[str] = set()
        for k in range(count):
            owner = owners[(start + k) % count]
            if owner not in seen:
                seen.add(owner)
                chosen.append(owner)
                if len(chosen) == n:
                    break
        return chosen

    def arc_lengths(self) -> dict[str, int]:
        """Total length of the arcs each owner holds (exact ints summing to ``2**128``)."""
        lengths: dict[str, int] = {}
        positions = self.positions
        if not positions:
            return lengths
        prev = positions[-1] - HASH_SPACE
        for p, owner in zip(positions, self.owners, strict=True):
            lengths[owner] = lengths.get(owner, 0) + (p - prev)
            prev = p
        return lengths

    def shares(self) -> dict[str, float]:
        """Fraction of the ring each owner holds (sums to 1)."""
        return {o: length / HASH_SPACE for o, length in self.arc_lengths().items()}

    def arcs(self) -> Iterator[tuple[int, int, str]]:
        """Every arc as ``(start, end, owner)`` meaning ``(start, end]``, wrapping at zero."""
        positions = self.positions
        if not positions:
            return
        prev = positions[-1]
        for p, owner in zip(positions, self.owners, strict=True):
            yield prev, p, owner
            prev = p


class HashRing:
    """A consistent hashing ring with virtual nodes (Karger et al. 1997; Dynamo §4.2-4.3).

    Each physical node owns ``vnodes`` tokens; token ``i`` of node ``X`` sits at the
    MD5 of ``f"{X}#{i}"``, so the ring depends on node names only. A key belongs to
    the first token at or clockwise after its MD5 position.

    Parameters
    ----------
    vnodes : int
        Tokens per physical node (``T`` in Dynamo §6.2), 1 to :data:`MAX_RING_VNODES`.
    nodes : iterable of str
        Physical nodes to add, in join order.

    Notes
    -----
    Lookups are a binary search over a plain sorted list of int tokens (``O(log
    tokens)``); membership changes rebuild that list (``O(tokens log tokens)``). At
    most :data:`MAX_RING_TOKENS` tokens in all.

    Examples
    --------
    >>> ring = HashRing(vnodes=1)
    >>> ring.add_node("A", tokens=[0.25])
    >>> ring.add_node("B", tokens=[0.75])
    >>> ring.node_at(fraction_to_position(0.5)), ring.node_at(fraction_to_position(0.9))
    ('B', 'A')
    >>> ring.load_shares()
    {'A': 0.5, 'B': 0.5}
    >>> sorted(ring.preference_list(b"any key", 5))  # only two physical nodes exist
    ['A', 'B']
    """

    def __init__(self, vnodes: int = 8, nodes: Iterable[str] = ()) -> None:
        if isinstance(vnodes, bool) or not isinstance(vnodes, int):
            raise ValueError(f"vnodes must be an int, got {vnodes!r}")
        if not 1 <= vnodes <= MAX_RING_VNODES:
            raise ValueError(f"vnodes must be between 1 and {MAX_RING_VNODES}, got {vnodes}")
        self._vnodes = vnodes
        self._node_tokens: dict[str, list[int]] = {}
        self._tokens: list[int] = []
        self._wrap: list[str] = []
        self._map = ArcMap(())
        for name in nodes:
            self.add_node(name)

    # -- reading ------------------------------------------------------------------------

    @property
    def vnodes(self) -> int:
        """Tokens given to a node that joins without explicit tokens."""
        return self._vnodes

    @property
    def nodes(self) -> list[str]:
        """Physical nodes in join order."""
        return list(self._node_tokens)

    def __len__(self) -> int:
        return len(self._node_tokens)

    def __contains__(self, name: object) -> bool:
        return name in self._node_tokens

    def tokens_of(self, name: str) -> list[int]:
        """The sorted token positions of one node."""
        return sorted(self._node_tokens[name])

    def tokens(self) -> list[tuple[int, str]]:
        """Every token as ``(position, node)``, sorted by position."""
        return list(zip(self._map.positions, self._map.owners, strict=True))

    def arc_map(self) -> ArcMap:
        """The ring as an :class:`ArcMap` (shared, do not modify)."""
        return self._map

    def node_for(self, key: str | bytes) -> str:
        """The node owning ``key``: first token at or clockwise after MD5(key).

        Raises LookupError on an empty ring.
        """
        data = key.encode() if isinstance(key, str) else key
        try:
            return self._wrap[bisect_left(self._tokens, _from_bytes(_md5(data).digest()))]
        except IndexError:
            raise LookupError("the ring has no nodes") from None

    def node_at(self, position: int) -> str:
        """The node owning a ring position."""
        if not self._tokens:
            raise LookupError("the ring has no nodes")
        return self._wrap[bisect_left(self._tokens, position)]

    def preference_list(self, key: str | bytes, n: int) -> list[str]:
        """The first ``n`` distinct physical nodes clockwise from the key (Dynamo §4.3).

        The walk starts at the key's position, skips further tokens of nodes already
        chosen, and wraps around zero; with fewer than ``n`` nodes it returns them all.
        The first entry is :meth:`node_for` (the coordinator).
        """
        return self._map.distinct_from(key_position(key), n)

    def preference_list_at(self, position: int, n: int) -> list[str]:
        """:meth:`preference_list` from a ring position instead of a key."""
        return self._map.distinct_from(position, n)

    def load_shares(self) -> dict[str, float]:
        """Fraction of the ``2**128`` hash space each physical node owns (sums to 1)."""
        return self._map.shares()

    # -- changing -----------------------------------------------------------------------

    def add_node(
        self,
        name: str,
        tokens: Sequence[float | Fraction] | None = None,
        *,
        positions: Sequence[int] | None = None,
    ) -> None:
        """Add a physical node.

        Parameters
        ----------
        name : str
            A new node name.
        tokens : sequence of float, optional
            Explicit token places as fractions of the ring in ``[0, 1)`` (for teaching
            examples); by default ``vnodes`` MD5 tokens ``f"{name}#{i}"``.
        positions : sequence of int, optional
            Explicit token positions in ``[0, 2**128)`` instead of fractions.

        Raises ValueError if the name exists, a token collides with another, or the
        ring would pass :data:`MAX_RING_TOKENS`; the ring is then unchanged.
        """
        if not isinstance(name, str) or not name:
            raise ValueError(f"a node name must be a non-empty str, got {name!r}")
        if name in self._node_tokens:
            raise ValueError(f"node {name!r} is already on the ring")
        new = self._token_positions(name, tokens, positions)
        if len(self._tokens) + len(new) > MAX_RING_TOKENS:
            raise ValueError(f"a ring holds at most {MAX_RING_TOKENS} tokens")
        pairs = [*self.tokens(), *((p, name) for p in new)]
        new_map = ArcMap(pairs)  # raises on a collision before anything changes
        self._node_tokens[name] = new
        self._install(new_map)

    def _token_positions(
        self,
        name: str,
        tokens: Sequence[float | Fraction] | None,
        positions: Sequence[int] | None,
    ) -> list[int]:
        if tokens is not None and positions is not None:
            raise ValueError("give tokens or positions, not both")
        if tokens is not None:
            new = [fraction_to_position(t) for t in tokens]
        elif positions is not None:
            new = list(positions)
            for p in new:
                if isinstance(p, bool) or not isinstance(p, int) or not 0 <= p < HASH_SPACE:
                    raise ValueError(f"a position must be an int in [0, 2**128), got {p!r}")
        else:
            new = [token_position(name, i) for i in range(self._vnodes)]
        if not 1 <= len(new) <= MAX_RING_VNODES:
            raise ValueError(f"a node needs 1 to {MAX_RING_VNODES} tokens, got {len(new)}")
        return new

    def remove_node(self, name: str) -> None:
        """Remove a physical node and all its tokens (KeyError if absent)."""
        if name not in self._node_tokens:
            raise KeyError(name)
        del self._node_tokens[name]
        self._install(ArcMap((p, o) for p, o in self.tokens() if o != name))

    def _install(self, new_map: ArcMap) -> None:
        self._map = new_map
        self._tokens = new_map.positions
        self._wrap = new_map._wrap

    def copy(self) -> HashRing:
        """An independent copy."""
        other = HashRing(self._vnodes)
        other._node_tokens = {n: list(t) for n, t in self._node_tokens.items()}
        other._install(self._map)  # maps are never modified in place
        return other
