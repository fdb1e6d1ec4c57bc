"""Disk arrays failing and being rebuilt over years: a seeded Monte Carlo simulation.

Patterson, Gibson and Katz, SIGMOD 1988, §5 give the mean time to data loss of an
array when disk failures are independent and exponential; Chen et al., ACM Computing
Surveys 1994, §3.4, show what happens when they are not. :func:`simulate_array` runs
many arrays at once and measures both.

How it works. The groups of an array fail independently of each other (unless a mode
below couples them), so each group is simulated on its own, all groups of all trials
side by side in numpy arrays. A group spends most of its life whole. From whole, its
next failure comes after an exponential time with mean ``MTTF/n`` (``n = G + C``).
Most failures are repaired before any other disk of the group fails (a *quiet*
repair); only the rare *busy* repairs, where a second disk fails in the meantime (or,
with ``C = 1`` and ``ure``, the rebuild hits a read error), can lose data. The number of quiet repairs before the next busy one is geometric, and
the time they take is a sum of exponentials (a gamma variable) plus their repair
times, so a group jumps from busy repair to busy repair. Busy repairs are then
played out failure by failure until the group is whole again or has more than ``C``
disks down (data loss). This is exact for the model, not an approximation, and costs
time only for the busy repairs.

Failure modes that break independence (Chen et al. 1994, §3.4):

- ``batch_cv``: the disks of one array come from one manufacturing batch, and the
  batch's failure rate is the paper's ``1/MTTF`` times a gamma-distributed factor of
  mean 1 and coefficient of variation ``batch_cv``. Every batch has the same mean
  MTTF, but a bad batch fails many disks close together.
- ``supply_mttf``: each group hangs on one power supply and controller (a string);
  when it fails, every disk of the group is down at once and the check disks cannot
  cover it. The group's data is lost (or at least unavailable) at that moment.
- ``ure``: the probability that a rebuild with no redundancy left (``C`` disks down)
  hits an unrecoverable read error on a surviving disk; see
  :func:`algorithms.redundancy.rebuild_read_error_probability`.

Examples
--------
>>> from algorithms.redundancy.raid import array_mttdl, loss_probability
>>> result = simulate_array(100, 10, 1, 30_000, 1, 87_600, 2_000, seed=1)
>>> result.losses, round(result.fraction_lost, 4), round(result.mean_time_to_loss)
(190, 0.095, 45602)
>>> closed = loss_probability(87_600, array_mttdl(100, 10, 1, 30_000, 1))
>>> lo, hi = result.interval()
>>> lo < closed < hi
True
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from algorithms.engine import CommandError, check_choice, check_float, check_int, check_seed
from algorithms.redundancy.raid import (
    REBUILDS,
    check_array,
    check_hours,
    check_positive_hours,
)

__all__ = [
    "MAX_FAILURES_PER_GROUP",
    "MAX_GROUP_TRIALS",
    "MAX_TRIALS",
    "REPAIRS",
    "ArraySimulation",
    "simulate_array",
    "wilson_interval",
]

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

MAX_TRIALS = 100_000
"""The most arrays one simulation may run."""

MAX_GROUP_TRIALS = 2_000_000
"""The most groups in one simulation (trials × D/G)."""

MAX_FAILURES_PER_GROUP = 10_000.0
"""The most disk failures a group may expect within ``hours`` (``(G+C)·hours/MTTF``)."""

REPAIRS = ("exponential", "fixed")
"""Repair times: exponential with mean MTTR, or exactly MTTR."""

MAX_BATCH_CV = 3.0
"""The largest coefficient of variation of a batch's failure rate."""

_MAX_BATCH_FACTOR = 100.0  # a batch at most 100 times worse than the mean: bounds the loops


