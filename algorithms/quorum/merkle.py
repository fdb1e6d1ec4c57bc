"""Merkle-tree anti-entropy between two replicas (Dynamo, SOSP 2007, section 4.7).

DeCandia et al. keep replicas in sync in the background with Merkle trees: "a hash tree
where leaves are hashes of the values of individual keys. Parent nodes higher in the tree
are hashes of their respective children." Each node keeps one tree per key range it
hosts; two nodes compare the roots of a range they share and, where hashes differ,
exchange the children's hashes and descend, so they find the keys that are out of sync
while exchanging little when few keys differ.

Here a tree covers one key range ``(start, end]`` of the MD5 ring (the ring of
:mod:`algorithms.hashing.ring`: a key sits at ``MD5(key)`` as a 128-bit integer;
``start == end`` is the whole ring). The range is cut into ``2 ** depth`` equal arcs; the
leaf of an arc hashes the sorted ``(key, version hash)`` pairs of the keys in it, and each
parent hashes its two children (SHA-1). Both replicas must build their trees with the
same range and depth, as Dynamo's nodes do for a shared key range.

:func:`compare` counts what one replica (B) sends the other (A), who compares it with
its own tree: the hashes of the nodes A asks for (the root, then both children of every
node whose hashes differ), and at each differing leaf B's ``(key, version hash)``
entries. A full comparison without a tree would send every one of B's entries.

Examples
--------
>>> a = {f"key{i}": f"v{i}" for i in range(1000)}
>>> b = dict(a, key7="v7'")
>>> diff = compare(MerkleTree.build(a, depth=8), MerkleTree.build(b, depth=8))
>>> diff.differing_keys
('key7',)
>>> diff.hashes_exchanged < diff.full_comparison_hashes
True
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from algorithms.engine import CommandError, check_int

__all__ = [
    "MAX_DEPTH",
    "MAX_KEYS",
    "RING_SIZE",
    "KeyRange",
    "MerkleDiff",
    "MerkleTree",
    "compare",
    "key_position",
    "trees_per_range",
    "version_hash",
]

RING_SIZE = 1 << 128
MAX_DEPTH = 16
MAX_KEYS = 100_000
MAX_TEXT = 200


def key_position(key: str) -> int:
    """The key's position on the ring: MD5 of its UTF-8 bytes as a 128-bit integer.

    Examples
    --------
    >>> hex(key_position("cart:alice"))[:10]
    '0x8058b841'
    """
    return int.from_bytes(hashlib.md5(key.encode()).digest(), "big")


def version_hash(value: bytes | str) -> str:
    """A short hex digest standing for a stored version (SHA-1 of its bytes).

    Examples
    --------
    >>> version_hash("v1")[:12]
    '5a6df720540c'
    """
    data = value.encode() if isinstance(value, str) else value
    return hashlib.sha1(data).hexdigest()


@dataclass(frozen=True)
class KeyRange:
    """The arc ``(start, end]`` of the ring; ``start == end`` is the whole ring.

    Examples
    --------
    >>> KeyRange(10, 20).contains(20), KeyRange(10, 20).contains(10)
    (True, False)
    >>> KeyRange(0, 0).length == RING_SIZE
    True
    """

    start: int = 0
    end: int = 0

    def __post_init__(self) -> None:
        check_int("start", self.start, 0, RING_SIZE - 1)
        check_int("end", self.end, 0, RING_SIZE - 1)

    @property
    def length(self) -> int:
        """How many ring positions the range holds."""
        return (self.end - self.start) % RING_SIZE or RING_SIZE

    def offset(self, position: int) -> int:
        """Where ``position`` lies in the range, 0 to ``length - 1`` if it is inside."""
        return (position - self.start - 1) % RING_SIZE

    def contains(self, position: int) -> bool:
        """Whether ``position`` lies in ``(start, end]``."""
        return self.offset(position) < self.length


def _leaf_hash(entries: Sequence[tuple[str, str]]) -> bytes:
    h = hashlib.sha1()
    for key, version in entries:
        # Length prefixes keep ("ab", "c") and ("a", "bc") apart.
        for text in (key.encode(), version.encode()):
            h.update(len(text).to_bytes(4, "big"))
            h.update(text)
    return h.digest()


@dataclass(frozen=True, eq=False)
class MerkleTree:
    """One replica's Merkle tree over a key range (Dynamo section 4.7).

    Build it with :meth:`build`. ``levels[0]`` holds the root hash and ``levels[d]`` the
    ``2 ** d`` hashes of depth ``d``; ``leaves[i]`` holds the sorted
    ``(key, version hash)`` pairs of leaf ``i``.
    """

    depth: int
    key_range: KeyRange
    levels: tuple[tuple[bytes, ...], ...]
    leaves: tuple[tuple[tuple[str, str], ...], ...]

    @classmethod
    def build(
        cls, versions: Mapping[str, str], depth: int = 10, key_range: KeyRange | None = None
    ) -> MerkleTree:
        """The tree of a replica's ``key -> version hash`` map.

        Parameters
        ----------
        versions : mapping of str to str
            At most :data:`MAX_KEYS` (100,000) keys, each key and version hash a
            non-empty text of at most 200 characters; every key must fall in the range.
        depth : int
            Levels below the root, 0 to :data:`MAX_DEPTH` (16): ``2 ** depth`` leaves.
        key_range : KeyRange, optional
            The range the tree covers; the whole ring by default.

        Examples
        --------
        >>> tree = MerkleTree.build({"a": "1", "b": "2"}, depth=2)
        >>> len(tree.levels), [len(level) for level in tree.levels]
        (3, [1, 2, 4])
        """
        depth = check_int("depth", depth, 0, MAX_DEPTH)
        key_range = KeyRange() if key_range is None else key_range
        if not isinstance(key_range, KeyRange):
            raise CommandError("key_range", key_range, "must be a KeyRange")
        if not isinstance(versions, Mapping) or len(versions) > MAX_KEYS:
            raise CommandError(
                "versions", type(versions).__name__, f"must map at most {MAX_KEYS} keys"
            )
        buckets: list[list[tuple[str, str]]] = [[] for _ in range(1 << depth)]
        length = key_range.length
        for key, version in versions.items():
            for field, text in (("key", key), ("version", version)):
                if not isinstance(text, str) or not 1 <= len(text) <= MAX_TEXT:
                    raise CommandError(
                        field, text, f"must be a non-empty text of at most {MAX_TEXT} characters"
                    )
            offset = key_range.offset(key_position(key))
            if offset >= length:
                raise CommandError(
                    "key", key, f"must fall in the key range ({key_range.start}, {key_range.end}]"
                )
            buckets[(offset << depth) // length].append((key, version))
        leaves = tuple(tuple(sorted(bucket)) for bucket in buckets)
        level = tuple(_leaf_hash(entries) for entries in leaves)
        levels = [level]
        while len(level) > 1:
            level = tuple(
                hashlib.sha1(level[i] + level[i + 1]).digest() for i in range(0, len(level), 2)
            )
            levels.append(level)
        return cls(depth, key_range, tuple(reversed(levels)), leaves)

    @property
    def root(self) -> str:
        """The root hash in hex."""
        return self.levels[0][0].hex()

    @property
    def keys(self) -> int:
        """How many keys the tree covers."""
        return sum(len(entries) for entries in self.leaves)


@dataclass(frozen=True)
class MerkleDiff:
    """What :func:`compare` found and what it cost.

    Attributes
    ----------
    differing_keys : tuple of str
        Sorted: the keys one replica holds and the other lacks or holds in another version.
    hashes_exchanged : int
        Node hashes plus ``(key, version hash)`` entries sent from B to A.
    full_comparison_hashes : int
        The entries a comparison without a tree sends: one per key of B.
    nodes_compared : int
        Tree nodes whose hashes were compared.
    differing_leaves : int
        Leaves whose hashes differed.
    """

    differing_keys: tuple[str, ...]
    hashes_exchanged: int
    full_comparison_hashes: int
    nodes_compared: int
    differing_leaves: int


def compare(a: MerkleTree, b: MerkleTree) -> MerkleDiff:
    """Compare two replicas' trees of the same key range, descending only where hashes differ.

    Dynamo section 4.7: equal roots mean the range is in sync; otherwise the children's
    hashes are exchanged and compared, level by level, down to the leaves, where the
    keys out of sync are identified from the entries of the differing leaves.

    Raises
    ------
    CommandError
        If the trees have different depths or key ranges.

    Examples
    --------
    >>> a = MerkleTree.build({"x": "1", "y": "2"}, depth=3)
    >>> b = MerkleTree.build({"x": "1", "z": "3"}, depth=3)
    >>> compare(a, b).differing_keys
    ('y', 'z')
    >>> compare(a, a).hashes_exchanged
    1
    """
    if b.depth != a.depth:
        raise CommandError("depth", b.depth, f"must equal the other tree's depth {a.depth}")
    if b.key_range != a.key_range:
        raise CommandError("key_range", b.key_range, "must equal the other tree's key range")
    frontier = [0]
    sent = compared = 0
    for d in range(a.depth + 1):
        compared += len(frontier)
        sent += len(frontier)
        differing = [i for i in frontier if a.levels[d][i] != b.levels[d][i]]
        if d == a.depth:
            frontier = differing
            break
        frontier = [child for i in differing for child in (2 * i, 2 * i + 1)]
        if not frontier:
            break
    keys: set[str] = set()
    for leaf in frontier:
        theirs = dict(b.leaves[leaf])
        sent += len(theirs)
        ours = dict(a.leaves[leaf])
        keys.update(k for k in ours.keys() | theirs.keys() if ours.get(k) != theirs.get(k))
    return MerkleDiff(
        differing_keys=tuple(sorted(keys)),
        hashes_exchanged=sent,
        full_comparison_hashes=b.keys,
        nodes_compared=compared,
        differing_leaves=len(frontier),
    )


def trees_per_range(
    versions: Mapping[str, str], ranges: Sequence[KeyRange], depth: int = 10
) -> tuple[MerkleTree, ...]:
    """One tree per key range, as a Dynamo node keeps for the ranges it hosts.

    Every key must fall in exactly one of the ranges (at most 64 ranges).

    Examples
    --------
    >>> half = RING_SIZE // 2
    >>> trees = trees_per_range({"a": "1", "b": "2", "c": "3"}, [KeyRange(0, half), KeyRange(half, 0)], 2)
    >>> sum(t.keys for t in trees)
    3
    """
    if not isinstance(ranges, Sequence) or not 1 <= len(ranges) <= 64:
        raise CommandError("ranges", ranges, "must be a list of 1 to 64 key ranges")
    split: list[dict[str, str]] = [{} for _ in ranges]
    for key, version in versions.items():
        if not isinstance(key, str):
            raise CommandError("key", key, "must be a text")
        homes = [i for i, rng in enumerate(ranges) if rng.contains(key_position(key))]
        if len(homes) != 1:
            raise CommandError("key", key, "must fall in exactly one of the key ranges")
        split[homes[0]][key] = version
    return tuple(
        MerkleTree.build(part, depth, rng) for part, rng in zip(split, ranges, strict=True)
    )
