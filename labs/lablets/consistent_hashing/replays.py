"""The consistent-hashing lab's narrated replays: Dynamo's Figure 2 and a Redis Cluster reshard."""

from __future__ import annotations

from algorithms.hashing import key_position, position_to_fraction
from labs.samples import Move, Sample


def dynamo_figure_2() -> Sample:
    # Tokens placed by hand so the ring reads like the paper's figure: A..G clockwise,
    # with key K falling between A and B.
    k = position_to_fraction(key_position("K"))
    gap = 1 / 7
    start = (k + 0.35 * gap) % 1.0
    tokens = {name: (start + i * gap) % 1.0 for i, name in enumerate("BCDEFG")}
    tokens["A"] = (start - gap) % 1.0
    moves: list[Move] = [
        ({"action": "add_node", "name": name, "tokens": [tokens[name]]}, None) for name in "ABCDEFG"
    ]
    moves[-1] = (
        moves[-1][0],
        "Seven nodes A to G, one token each, placed clockwise around the ring as in Figure 2 of the Dynamo paper.",
    )
    moves += [
        (
            {"action": "add_keys", "names": ["K"]},
            "Key K hashes (MD5) to a position between A and B.",
        ),
        (
            {"action": "select_key", "key": "K"},
            "Walking clockwise from K, the first node is B: B coordinates K. With N = 3, B also "
            "replicates K at its two clockwise successors C and D: K's preference list is B, C, D.",
        ),
        (
            {"action": "add_keys", "count": 200},
            "200 more keys spread over the ring; each belongs to the first node clockwise.",
        ),
        (
            {"action": "remove_node", "name": "B"},
            "B leaves. As coordinator, only B's keys change node, all to its clockwise successor "
            "C; K's preference list becomes C, D, E. With N = 3 the replicas move too, as in "
            "§4.9's example: C, D and E each start storing one more range, C (F, G], D (G, A] "
            "and E (A, B].",
        ),
        (
            {"action": "add_node", "name": "H", "tokens": [(k + 0.1 * gap) % 1.0]},
            "H joins just after K. As coordinator, H takes keys only from its clockwise "
            "successor C: those between A and H, K among them. As a replica, H also starts "
            "storing (F, G] and (G, A], and C, D and E each stop storing one range: C (F, G], "
            "D (G, A] and E (A, H]. Nothing else moves.",
        ),
    ]
    return Sample(
        id="dynamo-figure-2",
        lab="consistent-hashing",
        title="Dynamo Figure 2: the ring, a preference list, a leave and a join",
        params={"nodes": 0, "keys": 0, "vnodes": 1, "replication": 3},
        seed=1,
        intro="Dynamo (SOSP 2007) §4.2 and §4.3: keys and nodes share one hash ring; a key lives on "
        "the first node clockwise and is replicated on the next N-1 distinct nodes.",
        moves=moves,
    )


def redis_cluster_reshard() -> Sample:
    # {user23} hashes to slot 1009, one of the first slots the new shard takes.
    cart = ["{user23}:cart", "{user23}:profile", "{user23}:orders", "{user23}:wishlist"]
    return Sample(
        id="redis-cluster-reshard",
        lab="consistent-hashing",
        title="Redis Cluster: adding a shard moves whole slots",
        params={"mode": "slots", "nodes": 3, "keys": 0, "keys_per_tick": 1, "migration": "slot"},
        seed=1,
        intro="Redis Cluster splits the key space into 16,384 hash slots: slot = CRC16(key) mod 16384. "
        "Three shards serve contiguous slot ranges. The top bar migrates a slot at a time, as "
        "ElastiCache's online resharding; the bar beneath runs the same plan key by key, as "
        "open-source Redis with ASK redirects.",
        moves=[
            (
                {"action": "add_keys", "names": cart},
                "Four keys with the hash tag {user23}: only the text between { and } is hashed, so "
                "all four land in slot 1009 and multi-key commands on them work.",
            ),
            (
                {"action": "select_key", "key": "{user23}:cart"},
                "Slot 1009 is served by shard-A, in both styles.",
            ),
            (
                {"action": "add_node", "name": "shard-D"},
                "A fourth shard joins. The plan moves a quarter of the slots to it, taking the same "
                "number from each existing shard; slot 1009 is among them.",
            ),
            (
                None,
                "Each tick copies one key of slot 1009. The source, shard-A, keeps ownership of the "
                "slot meanwhile. Key by key (beneath), the moved key is already served by shard-D: "
                "shard-A answers ASK shard-D for it, and slot 1009 is split (marked with a cross).",
            ),
            (
                None,
                "Two of the four keys are copied; every key of slot 1009 is still served by shard-A. "
                "Key by key, two keys answer from each shard, so a multi-key command on {user23} "
                "gets TRYAGAIN until the slot has moved.",
            ),
            (
                None,
                "Three of the four keys are copied. The selected key {user23}:cart is still served by "
                "shard-A a slot at a time; key by key, shard-A answers ASK shard-D for it.",
            ),
            (
                None,
                "The last key is copied: ownership of the whole slot flips to shard-D at once, so the "
                "slot is never split. Key by key, the slot changes owner at the same step, once no key "
                "is left on shard-A: both styles end with the same slot table.",
            ),
        ],
    )
