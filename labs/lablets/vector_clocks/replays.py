"""The vector-clocks lab's narrated replays: Dynamo's Figure 3 and Lamport's rules."""

from __future__ import annotations

from algorithms.clocks.figure3 import figure3_commands
from labs.samples import Sample


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
