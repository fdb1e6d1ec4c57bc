"""Narrated replays: Patterson's arithmetic for 100 disks, and one zone failing.

Each replay is data for the player: the engine's params and seed, an introduction, and
moves, a list of ``(command, caption)`` pairs where ``command`` is a
:class:`~algorithms.redundancy.RedundancyEngine` command or None for one step of time.
Every number a caption quotes is computed here, from the closed form or by running
the engine itself with the same params and seed, so the captions cannot drift from
what the replay shows.

Examples
--------
>>> numbers = patterson_arithmetic()
>>> numbers["no_redundancy_hours"], round(numbers["level3_g10"]["mttdl_hours"])
(300.0, 818182)
>>> replay = zone_failure_replay()
>>> [command["action"] for command, _ in replay["moves"] if command][:3]
['fail_domain', 'restore', 'place']
"""

from __future__ import annotations

from typing import Any

from algorithms.redundancy.lab import RedundancyEngine, RedundancyParams
from algorithms.redundancy.raid import HOURS_PER_YEAR, array_mttdl

__all__ = ["patterson_arithmetic", "patterson_replay", "zone_failure_replay"]

JSON = dict[str, Any]
Move = tuple[dict[str, Any] | None, str]

DISK_MTTF = 30_000.0
"""The paper's inexpensive disk (hours)."""

DISK_MTTR = 1.0
"""The paper's repair time (hours)."""

DISKS = 100


