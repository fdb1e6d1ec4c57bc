"""The vector-clocks lab: Lamport clocks, vector clocks, ShiViz logs, Dynamo versions.

Papers: Lamport, "Time, Clocks, and the Ordering of Events in a Distributed System",
CACM 21(7), 1978; Fidge, "Timestamps in Message-Passing Systems That Preserve the
Partial Ordering", 1988; Mattern, "Virtual Time and Global States of Distributed
Systems", 1989; DeCandia et al., "Dynamo: Amazon's Highly Available Key-value
Store", SOSP 2007, §4.4 and Figure 3; Beschastnikh et al., "Visualizing Distributed
System Executions" (ShiViz) and the GoVector log format.

Everything lives in the package :mod:`algorithms.clocks`: the clocks
(:mod:`~algorithms.clocks.clock`: :class:`VectorClock`, :class:`Process`), the
happened-before index (:mod:`~algorithms.clocks.causality`: :class:`CausalIndex`),
ShiViz logs (:mod:`algorithms.clocks.shiviz`), Dynamo's versions
(:mod:`~algorithms.clocks.dynamo`, :mod:`~algorithms.clocks.figure3`), and the lab
itself (the run on the message-passing kernel, the engine, its parameters). Every public name is importable
from here too: this module is the lab's stable address.

The engine, :class:`VectorClocksEngine`, runs processes that perform local, send and
receive events. Each event gets a Lamport clock (IR1, IR2) and a vector clock; a
receive takes the element-wise maximum with the message's clock *then* increments
its own entry. Messages travel on the message-passing kernel
(:mod:`algorithms.kernel`, unordered channels), in flight for a seeded delay; they
are delivered by :meth:`VectorClocksEngine.step` when due, or at once with
``deliver``, and can be dropped. Selecting an event shows its causal past, future and the events concurrent
with it; Lamport's total order (by Lamport clock, then process) can be shown. A
Dynamo key (``cart``) takes ``put`` and ``reconcile`` commands.

Examples
--------
>>> engine = VectorClocksEngine(VectorClocksParams(processes=2), seed=1)
>>> print(engine.apply({"action": "send", "from": "P1", "to": "P2"})[0].text)
P1 sends m0 to P2 with vector clock [P1:1, P2:0] (Lamport clock 1); it is due at time 2.
>>> print(engine.apply({"action": "local", "process": "P2"})[0].text)
P2 performs a local event: it increments its own entry, so its vector clock becomes [P1:0, P2:1] (Lamport clock 1).
>>> print(engine.apply({"action": "deliver", "message": 0})[0].text)
P2 receives m0: it takes the element-wise maximum with its own clock and increments its own entry: [P1:1, P2:2] (Lamport clock max(1, 1) + 1 = 2).
>>> s = engine.state()
>>> [(e["process"], e["kind"], e["vc"], e["lamport"]) for e in s["events"]]
[('P1', 'send', {'P1': 1}, 1), ('P2', 'local', {'P2': 1}, 1), ('P2', 'receive', {'P1': 1, 'P2': 2}, 2)]
>>> _ = engine.apply({"action": "select_event", "event": 1})
>>> engine.state()["selected"]
{'event': 1, 'past': [], 'future': [2], 'concurrent': [0]}
"""

from __future__ import annotations

from algorithms.clocks import (
    MAX_EVENTS,
    MAX_IMPORT_HOSTS,
    MAX_TEXT_CHARS,
    ShiVizImportError,
    VectorClocksEngine,
    VectorClocksParams,
)
from algorithms.clocks.causality import CausalEventLike, CausalIndex
from algorithms.clocks.clock import (
    MAX_NAME_CHARS,
    Process,
    Stamp,
    VectorClock,
    check_process_name,
)
from algorithms.clocks.dynamo import (
    DYNAMO_TRUNCATE,
    DynamoVersion,
    VersionedKey,
    Write,
    compare_versions,
    format_pairs,
)
from algorithms.clocks.figure3 import figure3, figure3_commands
from algorithms.clocks.shiviz import (
    GOVECTOR_REGEX,
    MAX_SHIVIZ_BYTES,
    MAX_SHIVIZ_EVENTS,
    ShiVizError,
    ShiVizEvent,
    parse_shiviz,
    to_shiviz,
    validate_shiviz,
)

__all__ = [
    "DYNAMO_TRUNCATE",
    "GOVECTOR_REGEX",
    "MAX_EVENTS",
    "MAX_IMPORT_HOSTS",
    "MAX_NAME_CHARS",
    "MAX_SHIVIZ_BYTES",
    "MAX_SHIVIZ_EVENTS",
    "MAX_TEXT_CHARS",
    "CausalEventLike",
    "CausalIndex",
    "DynamoVersion",
    "Process",
    "ShiVizError",
    "ShiVizEvent",
    "ShiVizImportError",
    "Stamp",
    "VectorClock",
    "VectorClocksEngine",
    "VectorClocksParams",
    "VersionedKey",
    "Write",
    "check_process_name",
    "compare_versions",
    "figure3",
    "figure3_commands",
    "format_pairs",
    "parse_shiviz",
    "to_shiviz",
    "validate_shiviz",
]
