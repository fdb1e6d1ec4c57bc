"""The vector-clocks lab (Lamport 1978; Fidge 1988, Mattern 1989; Dynamo §4.4).

Its registry entry, with its exercise queries, narrated replays and heavy actions.
"""

from __future__ import annotations

from labs.lablets import Lab

from . import queries, replays, tasks

LAB = Lab(
    slug="vector-clocks",
    title="Lamport clocks, vector clocks and Dynamo's versions",
    papers=(
        "Lamport, Time, Clocks, and the Ordering of Events in a Distributed System, CACM 1978",
        "Fidge 1988; Mattern 1989 (vector clocks)",
        "DeCandia et al., Dynamo, SOSP 2007 (§4.4, Figure 3)",
    ),
    summary=(
        "Build runs of processes and messages, see Lamport and vector clocks on every event "
        "of a space-time diagram, ask what happened before what, reconcile Dynamo's "
        "versions, and import or export ShiViz logs."
    ),
    engine="algorithms.clocks.engine:VectorClocksEngine",
    template="labs/vector_clocks.html",
    script="labs/vector-clocks.js",
    queries=queries,
    samples=(replays.dynamo_figure_3, replays.lamport_messages),
    tasks=tasks.TASKS,
    heaviest=({"processes": 12}, {"action": "random_run", "events": 2_000}),
)