def wilson_interval(successes: int, trials: int, z: float = 2.576) -> tuple[float, float]:
    """Wilson score interval for a proportion (``z = 2.576``: 99 %).

    Examples
    --------
    >>> lo, hi = wilson_interval(50, 100, z=1.96)
    >>> round(lo, 3), round(hi, 3)
    (0.404, 0.596)
    """
    k = check_int("successes", successes, 0, 2**62)
    n = check_int("trials", trials, 1, 2**62)
    if k > n:
        raise CommandError("successes", successes, f"must be at most trials={n}")
    zz = check_float("z", z, 0.0, 10.0)
    p = k / n
    denom = 1 + zz * zz / n
    centre = (p + zz * zz / (2 * n)) / denom
    half = zz * math.sqrt(p * (1 - p) / n + zz * zz / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class ArraySimulation:
    """What a simulation of many arrays measured.

    Attributes
    ----------
    fraction_lost : float
        Share of the trials that lost data within ``hours``.
    mean_time_to_loss : float or None
        Mean time to the first loss, in hours, among the trials that lost data
        (None if none did).
    trials, losses : int
        Arrays simulated, and how many lost data.
    hours : float
        The simulated span.
    total_hours : float
        Time the arrays ran without loss, summed (each trial until its first loss
        or ``hours``): the exposure for :attr:`mttdl`.

    Unpacks as the pair ``(fraction_lost, mean_time_to_loss)``.

    Examples
    --------
    >>> sim = ArraySimulation(0.25, 500.0, 100, 25, 1_000.0, 87_500.0)
    >>> fraction, mean = sim
    >>> fraction, mean, sim.mttdl
    (0.25, 500.0, 3500.0)
    >>> [round(x, 3) for x in sim.interval(z=1.96)]
    [0.175, 0.343]
    """

    fraction_lost: float
    mean_time_to_loss: float | None
    trials: int
    losses: int
    hours: float
    total_hours: float

    def __iter__(self) -> Iterator[float | None]:
        """``fraction_lost`` then ``mean_time_to_loss``: the pair the lab reports."""
        return iter((self.fraction_lost, self.mean_time_to_loss))

    @property
    def mttdl(self) -> float | None:
        """Measured mean time to data loss: exposure over losses (None without a loss).

        The maximum-likelihood estimate of an exponential mean from times cut off at
        ``hours``; it is what is plotted against the closed form.
        """
        return self.total_hours / self.losses if self.losses else None

    def interval(self, z: float = 2.576) -> tuple[float, float]:
        """Wilson interval (99 % by default) of :attr:`fraction_lost`."""
        return wilson_interval(self.losses, self.trials, z)

    def to_json(self) -> dict[str, Any]:
        """The figures as a JSON object."""
        lo, hi = self.interval()
        return {
            "fraction_lost": self.fraction_lost,
            "interval": [lo, hi],
            "mean_time_to_loss": self.mean_time_to_loss,
            "mttdl": self.mttdl,
            "trials": self.trials,
            "losses": self.losses,
            "hours": self.hours,
        }


def simulate_array(
    d: int,
    g: int,
    c: int,
    mttf: float,
    mttr: float,
    hours: float,
    trials: int,
    seed: int,
    *,
    repair: str = "exponential",
    rebuilds: str = "serial",
    batch_cv: float = 0.0,
    supply_mttf: float | None = None,
    ure: float = 0.0,
) -> ArraySimulation:
    """Simulate ``trials`` arrays for ``hours``; measure how many lose data, and when.

    Each array has ``D`` data disks in ``D/G`` groups of ``G`` data and ``C`` check
    disks (Patterson et al. 1988); a group loses data when more than ``C`` of its
    disks are down at once. Disks fail independently at rate ``1/MTTF`` (unless a
    correlated mode is set) and a failed disk is replaced and rebuilt in ``MTTR``.
    The defaults (exponential repairs, one rebuild at a time per group) are the model
    under which :func:`algorithms.redundancy.array_mttdl` is the first-order answer
    for every ``C``; with ``C = 1`` the repair model does not matter to first order.

    Parameters
    ----------
    d, g, c, mttf, mttr
        As in :func:`algorithms.redundancy.array_mttdl` (same rules).
    hours : float
        Simulated span, above 0 and at most :data:`algorithms.redundancy.MAX_HOURS`.
    trials : int
        Arrays simulated, 1 to :data:`MAX_TRIALS`; also ``trials · D/G`` at most
        :data:`MAX_GROUP_TRIALS`.
    seed : int
        Seeds ``numpy.random.default_rng``.
    repair : {"exponential", "fixed"}
        Repair times exponential with mean ``mttr``, or exactly ``mttr``.
    rebuilds : {"serial", "parallel"}
        A group rebuilds one failed disk at a time, or all at once.
    batch_cv : float
        0 (independent disks) to 3: the spread of the batch's failure rate.
    supply_mttf : float or None
        MTTF in hours of the power supply and controller each group shares (at most
        ``MAX_MTTF``); None for no shared part.
    ure : float
        0 to 1: the probability that a rebuild with no redundancy left fails on an
        unrecoverable read error.

    Returns
    -------
    ArraySimulation
        ``fraction_lost`` and ``mean_time_to_loss`` (hours) among the arrays that lost
        data, with the counts and the measured MTTDL.

    Raises
    ------
    CommandError
        For any value outside its range, naming the value and the rule; also when the
        work would pass :data:`MAX_GROUP_TRIALS` or :data:`MAX_FAILURES_PER_GROUP`.

    Examples
    --------
    RAID 5 with G = 4 on short-lived disks: measured against the closed form.

    >>> from algorithms.redundancy.raid import array_mttdl, loss_probability
    >>> sim = simulate_array(8, 4, 1, 1_000, 1, 25_000, 4_000, seed=3)
    >>> closed = loss_probability(25_000, array_mttdl(8, 4, 1, 1_000, 1))
    >>> lo, hi = sim.interval()
    >>> lo < closed < hi
    True
    >>> simulate_array(8, 4, 1, 1_000, 1, 25_000, 10**6, seed=3)
    Traceback (most recent call last):
    ...
    algorithms.engine.CommandError: trials must be an integer between 1 and 100000, got 1000000
    """
    d_, g_, c_, mttf_, mttr_ = check_array(d, g, c, mttf, mttr)
    hours_ = check_hours(hours)
    trials_ = check_int("trials", trials, 1, MAX_TRIALS)
    seed_ = check_seed(seed)
    repair_ = check_choice("repair", repair, REPAIRS)
    rebuilds_ = check_choice("rebuilds", rebuilds, REBUILDS)
    cv = check_float("batch_cv", batch_cv, 0.0, MAX_BATCH_CV)
    supply = None if supply_mttf is None else check_positive_hours("supply_mttf", supply_mttf, 1e7)
    ure_ = check_float("ure", ure, 0.0, 1.0)
    groups = d_ // g_
    if trials_ * groups > MAX_GROUP_TRIALS:
        raise CommandError(
            "trials",
            trials,
            f"must keep trials × D/G (D/G = {groups}) within {MAX_GROUP_TRIALS:,} groups",
        )
    n = g_ + c_
    factor_max = _MAX_BATCH_FACTOR if cv > 0 else 1.0
    if n * hours_ / mttf_ > MAX_FAILURES_PER_GROUP:
        raise CommandError(
            "hours",
            hours,
            f"must keep (G+C)·hours/MTTF, the failures a group expects, within "
            f"{MAX_FAILURES_PER_GROUP:,.0f} (MTTF={mttf_}, G+C={n})",
        )

    rng = np.random.default_rng(seed_)
    if cv > 0:
        shape = 1.0 / (cv * cv)
        batch = np.minimum(rng.gamma(shape, 1.0 / shape, trials_), factor_max)
        batch = np.maximum(batch, 1e-9)
    else:
        batch = np.ones(trials_)
    lam = np.repeat(batch / mttf_, groups)
    loss = _group_losses(rng, lam, n, c_, mttr_, hours_, repair_, rebuilds_, ure_)
    if supply is not None:
        loss = np.minimum(loss, rng.exponential(supply, loss.size))
    first = loss.reshape(trials_, groups).min(axis=1)
    lost = first <= hours_
    losses = int(lost.sum())
    mean = float(first[lost].mean()) if losses else None
    exposure = float(np.minimum(first, hours_).sum())
    return ArraySimulation(losses / trials_, mean, trials_, losses, hours_, exposure)


def _group_losses(
    rng: np.random.Generator,
    lam: Floats,
    n: int,
    c: int,
    mttr: float,
    hours: float,
    repair: str,
    rebuilds: str,
    ure: float,
) -> Floats:
    """Time of each group's first data loss (``inf`` if none within ``hours``)."""
    m = lam.size
    loss = np.full(m, np.inf)
    now = np.zeros(m)  # the group is whole at this time
    active = np.arange(m)
    mu = 1.0 / mttr
    while active.size:
        rate = lam[active]
        others = (n - 1) * rate
        # another failure within the repair (fixed), or before it ends (exponential)
        second = -np.expm1(-others * mttr) if repair == "fixed" else others / (others + mu)
        busy = 1 - (1 - second) * (1 - ure) if c == 1 else second
        # quiet repairs before the next busy one: geometric, drawn by inversion in
        # floats so that a tiny probability cannot overflow an integer
        uniform = 1.0 - rng.random(active.size)  # in (0, 1]: its log is finite
        quiet = np.floor(np.log(uniform) / np.log1p(-np.minimum(busy, 1 - 1e-16)))
        quiet = np.where(busy >= 1, 0.0, quiet)
        up = rng.gamma(quiet + 1, 1.0 / (n * rate))
        if repair == "fixed":
            repairing = quiet * mttr
        else:
            repairing = rng.gamma(np.maximum(quiet, 1e-300), 1.0 / (others + mu))
            repairing = np.where(quiet > 0, repairing, 0.0)
        start = now[active] + up + repairing
        inside = start <= hours
        active, start, rate, others, second, busy = (
            x[inside] for x in (active, start, rate, others, second, busy)
        )
        if not active.size:
            break
        # when the second failure comes, given that it comes during the repair
        u = rng.random(active.size)
        if repair == "fixed":
            gap = -np.log1p(-u * second) / others
        else:
            gap = rng.exponential(1.0 / (others + mu))
        if c == 1:
            read_error = rng.random(active.size) * busy < ure
            when = np.where(read_error, start, start + gap)
            hit = when <= hours
            loss[active[hit]] = when[hit]
            break
        end, lost_at = _busy_repair(rng, start, gap, rate, n, c, mttr, hours, repair, rebuilds, ure)
        hit = lost_at <= hours
        loss[active[hit]] = lost_at[hit]
        again = ~hit & (end < hours)
        now[active[again]] = end[again]
        active = active[again]
    return loss


def _busy_repair(
    rng: np.random.Generator,
    start: Floats,
    gap: Floats,
    rate: Floats,
    n: int,
    c: int,
    mttr: float,
    hours: float,
    repair: str,
    rebuilds: str,
    ure: float,
) -> tuple[Floats, Floats]:
    """Play out busy repairs (``c >= 2``), failure by failure.

    A disk failed at ``start`` and a second one at ``start + gap`` during its repair.
    Returns, per group, the time it is whole again and the time it lost data (``inf``
    for whichever did not happen, or past ``hours``).
    """
    m = start.size
    ends = np.full((m, c), np.inf)  # repair completion of each disk down
    t = start + gap

    def duration(k: int) -> Floats:
        return np.full(k, mttr) if repair == "fixed" else rng.exponential(mttr, k)

    if repair == "fixed":
        ends[:, 0] = start + mttr
    else:  # memoryless: the first repair still has a mean MTTR to go
        ends[:, 0] = t + rng.exponential(mttr, m)
    ends[:, 1] = (ends[:, 0] if rebuilds == "serial" else t) + duration(m)
    down = np.full(m, 2)
    whole = np.full(m, np.inf)
    lost = np.full(m, np.inf)
    if c == 2 and ure > 0:
        read_error = rng.random(m) < ure
        lost[read_error] = t[read_error]
    running = np.isinf(lost)
    while running.any():
        idx = np.flatnonzero(running)
        k = idx.size
        next_fail = t[idx] + rng.exponential(1.0, k) / ((n - down[idx]) * rate[idx])
        first_end = ends[idx].min(axis=1)
        fail = next_fail < first_end
        # a failure: more than C down is data loss, else the disk joins the repairs
        f = idx[fail]
        when = next_fail[fail]
        over = down[f] == c
        lost[f[over]] = when[over]
        f, when = f[~over], when[~over]
        if f.size:
            row = ends[f]
            col = np.argmax(np.isinf(row), axis=1)
            latest = np.where(np.isinf(row), -np.inf, row).max(axis=1)
            begin = np.maximum(latest, when) if rebuilds == "serial" else when
            ends[f, col] = begin + duration(f.size)
            down[f] += 1
            t[f] = when
            if ure > 0:
                exposed = f[(down[f] == c) & (rng.random(f.size) < ure)]
                lost[exposed] = t[exposed]
        # a repair completes: one disk fewer down; none down means whole again
        r = idx[~fail]
        if r.size:
            col = np.argmin(ends[r], axis=1)
            t[r] = ends[r, col]
            ends[r, col] = np.inf
            down[r] -= 1
            done = r[down[r] == 0]
            whole[done] = t[done]
        running = np.isinf(lost) & np.isinf(whole) & (t <= hours)
    return whole, lost
