"""The small-world lab's narrated replay: Watts & Strogatz's rewiring, lap by lap."""

from __future__ import annotations

from labs.samples import Move, Sample


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