def patterson_arithmetic() -> JSON:
    """The numbers of Patterson et al.'s case for 100 inexpensive disks (§3, §5–§9).

    Returns a dict: ``no_redundancy_hours`` (``MTTF/100``: the first of 100 disks
    fails after 300 hours on average), and for mirrors (``level1``, G = 1, C = 1) and
    parity groups of 10 and 25 (``level3_g10``, ``level3_g25``, C = 1): the check
    disks, their overhead, the array's MTTDL in hours and in years.

    Examples
    --------
    >>> a = patterson_arithmetic()
    >>> a["level1"]["check_disks"], round(a["level1"]["mttdl_years"])
    (100, 514)
    >>> a["level3_g25"]["overhead"], round(a["level3_g25"]["mttdl_hours"])
    (0.04, 346154)
    """
    out: JSON = {
        "disk_mttf": DISK_MTTF,
        "mttr": DISK_MTTR,
        "disks": DISKS,
        "no_redundancy_hours": DISK_MTTF / DISKS,
        "no_redundancy_days": DISK_MTTF / DISKS / 24,
    }
    for key, g in (("level1", 1), ("level3_g10", 10), ("level3_g25", 25)):
        mttdl = array_mttdl(DISKS, g, 1, DISK_MTTF, DISK_MTTR)
        check = DISKS // g
        out[key] = {
            "g": g,
            "c": 1,
            "check_disks": check,
            "overhead": check / DISKS,
            "group_mttdl_hours": mttdl * (DISKS // g),
            "mttdl_hours": mttdl,
            "mttdl_years": mttdl / HOURS_PER_YEAR,
        }
    return out


def patterson_replay(seed: int = 1, months: int = 4) -> JSON:
    """Why a big array of cheap disks needs parity: the arithmetic, then months of it.

    The replay runs the paper's Level 3 array (100 data disks in groups of 10 with a
    parity disk each, MTTF 30,000 h, MTTR 1 h) a month per step; each month's caption
    counts the failures and rebuilds the engine produced.

    Examples
    --------
    >>> replay = patterson_replay()
    >>> replay["params"]["d"], len(replay["moves"])
    (100, 7)
    >>> print(replay["moves"][0][1])  # doctest: +ELLIPSIS
    One inexpensive disk fails on average every 30,000 hours. An array of 100 of them with no redundancy loses data at its first failure: after 300 hours on average, 12.5 days...
    """
    a = patterson_arithmetic()
    params = RedundancyParams(
        d=DISKS, g=10, c=1, mttf=DISK_MTTF, mttr=DISK_MTTR, hours_per_step=730.0
    )
    g10, g25, l1 = a["level3_g10"], a["level3_g25"], a["level1"]
    moves: list[Move] = [
        (
            None,
            f"One inexpensive disk fails on average every {DISK_MTTF:,.0f} hours. An array of "
            f"{DISKS} of them with no redundancy loses data at its first failure: after "
            f"{a['no_redundancy_hours']:,.0f} hours on average, {a['no_redundancy_days']:.1f} "
            "days. That is why a big array of cheap disks needs check disks.",
        ),
        (
            None,
            f"Mirroring every disk (RAID 1: G = 1, C = 1) costs {l1['check_disks']} extra disks "
            f"({l1['overhead']:.0%}) and gives MTTF² / (2·1·MTTR) per pair, over {DISKS} pairs: "
            f"{l1['mttdl_hours']:,.0f} hours, {l1['mttdl_years']:,.0f} years.",
        ),
        (
            None,
            f"This array has groups of G = 10 data disks and C = 1 parity disk: "
            f"{DISK_MTTF:,.0f}² / (11·10·{DISK_MTTR:g}) = {g10['group_mttdl_hours']:,.0f} "
            f"hours per group, over 10 groups {g10['mttdl_hours']:,.0f} hours, "
            f"{g10['mttdl_years']:.0f} years, for {g10['overhead']:.0%} extra disks. Groups "
            f"of 25 would cost {g25['overhead']:.0%} and give {g25['mttdl_hours']:,.0f} hours.",
        ),
    ]
    engine = RedundancyEngine(params, seed)
    for _ in range(3):
        engine.step()
    for month in range(4, 4 + months):
        events = engine.step()
        fails = sum(e.kind == "fail" for e in events)
        rebuilt = sum(e.kind == "rebuilt" for e in events)
        losses = sum(e.kind == "loss" for e in events)
        outcome = (
            "no group had a second disk down before its rebuild ended"
            if not losses
            else f"{losses} group{'s' if losses > 1 else ''} lost data"
        )
        moves.append(
            (
                None,
                f"Month {month}: {fails} disk{'s' if fails != 1 else ''} failed and "
                f"{rebuilt} {'was' if rebuilt == 1 else 'were'} rebuilt, each in about an "
                f"hour; {outcome}.",
            )
        )
    # the first three moves only narrate; their steps show the first three months
    return {
        "params": params.to_dict(),
        "seed": seed,
        "intro": "Patterson, Gibson and Katz (SIGMOD 1988): 100 inexpensive disks, "
        "each with an MTTF of 30,000 hours, and what check disks buy.",
        "moves": moves,
    }


def zone_failure_replay(seed: int = 1) -> JSON:
    """One Availability Zone failing under three placements of the same items.

    10,000 items with 3 replicas on 1 Region of 3 zones × 10 racks × 20 hosts: zone
    R1a fails with the replicas on random hosts, then one per zone, then on copysets.

    Examples
    --------
    >>> replay = zone_failure_replay()
    >>> print(replay["moves"][0][1])  # doctest: +ELLIPSIS
    Zone R1a fails (200 hosts): with replicas on random hosts, ... items lose every replica and ... lose their quorum (a majority of 3)...
    """
    params = RedundancyParams(
        regions=1, zones=3, racks=10, hosts=20, items=10_000, replicas=3, placement="random"
    )
    engine = RedundancyEngine(params, seed)
    fail = {"action": "fail_domain", "level": "zone", "name": "R1a"}
    restore = {"action": "restore"}
    moves: list[Move] = []
    notes = {
        "random": "Random hosts ignore the zones: {lost:,} items happened to have all three "
        "replicas in R1a.",
        "zones": "With one replica in each zone a zone failure takes one replica of every "
        "item: nothing is lost and every item keeps a majority.",
        "copysets": "Copysets place each item on one of a few fixed sets of three hosts in "
        "three zones: the zone failure costs one replica of each, as one per zone does.",
    }
    for strategy in ("random", "zones", "copysets"):
        if strategy != "random":
            text = engine.apply({"action": "place", "strategy": strategy})[0].text
            moves.append(({"action": "place", "strategy": strategy}, text))
        event = engine.apply(fail)[0]
        note = notes[strategy].format(lost=event.data["lost"])
        moves.append((fail, f"{event.text} {note}"))
        engine.apply(restore)
        moves.append((restore, "The zone comes back."))
    return {
        "params": params.to_dict(),
        "seed": seed,
        "intro": "Availability Zones have separate power, cooling and networks: one zone "
        "failing is a failure of every host in it at once. What it loses depends only on "
        "where the replicas are.",
        "moves": moves,
    }
