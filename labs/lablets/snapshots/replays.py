"""The snapshots lab's narrated replays: Chandy & Lamport §2.1 and Example 2.2."""

from __future__ import annotations

from algorithms.snapshots.narrations import example_2_2_commands, single_token_commands
from labs.samples import Sample


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
