"""The redundancy lab: redundancy helps only as far as failures are independent.

Papers: Patterson, Gibson and Katz, "A Case for Redundant Arrays of Inexpensive Disks
(RAID)", SIGMOD 1988; Chen, Lee, Gibson, Katz and Patterson, "RAID: High-Performance,
Reliable Secondary Storage", ACM Computing Surveys 26(2), 1994; Cidon et al.,
"Copysets: Reducing the Frequency of Data Loss in Cloud Storage", USENIX ATC 2013; and
the case for Availability Zones, isolated Regions and cells within a zone.

The package is split by concept:

- :mod:`.raid`: the closed forms (:func:`array_mttdl`, :func:`group_mttdl`, the
  third-order form for ``C = 2``) and the validation of an array;
- :mod:`.simulate`: :func:`simulate_array`, many arrays failing and rebuilt over
  years, with correlated failure modes;
- :mod:`.sweep`: :func:`mttdl_sweep`, measured MTTDL against the closed form over
  a sweep of G or MTTR (the lab's MTTDL chart);
- :mod:`.timeline`: :class:`ArrayTimeline`, one array disk by disk, for the view;
- :mod:`.domains`: replicas placed over racks, zones and Regions;
- :mod:`.outages`: what failing a rack, a zone, a Region or random hosts loses;
- :mod:`.cells`: cells and shuffle sharding (:func:`shuffle_shard_overlap`,
  :func:`blast_radius`);
- :mod:`.params`: :class:`RedundancyParams`; :mod:`.lab`: :class:`RedundancyEngine`, the lab's
  engine (an array's timeline in seeded time, and failing domains over a placement);
- :mod:`.replays`: the narrated walkthroughs' numbers and captions.

Examples
--------
>>> round(array_mttdl(100, 10, 1, 30_000, 1) / HOURS_PER_YEAR)
93
>>> shuffle_shard_overlap(8, 2) == 1 / 28
True
"""

from __future__ import annotations

from algorithms.redundancy.cells import (
    MAX_BLAST_WORK,
    MAX_SIM_WORKERS,
    MAX_WORKERS,
    STRATEGIES,
    BlastRadius,
    blast_radius,
    shuffle_shard_overlap,
    shuffle_shard_touch,
)
from algorithms.redundancy.domains import (
    LEVELS,
    MAX_HOSTS,
    MAX_ITEMS,
    MAX_REPLICAS,
    PLACEMENTS,
    Placement,
    Topology,
    place_replicas,
)
from algorithms.redundancy.lab import DOMAIN_RATES, RedundancyEngine
from algorithms.redundancy.outages import (
    LISTED,
    DomainFailure,
    domain_loss_per_year,
    fail_domain,
    fail_hosts,
    fail_random_hosts,
    lost_items,
)
from algorithms.redundancy.params import RedundancyParams
from algorithms.redundancy.raid import (
    HOURS_PER_YEAR,
    MAX_C,
    MAX_D,
    MAX_G,
    MAX_HOURS,
    MAX_MTTF,
    REBUILDS,
    array_mttdl,
    check_array,
    check_hours,
    group_mttdl,
    loss_probability,
    rebuild_read_error_probability,
)
from algorithms.redundancy.simulate import (
    MAX_FAILURES_PER_GROUP,
    MAX_GROUP_TRIALS,
    MAX_TRIALS,
    REPAIRS,
    ArraySimulation,
    simulate_array,
    wilson_interval,
)
from algorithms.redundancy.sweep import MAX_SWEEP_POINTS, SWEEPS, mttdl_interval, mttdl_sweep
from algorithms.redundancy.timeline import (
    MAX_TIMELINE_DISKS,
    MAX_TIMELINE_EVENTS,
    SUPPLY_LAYOUTS,
    ArrayTimeline,
    DiskEvent,
)

__all__ = [
    "DOMAIN_RATES",
    "HOURS_PER_YEAR",
    "LEVELS",
    "LISTED",
    "MAX_BLAST_WORK",
    "MAX_C",
    "MAX_D",
    "MAX_FAILURES_PER_GROUP",
    "MAX_G",
    "MAX_GROUP_TRIALS",
    "MAX_HOSTS",
    "MAX_HOURS",
    "MAX_ITEMS",
    "MAX_MTTF",
    "MAX_REPLICAS",
    "MAX_SIM_WORKERS",
    "MAX_SWEEP_POINTS",
    "MAX_TIMELINE_DISKS",
    "MAX_TIMELINE_EVENTS",
    "MAX_TRIALS",
    "MAX_WORKERS",
    "PLACEMENTS",
    "REBUILDS",
    "REPAIRS",
    "STRATEGIES",
    "SUPPLY_LAYOUTS",
    "SWEEPS",
    "ArraySimulation",
    "ArrayTimeline",
    "BlastRadius",
    "DiskEvent",
    "DomainFailure",
    "Placement",
    "RedundancyEngine",
    "RedundancyParams",
    "Topology",
    "array_mttdl",
    "blast_radius",
    "check_array",
    "check_hours",
    "domain_loss_per_year",
    "fail_domain",
    "fail_hosts",
    "fail_random_hosts",
    "group_mttdl",
    "loss_probability",
    "lost_items",
    "mttdl_interval",
    "mttdl_sweep",
    "place_replicas",
    "rebuild_read_error_probability",
    "shuffle_shard_overlap",
    "shuffle_shard_touch",
    "simulate_array",
    "wilson_interval",
]
