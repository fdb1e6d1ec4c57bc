"""One disk array's timeline: every failure, rebuild window and data loss, in order.

Patterson, Gibson and Katz, SIGMOD 1988, §5; Chen et al., ACM Computing Surveys 1994,
§3.4. Where :func:`algorithms.redundancy.simulate_array` measures many arrays at once,
:class:`ArrayTimeline` plays one array disk by disk, as a discrete-event simulation
ordered by (time, sequence number): a disk fails after an exponential lifetime, is
replaced and rebuilt (in ``MTTR``, or an exponential time of mean ``MTTR``; one disk
at a time per group, or all at once), and a group loses data when a failure finds
``C`` of its disks already down. The same failure modes as the simulation are
available (a batch rate factor, a shared supply per group, unrecoverable read errors
during a rebuild with no redundancy left), and one more: supplies laid *across* the
groups (orthogonal RAID), so that a supply failure costs each group one disk. After a loss the group's data is restored
from elsewhere and the array carries on, so a long timeline can show several losses.

Disks are numbered ``0 .. n·D/G − 1`` group after group: disks ``j·n .. j·n + n − 1``
form group ``j`` (``n = G + C``); the last ``C`` of each group are its check disks.

Examples
--------
>>> t = ArrayTimeline(10, 5, 1, 1_000, 50, seed=4)
>>> events = t.advance(2_000)
>>> sorted({e.kind for e in events})
['fail', 'loss', 'rebuilt']
>>> print(next(e for e in events if e.kind == "loss").text)
At 191 h disk 4 fails while disk 3 of group 0 is still being rebuilt: more than C = 1 disk down, so the group loses data.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, field
from typing import Any

from algorithms.engine import CommandError, check_choice, check_float, check_int, check_seed
from algorithms.redundancy.raid import (
    MAX_HOURS,
    REBUILDS,
    check_array,
    check_positive_hours,
)
from algorithms.redundancy.simulate import MAX_BATCH_CV, REPAIRS

__all__ = [
    "MAX_TIMELINE_DISKS",
    "MAX_TIMELINE_EVENTS",
    "SUPPLY_LAYOUTS",
    "ArrayTimeline",
    "DiskEvent",
]

SUPPLY_LAYOUTS = ("group", "orthogonal")
"""One supply per group, or one supply per position across the groups."""

MAX_TIMELINE_DISKS = 1_200
"""The most disks (data and check) in one timeline."""

MAX_TIMELINE_EVENTS = 20_000
"""The most events one timeline records; :meth:`ArrayTimeline.advance` stops there."""

SHOWN_WINDOWS = 500
""":meth:`ArrayTimeline.to_json` shows the latest this many rebuild windows."""

SHOWN_EVENTS = 100
""":meth:`ArrayTimeline.to_json` shows the latest this many events (frames carry them all)."""


@dataclass(frozen=True)
class DiskEvent:
    """One thing that happened to the array.

    ``kind`` is ``fail``, ``rebuilt``, ``loss``, ``supply`` (a supply fails) or
    ``power`` (an orthogonal supply is replaced); ``disk`` is None for a supply event;
    ``group`` is -1 for an event of the whole array (an orthogonal supply); ``down``
    is the number of the group's disks down just after; ``cause`` says why data was
    lost (``failures``, ``read_error``, ``supply``).

    Examples
    --------
    >>> DiskEvent("fail", 12.5, 0, 3, 1, "Disk 3 fails.").to_json()["disk"]
    3
    """

    kind: str
    time: float
    group: int
    disk: int | None
    down: int
    text: str
    cause: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The event as a JSON object."""
        return {
            "kind": self.kind,
            "time": self.time,
            "group": self.group,
            "disk": self.disk,
            "down": self.down,
            "text": self.text,
            "cause": self.cause,
        }


@dataclass
class _Group:
    down: set[int] = field(default_factory=set)
    dark: set[int] = field(default_factory=set)  # without power (orthogonal supplies)
    queue_end: float = 0.0  # when the last queued rebuild finishes (serial rebuilds)
    losses: int = 0


def _hours(t: float) -> str:
    return f"{t:,.0f} h" if t >= 10 else f"{t:,.2f} h"


