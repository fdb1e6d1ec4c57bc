"""The redundancy lab's studies: the MTTDL sweep, blast radius, and look-ups.

Patterson, Gibson and Katz, SIGMOD 1988, §5 (the closed form the sweep measures
against); the case for cells and shuffle sharding (:mod:`.cells`). These commands
run many arrays or many trials at once, so their results are kept in the engine's
state (and replayed from the recording) rather than recomputed on every frame.

:class:`RedundancyStudies` is a base of
:class:`~algorithms.redundancy.RedundancyEngine`: it declares the commands
``sweep``, ``blast``, ``inspect_item`` and ``inspect_group``.

Examples
--------
>>> from algorithms.redundancy import RedundancyEngine, RedundancyParams
>>> engine = RedundancyEngine(RedundancyParams(d=20, g=4, mttf=1_000, mttr=5), seed=2)
>>> out = engine.apply({"action": "sweep", "vary": "mttr", "values": [5, 10], "trials": 200})
>>> [round(row["closed"]) for row in engine.state()["sweep"]["rows"]]
[2000, 1000]
>>> out = engine.apply({"action": "blast", "customers": 500, "workers": 8, "cells": 4,
...                     "k": 2, "trials": 50})
>>> [r["strategy"] for r in engine.state()["blast"]["results"]]
['fleet', 'cells', 'shuffle']
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from algorithms.engine import (
    CommandError,
    Event,
    LabEngine,
    check_choice,
    check_fields,
    check_int,
    look_up,
    move,
)
from algorithms.redundancy.cells import MAX_SIM_WORKERS, blast_radius
from algorithms.redundancy.params import RedundancyParams
from algorithms.redundancy.raid import HOURS_PER_YEAR
from algorithms.redundancy.sweep import MAX_SWEEP_POINTS, SWEEPS, mttdl_sweep

__all__ = [
    "MAX_BLAST_TRIALS",
    "MAX_LAB_BLAST_WORK",
    "MAX_SWEEP_TRIALS",
    "RedundancyStudies",
    "default_sweep_values",
]

JSON = dict[str, Any]

MAX_SWEEP_TRIALS = 5_000
"""The most arrays simulated per point of a sweep from the lab."""

MAX_BLAST_TRIALS = 2_000
"""The most trials per strategy of a blast-radius simulation from the lab."""

MAX_LAB_BLAST_WORK = 10_000_000
"""The most ``trials × customers × workers`` of one ``blast`` (a few seconds of work)."""


def _share(x: float) -> str:
    """A share as a percentage, or in scientific notation when far below 0.01 %."""
    return f"{x:.3%}" if x == 0 or x >= 1e-4 else f"{x:.2e}"


_MTTR_STEPS = (0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000)


def default_sweep_values(vary: str, d: int, mttf: float) -> Sequence[float]:
    """The values a sweep takes when none are given.

    For ``g``: the divisors of ``D`` up to 100 (at most :data:`MAX_SWEEP_POINTS`); for
    ``mttr``: a 1-2-5 series of hours below ``MTTF / 10``.

    Examples
    --------
    >>> default_sweep_values("g", 100, 30_000)
    [1, 2, 4, 5, 10, 20, 25, 50, 100]
    >>> default_sweep_values("mttr", 20, 1_000)
    [0.5, 1, 2, 5, 10, 20, 50]
    """
    if check_choice("vary", vary, SWEEPS) == "g":
        return [g for g in range(1, min(d, 100) + 1) if d % g == 0][:MAX_SWEEP_POINTS]
    return [h for h in _MTTR_STEPS if h < mttf / 10] or [mttf / 20]


class RedundancyStudies(LabEngine[RedundancyParams]):
    """Sweeps, blast radius and look-ups of the redundancy lab (a base of its engine).

    ``sweep`` {vary: g|mttr, values?, trials?}: simulate the array at each value and
    keep measured MTTDL beside the closed form. ``blast`` {customers, workers, cells,
    k, trials}: one bad request against one big fleet, cells and shuffle sharding.
    ``inspect_item`` {item} and ``inspect_group`` {group}: look-ups.

    Examples
    --------
    >>> from algorithms.redundancy import RedundancyEngine, RedundancyParams
    >>> engine = RedundancyEngine(RedundancyParams(), seed=1)
    >>> print(engine.apply({"action": "inspect_item", "item": 7})[0].text)  # doctest: +ELLIPSIS
    Item 7 has replicas on hosts ...
    """

    sweep_result: JSON | None = None
    blast_result: JSON | None = None
    selected_item: int | None = None
    selected_group: int | None = None

    # supplied by the engine
    array: Any
    placement: Any
    down: Any

    @move("sweep")
    def do_sweep(self, command: Mapping[str, Any]) -> list[Event]:
        """``sweep`` {vary, values?, trials?}: measured MTTDL against the closed form."""
        check_fields(command, optional=("vary", "values", "trials"))
        if "vary" not in command:
            raise CommandError("vary", None, "is required by sweep")
        p = self.params
        vary = check_choice("vary", command["vary"], SWEEPS)
        values = command.get("values") or default_sweep_values(vary, p.d, p.mttf)
        trials = check_int("trials", command.get("trials", 1_000), 10, MAX_SWEEP_TRIALS)
        modes = {
            "repair": p.repair,
            "rebuilds": p.rebuilds,
            "batch_cv": p.batch_cv,
            "supply_mttf": p.supply_mttf or None,
            "ure": p.ure,
        }
        seed = self.rng.getrandbits(62)
        rows = mttdl_sweep(p.d, p.g, p.c, p.mttf, p.mttr, vary, values, trials, seed, **modes)
        correlated = bool(p.batch_cv or p.supply_mttf or p.ure)
        self.sweep_result = {"vary": vary, "trials": trials, "correlated": correlated, "rows": rows}
        over = [r["closed"] / r["measured"] for r in rows if r["measured"]]
        worst = max(over) if over else None
        text = (
            f"Swept {vary.upper() if vary == 'g' else 'MTTR'} over {len(rows)} value{'' if len(rows) == 1 else 's'}, "
            f"{trials:,} arrays each: "
            + (
                f"the closed form is up to {worst:,.1f} times the measured MTTDL."
                if worst is not None
                else "no array lost data in the time simulated."
            )
        )
        return [Event("sweep", text, {"vary": vary, "points": len(rows), "worst_ratio": worst})]

    @move("blast")
    def do_blast(self, command: Mapping[str, Any]) -> list[Event]:
        """``blast`` {customers, workers, cells, k, trials}: the blast radius of a bad request."""
        fields = ("customers", "workers", "cells", "k", "trials")
        check_fields(command, optional=fields)
        for key in fields:
            if key not in command:
                raise CommandError(key, None, "is required by blast")
        m = check_int("customers", command["customers"], 2, 100_000)
        n = check_int("workers", command["workers"], 2, MAX_SIM_WORKERS)
        cells = check_int("cells", command["cells"], 1, n)
        if n % cells:
            raise CommandError("cells", cells, f"must divide workers={n} (cells of equal size)")
        k = check_int("k", command["k"], 1, n)
        trials = check_int("trials", command["trials"], 1, MAX_BLAST_TRIALS)
        if trials * m * n > MAX_LAB_BLAST_WORK:
            raise CommandError(
                "trials",
                trials,
                f"must keep trials × customers × workers within {MAX_LAB_BLAST_WORK:,}",
            )
        seed = self.rng.getrandbits(62)
        results = [
            blast_radius(how, m, n, size, trials, seed + i).to_json()
            for i, (how, size) in enumerate((("fleet", 1), ("cells", cells), ("shuffle", k)))
        ]
        self.blast_result = {
            "customers": m,
            "workers": n,
            "cells": cells,
            "k": k,
            "results": results,
        }
        fleet, cell, shuffle = (r["affected"] for r in results)
        text = (
            f"One bad request among {m:,} customers on {n} workers takes down "
            f"{fleet:.0%} of the others in one big fleet, {cell:.1%} with {cells} cells "
            f"(exactly 1/{cells}), and {_share(shuffle)} with shuffle sharding on {k} of {n} "
            f"(exactly 1/C({n}, {k}) = {_share(results[2]['exact'])})."
        )
        return [Event("blast", text, {"affected": [fleet, cell, shuffle]})]

    @look_up("inspect_item", example={"action": "inspect_item", "item": 0})
    def do_inspect_item(self, command: Mapping[str, Any]) -> list[Event]:
        """``inspect_item`` {item}: show where an item's replicas are, and which are down."""
        check_fields(command, optional=("item",))
        item = check_int("item", command.get("item"), 0, self.placement.items - 1)
        self.selected_item = item
        view = self.item_view(item)
        where = ", ".join(f"{h['host']} (rack {h['rack']})" for h in view["replicas"])
        down = sum(h["down"] for h in view["replicas"])
        text = f"Item {item} has replicas on hosts {where}; {down} of them down."
        return [Event("inspect_item", text, view)]

    @look_up("inspect_group", example={"action": "inspect_group", "group": 0})
    def do_inspect_group(self, command: Mapping[str, Any]) -> list[Event]:
        """``inspect_group`` {group}: show one group's failures, rebuilds and losses."""
        check_fields(command, optional=("group",))
        groups = self.params.d // self.params.g
        group = check_int("group", command.get("group"), 0, groups - 1)
        self.selected_group = group
        view = self.group_view(group)
        text = (
            f"Group {group} (disks {view['disks'][0]} to {view['disks'][-1]}): "
            f"{view['failures']} failures and {view['losses']} data losses so far."
        )
        return [Event("inspect_group", text, view)]

    def item_view(self, item: int) -> JSON:
        """Where ``item``'s replicas are: host index, host, zone and whether it is down."""
        topo = self.placement.topology
        replicas = []
        for h in (int(x) for x in self.placement.hosts[item]):
            region, zone, rack = topo.locate(h)
            replicas.append(
                {
                    "host": h,
                    "region": region,
                    "zone": zone,
                    "rack": rack,
                    "down": bool(self.down[h]),
                }
            )
        return {"item": item, "replicas": replicas}

    def group_view(self, group: int) -> JSON:
        """One group's disks and its count of failures and losses so far."""
        n = self.params.g + self.params.c
        mine = [e for e in self.array.events if e.group == group]
        return {
            "group": group,
            "disks": list(range(group * n, group * n + n)),
            "failures": sum(e.kind == "fail" for e in mine),
            "losses": sum(e.kind == "loss" for e in mine),
            "years": self.array.now / HOURS_PER_YEAR,
        }

    def studies_state(self) -> JSON:
        """The kept results and the selections, for :meth:`state` (copies: a caller may
        edit what it gets)."""
        return {
            "sweep": copy.deepcopy(self.sweep_result),
            "blast": copy.deepcopy(self.blast_result),
            "selected_item": None
            if self.selected_item is None
            else self.item_view(self.selected_item),
            "selected_group": None
            if self.selected_group is None
            else self.group_view(self.selected_group),
        }
