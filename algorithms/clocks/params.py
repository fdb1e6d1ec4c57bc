"""The vector-clocks lab's parameters and its refusal of a ShiViz log.

Lamport, "Time, Clocks, and the Ordering of Events in a Distributed System", CACM
21(7), 1978; Beschastnikh et al., "Visualizing Distributed System Executions"
(ShiViz) and the GoVector log format; DeCandia et al., "Dynamo", SOSP 2007, §4.4.

Examples
--------
>>> VectorClocksParams(processes=4, max_delay=9).max_delay
9
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from algorithms.clocks.dynamo import DYNAMO_TRUNCATE, MAX_TRUNCATE
from algorithms.clocks.run import MAX_EVENTS
from algorithms.clocks.shiviz import ShiVizError
from algorithms.engine import CommandError, LabParams, check_int

__all__ = ["MAX_IMPORT_HOSTS", "ShiVizImportError", "VectorClocksParams"]

JSON = dict[str, Any]

MAX_IMPORT_HOSTS = 32
"""The most hosts an imported ShiViz execution may have."""


@dataclass(frozen=True)
class VectorClocksParams(LabParams):
    """Parameters of the vector-clocks lab.

    Parameters
    ----------
    processes : int
        Number of processes, 2 to 12 (named P1, P2, ...). Default 3.
    min_delay, max_delay : int
        A message's delay in ticks is drawn uniformly (seeded) from
        ``[min_delay, max_delay]``, each 1 to 50, ``max_delay >= min_delay``.
        Defaults 1 and 5.
    random_events : int
        If above 0, the engine starts with a random run of this many events, 0 to
        2,000. Default 0.
    truncate : int
        Dynamo's clock truncation threshold (most (node, counter) pairs kept),
        1 to 64. Default 10, as in the paper.

    Examples
    --------
    >>> VectorClocksParams(processes=4).processes
    4
    >>> VectorClocksParams(min_delay=5, max_delay=2)
    Traceback (most recent call last):
    ...
    algorithms.engine.CommandError: max_delay must be at least min_delay (5), got 2
    """

    processes: int = 3
    min_delay: int = 1
    max_delay: int = 5
    random_events: int = 0
    truncate: int = DYNAMO_TRUNCATE

    def __post_init__(self) -> None:
        check_int("processes", self.processes, 2, 12)
        check_int("min_delay", self.min_delay, 1, 50)
        check_int("max_delay", self.max_delay, 1, 50)
        if self.max_delay < self.min_delay:
            raise CommandError(
                "max_delay", self.max_delay, f"must be at least min_delay ({self.min_delay})"
            )
        check_int("random_events", self.random_events, 0, MAX_EVENTS)
        check_int("truncate", self.truncate, 1, MAX_TRUNCATE)


class ShiVizImportError(CommandError):
    """A refused ``import_shiviz``: the first problem, with every problem attached.

    Examples
    --------
    >>> from algorithms.clocks.engine import VectorClocksEngine
    >>> from algorithms.clocks.shiviz import GOVECTOR_REGEX
    >>> engine = VectorClocksEngine(VectorClocksParams(), seed=1)
    >>> log = GOVECTOR_REGEX + '\\n\\na {"a":1}\\nx\\nb {"a":1}\\ny'
    >>> try:
    ...     engine.apply({"action": "import_shiviz", "text": log})
    ... except ShiVizImportError as err:
    ...     print(err.to_json()["problems"])
    [{'line': 5, 'reason': 'host b is missing from its own clock {"a":1}', 'message': 'line 5: host b is missing from its own clock {"a":1}'}]
    """

    def __init__(self, problems: list[ShiVizError]) -> None:
        self.problems = problems
        first = problems[0]
        super().__init__("text", f"line {first.line}", f"is not a valid ShiViz log: {first}")

    def to_json(self) -> JSON:
        """The error frame fields, plus ``problems`` (each with its line)."""
        return {**super().to_json(), "problems": [p.to_json() for p in self.problems]}