class ArrayTimeline:
    """An array of ``D/G`` groups of ``G + C`` disks, failing and rebuilt in seeded time.

    Parameters
    ----------
    d, g, c, mttf, mttr
        As in :func:`algorithms.redundancy.array_mttdl`; at most
        :data:`MAX_TIMELINE_DISKS` disks in all.
    seed : int
        Seeds the timeline's own ``random.Random``.
    repair, rebuilds, batch_cv, supply_mttf, ure
        As in :func:`algorithms.redundancy.simulate_array`. With ``batch_cv > 0`` the
        batch's rate factor is drawn once, at the start.
    supply_layout : {"group", "orthogonal"}
        ``group``: each group's ``G + C`` disks share one power supply and controller,
        whose failure the group's check disks cannot cover (as in
        :func:`~algorithms.redundancy.simulate_array`). ``orthogonal`` (Chen et al.
        1994, §3.4.3, orthogonal RAID): there are ``G + C`` supplies and supply ``j``
        powers disk ``j`` of every group, so a supply failure darkens one disk per
        group until the supply is replaced (a repair time) and the check disks cover
        it. The same number of shared parts, put across the groups instead of along
        them.

    Examples
    --------
    >>> t = ArrayTimeline(4, 4, 1, 10_000, 10, seed=1, repair="fixed")
    >>> e = t.fail_disk(2)
    >>> print(e[0].text)
    At 0.00 h disk 2 of group 0 fails: 1 of the group's disks is down, within what its C = 1 check disk can cover; the rebuild ends at 10 h.
    >>> [x.kind for x in t.advance(20)][:1]
    ['rebuilt']
    """

    def __init__(
        self,
        d: int,
        g: int,
        c: int,
        mttf: float,
        mttr: float,
        seed: int,
        *,
        repair: str = "exponential",
        rebuilds: str = "serial",
        batch_cv: float = 0.0,
        supply_mttf: float | None = None,
        ure: float = 0.0,
        supply_layout: str = "group",
    ) -> None:
        self.d, self.g, self.c, self.mttf, self.mttr = check_array(d, g, c, mttf, mttr)
        self.n = self.g + self.c
        self.groups = self.d // self.g
        if self.n * self.groups > MAX_TIMELINE_DISKS:
            raise CommandError(
                "d",
                d,
                f"must keep the array within {MAX_TIMELINE_DISKS:,} disks "
                f"(D/G groups of G+C disks) for a timeline",
            )
        self.seed = check_seed(seed)
        self.repair = check_choice("repair", repair, REPAIRS)
        self.rebuilds = check_choice("rebuilds", rebuilds, REBUILDS)
        cv = check_float("batch_cv", batch_cv, 0.0, MAX_BATCH_CV)
        self.supply_mttf = (
            None if supply_mttf is None else check_positive_hours("supply_mttf", supply_mttf, 1e7)
        )
        self.ure = check_float("ure", ure, 0.0, 1.0)
        self.supply_layout = check_choice("supply_layout", supply_layout, SUPPLY_LAYOUTS)
        self.rng = random.Random(self.seed)
        self.batch_factor = 1.0
        if cv > 0:
            shape = 1.0 / (cv * cv)
            self.batch_factor = min(max(self.rng.gammavariate(shape, 1.0 / shape), 1e-9), 100.0)
        self.now = 0.0
        self.events: list[DiskEvent] = []
        self.windows: list[dict[str, Any]] = []  # every rebuild: disk, group, start, end
        self._groups = [_Group() for _ in range(self.groups)]
        self._heap: list[tuple[float, int, str, int]] = []
        self._seq = 0
        self._alive_since = [0.0] * (self.n * self.groups)
        self._generation = [0] * (self.n * self.groups)  # cancels a dead disk's failure
        self._supply_generation = [0] * max(self.groups, self.n)
        for disk in range(self.n * self.groups):
            self._schedule_failure(disk, 0.0)
        if self.supply_mttf is not None:
            supplies = self.groups if self.supply_layout == "group" else self.n
            for supply in range(supplies):
                self._schedule_supply(supply, 0.0)

    # -- the queue ---------------------------------------------------------------------

    def _push(self, time: float, kind: str, who: int) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (time, self._seq, kind, who))

    def _schedule_failure(self, disk: int, start: float) -> None:
        self._generation[disk] += 1
        life = self.rng.expovariate(self.batch_factor / self.mttf)
        self._seq += 1
        heapq.heappush(
            self._heap, (start + life, self._seq, f"fail:{self._generation[disk]}", disk)
        )

    def _schedule_supply(self, supply: int, start: float) -> None:
        """Schedule the supply's next failure; any earlier one no longer applies."""
        assert self.supply_mttf is not None
        self._supply_generation[supply] += 1
        life = self.rng.expovariate(1.0 / self.supply_mttf)
        self._push(start + life, f"supply:{self._supply_generation[supply]}", supply)

    def _repair_time(self) -> float:
        return self.mttr if self.repair == "fixed" else self.rng.expovariate(1.0 / self.mttr)

    # -- the rules ---------------------------------------------------------------------

    def group_of(self, disk: int) -> int:
        """The group a disk belongs to."""
        return disk // self.n

    def _fail(self, disk: int, t: float) -> list[DiskEvent]:
        group = self.group_of(disk)
        state = self._groups[group]
        self._generation[disk] += 1  # its scheduled failure no longer applies
        others = sorted(state.down | state.dark)
        begin = max(t, state.queue_end) if self.rebuilds == "serial" else t
        end = begin + self._repair_time()
        state.queue_end = max(state.queue_end, end)
        state.down.add(disk)
        self._push(end, "rebuilt", disk)
        self.windows.append({"disk": disk, "group": group, "start": t, "end": end})
        out = []
        down = len(state.down | state.dark)
        if down > self.c:
            state.losses += 1
            listed = ", ".join(str(x) for x in others)
            why = "still being rebuilt" if not state.dark else "still down"
            text = (
                f"At {_hours(t)} disk {disk} fails while disk{'s' if len(others) > 1 else ''} "
                f"{listed} of group {group} {'are' if len(others) > 1 else 'is'} {why}: "
                f"more than C = {self.c} disk{'s' if self.c > 1 else ''} down, so "
                "the group loses data."
            )
            out.append(DiskEvent("loss", t, group, disk, down, text, "failures"))
        else:
            text = (
                f"At {_hours(t)} disk {disk} of group {group} fails: {down} of the group's "
                f"disks {'is' if down == 1 else 'are'} down, within what its C = {self.c} "
                f"check disk{'s' if self.c > 1 else ''} can cover; the rebuild ends at "
                f"{_hours(end)}."
            )
            out.append(DiskEvent("fail", t, group, disk, down, text))
            if down == self.c and self.ure > 0 and self.rng.random() < self.ure:
                state.losses += 1
                text = (
                    f"At {_hours(t)} the rebuild of group {group} reads every surviving disk "
                    "with no redundancy left and hits an unrecoverable read error: the "
                    "sector is lost."
                )
                out.append(DiskEvent("loss", t, group, disk, down, text, "read_error"))
        return out

    def _rebuilt(self, disk: int, t: float) -> DiskEvent:
        group = self.group_of(disk)
        state = self._groups[group]
        state.down.discard(disk)
        self._schedule_failure(disk, t)
        down = len(state.down | state.dark)
        text = (
            f"At {_hours(t)} disk {disk} of group {group} is rebuilt on a new disk; "
            f"{down} of the group's disks remain down."
        )
        return DiskEvent("rebuilt", t, group, disk, down, text)

    def _supply(self, who: int, t: float) -> list[DiskEvent]:
        if self.supply_layout == "orthogonal":
            return self._string_down(who, t)
        group = who
        state = self._groups[group]
        state.losses += 1
        self._schedule_supply(group, t)
        text = (
            f"At {_hours(t)} the power supply and controller shared by group {group} "
            f"fails: all {self.n} disks go dark at once, which no number of check disks "
            "inside the group can cover: the group's data is lost."
        )
        return [
            DiskEvent("supply", t, group, None, self.n, text),
            DiskEvent("loss", t, group, None, self.n, text, "supply"),
        ]

    def _string_down(self, supply: int, t: float) -> list[DiskEvent]:
        """Supply ``supply`` fails: disk ``supply`` of every group is dark until replaced."""
        back = t + self._repair_time()
        self._supply_generation[supply] += 1  # no failure while it is out
        self._push(back, "power", supply)
        text = (
            f"At {_hours(t)} power supply {supply} fails: disk {supply} of each of the "
            f"{self.groups} groups goes dark until {_hours(back)}, one disk per group."
        )
        out = [DiskEvent("supply", t, -1, None, 1, text)]
        for group, state in enumerate(self._groups):
            disk = group * self.n + supply
            counted = disk in state.down or disk in state.dark
            state.dark.add(disk)
            down = len(state.down | state.dark)
            if not counted and down > self.c:
                state.losses += 1
                loss = (
                    f"At {_hours(t)} group {group} loses disk {disk} to the supply failure "
                    f"while {down - 1} of its disks {'is' if down == 2 else 'are'} already "
                    f"down: more than C = {self.c}, so the group loses data."
                )
                out.append(DiskEvent("loss", t, group, disk, down, loss, "supply"))
        return out

    def _power_back(self, supply: int, t: float) -> DiskEvent:
        for group, state in enumerate(self._groups):
            state.dark.discard(group * self.n + supply)
        self._schedule_supply(supply, t)
        text = f"At {_hours(t)} power supply {supply} is replaced: its disks are back."
        return DiskEvent("power", t, -1, None, 0, text)

    # -- driving it --------------------------------------------------------------------

    def advance(self, until: float) -> list[DiskEvent]:
        """Run every event up to time ``until`` (hours); return them in order.

        Stops early, at the event before, once :data:`MAX_TIMELINE_EVENTS` are recorded.
        """
        end = check_float("until", until, 0.0, MAX_HOURS)
        out: list[DiskEvent] = []
        while self._heap and self._heap[0][0] <= end:
            if len(self.events) + len(out) >= MAX_TIMELINE_EVENTS:
                self.events.extend(out)
                return out
            t, _, kind, who = heapq.heappop(self._heap)
            if kind.startswith("fail:"):
                if int(kind[5:]) != self._generation[who]:
                    continue
                out.extend(self._fail(who, t))
            elif kind == "rebuilt":
                out.append(self._rebuilt(who, t))
            elif kind == "power":
                out.append(self._power_back(who, t))
            elif int(kind[7:]) == self._supply_generation[who]:  # "supply:<generation>"
                out.extend(self._supply(who, t))
        self.now = max(self.now, end)
        self.events.extend(out)
        return out

    def fail_disk(self, disk: int) -> list[DiskEvent]:
        """Fail ``disk`` now (a user's action); a disk already down is refused."""
        total = self.n * self.groups
        disk_ = check_int("disk", disk, 0, total - 1)
        if self.full:
            raise CommandError(
                "disk", disk, f"cannot fail: the timeline holds its {MAX_TIMELINE_EVENTS:,} events"
            )
        if disk_ in self._groups[self.group_of(disk_)].down:
            raise CommandError("disk", disk, "must be a working disk (it is being rebuilt)")
        out = self._fail(disk_, self.now)
        self.events.extend(out)
        return out

    def fail_supply(self, supply: int) -> list[DiskEvent]:
        """Fail a power supply now (a user's action): group ``supply``'s own supply, or
        (orthogonal) the supply of disk ``supply`` in every group.

        Examples
        --------
        >>> t = ArrayTimeline(8, 4, 1, 30_000, 10, seed=1, supply_mttf=100_000, supply_layout="orthogonal")
        >>> [e.kind for e in t.fail_supply(0)], [e.kind for e in t.fail_supply(1)]
        (['supply'], ['supply', 'loss', 'loss'])
        """
        if self.supply_mttf is None:
            raise CommandError(
                "supply", supply, "needs supply_mttf: this array has no shared supply"
            )
        supplies = self.groups if self.supply_layout == "group" else self.n
        who = check_int("supply", supply, 0, supplies - 1)
        if self.full:
            raise CommandError(
                "supply",
                supply,
                f"cannot fail: the timeline holds its {MAX_TIMELINE_EVENTS:,} events",
            )
        if self.supply_layout == "orthogonal" and any(
            g * self.n + who in s.dark for g, s in enumerate(self._groups)
        ):
            raise CommandError("supply", supply, "must be a working supply (it is being replaced)")
        out = self._supply(who, self.now)
        self.events.extend(out)
        return out

    def first_loss(self, hours: float) -> float | None:
        """Run to ``hours`` and return the time of the first loss (None without one)."""
        self.advance(hours)
        return next((e.time for e in self.events if e.kind == "loss"), None)

    def down(self) -> list[list[int]]:
        """The disks down in each group now (failed, or dark for want of power)."""
        return [sorted(s.down | s.dark) for s in self._groups]

    def losses(self) -> list[int]:
        """Data losses so far, per group."""
        return [s.losses for s in self._groups]

    @property
    def full(self) -> bool:
        """True once :data:`MAX_TIMELINE_EVENTS` events are recorded: time stops."""
        return len(self.events) >= MAX_TIMELINE_EVENTS

    def to_json(self) -> dict[str, Any]:
        """The array, its latest rebuild windows and events, JSON-ready."""
        return {
            "d": self.d,
            "g": self.g,
            "c": self.c,
            "mttf": self.mttf,
            "mttr": self.mttr,
            "now": self.now,
            "batch_factor": self.batch_factor,
            "supply_layout": self.supply_layout if self.supply_mttf is not None else None,
            "down": self.down(),
            "losses": self.losses(),
            "rebuild_windows": [dict(w) for w in self.windows[-SHOWN_WINDOWS:]],
            "rebuild_count": len(self.windows),
            "events": [e.to_json() for e in self.events[-SHOWN_EVENTS:]],
            "event_count": len(self.events),
            "full": self.full,
        }
