"""The redundancy lab's parameters: the array, its failure modes, and the domains.

Patterson, Gibson and Katz, SIGMOD 1988 (the array and its closed form); Chen et al.,
ACM Computing Surveys 1994 (correlated failures); Availability Zones and Regions as
failure domains. Every bound is checked where the parameters are built.

Examples
--------
>>> RedundancyParams(hours_per_step=MAX_STEP_HOURS).hours_per_step
8760.0
"""

from __future__ import annotations

from dataclasses import dataclass

from algorithms.engine import CommandError, LabParams, check_choice, check_float, check_int
from algorithms.redundancy.domains import MAX_ITEMS, MAX_REPLICAS, PLACEMENTS, Topology
from algorithms.redundancy.raid import (
    HOURS_PER_YEAR,
    REBUILDS,
    check_array,
    check_positive_hours,
)
from algorithms.redundancy.simulate import MAX_BATCH_CV, REPAIRS
from algorithms.redundancy.timeline import MAX_TIMELINE_DISKS, SUPPLY_LAYOUTS

__all__ = ["MAX_STEP_HOURS", "RedundancyParams", "check_placement_room"]

MAX_STEP_HOURS = float(HOURS_PER_YEAR)
"""The longest step: one year."""


@dataclass(frozen=True)
class RedundancyParams(LabParams):
    """Parameters of the redundancy lab.

    Parameters
    ----------
    d, g, c : int
        Data disks, data disks per group, check disks per group (rules of
        :func:`algorithms.redundancy.check_array`), at most
        :data:`~algorithms.redundancy.MAX_TIMELINE_DISKS` disks in all. Defaults 20, 4, 1.
    mttf, mttr : float
        Hours; ``0 < mttr < mttf <= 10,000,000``. Defaults 30,000 and 1 (the paper's).
    hours_per_step : float
        Simulated hours per step, above 0 and at most 8,760. Default 730 (a month).
    repair, rebuilds, batch_cv, ure
        As in :func:`algorithms.redundancy.simulate_array`.
    supply_mttf : float
        MTTF of each shared power supply in hours, 0 for none (default), at most
        10,000,000.
    supply_layout : str
        ``group`` (one supply per group, default) or ``orthogonal`` (supply ``j``
        powers disk ``j`` of every group); see :class:`~.timeline.ArrayTimeline`.
    regions, zones, racks, hosts : int
        The topology (see :class:`algorithms.redundancy.Topology`). Defaults 1, 3, 4, 5.
    items, replicas : int
        Items placed (1 to 200,000; default 1,000) and replicas of each (1 to 7; 3).
    placement : str
        ``random``, ``zones``, ``regions`` or ``copysets``. Default ``zones``.
    scatter : int
        Permutations for copysets, 1 to 20. Default 1.

    Examples
    --------
    >>> RedundancyParams(d=100, g=10).g
    10
    >>> RedundancyParams(placement="regions")
    Traceback (most recent call last):
    ...
    algorithms.engine.CommandError: replicas must be at most the 1 Regions for regions placement, got 3
    """

    d: int = 20
    g: int = 4
    c: int = 1
    mttf: float = 30_000.0
    mttr: float = 1.0
    hours_per_step: float = 730.0
    repair: str = "exponential"
    rebuilds: str = "serial"
    batch_cv: float = 0.0
    supply_mttf: float = 0.0
    ure: float = 0.0
    supply_layout: str = "group"
    regions: int = 1
    zones: int = 3
    racks: int = 4
    hosts: int = 5
    items: int = 1_000
    replicas: int = 3
    placement: str = "zones"
    scatter: int = 1

    def __post_init__(self) -> None:
        d, g, c, _, _ = check_array(self.d, self.g, self.c, self.mttf, self.mttr)
        if (d // g) * (g + c) > MAX_TIMELINE_DISKS:
            raise CommandError(
                "d", self.d, f"must keep the array within {MAX_TIMELINE_DISKS:,} disks in all"
            )
        check_positive_hours("hours_per_step", self.hours_per_step, MAX_STEP_HOURS)
        check_choice("repair", self.repair, REPAIRS)
        check_choice("rebuilds", self.rebuilds, REBUILDS)
        check_float("batch_cv", self.batch_cv, 0.0, MAX_BATCH_CV)
        check_float("supply_mttf", self.supply_mttf, 0.0, 1e7)
        check_float("ure", self.ure, 0.0, 1.0)
        check_choice("supply_layout", self.supply_layout, SUPPLY_LAYOUTS)
        topo = self.topology()
        check_int("items", self.items, 1, MAX_ITEMS)
        n = check_int("replicas", self.replicas, 1, MAX_REPLICAS)
        how = check_choice("placement", self.placement, PLACEMENTS)
        check_int("scatter", self.scatter, 1, 20)
        check_placement_room(topo, n, how)

    def topology(self) -> Topology:
        """The failure domains these parameters describe."""
        return Topology(self.regions, self.zones, self.racks, self.hosts)


def check_placement_room(topo: Topology, n: int, how: str) -> None:
    """Refuse ``n`` replicas where placement ``how`` has fewer domains to spread them on.

    Examples
    --------
    >>> check_placement_room(Topology(1, 3, 4, 5), 3, "zones")
    >>> check_placement_room(Topology(1, 3, 4, 5), 4, "zones")
    Traceback (most recent call last):
    ...
    algorithms.engine.CommandError: replicas must be at most the 3 zones of a Region for zones placement, got 4
    """
    room = {"random": topo.host_count, "regions": topo.regions}.get(how, topo.zones)
    if n > room:
        what = {"random": "hosts", "regions": "Regions"}.get(how, "zones of a Region")
        raise CommandError("replicas", n, f"must be at most the {room} {what} for {how} placement")
