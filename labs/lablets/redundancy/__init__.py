"""The redundancy lab (Patterson, Gibson & Katz 1988; failure domains and cells).

Its registry entry, with its exercise queries and narrated replays; it has no heavy actions.
"""

from __future__ import annotations

from labs.lablets import Lab

from . import queries, replays

LAB = Lab(
    slug="redundancy",
    title="Redundancy: disk arrays, failure domains and cells",
    papers=(
        "Patterson, Gibson & Katz, A Case for Redundant Arrays of Inexpensive Disks "
        "(RAID), SIGMOD 1988",
        "Chen et al., RAID: High-Performance, Reliable Secondary Storage, ACM Computing "
        "Surveys 26(2), 1994",
        "Cidon et al., Copysets: Reducing the Frequency of Data Loss in Cloud Storage, "
        "USENIX ATC 2013",
        "Availability Zones, Regions, cells and shuffle sharding",
    ),
    summary=(
        "Watch disks fail and rebuild in an array, measure its mean time to data loss "
        "against Patterson's closed form, fail racks, zones and Regions under three "
        "placements, and compare the blast radius of cells and shuffle sharding."
    ),
    engine="algorithms.redundancy:RedundancyEngine",
    template="labs/redundancy.html",
    script="labs/redundancy.js",
    queries=queries,
    samples=(replays.patterson_100_disks, replays.one_zone_three_placements),
    tasks={},
    heaviest=(
        {"d": 1_000, "g": 10, "c": 1, "mttf": 30_000, "mttr": 1},
        {
            "action": "sweep",
            "vary": "g",
            "values": [2, 4, 5, 8, 10, 20, 25, 40, 50, 100],
            "trials": 2_000,
        },
    ),
)
