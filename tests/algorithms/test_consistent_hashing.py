"""The ring, Dynamo's strategies and Redis Cluster slots, checked against brute force.

Every expected value here is computed independently of the library: MD5 straight from
hashlib, ring ownership by a linear scan, CRC16 bit by bit, slot balance by trying
every choice of which shards get the larger share.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import random
import statistics
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from algorithms.consistent_hashing import (
    HASH_SPACE,
    SLOTS,
    HashRing,
    KeyPlacement,
    PartitionScheme,
    SlotCluster,
    fraction_to_position,
    hand_off_partitions,
    hashed_part,
    initial_slot_ranges,
    key_position,
    key_slot,
    load_balance_efficiency,
    load_balance_efficiency_keys,
    partition_end,
    partition_of,
    plan_reshard,
    position_to_fraction,
    slot_ranges,
    slot_table,
    steal_partitions,
    strategy_1,
    strategy_2,
    strategy_3,
)

# -- independent reference implementations ------------------------------------------


def md5_int(text: str | bytes) -> int:
    data = text.encode() if isinstance(text, str) else text
    return int(hashlib.md5(data).hexdigest(), 16)


def owner_by_scan(tokens: list[tuple[int, str]], pos: int) -> str:
    """First token at or after pos, else the smallest token (wrap-around)."""
    after = [(t, n) for t, n in tokens if t >= pos]
    return min(after)[1] if after else min(tokens)[1]


def walk_by_scan(tokens: list[tuple[int, str]], pos: int, n: int) -> list[str]:
    ordered = sorted(tokens)
    start = next((i for i, (t, _) in enumerate(ordered) if t >= pos), 0)
    out: list[str] = []
    for k in range(len(ordered)):
        name = ordered[(start + k) % len(ordered)][1]
        if name not in out:
            out.append(name)
        if len(out) == n:
            break
    return out


def crc16_xmodem(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def ring_tokens(names: list[str], vnodes: int) -> list[tuple[int, str]]:
    return [(md5_int(f"{name}#{i}"), name) for name in names for i in range(vnodes)]


KEYS = [f"key-{i}" for i in range(20_000)]
KEY_POS = {k: md5_int(k) for k in KEYS}


# -- hashing and the ring -------------------------------------------------------------


def test_positions_are_md5_as_128_bit_ints() -> None:
    for key in ["", "key-0", "{user1000}.following", "ünïcode"]:
        assert key_position(key) == md5_int(key)
        assert key_position(key.encode()) == md5_int(key)
    assert 0 <= key_position("x") < HASH_SPACE


def test_tokens_are_md5_of_name_hash_index() -> None:
    ring = HashRing(vnodes=5, nodes=["A", "B"])
    assert ring.tokens_of("A") == sorted(md5_int(f"A#{i}") for i in range(5))
    assert ring.tokens() == sorted(ring_tokens(["A", "B"], 5))
    # reproducible with no seed: a second ring is identical
    assert HashRing(5, ["A", "B"]).tokens() == ring.tokens()


def test_node_for_matches_a_linear_scan() -> None:
    names = ["A", "B", "C", "D", "E"]
    ring = HashRing(vnodes=16, nodes=names)
    tokens = ring_tokens(names, 16)
    for key in KEYS[:2000]:
        assert ring.node_for(key) == owner_by_scan(tokens, KEY_POS[key])
        assert ring.node_for(key.encode()) == ring.node_for(key)


def test_wrap_around_zero_and_token_owns_its_own_position() -> None:
    ring = HashRing(vnodes=1)
    ring.add_node("A", tokens=[0.25])
    ring.add_node("B", tokens=[0.75])
    assert ring.node_at(fraction_to_position(0.9)) == "A"  # past the last token: wraps
    assert ring.node_at(HASH_SPACE - 1) == "A"
    assert ring.node_at(0) == "A"
    assert ring.node_at(fraction_to_position(0.75)) == "B"  # (0.25, 0.75] is B's arc
    assert ring.node_at(fraction_to_position(0.75) + 1) == "A"
    wrapped = next(k for k in KEYS if KEY_POS[k] > fraction_to_position(0.75))
    assert ring.node_for(wrapped) == "A"
    assert ring.preference_list(wrapped, 2) == ["A", "B"]


def test_empty_ring_refuses_lookups() -> None:
    ring = HashRing()
    with pytest.raises(LookupError):
        ring.node_for("k")
    assert ring.preference_list("k", 3) == []


def test_ring_validation() -> None:
    with pytest.raises(ValueError):
        HashRing(vnodes=0)
    with pytest.raises(ValueError):
        HashRing(vnodes=10_000_000)
    ring = HashRing(1, ["A"])
    with pytest.raises(ValueError):
        ring.add_node("A")
    with pytest.raises(ValueError):
        ring.add_node("B", tokens=[1.0])
    ring.add_node("B", tokens=[0.5])
    before = ring.tokens()
    with pytest.raises(ValueError):
        ring.add_node("C", tokens=[0.5])  # collides with B's token
    assert ring.tokens() == before and "C" not in ring
    with pytest.raises(KeyError):
        ring.remove_node("Z")


def test_preference_list_is_n_distinct_physical_nodes_from_the_coordinator() -> None:
    names = [f"n{i}" for i in range(8)]
    ring = HashRing(vnodes=32, nodes=names)
    tokens = ring_tokens(names, 32)
    for key in KEYS[:500]:
        for n in (1, 3, 5):
            pref = ring.preference_list(key, n)
            assert len(pref) == n == len(set(pref))
            assert pref[0] == ring.node_for(key)
            assert pref == walk_by_scan(tokens, KEY_POS[key], n)
    assert sorted(ring.preference_list("k", 20)) == sorted(names)  # fewer nodes than n


def test_preference_list_skips_further_tokens_of_a_chosen_node() -> None:
    ring = HashRing(vnodes=1)
    ring.add_node("A", tokens=[0.1, 0.2, 0.3])
    ring.add_node("B", tokens=[0.4])
    ring.add_node("C", tokens=[0.5])
    assert ring.preference_list_at(fraction_to_position(0.05), 2) == ["A", "B"]
    assert ring.preference_list_at(fraction_to_position(0.45), 3) == ["C", "A", "B"]


def test_load_shares_are_exact_arc_lengths() -> None:
    ring = HashRing(vnodes=1)
    ring.add_node("A", tokens=[0.0, 0.5])
    ring.add_node("B", tokens=[0.25])
    shares = ring.load_shares()
    assert shares == {"A": 0.75, "B": 0.25}
    big = HashRing(64, [f"n{i}" for i in range(10)])
    assert math.isclose(sum(big.load_shares().values()), 1.0, rel_tol=1e-12)
    # independently: arc lengths from the sorted tokens
    toks = sorted(ring_tokens([f"n{i}" for i in range(10)], 64))
    lengths: dict[str, int] = {}
    for i, (t, name) in enumerate(toks):
        prev = toks[i - 1][0] - (HASH_SPACE if i == 0 else 0)
        lengths[name] = lengths.get(name, 0) + t - prev
    assert big.load_shares() == {n: v / HASH_SPACE for n, v in lengths.items()}


def test_fractions_convert_exactly() -> None:
    assert fraction_to_position(0.25) == HASH_SPACE // 4
    assert fraction_to_position(Fraction(1, 3)) == HASH_SPACE // 3
    assert position_to_fraction(HASH_SPACE // 4) == 0.25
    assert position_to_fraction(HASH_SPACE - 1) < 1.0


# -- key movement on join and leave ---------------------------------------------------


@pytest.mark.parametrize("n", [4, 9, 19])
def test_join_moves_about_one_over_n_plus_one_of_the_keys(n: int) -> None:
    fractions = []
    for trial in range(12):
        names = [f"t{trial}-{i}" for i in range(n)]
        ring = HashRing(64, names)
        after = ring.copy()
        after.add_node(f"t{trial}-new")
        moved = sum(ring.node_for(k) != after.node_for(k) for k in KEYS[:5000])
        fractions.append(moved / 5000)
    mean = statistics.mean(fractions)
    assert abs(mean - 1 / (n + 1)) < 0.15 / (n + 1), (n, mean)


def test_every_moved_key_goes_to_the_new_node_from_a_clockwise_successor() -> None:
    names = ["A", "B", "C", "D"]
    ring = HashRing(8, names)
    after = ring.copy()
    after.add_node("E")
    new_tokens = sorted(after.tokens())
    moved = 0
    for key in KEYS:
        before, now = ring.node_for(key), after.node_for(key)
        if before == now:
            continue
        moved += 1
        assert now == "E"
        # the E token that took the key, then the next non-E token clockwise
        pos = KEY_POS[key]
        i = next((j for j, (t, _) in enumerate(new_tokens) if t >= pos), 0)
        assert new_tokens[i][1] == "E"
        k = i
        while new_tokens[k % len(new_tokens)][1] == "E":
            k += 1
        assert before == new_tokens[k % len(new_tokens)][1]
    placement = KeyPlacement(KEYS)
    moves = placement.moves_on_join(ring, "E")
    assert moves.moved == moved
    assert set(moves.by_target()) == {"E"}
    assert sum(moves.by_source().values()) == moved
    # the ring itself is untouched by the question
    assert "E" not in ring


def test_leave_moves_only_the_leavers_keys_to_its_successors() -> None:
    names = ["A", "B", "C", "D", "E"]
    ring = HashRing(16, names)
    after = ring.copy()
    after.remove_node("C")
    held_by_c = [k for k in KEYS if ring.node_for(k) == "C"]
    for key in KEYS:
        if ring.node_for(key) != "C":
            assert after.node_for(key) == ring.node_for(key)
        else:
            assert after.node_for(key) == owner_by_scan(
                ring_tokens(["A", "B", "D", "E"], 16), KEY_POS[key]
            )
    moves = KeyPlacement(KEYS).moves_on_leave(ring, "C")
    assert moves.moved == len(held_by_c)
    assert moves.by_source() == {"C": len(held_by_c)}


def test_moved_key_indices_name_exactly_the_moved_keys() -> None:
    ring = HashRing(8, ["A", "B", "C"])
    placement = KeyPlacement(KEYS[:3000])
    moves = placement.moves_on_join(ring, "D", tokens=[0.999, 0.0001, 0.5])  # wraps zero
    after = ring.copy()
    after.add_node("D", tokens=[0.999, 0.0001, 0.5])
    expected = {KEY_POS[k] for k in KEYS[:3000] if ring.node_for(k) != after.node_for(k)}
    got = {placement.positions[i] for i, target in moves.key_indices() if target == "D"}
    assert got == expected and len(expected) == moves.moved


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from("ABCDEFGH"), min_size=1, max_size=6, unique=True),
    st.lists(st.sampled_from("ABCDEFGH"), min_size=0, max_size=6, unique=True),
    st.integers(1, 12),
    st.integers(1, 12),
)
def test_moves_between_any_two_rings_match_brute_force(
    old_names: list[str], new_names: list[str], v1: int, v2: int
) -> None:
    old, new = HashRing(v1, old_names), HashRing(v2, new_names)
    keys = KEYS[:400]
    moves = KeyPlacement(keys).moves(old.arc_map(), new.arc_map())
    pairs: dict[tuple[str | None, str | None], int] = {}
    for k in keys:
        a = old.node_for(k)
        b = new.node_for(k) if new_names else None
        if a != b:
            pairs[a, b] = pairs.get((a, b), 0) + 1
    assert moves.pairs() == pairs


def test_spread_of_load_shares_falls_like_one_over_sqrt_vnodes() -> None:
    vnodes = [4, 8, 16, 32, 64, 128, 256]
    cvs = []
    for v in vnodes:
        per_ring = []
        for trial in range(16):
            shares = list(HashRing(v, [f"r{trial}-{i}" for i in range(10)]).load_shares().values())
            per_ring.append(statistics.pstdev(shares) / statistics.mean(shares))
        cvs.append(statistics.mean(per_ring))
    xs = [math.log(v) for v in vnodes]
    ys = [math.log(c) for c in cvs]
    mx, my = statistics.mean(xs), statistics.mean(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )
    assert -0.6 < slope < -0.4, slope
    scaled = [c * math.sqrt(v) for c, v in zip(cvs, vnodes, strict=True)]
    assert max(scaled) / min(scaled) < 1.5, scaled  # cv * sqrt(v) stays about constant


# -- Dynamo §6.2 strategies -----------------------------------------------------------


def test_partition_of_and_partition_end_agree_with_exact_arithmetic() -> None:
    rng = random.Random(4)
    for q in (1, 3, 7, 64, 100, 4096):
        for _ in range(200):
            p = rng.getrandbits(128)
            j = partition_of(p, q)
            lo = Fraction(j * HASH_SPACE, q)
            hi = Fraction((j + 1) * HASH_SPACE, q)
            assert lo < p <= hi or (p == 0 and j == q - 1)
        assert partition_of(partition_end(0, q), q) == 0 or q == 1


def test_strategy_1_is_the_token_ring() -> None:
    s = strategy_1(["A", "B", "C"], 8)
    ring = HashRing(8, ["A", "B", "C"])
    for key in KEYS[:300]:
        assert s.node_for(key) == ring.node_for(key)
        assert s.preference_list(key, 2) == ring.preference_list(key, 2)
    assert s.partitions() == []


def test_strategy_2_places_each_partition_at_the_token_after_its_end() -> None:
    rng = random.Random(11)
    s = strategy_2(["A", "B", "C", "D"], 8, 16, rng)
    tokens = list(zip(s.ring.positions, s.ring.owners, strict=True))
    parts = s.partitions()
    assert len(parts) == 16 and parts[0][0] == 0 and parts[-1][1] == HASH_SPACE
    for _start, end, node in parts:
        assert node == owner_by_scan(tokens, end % HASH_SPACE)
    for key in KEYS[:500]:
        pos = KEY_POS[key]
        j = next(i for i, (a, b, _) in enumerate(parts) if a < pos <= b) if pos else 15
        assert s.node_for(key) == parts[j][2]
        assert s.preference_list(key, 3) == walk_by_scan(tokens, parts[j][1] % HASH_SPACE, 3)


def test_strategy_3_gives_each_node_q_over_s_partitions() -> None:
    for s_count, q in [(4, 64), (5, 64), (7, 10), (3, 4096)]:
        names = [f"n{i}" for i in range(s_count)]
        for rng in (None, random.Random(2)):
            s = strategy_3(names, q, rng)
            counts = [s.partition_owners.count(n) for n in names]
            assert sorted(counts) == sorted(
                [q // s_count + (i < q % s_count) for i in range(s_count)]
            )
            # a node's tokens are the ends of its partitions
            for name in names:
                ends = sorted(
                    partition_end(j, q) for j, o in enumerate(s.partition_owners) if o == name
                )
                assert s.tokens_of(name) == ends
    assert load_balance_efficiency(strategy_3(["A", "B", "C", "D"], 64).load_shares()) == 1.0
    assert math.isclose(
        load_balance_efficiency(strategy_3(["A", "B", "C"], 64).load_shares()), (64 / 3) / 22
    )


def test_strategy_3_beats_random_tokens_on_efficiency() -> None:
    nodes = [f"n{i}" for i in range(10)]
    e1 = statistics.mean(
        load_balance_efficiency(strategy_1(nodes, 16, random.Random(s)).load_shares())
        for s in range(10)
    )
    e2 = statistics.mean(
        load_balance_efficiency(strategy_2(nodes, 16, 200, random.Random(s)).load_shares())
        for s in range(10)
    )
    e3 = load_balance_efficiency(strategy_3(nodes, 200).load_shares())
    assert e3 == 1.0 > e2 and e3 > e1
    assert 0.3 < e1 < 0.95


@pytest.mark.parametrize("seed", range(5))
def test_steal_and_hand_off_keep_balance_and_move_the_fewest(seed: int) -> None:
    rng = random.Random(seed)
    names = ["A", "B", "C", "D", "E"]
    owners = list(strategy_3(names, 101, rng).partition_owners)
    joined = steal_partitions(owners, names, "F", rng)
    counts = [joined.count(n) for n in [*names, "F"]]
    assert max(counts) - min(counts) <= 1 and joined.count("F") == 101 // 6
    assert sum(a != b for a, b in zip(owners, joined, strict=True)) == 101 // 6
    assert all(b in ("F", a) for a, b in zip(owners, joined, strict=True))
    left = hand_off_partitions(joined, [*names, "F"], "B", rng)
    counts = [left.count(n) for n in ["A", "C", "D", "E", "F"]]
    assert max(counts) - min(counts) <= 1 and "B" not in left
    assert sum(a != b for a, b in zip(joined, left, strict=True)) == joined.count("B")


def test_load_balance_efficiency() -> None:
    assert load_balance_efficiency({"A": 0.5, "B": 0.5}) == 1.0
    assert load_balance_efficiency([1, 2, 3]) == pytest.approx(2 / 3)
    with pytest.raises(ValueError):
        load_balance_efficiency([])
    s = PartitionScheme.from_tokens(1, {"A": [HASH_SPACE // 2], "B": [0]})
    keys = KEYS[:1000]
    a = sum(1 for k in keys if 0 < KEY_POS[k] <= HASH_SPACE // 2)
    expected = (1000 / 2) / max(a, 1000 - a)
    assert load_balance_efficiency_keys(s, keys) == pytest.approx(expected)


# -- Redis Cluster hash slots ---------------------------------------------------------


def test_key_slot_test_vector_and_crc() -> None:
    assert key_slot("123456789") == 0x31C3
    assert crc16_xmodem(b"123456789") == 0x31C3
    for key in KEYS[:300]:
        assert key_slot(key) == crc16_xmodem(key.encode()) % SLOTS


def test_hash_tags_follow_the_spec() -> None:
    assert key_slot("{user1000}.following") == key_slot("{user1000}.followers")
    assert key_slot("{user1000}.following") == crc16_xmodem(b"user1000") % SLOTS
    assert hashed_part("foo{}{bar}") == "foo{}{bar}"
    assert key_slot("foo{}{bar}") == crc16_xmodem(b"foo{}{bar}") % SLOTS
    assert hashed_part("foo{{bar}}zap") == "{bar"
    assert key_slot("foo{{bar}}zap") == crc16_xmodem(b"{bar") % SLOTS
    assert hashed_part("foo{bar}{zap}") == "bar"
    assert key_slot("foo{bar}{zap}") == crc16_xmodem(b"bar") % SLOTS
    assert hashed_part("no}tag{") == "no}tag{"
    assert hashed_part("{") == "{" and hashed_part("{}") == "{}"
    assert key_slot(b"{user1000}.x") == key_slot("{user1000}.y")
    assert key_slot(b"foo{{bar}}zap") == crc16_xmodem(b"{bar") % SLOTS
    assert key_slot("{ü}x") == crc16_xmodem("ü".encode()) % SLOTS


def test_initial_ranges_are_contiguous_like_redis_cli() -> None:
    assert initial_slot_ranges(3) == [(0, 5460), (5461, 10922), (10923, 16383)]
    for m in range(1, 65):
        ranges = initial_slot_ranges(m)
        assert ranges[0][0] == 0 and ranges[-1][1] == SLOTS - 1
        assert all(ranges[i][1] + 1 == ranges[i + 1][0] for i in range(m - 1))
        sizes = [b - a + 1 for a, b in ranges]
        assert max(sizes) - min(sizes) <= 1


def _apply(owners: list[str | None], plan: list) -> list[str | None]:  # type: ignore[type-arg]
    out = list(owners)
    for move in plan:
        assert out[move.slot] == move.source
        out[move.slot] = move.target
    return out


def _fewest_moves(owners: list[str | None], shards: list[str]) -> int:
    """Brute force over which shards get the larger share."""
    base, extra = divmod(SLOTS, len(shards))
    counts = {s: sum(1 for o in owners if o == s) for s in shards}
    best = SLOTS
    for larger in itertools.combinations(shards, extra):
        kept = sum(min(counts[s], base + (s in larger)) for s in shards)
        best = min(best, SLOTS - kept)
    return best


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (["A", "B", "C"], ["A", "B", "C", "D"]),
        (["A", "B", "C", "D"], ["A", "B", "D"]),
        (["A"], ["A", "B"]),
        (["A", "B", "C", "D", "E"], ["A", "B", "C", "D", "E", "F"]),
        (["A", "B", "C", "D", "E", "F"], ["B", "C", "D", "E", "F"]),
    ],
)
def test_reshard_plans_balance_with_the_fewest_moves(before: list[str], after: list[str]) -> None:
    owners = slot_table(before)
    plan = plan_reshard(owners, after)
    result = _apply(owners, plan)
    counts = [result.count(s) for s in after]
    assert sum(counts) == SLOTS and max(counts) - min(counts) <= 1
    assert len(plan) == _fewest_moves(owners, after)
    assert len({m.slot for m in plan}) == len(plan)
    for leaver in set(before) - set(after):
        assert leaver not in result


def test_reshard_after_reshard_stays_minimal() -> None:
    owners = slot_table(["A", "B", "C"])
    for after in (["A", "B", "C", "D"], ["A", "C", "D"], ["A", "C", "D", "E", "F"]):
        plan = plan_reshard(owners, after)
        assert len(plan) == _fewest_moves(owners, after)
        owners = _apply(owners, plan)
    assert slot_ranges(owners, "B") == []


def _tagged_cluster(style: str) -> SlotCluster:
    cluster = SlotCluster(["shard-A", "shard-B", "shard-C"], style=style)
    for tag in range(40):
        for i in range(5):  # five keys per tagged slot
            cluster.add_key(f"{{t{tag}}}:{i}")
    for i in range(300):
        cluster.add_key(f"key-{i}")
    return cluster


def test_slot_style_never_splits_a_slot() -> None:
    cluster = _tagged_cluster("slot")
    plan = cluster.add_shard("shard-D")
    moved_slots = {m.slot for m in plan}
    ticks = 0
    while cluster.migration is not None:
        cluster.step(2)
        ticks += 1
        for slot, keys in cluster.slot_keys.items():
            servers = {cluster.served_by(k) for k in keys}
            assert servers == {cluster.owners[slot]}, slot
            assert all(cluster.lookup(k).ask is None for k in keys)
    assert ticks > 20
    counts = cluster.slot_counts()
    assert max(counts.values()) - min(counts.values()) <= 1
    assert all(cluster.owners[s] == "shard-D" for s in moved_slots)


def test_key_style_serves_moved_keys_from_the_target_with_ask() -> None:
    cluster = _tagged_cluster("key")
    cluster.add_shard("shard-D")
    saw_split = False
    while cluster.migration is not None:
        cluster.step(1)
        for slot, keys in cluster.slot_keys.items():
            owner = cluster.owners[slot]
            for k in keys:
                look = cluster.lookup(k)
                if look.ask is not None:
                    assert look.served_by == look.ask != owner
                    assert look.owner == owner
                else:
                    assert look.served_by == owner
            if len({cluster.served_by(k) for k in keys}) > 1:
                saw_split = True
    assert saw_split
    assert all(cluster.lookup(k).ask is None for k in cluster.key_slots)


def test_keys_added_during_a_migration() -> None:
    moving = {m.slot for m in plan_reshard(slot_table(["A", "B"]), ["A", "B", "C"])}
    tag = next(f"x{i}" for i in range(1000) if key_slot(f"x{i}") in moving)
    slot = key_slot(tag)
    for style, new_key_at in (("slot", "source"), ("key", "C")):
        cluster = SlotCluster(["A", "B"], style=style)
        for i in range(3):
            cluster.add_key(f"{{{tag}}}:{i}")
        source = cluster.owners[slot]
        cluster.add_shard("C")
        mig = cluster.migration
        assert mig is not None
        while not (mig.started and mig.current is not None and mig.current.slot == slot):
            cluster.step(1)
        cluster.add_key(f"{{{tag}}}:new")
        expected = source if new_key_at == "source" else "C"
        assert cluster.served_by(f"{{{tag}}}:new") == expected
        assert cluster.owners[slot] == source
        while cluster.migration is not None:
            cluster.step(1)
        assert cluster.served_by(f"{{{tag}}}:new") == "C" == cluster.owners[slot]
        assert cluster.key_counts()["C"] >= 4


def test_last_shard_cannot_leave_and_one_reshard_at_a_time() -> None:
    cluster = SlotCluster(["A"])
    with pytest.raises(ValueError):
        cluster.remove_shard("A")
    cluster.add_key("k")
    cluster.add_shard("B")
    with pytest.raises(ValueError):
        cluster.add_shard("C")
    empty = SlotCluster()
    assert empty.owners[0] is None
    empty.add_shard("A")  # the first shard takes every slot at once
    assert empty.migration is None and empty.slot_counts() == {"A": SLOTS}


# -- the routing boundary: keys exactly on, just before and just after a token ---------

# Offsets of a token from a key's position: the token just after the key (the key lies
# just before it), the token on the key, the token just before the key (the key lies
# just after it). A ``bisect_right`` where ``bisect_left`` belongs routes the key on a
# token to the next token; these rings make that next token another node's.
_OFFSETS = (1, 0, -1)


def _check_routes(
    ring: HashRing, keys: list[str] | list[bytes], tokens: list[tuple[int, str]]
) -> None:
    for key in keys:
        position = key_position(key)
        owner = owner_by_scan(tokens, position)
        assert ring.node_at(position) == owner
        assert ring.node_for(key) == owner, (position, sorted(tokens))
        for n in (1, 2, 3):
            pref = ring.preference_list(key, n)
            assert pref == ring.preference_list_at(position, n)
            assert pref == walk_by_scan(tokens, position, n)
            assert pref[0] == ring.node_for(key)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.text(max_size=12), min_size=1, max_size=8, unique=True),
    st.lists(st.sampled_from(_OFFSETS), min_size=8, max_size=8),
    st.lists(st.sampled_from("ABCD"), min_size=8, max_size=8),
)
def test_keys_on_and_beside_tokens_route_as_node_at_their_position(
    keys: list[str], offsets: list[int], owners: list[str]
) -> None:
    # Tokens placed at the keys' own MD5 positions (plus or minus one), so some keys
    # hash exactly onto a token, with real MD5 and no patching.
    by_owner: dict[str, list[int]] = {}
    tokens: list[tuple[int, str]] = []
    for key, offset, owner in zip(keys, offsets, owners, strict=False):
        position = (md5_int(key) + offset) % HASH_SPACE
        if any(position == t for t, _ in tokens):
            continue
        by_owner.setdefault(owner, []).append(position)
        tokens.append((position, owner))
    ring = HashRing(vnodes=1)
    for owner, positions in by_owner.items():
        ring.add_node(owner, positions=positions)
    _check_routes(ring, keys, tokens)
    _check_routes(ring, [k.encode() for k in keys], tokens)  # bytes hash as UTF-8 text


def test_a_key_on_a_token_belongs_to_that_token_not_the_next() -> None:
    # The smallest case a bisect slip gets wrong, with both neighbours on other nodes.
    keys = [f"key-{i}" for i in range(3)]
    a, b, c = sorted(key_position(k) for k in keys)
    ring = HashRing(vnodes=1)
    ring.add_node("A", positions=[a])
    ring.add_node("B", positions=[b])
    ring.add_node("C", positions=[c])
    for key in keys:
        on = key_position(key)
        assert ring.node_for(key) == ring.node_at(on) == {a: "A", b: "B", c: "C"}[on]
        assert ring.preference_list(key, 1) == [ring.node_for(key)]


def _position_bytes(position: int) -> bytes:
    return position.to_bytes(16, "big")


class _PositionAsDigest:
    """Stands in for MD5 in one test: the "digest" of 16 bytes is those bytes."""

    def __init__(self, data: bytes) -> None:
        self._data = bytes(data)

    def digest(self) -> bytes:
        return self._data.rjust(16, b"\0")[-16:]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.integers(0, 3),
            st.integers(HASH_SPACE - 4, HASH_SPACE - 1),
            st.integers(0, HASH_SPACE - 1),
        ),
        min_size=1,
        max_size=6,
        unique=True,
    ),
    st.lists(st.sampled_from("ABC"), min_size=6, max_size=6),
)
def test_keys_across_the_wrap_at_zero_route_as_node_at_their_position(
    token_positions: list[int], owners: list[str]
) -> None:
    # Keys cannot be found whose MD5 is 0 or 2**128 - 1, so here the hash is replaced by
    # one that reads a key's 16 bytes as its position: keys then sit on every token,
    # one before and one after it, and at both ends of the ring.
    from unittest import mock

    import algorithms.hashing.ring as ring_module

    by_owner: dict[str, list[int]] = {}
    tokens: list[tuple[int, str]] = []
    for position, owner in zip(token_positions, owners, strict=False):
        by_owner.setdefault(owner, []).append(position)
        tokens.append((position, owner))
    ring = HashRing(vnodes=1)
    for owner, positions in by_owner.items():
        ring.add_node(owner, positions=positions)
    probes = {0, 1, HASH_SPACE - 2, HASH_SPACE - 1}
    for t, _ in tokens:
        probes |= {(t - 1) % HASH_SPACE, t, (t + 1) % HASH_SPACE}
    keys = [_position_bytes(p) for p in sorted(probes)]
    with mock.patch.object(ring_module, "_md5", _PositionAsDigest):
        assert key_position(_position_bytes(HASH_SPACE - 1)) == HASH_SPACE - 1  # patched
        _check_routes(ring, keys, tokens)
