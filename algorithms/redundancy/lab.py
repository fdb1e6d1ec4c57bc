"""The redundancy lab's engine: one array's timeline, and replicas over failure domains.

Patterson, Gibson and Katz, SIGMOD 1988 (the array and its closed form); Chen et al.,
ACM Computing Surveys 1994 (correlated failures, read errors during rebuild); Cidon et
al., USENIX ATC 2013 (copysets); Availability Zones and Regions as failure domains.

:class:`RedundancyEngine` follows the engine contract of :mod:`algorithms.engine`.
Each :meth:`~RedundancyEngine.step` advances the array's seeded time by
``hours_per_step`` and reports every disk failure, rebuild and data loss in that span.
Beside the array, ``items`` items have ``replicas`` replicas placed over a topology of
Regions, zones, racks and hosts; commands fail a rack, a zone, a Region or random
hosts and report which items lost every replica or their quorum.

Examples
--------
>>> engine = RedundancyEngine(RedundancyParams(mttf=2_000, mttr=20), seed=3)
>>> events = engine.step()
>>> events[0].kind in {"fail", "tick"}
True
>>> print(engine.apply({"action": "fail_domain", "level": "zone", "name": "R1a"})[0].text)
Zone R1a fails (20 hosts): with one replica per zone, 0 of 1,000 items lose every replica and 0 lose their quorum (a majority of 3).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import numpy as np

from algorithms.engine import (
    CommandError,
    Event,
    check_choice,
    check_fields,
    check_int,
    move,
)
from algorithms.redundancy.domains import (
    LEVELS,
    PLACEMENTS,
    Placement,
    place_replicas,
)
from algorithms.redundancy.outages import (
    DomainFailure,
    domain_loss_per_year,
    fail_hosts,
    lost_items,
)
from algorithms.redundancy.params import MAX_STEP_HOURS, RedundancyParams, check_placement_room
from algorithms.redundancy.raid import (
    HOURS_PER_YEAR,
    MAX_HOURS,
    array_mttdl,
    check_positive_hours,
    loss_probability,
)
from algorithms.redundancy.studies import RedundancyStudies
from algorithms.redundancy.timeline import (
    MAX_TIMELINE_EVENTS,
    ArrayTimeline,
    DiskEvent,
)

__all__ = ["DOMAIN_RATES", "RedundancyEngine", "RedundancyParams"]

JSON = dict[str, Any]

DOMAIN_RATES = {"rack": 0.1, "zone": 0.01, "region": 0.001}
"""Failures per domain per year behind the loss-per-year figures in the state."""

_PLACEMENT_WORDS = {
    "random": "with replicas on random hosts",
    "zones": "with one replica per zone",
    "regions": "with one replica per Region",
    "copysets": "with copysets (one host per zone)",
}


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


class RedundancyEngine(RedundancyStudies):
    """A disk array failing in seeded time, and replicas over failure domains.

    Commands
    --------
    ``fail_disk`` {disk}: a working disk fails now.
    ``fail_supply`` {supply}: a shared power supply fails now (needs ``supply_mttf``).
    ``run`` {hours}: advance the array by up to a year at once.
    ``fail_domain`` {level: rack|zone|region, name}: the domain's hosts go down.
    ``fail_hosts`` {count}: that many random hosts go down (a power outage).
    ``restore`` {}: every failed domain and host comes back.
    ``place`` {strategy, scatter?}: place the items again with another strategy.
    ``sweep``, ``blast``, and the look-ups ``inspect_item`` and ``inspect_group``: see
    :class:`~algorithms.redundancy.studies.RedundancyStudies`.

    Examples
    --------
    >>> engine = RedundancyEngine(RedundancyParams(placement="random"), seed=1)
    >>> out = engine.apply({"action": "fail_domain", "level": "rack", "name": "R1b-2"})
    >>> out[0].data["lost"] >= 0, engine.state()["domains"]["down_hosts"]
    (True, 5)
    >>> engine.apply({"action": "fail_disk", "disk": 99})
    Traceback (most recent call last):
    ...
    algorithms.engine.CommandError: disk must be an integer between 0 and 24, got 99
    """

    def __init__(self, params: RedundancyParams, seed: int) -> None:
        super().__init__(params, seed)
        p = params
        self.array = ArrayTimeline(
            p.d,
            p.g,
            p.c,
            p.mttf,
            p.mttr,
            self.rng.getrandbits(63),
            repair=p.repair,
            rebuilds=p.rebuilds,
            batch_cv=p.batch_cv,
            supply_mttf=p.supply_mttf or None,
            ure=p.ure,
            supply_layout=p.supply_layout,
        )
        self.topology = p.topology()
        self.placement = self._place(p.placement, p.scatter)
        self.down = np.zeros(self.topology.host_count, dtype=bool)
        self.failed: list[str] = []
        self.last_failure: DomainFailure | None = None

    # -- internals ---------------------------------------------------------------------

    def _place(self, strategy: str, scatter: int) -> Placement:
        placement = place_replicas(
            self.topology,
            self.params.items,
            self.params.replicas,
            strategy,
            self.rng.getrandbits(63),
            scatter=scatter,
        )
        # fixed for a placement: computed once, not on every frame
        self._replica_sets = placement.copyset_count()
        self._loss_per_year = {
            level: domain_loss_per_year(self.topology, placement, level, rate)
            for level, rate in DOMAIN_RATES.items()
        }
        return placement

    @staticmethod
    def _disk_event(e: DiskEvent) -> Event:
        data: JSON = {"time": e.time, "group": e.group, "disk": e.disk, "down": e.down}
        if e.cause:
            data["cause"] = e.cause
        return Event(e.kind, e.text, data)

    def _advance(self, hours: float) -> list[Event]:
        until = min(self.array.now + hours, MAX_HOURS)
        before = self.array.now
        out = [self._disk_event(e) for e in self.array.advance(until)]
        if self.array.full:
            text = (
                f"The timeline holds its {MAX_TIMELINE_EVENTS:,} events: time stops at "
                f"{self.array.now:,.0f} h."
            )
            out.append(Event("full", text, {"time": self.array.now}))
        elif not out:
            out.append(
                Event(
                    "tick",
                    f"From {before:,.0f} h to {until:,.0f} h no disk fails.",
                    {"time": until},
                )
            )
        return out

    def _outcome(self, result: DomainFailure, lead: str) -> list[Event]:
        self.last_failure = result
        n = self.params.replicas
        text = (
            f"{lead}: {_PLACEMENT_WORDS[self.placement.strategy]}, {result.lost:,} of "
            f"{result.items:,} items lose every replica and {result.no_quorum:,} lose their "
            f"quorum (a majority of {n})."
        )
        return [Event("domain_failure", text, result.to_json())]

    # -- commands ----------------------------------------------------------------------

    @move("fail_disk")
    def do_fail_disk(self, command: Mapping[str, Any]) -> list[Event]:
        """``fail_disk`` {disk}: a working disk of the array fails now."""
        check_fields(command, ("disk",))
        return [self._disk_event(e) for e in self.array.fail_disk(command["disk"])]

    @move("fail_supply")
    def do_fail_supply(self, command: Mapping[str, Any]) -> list[Event]:
        """``fail_supply`` {supply}: a shared power supply fails now."""
        check_fields(command, ("supply",))
        return [self._disk_event(e) for e in self.array.fail_supply(command["supply"])]

    @move("run")
    def do_run(self, command: Mapping[str, Any]) -> list[Event]:
        """``run`` {hours}: advance the array's time by ``hours`` (at most a year)."""
        check_fields(command, ("hours",))
        hours = check_positive_hours("hours", command["hours"], MAX_STEP_HOURS)
        if self.array.now >= MAX_HOURS or self.array.full:
            raise CommandError(
                "hours",
                command["hours"],
                f"must stay within {MAX_HOURS:,.0f} h and {MAX_TIMELINE_EVENTS:,} events",
            )
        return self._advance(hours)

    @move("fail_domain")
    def do_fail_domain(self, command: Mapping[str, Any]) -> list[Event]:
        """``fail_domain`` {level, name}: a rack, zone or Region fails with all its hosts."""
        check_fields(command, ("level", "name"))
        level = check_choice("level", command["level"], LEVELS)
        name = command["name"]
        names = self.topology.names(level)
        if not isinstance(name, str) or name not in names:
            raise CommandError(
                "name", name, f"must be a {level} of this topology ({names[0]} … {names[-1]})"
            )
        index = names.index(name)
        size = self.topology.domain_size(level)
        self.down[index * size : (index + 1) * size] = True
        self.failed.append(f"{level} {name}")
        word = {"rack": "Rack", "zone": "Zone", "region": "Region"}[level]
        return self._outcome(self._current(), f"{word} {name} fails ({_plural(size, 'host')})")

    @move("fail_hosts")
    def do_fail_hosts(self, command: Mapping[str, Any]) -> list[Event]:
        """``fail_hosts`` {count}: ``count`` random working hosts fail at once."""
        check_fields(command, ("count",))
        up = np.flatnonzero(~self.down)
        count = check_int("count", command["count"], 1, int(up.size) or 1)
        if not up.size:
            raise CommandError("count", command["count"], "needs a working host (all are down)")
        chosen = self.rng.sample(range(up.size), count)
        self.down[up[chosen]] = True
        self.failed.append(f"{count} random hosts")
        return self._outcome(self._current(), f"{_plural(count, 'random host')} fail at once")

    @move("restore")
    def do_restore(self, command: Mapping[str, Any]) -> list[Event]:
        """``restore`` {}: every failed domain and host is back."""
        check_fields(command, ())
        self.down[:] = False
        self.failed = []
        self.last_failure = None
        return [Event("restore", "Every failed rack, zone, Region and host is back.", {})]

    @move("place")
    def do_place(self, command: Mapping[str, Any]) -> list[Event]:
        """``place`` {strategy, scatter?}: place every item again (failures stay)."""
        check_fields(command, ("strategy",), ("scatter",))
        how = check_choice("strategy", command["strategy"], PLACEMENTS)
        scatter = check_int("scatter", command.get("scatter", self.params.scatter), 1, 20)
        check_placement_room(self.topology, self.params.replicas, how)
        self.placement = self._place(how, scatter)
        text = (
            f"The {self.params.items:,} items are placed again {_PLACEMENT_WORDS[how]}: "
            f"{self._replica_sets:,} distinct replica sets."
        )
        out = [Event("place", text, {"strategy": how})]
        if self.down.any():
            out += self._outcome(self._current(), "With the same hosts down")
        return out

    def _current(self) -> DomainFailure:
        return fail_hosts(self.placement, self.down, ", ".join(self.failed))

    # -- time and views ----------------------------------------------------------------

    def step(self) -> list[Event]:
        """Advance the array by ``hours_per_step``; ``[]`` once at a limit (time, events)."""
        if self.array.now >= MAX_HOURS or self.array.full:
            return []
        return self._advance(self.params.hours_per_step)

    def mttdl(self) -> float:
        """The closed-form MTTDL of this array, in hours (query for exercises)."""
        p = self.params
        return array_mttdl(p.d, p.g, p.c, p.mttf, p.mttr, rebuilds=p.rebuilds)

    def lost_items(self, zone: str) -> list[int]:
        """Items that lose every replica when ``zone`` fails (query for exercises)."""
        return lost_items(self.topology, self.placement, "zone", zone)

    def state(self) -> JSON:
        """The array's timeline and closed form; the placement and what is down."""
        mttdl = self.mttdl()
        now = self.array.now
        return {
            "array": self.array.to_json(),
            "closed_form": {
                "mttdl_hours": mttdl,
                "mttdl_years": mttdl / HOURS_PER_YEAR,
                "p_loss_by_now": loss_probability(now, mttdl) if now > 0 else 0.0,
            },
            "domains": {
                "topology": self.topology.to_json(),
                "placement": self.placement.strategy,
                "items": self.placement.items,
                "replicas": self.placement.replicas,
                "replica_sets": self._replica_sets,
                "failed": list(self.failed),
                "down_hosts": int(self.down.sum()),
                "last_failure": None if self.last_failure is None else self.last_failure.to_json(),
                "loss_per_year": copy.deepcopy(self._loss_per_year),
                "rates": dict(DOMAIN_RATES),
            },
            **self.studies_state(),
        }
