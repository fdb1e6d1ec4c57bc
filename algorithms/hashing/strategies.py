"""Dynamo's three partitioning strategies and its load-balancing efficiency (§6.2).

DeCandia et al., "Dynamo: Amazon's Highly Available Key-value Store", SOSP 2007,
§6.2 compare three ways to place data on the ring:

Strategy 1
    T random tokens per node and partition by token value: each arc between two
    consecutive tokens is a partition, owned by the token at its end.
Strategy 2
    T random tokens per node and Q equal-sized partitions: the tokens only decide
    placement; a partition is placed on the node whose token first follows the
    partition's end.
Strategy 3
    Q/S tokens per node, equal-sized partitions: each of the S nodes holds about Q/S
    of the Q partitions, and a node's tokens are the ends of its partitions. A
    joining node steals partitions and a leaving node's partitions are handed out
    "such that these properties are preserved".

Dynamo measures *load-balancing efficiency* as the mean load over the load of the
hottest node; strategy 3 scores best. Partition ``j`` of ``Q`` is the arc
``(floor(j * 2**128 / Q), floor((j + 1) * 2**128 / Q)]``, the last one ending at
``2**128``, which is position 0, so partitions follow the ring's convention that an
arc ends at its owner's token.

Examples
--------
>>> nodes = ["A", "B", "C", "D"]
>>> s3 = strategy_3(nodes, q=64)
>>> load_balance_efficiency(s3.load_shares())
1.0
>>> s1 = strategy_1(nodes, t=8)
>>> 0 < load_balance_efficiency(s1.load_shares()) < 1
True
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence

from algorithms.hashing.placement import KeyPlacement
from algorithms.hashing.ring import HASH_SPACE, ArcMap, key_position, token_position

__all__ = [
    "MAX_PARTITIONS_Q",
    "PartitionScheme",
    "hand_off_partitions",
    "load_balance_efficiency",
    "load_balance_efficiency_keys",
    "md5_tokens",
    "partition_end",
    "partition_of",
    "random_tokens",
    "steal_partitions",
    "strategy_1",
    "strategy_2",
    "strategy_3",
]

MAX_PARTITIONS_Q = 1 << 16
"""Most equal-sized partitions (Q) a scheme accepts."""

MAX_TOKENS_T = 1024
"""Most random tokens per node (T) a scheme accepts."""

MAX_SCHEME_NODES = 4096
"""Most physical nodes (S) a scheme accepts."""


def partition_end(j: int, q: int) -> int:
    """The position where partition ``j`` of ``q`` ends (``2**128`` wraps to 0).

    Examples
    --------
    >>> partition_end(0, 4) == 2**126
    True
    >>> partition_end(3, 4)
    0
    """
    return ((j + 1) * HASH_SPACE // q) % HASH_SPACE


def partition_of(position: int, q: int) -> int:
    """The partition holding a position: ``j`` with ``end(j-1) < position <= end(j)``.

    Examples
    --------
    >>> partition_of(1, 4), partition_of(2**126, 4), partition_of(2**126 + 1, 4)
    (0, 0, 1)
    >>> partition_of(0, 4)  # position 0 ends the last partition
    3
    """
    return ((position * q - 1) >> 128) % q


def _check_nodes(nodes: Sequence[str]) -> list[str]:
    out = list(nodes)
    if len(out) > MAX_SCHEME_NODES:
        raise ValueError(f"a scheme holds at most {MAX_SCHEME_NODES} nodes, got {len(out)}")
    if len(set(out)) != len(out):
        raise ValueError("node names must be distinct")
    for name in out:
        if not isinstance(name, str) or not name:
            raise ValueError(f"a node name must be a non-empty str, got {name!r}")
    return out


def _check_count(name: str, value: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= hi:
        raise ValueError(f"{name} must be an int between 1 and {hi}, got {value!r}")
    return value


def md5_tokens(nodes: Sequence[str], t: int) -> dict[str, list[int]]:
    """``t`` tokens per node at the MD5 of ``f"{node}#{i}"``, as :class:`HashRing` places them.

    Examples
    --------
    >>> md5_tokens(["A"], 2)["A"] == [token_position("A", 0), token_position("A", 1)]
    True
    """
    _check_count("t", t, MAX_TOKENS_T)
    return {name: [token_position(name, i) for i in range(t)] for name in _check_nodes(nodes)}


def random_tokens(nodes: Sequence[str], t: int, rng: random.Random) -> dict[str, list[int]]:
    """``t`` tokens per node drawn uniformly from the ring with ``rng`` (Dynamo §6.2).

    Examples
    --------
    >>> a = random_tokens(["A", "B"], 3, random.Random(7))
    >>> a == random_tokens(["A", "B"], 3, random.Random(7)), len(a["B"])
    (True, 3)
    """
    _check_count("t", t, MAX_TOKENS_T)
    return {name: [rng.getrandbits(128) for _ in range(t)] for name in _check_nodes(nodes)}


class PartitionScheme:
    """A placement of the hash space on physical nodes under one of Dynamo's strategies.

    Build one with :func:`strategy_1`, :func:`strategy_2`, :func:`strategy_3` or the
    ``from_*`` constructors.

    Attributes
    ----------
    strategy : int
        1, 2 or 3 (Dynamo §6.2).
    nodes : tuple of str
        The physical nodes (S of them), in join order.
    q : int
        Number of equal-sized partitions (0 for strategy 1).
    ring : ArcMap
        The tokens walked for preference lists: the nodes' tokens (strategies 1 and 2)
        or the partition ends (strategy 3).
    ownership : ArcMap
        Who holds each arc: the tokens (strategy 1) or the partitions (2 and 3).
    partition_owners : tuple of str
        Owner of each partition (empty for strategy 1).

    Examples
    --------
    >>> s = PartitionScheme.from_owners(["A", "B"], ["A", "B", "A", "B"])
    >>> s.partition_at(1), s.node_at(1), s.node_at(HASH_SPACE // 4 + 1)
    (0, 'A', 'B')
    >>> s.preference_list_at(1, 2), s.load_shares()
    (['A', 'B'], {'A': 0.5, 'B': 0.5})
    """

    def __init__(
        self,
        strategy: int,
        nodes: Sequence[str],
        ring: ArcMap,
        q: int,
        partition_owners: Sequence[str],
    ) -> None:
        self.strategy = strategy
        self.nodes = tuple(nodes)
        self.ring = ring
        self.q = q
        self.partition_owners = tuple(partition_owners)
        if strategy == 1:
            self.ownership = ring
        elif partition_owners:
            self.ownership = ArcMap(
                (partition_end(j, q), owner) for j, owner in enumerate(partition_owners)
            )
        else:
            self.ownership = ArcMap(())

    # -- constructors ---------------------------------------------------------------

    @classmethod
    def from_tokens(
        cls, strategy: int, tokens: Mapping[str, Sequence[int]], q: int = 0
    ) -> PartitionScheme:
        """Strategy 1 or 2 from each node's tokens (and ``q`` partitions for strategy 2)."""
        nodes = _check_nodes(list(tokens))
        ring = ArcMap((p, name) for name in nodes for p in tokens[name])
        return cls.from_ring(strategy, nodes, ring, q)

    @classmethod
    def from_ring(
        cls, strategy: int, nodes: Sequence[str], ring: ArcMap, q: int = 0
    ) -> PartitionScheme:
        """Strategy 1 or 2 from a ring of tokens (e.g. ``HashRing.arc_map()``)."""
        if strategy not in (1, 2):
            raise ValueError(f"from_ring builds strategy 1 or 2, got {strategy!r}")
        nodes = _check_nodes(nodes)
        if strategy == 1:
            return cls(1, nodes, ring, 0, ())
        _check_count("q", q, MAX_PARTITIONS_Q)
        owners: list[str] = []
        if len(ring):
            owners = [ring.owners[ring.index_at(partition_end(j, q))] for j in range(q)]
        return cls(2, nodes, ring, q, owners)

    @classmethod
    def from_owners(cls, nodes: Sequence[str], owners: Sequence[str]) -> PartitionScheme:
        """Strategy 3 from the owner of each of the ``len(owners)`` partitions."""
        nodes = _check_nodes(nodes)
        q = len(owners)
        known = set(nodes)
        if q:
            _check_count("q", q, MAX_PARTITIONS_Q)
        for owner in owners:
            if owner not in known:
                raise ValueError(f"partition owner {owner!r} is not one of the nodes")
        ring = ArcMap((partition_end(j, q), owner) for j, owner in enumerate(owners))
        return cls(3, nodes, ring, q, owners)

    # -- reading --------------------------------------------------------------------

    def node_at(self, position: int) -> str | None:
        """The node holding a position (None if no node holds anything)."""
        return self.ownership.owner_at(position)

    def node_for(self, key: str | bytes) -> str | None:
        """The node holding a key (its coordinator in Dynamo's terms)."""
        return self.ownership.owner_at(key_position(key))

    def partition_at(self, position: int) -> int | None:
        """The partition holding a position (None for strategy 1)."""
        return partition_of(position, self.q) if self.q else None

    def preference_list_at(self, position: int, n: int) -> list[str]:
        """The first ``n`` distinct nodes that hold the data at ``position`` (Dynamo §4.3).

        Strategy 1 walks the tokens clockwise from the position; strategies 2 and 3
        walk the ring clockwise from the end of the position's partition (§6.2: "a
        partition is placed on the first N unique nodes that are encountered while
        walking the ring clockwise from the end of the partition").
        """
        if self.q and len(self.ring):
            position = partition_end(partition_of(position, self.q), self.q)
        return self.ring.distinct_from(position, n)

    def preference_list(self, key: str | bytes, n: int) -> list[str]:
        """:meth:`preference_list_at` for a key."""
        return self.preference_list_at(key_position(key), n)

    def partitions(self) -> list[tuple[int, int, str]]:
        """Every partition as ``(start, end, node)`` positions, end exclusive of wrap.

        ``end`` of the last partition is ``2**128``. Empty for strategy 1.
        """
        q = self.q
        return [
            (j * HASH_SPACE // q, (j + 1) * HASH_SPACE // q, owner)
            for j, owner in enumerate(self.partition_owners)
        ]

    def load_shares(self) -> dict[str, float]:
        """Fraction of the hash space each node holds (every node listed, sums to 1)."""
        lengths = dict.fromkeys(self.nodes, 0)
        lengths.update(self.ownership.arc_lengths())
        return {name: length / HASH_SPACE for name, length in lengths.items()}

    def tokens_of(self, name: str) -> list[int]:
        """The positions of a node's tokens in :attr:`ring`."""
        return [p for p, o in zip(self.ring.positions, self.ring.owners, strict=True) if o == name]


def strategy_1(nodes: Sequence[str], t: int, rng: random.Random | None = None) -> PartitionScheme:
    """Strategy 1: T random tokens per node, partitions defined by the tokens (§6.2).

    Parameters
    ----------
    nodes : sequence of str
        Physical nodes, in join order.
    t : int
        Tokens per node (1 to 1024).
    rng : random.Random, optional
        Draw tokens uniformly with it; by default the MD5 tokens of
        :func:`md5_tokens` (the ring :class:`HashRing` builds).

    Examples
    --------
    >>> s = strategy_1(["A", "B"], 4, random.Random(1))
    >>> len(s.ring), s.q, s.partitions()
    (8, 0, [])
    """
    tokens = md5_tokens(nodes, t) if rng is None else random_tokens(nodes, t, rng)
    return PartitionScheme.from_tokens(1, tokens)


def strategy_2(
    nodes: Sequence[str], t: int, q: int, rng: random.Random | None = None
) -> PartitionScheme:
    """Strategy 2: T random tokens per node and Q equal-sized partitions (§6.2).

    Each partition is placed on the node whose token first follows the partition's
    end; the tokens only decide placement.

    Examples
    --------
    >>> s = strategy_2(["A", "B", "C"], 8, 16, random.Random(3))
    >>> len(s.partitions()), s.partitions()[0][0]
    (16, 0)
    >>> s.node_at(1) == s.ring.owner_at(s.partitions()[0][1])
    True
    """
    tokens = md5_tokens(nodes, t) if rng is None else random_tokens(nodes, t, rng)
    return PartitionScheme.from_tokens(2, tokens, q)


def strategy_3(nodes: Sequence[str], q: int, rng: random.Random | None = None) -> PartitionScheme:
    """Strategy 3: Q/S tokens per node and Q equal-sized partitions (§6.2).

    The partitions are dealt to the nodes in join order, so when ``S`` does not
    divide ``Q`` each node holds ``floor(Q/S)`` or ``ceil(Q/S)`` partitions (the first
    ``Q mod S`` nodes one more); every partition always has an owner. With ``rng`` the
    partitions are shuffled before dealing; without it node ``k`` gets partitions
    ``k, k + S, k + 2S, ...``. With more nodes than partitions some nodes hold none.

    Examples
    --------
    >>> s = strategy_3(["A", "B", "C"], 8)
    >>> s.partition_owners
    ('A', 'B', 'C', 'A', 'B', 'C', 'A', 'B')
    >>> strategy_3(["A", "B"], 8, random.Random(5)).partition_owners.count("A")
    4
    """
    nodes = _check_nodes(nodes)
    _check_count("q", q, MAX_PARTITIONS_Q)
    if not nodes:
        return PartitionScheme(3, (), ArcMap(()), q, ())
    order = list(range(q))
    if rng is not None:
        rng.shuffle(order)
    owners = [""] * q
    for k, j in enumerate(order):
        owners[j] = nodes[k % len(nodes)]
    return PartitionScheme.from_owners(nodes, owners)


def _holdings(nodes: Sequence[str], owners: Sequence[str]) -> dict[str, list[int]]:
    held: dict[str, list[int]] = {name: [] for name in nodes}
    for j, owner in enumerate(owners):
        held[owner].append(j)
    return held


def steal_partitions(
    owners: Sequence[str], nodes: Sequence[str], joiner: str, rng: random.Random
) -> list[str]:
    """Strategy 3 join: the new node steals ``floor(Q/S')`` partitions (Dynamo §6.2).

    One at a time, it takes a random partition from a node holding the most (ties
    broken at random), so afterwards every node holds ``floor(Q/S')`` or
    ``ceil(Q/S')`` partitions and no more partitions move than that.

    Parameters
    ----------
    owners : sequence of str
        The owner of each partition before the join (empty if no node exists yet).
    nodes : sequence of str
        The nodes before the join.
    joiner : str
        The new node.
    rng : random.Random
        Source of the random choices.

    Examples
    --------
    >>> new = steal_partitions(["A", "B"] * 4, ["A", "B"], "C", random.Random(0))
    >>> sorted(new.count(n) for n in "ABC")
    [2, 3, 3]
    """
    if joiner in nodes:
        raise ValueError(f"node {joiner!r} already holds partitions")
    if not nodes:
        return [joiner] * len(owners)
    new = list(owners)
    held = _holdings(nodes, owners)
    quota = len(owners) // (len(nodes) + 1)
    for _ in range(quota):
        most = max(len(v) for v in held.values())
        richest = [name for name in nodes if len(held[name]) == most]
        donor = richest[rng.randrange(len(richest))] if len(richest) > 1 else richest[0]
        part = held[donor].pop(rng.randrange(len(held[donor])))
        new[part] = joiner
    return new


def hand_off_partitions(
    owners: Sequence[str], nodes: Sequence[str], leaver: str, rng: random.Random
) -> list[str]:
    """Strategy 3 leave: the leaver's partitions go, in random order, to the nodes holding
    the fewest (ties broken at random), keeping every count within one of ``Q/S``.

    Examples
    --------
    >>> new = hand_off_partitions(["A", "B", "C"] * 2, ["A", "B", "C"], "C", random.Random(0))
    >>> sorted(new)
    ['A', 'A', 'A', 'B', 'B', 'B']
    """
    if leaver not in nodes:
        raise ValueError(f"node {leaver!r} holds no partitions")
    rest = [name for name in nodes if name != leaver]
    if not rest:
        return []
    new = list(owners)
    held = _holdings(nodes, owners)
    mine = held.pop(leaver)
    rng.shuffle(mine)
    for part in mine:
        fewest = min(len(v) for v in held.values())
        poorest = [name for name in rest if len(held[name]) == fewest]
        taker = poorest[rng.randrange(len(poorest))] if len(poorest) > 1 else poorest[0]
        held[taker].append(part)
        new[part] = taker
    return new


def load_balance_efficiency(loads: Mapping[str, float] | Iterable[float]) -> float:
    """Dynamo's load-balancing efficiency: mean load over the hottest node's load (§6.2).

    ``loads`` are per-node loads: hash-space shares (from ``load_shares()``) or key
    counts. Every node counts in the mean, including idle ones. Raises ValueError when
    there is no node or no load at all.

    Examples
    --------
    >>> load_balance_efficiency({"A": 0.5, "B": 0.25, "C": 0.25})
    0.6666666666666666
    >>> load_balance_efficiency([10, 10])
    1.0
    """
    values = [float(v) for v in (loads.values() if isinstance(loads, Mapping) else loads)]
    if not values or max(values) <= 0:
        raise ValueError("load balance efficiency needs at least one node with some load")
    return (sum(values) / len(values)) / max(values)


def load_balance_efficiency_keys(
    scheme: PartitionScheme, keys: KeyPlacement | Iterable[str | bytes]
) -> float:
    """:func:`load_balance_efficiency` over the number of keys each node holds.

    Examples
    --------
    >>> s = strategy_3(["A", "B"], 2)
    >>> 0 < load_balance_efficiency_keys(s, [f"k{i}" for i in range(100)]) <= 1
    True
    """
    placement = keys if isinstance(keys, KeyPlacement) else KeyPlacement(keys)
    return load_balance_efficiency(placement.counts(scheme.ownership, scheme.nodes))
