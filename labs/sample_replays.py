"""The papers' own examples, shipped as narrated replays (see labs.samples)."""

from __future__ import annotations

from algorithms.consistent_hashing import key_position, position_to_fraction
from algorithms.snapshots.narrations import example_2_2_commands, single_token_commands
from algorithms.vector_clocks import figure3_commands
from labs.samples import Move, Sample, sample


@sample("consistent-hashing")
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


@sample("consistent-hashing")
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


@sample("vector-clocks")
def dynamo_figure_3() -> Sample:
    return Sample(
        id="dynamo-figure-3",
        lab="vector-clocks",
        title="Dynamo Figure 3: versions D1 to D5 and their vector clocks",
        params={},
        seed=1,
        intro="Dynamo (SOSP 2007) §4.4: every version of an object carries a vector clock of "
        "(node, counter) pairs; the clocks say which versions descend from which.",
        moves=[(command, caption) for command, caption in figure3_commands()],
    )


@sample("vector-clocks")
def lamport_messages() -> Sample:
    return Sample(
        id="lamport-three-processes",
        lab="vector-clocks",
        title="Lamport 1978: clocks on three processes exchanging messages",
        params={"processes": 3, "min_delay": 1, "max_delay": 3},
        seed=3,
        intro="Lamport's rules: IR1, a process increments its clock between events; IR2, a message "
        "carries its sender's time and the receiver moves its clock past it.",
        moves=[
            ({"action": "local", "process": "P1"}, "P1 has a local event: its clocks tick (IR1)."),
            (
                {"action": "send", "from": "P1", "to": "P2"},
                "P1 sends a message to P2; it carries P1's clocks.",
            ),
            (
                {"action": "local", "process": "P3"},
                "P3's local event is concurrent with everything on P1 so far.",
            ),
            (
                {"action": "deliver", "message": 0},
                "P2 receives: it merges the message's vector clock into its own and ticks (IR2).",
            ),
            ({"action": "send", "from": "P2", "to": "P3"}, None),
            (
                {"action": "deliver", "message": 1},
                "P3 receives from P2: now P1's first event happened before P3's receive, through P2.",
            ),
            (
                {"action": "select_event", "event": 5},
                "Its causal past (orange) is every event with a smaller vector clock; the grey events are concurrent.",
            ),
        ],
    )


@sample("small-world")
def watts_strogatz_rewiring() -> Sample:
    lap1: list[Move] = [(None, None) for _ in range(20)]
    lap1[0] = (
        None,
        "Lap 1: each node's nearest clockwise edge (i, i+1) is considered in turn; with "
        "probability p = 0.2 its far end moves to a node chosen uniformly at random.",
    )
    lap1[-1] = (None, "Lap 1 is done. A few shortcuts (red) already cut across the ring.")
    lap2: list[Move] = [(None, None) for _ in range(20)]
    lap2[0] = (
        None,
        "Lap 2: now each node's second-nearest clockwise edge (i, i+2), again with probability p.",
    )
    lap2[-1] = (
        None,
        "Every edge has been considered once. Compare C and L with the lattice values C(0) and L(0): "
        "the shortcuts shrink L much faster than they lower C.",
    )
    return Sample(
        id="watts-strogatz-rewiring",
        lab="small-world",
        title="Watts & Strogatz: rewiring a ring lattice lap by lap",
        params={"model": "watts_strogatz", "n": 20, "k": 4, "p": 0.2},
        seed=4,
        intro="Watts & Strogatz (Nature 1998), Figure 1: start from a ring of n = 20 nodes, each "
        "joined to its k = 4 nearest neighbours, and rewire each edge with probability p.",
        moves=[
            *lap1,
            *lap2,
            (
                {"action": "gossip", "source": 0, "mode": "push-pull"},
                "Node 0 starts a rumour; each round every node contacts one random neighbour (push-pull).",
            ),
            (None, None),
            (None, "The shortcuts carry the rumour across the ring in few rounds."),
        ],
    )


@sample("snapshots")
def single_token() -> Sample:
    moves = single_token_commands()
    return Sample(
        id="chandy-lamport-single-token",
        lab="snapshots",
        title="Chandy & Lamport §2.1: one token, never lost and never counted twice",
        params={"processes": 2},
        seed=1,
        intro=(
            "Two processes p and q joined by the channels c (p to q) and c′ (q to p), and a "
            "single token. A snapshot taken while the token moves must find it exactly once."
        ),
        moves=[(command, caption) for command, caption in moves],
    )


