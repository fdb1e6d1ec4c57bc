"""The paper's own examples as narrated command lists for the snapshot lab.

Chandy & Lamport, "Distributed Snapshots", ACM TOCS 3(1), 1985: the single-token
conservation system (Example 2.1, used in §3.1 to motivate the marker) and Example 2.2,
whose recorded global state is none of the states the computation passed through
(§3.4, Figures 7 and 8). Each function returns ``(command, caption)`` pairs for
:class:`algorithms.snapshots.engine.SnapshotsEngine`; replaying the commands with the
captions gives the narrated walkthrough.

Examples
--------
>>> [c["action"] for c, _ in example_2_2_commands()]
['import_topology', 'snapshot', 'send', 'send', 'deliver', 'deliver', 'deliver', 'deliver', 'select_snapshot']
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "EXAMPLE_2_2_TOPOLOGY",
    "SINGLE_TOKEN_TOPOLOGY",
    "example_2_2_commands",
    "single_token_commands",
]

Narration = list[tuple[dict[str, Any], str]]

SINGLE_TOKEN_TOPOLOGY = (
    "# Example 2.1: one token, channels c = p->q and c' = q->p\n2\np 1\nq 0\np q\nq p\n"
)
"""Example 2.1's system: p holds the single token; c is p→q and c′ is q→p."""

EXAMPLE_2_2_TOPOLOGY = "# Example 2.2: p in state A, q in state C\n2\np 1\nq 1\np q\nq p\n"
"""Example 2.2's system in tokens: p holding its token is state A (B without it); q
holding its token is C (D without it); M and M′ each carry one token."""


def single_token_commands() -> Narration:
    """The single-token conservation system: a snapshot while the token is in transit.

    Examples
    --------
    >>> len(single_token_commands())
    7
    """
    return [
        (
            {"action": "import_topology", "text": SINGLE_TOKEN_TOPOLOGY},
            "Example 2.1: two processes p and q, channel c from p to q and c′ from q to p, "
            "and one token. p holds it (global state in-p).",
        ),
        (
            {"action": "send", "from": "p", "to": "q", "tokens": 1},
            "p sends the token along c: the global state is now in-c.",
        ),
        (
            {"action": "snapshot", "process": "q", "id": "S1"},
            "q records its state spontaneously: it does not hold the token. By the "
            "marker-sending rule it sends a marker along c′ before anything else, and "
            "starts recording what arrives on c.",
        ),
        (
            {"action": "deliver", "from": "q", "to": "p"},
            "p receives the marker along c′. It has not recorded, so it records its state "
            "(no token: it was sent before) and records c′ as empty, then sends a marker "
            "along c. Had c been recorded at this instant instead, as in §3.1, the token "
            "would be lost or counted twice.",
        ),
        (
            {"action": "deliver", "from": "p", "to": "q"},
            "q receives the token: q had already recorded, so the token joins c's recorded "
            "state. The marker follows it on the FIFO channel.",
        ),
        (
            {"action": "deliver", "from": "p", "to": "q"},
            "q receives the marker along c: c's state is the token received after q "
            "recorded and before this marker. The snapshot is complete.",
        ),
        (
            {"action": "select_snapshot", "id": "S1"},
            "The recorded state shows exactly one token, in channel c: it is counted once "
            "and never lost, the state in-c the system really passed through.",
        ),
    ]


def example_2_2_commands() -> Narration:
    """Example 2.2: the recorded global state S* is none of S0, S1, S2, S3.

    Examples
    --------
    >>> example_2_2_commands()[-1][0]
    {'action': 'select_snapshot', 'id': 'S1'}
    """
    return [
        (
            {"action": "import_topology", "text": EXAMPLE_2_2_TOPOLOGY},
            "Example 2.2: p is in state A (it holds its token) and q in state C (it holds "
            "its). In A, p may send M to q and go to B; in C, q may send M′ to p and go to "
            "D. This is global state S0.",
        ),
        (
            {"action": "snapshot", "process": "p", "id": "S1"},
            "p records its state in S0: A. By the marker-sending rule it sends a marker "
            "along c before anything else.",
        ),
        (
            {"action": "send", "from": "p", "to": "q", "tokens": 1},
            "p sends M along c and moves to B: global state S1. M travels behind the marker.",
        ),
        (
            {"action": "send", "from": "q", "to": "p", "tokens": 1},
            "q sends M′ along c′ and moves to D: global state S2.",
        ),
        (
            {"action": "deliver", "from": "q", "to": "p"},
            "p receives M′ and returns to A: global state S3. p recorded before, and no "
            "marker has come along c′ yet, so M′ is recorded in c′'s state.",
        ),
        (
            {"action": "deliver", "from": "p", "to": "q"},
            "q receives the marker in S3: it records its state, D, and records c as empty; "
            "then it sends a marker along c′.",
        ),
        (
            {"action": "deliver", "from": "q", "to": "p"},
            "p receives the marker along c′: c′'s recorded state is M′. The recording "
            "terminated in S3; the recorded state S* is p in A, c empty, q in D, c′ holding "
            "M′ (Figure 8).",
        ),
        (
            {"action": "deliver", "from": "p", "to": "q"},
            "q receives M and goes back to C. The run passed through S0, S1, S2, S3 and "
            "more, never through S*.",
        ),
        (
            {"action": "select_snapshot", "id": "S1"},
            "S* occurred in no state of the run, yet it is reachable (§4): move every event "
            "before a process recorded ahead of the others (q sends M′ before p sends M) and "
            "the computation passes through S*, and from S* the current state follows.",
        ),
    ]
