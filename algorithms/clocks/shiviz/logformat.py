"""The ShiViz log format: GoVector's regex, the limits, an event and a refusal.

Beschastnikh, Liu, Xing, Wang, Brun, Ernst, "Visualizing Distributed System
Executions", ACM TOSEM 29(2), 2020 (ShiViz); the format is described in
:mod:`algorithms.clocks.shiviz`.

Examples
--------
>>> str(ShiVizError(3, "the host is empty")), MAX_SHIVIZ_EVENTS
('line 3: the host is empty', 20000)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from algorithms.clocks.clock import VectorClock

__all__ = [
    "GOVECTOR_REGEX",
    "MAX_CUSTOM_BYTES",
    "MAX_CUSTOM_LINE_CHARS",
    "MAX_REGEX_CHARS",
    "MAX_REPORTED_PROBLEMS",
    "MAX_SHIVIZ_BYTES",
    "MAX_SHIVIZ_EVENTS",
    "MAX_SHIVIZ_EXECUTIONS",
    "MAX_SHIVIZ_HOSTS",
    "ShiVizError",
    "ShiVizEvent",
]

GOVECTOR_REGEX = r"(?<host>\S*) (?<clock>{.*})\n(?<event>.*)"
"""GoVector's parsing regex (JavaScript syntax, as written on a log's first line)."""

MAX_SHIVIZ_BYTES = 5_000_000
"""The largest log accepted, in UTF-8 bytes (5 MB): refused before parsing."""

MAX_SHIVIZ_EVENTS = 20_000
"""The most events a log may hold (all executions): refused before any clock is read."""

MAX_SHIVIZ_HOSTS = 256
"""The most entries one clock may have."""

MAX_SHIVIZ_EXECUTIONS = 100
"""The most executions a delimited log may hold."""

MAX_REGEX_CHARS = 1_000
"""The longest parsing or delimiter regex."""

MAX_CUSTOM_BYTES = 1_000_000
"""The largest log read with a custom parsing regex or a delimiter (1 MB)."""

MAX_CUSTOM_LINE_CHARS = 2_000
"""The longest line of a log read with a custom parsing regex or a delimiter."""

MAX_REPORTED_PROBLEMS = 200
""":func:`validate_shiviz` reports at most this many problems."""


class ShiVizError(ValueError):
    """A refused ShiViz log: the line and the reason.

    Examples
    --------
    >>> err = ShiVizError(7, "the clock is not valid JSON")
    >>> str(err), err.line, err.to_json()["reason"]
    ('line 7: the clock is not valid JSON', 7, 'the clock is not valid JSON')
    """

    def __init__(self, line: int, reason: str) -> None:
        self.line = line
        self.reason = reason
        super().__init__(f"line {line}: {reason}")

    def to_json(self) -> dict[str, Any]:
        """The problem as JSON for the web side's list of errors."""
        return {"line": self.line, "reason": self.reason, "message": str(self)}


@dataclass(frozen=True)
class ShiVizEvent:
    """One logged event.

    Parameters
    ----------
    host : str
        The process that logged it.
    clock : VectorClock
        Its vector clock.
    text : str
        The event text (the ``event`` group).
    line : int
        The line (1-based, in the whole file) where its clock is.
    execution : int
        Which execution of a delimited log it belongs to (0 for the first).
    label : str
        That execution's label (the delimiter's ``trace`` group, else "").
    fields : tuple of (name, value)
        Any other named groups of the parsing regex (``date``, ...).

    Examples
    --------
    >>> e = ShiVizEvent("server", VectorClock({"client": 2, "server": 2}), "got it", 11)
    >>> e.clock["client"], e.execution
    (2, 0)
    """

    host: str
    clock: VectorClock
    text: str
    line: int
    execution: int = 0
    label: str = ""
    fields: tuple[tuple[str, str], ...] = ()