@sample("snapshots")
def example_2_2() -> Sample:
    moves = example_2_2_commands()
    return Sample(
        id="chandy-lamport-example-2-2",
        lab="snapshots",
        title="Chandy & Lamport Example 2.2: a recorded state the run never passed through",
        params={"processes": 2},
        seed=1,
        intro=(
            "Example 2.2: p and q each hold a token and each sends it to the other (M and "
            "M′). The snapshot records a global state that none of the run's states equals, "
            "yet one the run could have passed through (§4)."
        ),
        moves=[(command, caption) for command, caption in moves],
    )


@sample("redundancy")
def patterson_100_disks() -> Sample:
    from algorithms.redundancy.replays import patterson_replay

    replay = patterson_replay()
    return Sample(
        id="patterson-100-disks",
        lab="redundancy",
        title="Patterson et al.: why 100 inexpensive disks need parity",
        params=replay["params"],
        seed=replay["seed"],
        intro=replay["intro"],
        moves=[(command, caption) for command, caption in replay["moves"]],
    )


@sample("redundancy")
def one_zone_three_placements() -> Sample:
    from algorithms.redundancy.replays import zone_failure_replay

    replay = zone_failure_replay()
    return Sample(
        id="one-zone-three-placements",
        lab="redundancy",
        title="One Availability Zone fails under three placements",
        params=replay["params"],
        seed=replay["seed"],
        intro=replay["intro"],
        moves=[(command, caption) for command, caption in replay["moves"]],
    )


@sample("quorum")
def dynamo_hinted_handoff() -> Sample:
    from algorithms.quorum import QuorumEngine
    from algorithms.quorum.params import QuorumParams

    params = {"n": 3, "r": 2, "w": 2, "nodes": 5, "latency": "constant", "latency_ms": 1.0}
    order = QuorumEngine(QuorumParams(**params), seed=1).cluster.preference_list("cart")
    first, second, third, stand_in = order[:4]
    return Sample(
        id="dynamo-hinted-handoff",
        lab="quorum",
        title="Dynamo (3, 2, 2): a crash, a sloppy quorum and hinted handoff (§4.6)",
        params=params,
        seed=1,
        intro=(
            "Dynamo's common configuration (N, R, W) = (3, 2, 2) on five nodes, every leg "
            f"taking 1 ms. Key cart's preference list is {', '.join(order)}: its home "
            f"replicas are {first}, {second} and {third}."
        ),
        moves=[
            (
                {"action": "put", "key": "cart", "value": "milk"},
                f"A client puts cart = milk. {first}, first in the preference list, "
                "coordinates: it writes locally, counting as one of the W, and sends the "
                f"write to {second} and {third}.",
            ),
            (
                {"action": "run"},
                "The put commits as soon as two of the three replicas (the coordinator and "
                "the first acknowledgement) hold the version; the third still writes it.",
            ),
            (
                {"action": "crash", "node": first},
                f"{first} crashes. Its stored versions survive on disk, but it answers nothing.",
            ),
            (
                {"action": "put", "key": "cart", "value": "milk+eggs"},
                f"The client reads nothing first, so this put has no context. {second} "
                f"coordinates. {first} is unreachable, so the extended preference list skips "
                f"it: the write goes to {second}, {third} and {stand_in}, which keeps it as "
                f"a hint naming {first} (sloppy quorum).",
            ),
            ({"action": "run"}, "Two acknowledgements: the put commits despite the crash."),
            (
                {"action": "get", "key": "cart"},
                f"A get through {second} reads the first three reachable nodes and returns "
                "every version no other descends from: both. The second put carried no "
                f"context, so its clock (counted at {second}) and the first's (at {first}) "
                "are concurrent: siblings, for the client to reconcile (§4.4).",
            ),
            ({"action": "run"}, None),
            (
                {"action": "restart", "node": first},
                f"{first} restarts. {stand_in} sees the owner of its hint is back and hands "
                "the version off.",
            ),
            (
                {"action": "run"},
                f"{first} stores the hinted version and acknowledges; {stand_in} deletes its "
                "hint. Nothing was lost: every home replica holds milk+eggs.",
            ),
            (
                {"action": "reconcile", "key": "cart", "value": "milk+eggs"},
                "The client merges the two siblings it read into one value and writes it "
                "with both clocks as its context: the new version descends from both.",
            ),
            ({"action": "run"}, None),
            ({"action": "get", "key": "cart"}, None),
            (
                {"action": "run"},
                "A new get returns a single version: the reconciled one superseded both "
                "siblings on every replica it reached.",
            ),
        ],
    )
