"""The snapshots lab (Chandy & Lamport 1985; Carbone et al. 2015).

Its registry entry, with its exercise queries, narrated replays and heavy actions.
"""

from __future__ import annotations

from labs.lablets import Lab

from . import queries, replays, tasks


def _busy_snapshot_events() -> str:
    """An events file near the lab's 2,000-event bound: 16 processes sending tokens
    around a complete graph while two snapshots overlap."""
    lines = []
    for i in range(200):
        a, b = 1 + i % 16, 1 + (i * 7 + 3) % 16
        lines.append(f"send P{a} P{b if b != a else 1 + a % 16} 1")
        if i in (0, 60):
            lines.append(f"snapshot P{a}")
        if i % 30 == 29:
            lines.append("tick")
    return "\n".join(lines)


LAB = Lab(
    slug="snapshots",
    title="Chandy–Lamport snapshots",
    papers=(
        "Chandy & Lamport, Distributed Snapshots: Determining Global States of "
        "Distributed Systems, ACM TOCS 3(1), 1985",
        "Carbone et al., Lightweight Asynchronous Snapshots for Distributed Dataflows, 2015",
    ),
    summary=(
        "Send tokens over FIFO channels, start snapshots at any process and moment, "
        "watch the markers draw each cut, check that the recorded state conserves the "
        "tokens, and compare with Flink's aligned barriers."
    ),
    engine="algorithms.snapshots.engine:SnapshotsEngine",
    template="labs/snapshots.html",
    script="labs/snapshots.js",
    queries=queries,
    samples=(replays.single_token, replays.example_2_2),
    tasks=tasks.TASKS,
    heaviest=(
        {"processes": 16, "topology": "complete", "tokens": 1_000},
        {"action": "import_events", "text": _busy_snapshot_events()},
    ),
)
