"""Happened-before, Lamport clocks and vector clocks: names from :mod:`algorithms.clocks`.

Lamport, "Time, Clocks, and the Ordering of Events in a Distributed System", CACM
21(7), 1978; Fidge 1988; Mattern 1989. The code lives with the vector-clocks lab in
:mod:`algorithms.clocks.clock` (the clocks) and :mod:`algorithms.clocks.causality` (the
happened-before index); this module keeps ``from algorithms.causality import ...``
working.

Examples
--------
>>> Process("P1").local_event().vector
VectorClock({'P1': 1})
"""

from __future__ import annotations

from algorithms.clocks import causality, clock
from algorithms.clocks.causality import *  # noqa: F403
from algorithms.clocks.clock import *  # noqa: F403

__all__ = [*clock.__all__, *causality.__all__]
