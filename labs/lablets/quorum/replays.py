"""The quorum lab's narrated replay: a crash, a sloppy quorum and hinted handoff."""

from __future__ import annotations

from labs.samples import Sample


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
