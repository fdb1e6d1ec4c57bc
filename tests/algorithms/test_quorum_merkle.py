"""Tests for algorithms.quorum.merkle: Merkle-tree anti-entropy (Dynamo section 4.7).

The expected differing keys are computed here by comparing the two replicas' maps key
by key; hash counts are checked against a walk of the two trees written here.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from algorithms.engine import CommandError
from algorithms.quorum.merkle import (
    MAX_DEPTH,
    RING_SIZE,
    KeyRange,
    MerkleTree,
    compare,
    key_position,
    trees_per_range,
    version_hash,
)

keys = st.text(alphabet="abcdefgh", min_size=1, max_size=4)
versions = st.sampled_from(["v1", "v2", "v3"])
replica = st.dictionaries(keys, versions, max_size=60)


def differing(a: dict[str, str], b: dict[str, str]) -> tuple[str, ...]:
    return tuple(sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k)))


def walked_nodes(a: MerkleTree, b: MerkleTree) -> int:
    """Nodes compared by a level-order walk that opens only nodes whose hashes differ."""
    count, level = 0, [0]
    for d in range(a.depth + 1):
        count += len(level)
        diff = [i for i in level if a.levels[d][i] != b.levels[d][i]]
        level = [c for i in diff for c in (2 * i, 2 * i + 1)]
    return count


@settings(max_examples=300, deadline=None)
@given(replica, replica, st.integers(0, 6))
def test_compare_finds_exactly_the_differing_keys(
    a: dict[str, str], b: dict[str, str], depth: int
) -> None:
    ta, tb = MerkleTree.build(a, depth), MerkleTree.build(b, depth)
    diff = compare(ta, tb)
    assert diff.differing_keys == differing(a, b)
    assert compare(tb, ta).differing_keys == diff.differing_keys
    assert (ta.root == tb.root) == (a == b)
    assert diff.nodes_compared == walked_nodes(ta, tb)
    leaf_entries = sum(len(tb.leaves[i]) for i in range(1 << depth) if ta.leaves[i] != tb.leaves[i])
    assert diff.hashes_exchanged == diff.nodes_compared + leaf_entries
    assert diff.full_comparison_hashes == len(b)


@settings(max_examples=50, deadline=None)
@given(replica, st.integers(0, 6), st.randoms(use_true_random=False))
def test_root_ignores_insertion_order(a: dict[str, str], depth: int, rnd: random.Random) -> None:
    items = list(a.items())
    rnd.shuffle(items)
    assert MerkleTree.build(dict(items), depth).root == MerkleTree.build(a, depth).root


@pytest.mark.parametrize("changed", [1, 3, 10])
def test_few_differences_exchange_far_fewer_hashes_than_a_full_comparison(changed: int) -> None:
    rng = random.Random(changed)
    a = {f"user:{i}": version_hash(f"v{i}") for i in range(5_000)}
    b = dict(a)
    touched = rng.sample(sorted(a), changed)
    for key in touched[: changed // 2]:
        del b[key]  # a replica that missed a write
    for key in touched[changed // 2 :]:
        b[key] = version_hash(key + "-newer")
    diff = compare(MerkleTree.build(a, depth=10), MerkleTree.build(b, depth=10))
    assert diff.differing_keys == tuple(sorted(touched))
    assert diff.full_comparison_hashes == len(b)
    # Each differing key costs at most one root-to-leaf path (two hashes per level)
    # plus its leaf's entries, about 5 keys in each of 1,024 leaves.
    assert diff.hashes_exchanged < diff.full_comparison_hashes / 20
    assert diff.differing_leaves <= changed


def test_in_sync_replicas_exchange_one_hash() -> None:
    a = {f"k{i}": "v" for i in range(100)}
    diff = compare(MerkleTree.build(a, 8), MerkleTree.build(dict(a), 8))
    assert diff.differing_keys == ()
    assert diff.hashes_exchanged == 1
    assert diff.full_comparison_hashes == 100


def test_a_depth_0_tree_is_a_full_comparison_plus_the_root() -> None:
    a = {f"k{i}": "v" for i in range(30)}
    b = dict(a, k3="w")
    diff = compare(MerkleTree.build(a, 0), MerkleTree.build(b, 0))
    assert diff.differing_keys == ("k3",)
    assert diff.hashes_exchanged == 1 + len(b)


def test_leaves_split_the_key_range_evenly() -> None:
    half = RING_SIZE // 2
    low, high = KeyRange(0, half), KeyRange(half, 0)
    a = {f"key{i}": "v" for i in range(400)}
    trees = trees_per_range(a, [low, high], depth=3)
    assert sum(t.keys for t in trees) == 400
    for tree, rng in zip(trees, [low, high], strict=True):
        for leaf, entries in enumerate(tree.leaves):
            for key, _ in entries:
                offset = rng.offset(key_position(key))
                assert offset * 8 // rng.length == leaf
                assert rng.contains(key_position(key))


def test_trees_of_different_shapes_cannot_be_compared() -> None:
    a = MerkleTree.build({"x": "1"}, 3)
    with pytest.raises(CommandError) as info:
        compare(a, MerkleTree.build({"x": "1"}, 4))
    assert info.value.field == "depth"
    half = RING_SIZE // 2
    outside = next(k for k in (f"k{i}" for i in range(100)) if key_position(k) > half)
    with pytest.raises(CommandError) as info:
        MerkleTree.build({outside: "1"}, 3, KeyRange(0, half))
    assert info.value.field == "key"
    with pytest.raises(CommandError) as info:
        compare(a, MerkleTree.build({}, 3, KeyRange(0, half)))
    assert info.value.field == "key_range"


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: MerkleTree.build({}, MAX_DEPTH + 1), "depth"),
        (lambda: MerkleTree.build({}, -1), "depth"),
        (lambda: MerkleTree.build({"": "1"}, 2), "key"),
        (lambda: MerkleTree.build({"a": 1}, 2), "version"),
        (lambda: MerkleTree.build({"a": "1"}, 2, "whole ring"), "key_range"),
        (lambda: KeyRange(-1, 0), "start"),
        (lambda: KeyRange(0, RING_SIZE), "end"),
        (lambda: trees_per_range({"a": "1"}, []), "ranges"),
        (lambda: trees_per_range({"a": "1"}, [KeyRange(), KeyRange()]), "key"),
    ],
)
def test_bad_input_is_refused(build: object, field: str) -> None:
    with pytest.raises(CommandError) as info:
        build()  # type: ignore[operator]
    assert info.value.field == field
