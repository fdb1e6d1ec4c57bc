"""The snapshot lab's parameters and their bounds.

Chandy & Lamport, "Distributed Snapshots", ACM TOCS 3(1), 1985 (markers); Carbone et
al., "Lightweight Asynchronous Snapshots for Distributed Dataflows", 2015 (aligned
barriers). Every parameter has a documented maximum.

Examples
--------
>>> SnapshotsParams(processes=4, topology="complete").to_dict()["topology"]
'complete'
"""

from __future__ import annotations

from dataclasses import dataclass

from algorithms.engine import LabParams, check_choice, check_float, check_int
from algorithms.snapshots.system import Mode
from algorithms.snapshots.topology import MAX_PROCESSES, MIN_PROCESSES

__all__ = [
    "KINDS",
    "MAX_LAB_EVENTS",
    "MAX_LAB_TOKENS",
    "MAX_TICK_UNITS",
    "MODES",
    "SnapshotsParams",
]

MAX_LAB_EVENTS = 2_000
"""The most process events one lab run may hold (a state must fit in a frame), as in
the vector-clocks lab."""

MAX_LAB_TOKENS = 1_000
"""The most tokens a process starts with in the lab."""

MAX_TICK_UNITS = 100
"""The most time units one ``tick`` may advance."""

KINDS = ("ring", "complete", "random")
MODES: tuple[Mode, ...] = ("chandy-lamport", "aligned")


@dataclass(frozen=True)
class SnapshotsParams(LabParams):
    """Parameters of the snapshot lab.

    Parameters
    ----------
    processes : int
        2 to 16 processes, P1..Pn. Default 3.
    topology : str
        ``"ring"`` (both directions), ``"complete"`` or ``"random"`` (strongly
        connected, seeded). Default ``"ring"``.
    tokens : int
        Tokens each process starts with (random: at most this many), 0 to 1,000.
        Default 5.
    mode : str
        ``"chandy-lamport"`` or ``"aligned"`` (Flink's barriers on the default
        dataflow of :mod:`algorithms.snapshots.dataflow`, whatever ``processes``
        and ``topology`` say). Default ``"chandy-lamport"``.
    max_delay : float
        Message delays are drawn uniformly from ``[max_delay / 20, max_delay]``,
        0.1 to 10. Default 1: every message sent before a tick arrives by it.

    Examples
    --------
    >>> SnapshotsParams(processes=17)
    Traceback (most recent call last):
    ...
    algorithms.engine.CommandError: processes must be an integer between 2 and 16, got 17
    """

    processes: int = 3
    topology: str = "ring"
    tokens: int = 5
    mode: str = "chandy-lamport"
    max_delay: float = 1.0

    def __post_init__(self) -> None:
        check_int("processes", self.processes, MIN_PROCESSES, MAX_PROCESSES)
        check_choice("topology", self.topology, KINDS)
        check_int("tokens", self.tokens, 0, MAX_LAB_TOKENS)
        check_choice("mode", self.mode, MODES)
        check_float("max_delay", self.max_delay, 0.1, 10.0)
