"""The vector-clocks lab: a run of processes on the message-passing kernel, and its engine.

Lamport, "Time, Clocks, and the Ordering of Events in a Distributed System", CACM
21(7), 1978; Fidge 1988; Mattern 1989; DeCandia et al., "Dynamo", SOSP 2007, §4.4;
Beschastnikh et al., "Visualizing Distributed System Executions" (ShiViz).

- :mod:`~algorithms.clocks.clock`: :class:`~algorithms.clocks.clock.VectorClock`,
  Lamport's and the vector clock of a :class:`~algorithms.clocks.clock.Process`.
- :mod:`~algorithms.clocks.causality`: happened-before queries over one execution.
- :mod:`algorithms.clocks.shiviz`: reading, checking and writing ShiViz / GoVector logs.
- :mod:`~algorithms.clocks.dynamo`: Dynamo's versions, siblings and clock truncation;
  :mod:`~algorithms.clocks.figure3`: the paper's Figure 3.
- :mod:`~algorithms.clocks.run`: processes, events and messages; the messages travel
  on :class:`algorithms.kernel.Network` (unordered channels, seeded whole-tick delays).
- :mod:`~algorithms.clocks.versions`: the narration of a Dynamo write.
- :mod:`~algorithms.clocks.params`: :class:`VectorClocksParams` and the refusal of a
  ShiViz log.
- :mod:`~algorithms.clocks.engine`: :class:`VectorClocksEngine`, its commands and state().

The lab's stable address is :mod:`algorithms.vector_clocks`, which re-exports these
names with the clock, ShiViz and Dynamo libraries; :mod:`algorithms.causality` and
:mod:`algorithms.shiviz` keep the libraries' former addresses.

Examples
--------
>>> engine = VectorClocksEngine(VectorClocksParams(processes=3, random_events=20), seed=5)
>>> state = engine.state()
>>> len(state["events"]), state["processes"]
(20, ['P1', 'P2', 'P3'])
"""

from __future__ import annotations

from algorithms.clocks.engine import VectorClocksEngine
from algorithms.clocks.params import MAX_IMPORT_HOSTS, ShiVizImportError, VectorClocksParams
from algorithms.clocks.run import MAX_EVENTS, MAX_TEXT_CHARS, Run, RunEvent, RunMessage

__all__ = [
    "MAX_EVENTS",
    "MAX_IMPORT_HOSTS",
    "MAX_TEXT_CHARS",
    "Run",
    "RunEvent",
    "RunMessage",
    "ShiVizImportError",
    "VectorClocksEngine",
    "VectorClocksParams",
]
