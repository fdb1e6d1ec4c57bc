"""Measured mean time to data loss against the closed form, over a sweep of G or MTTR.

Patterson, Gibson and Katz, SIGMOD 1988, §5: the array's MTTDL falls as the groups
grow (``(G+C)(G+C−1)`` in the denominator, divided by ``D/G`` groups) and as repairs
get slower (``MTTR``, or ``MTTR^C`` with ``C`` check disks). :func:`mttdl_sweep`
simulates each point with :func:`algorithms.redundancy.simulate_array` and returns
the measured MTTDL, its interval and the closed form side by side: the rows of the
lab's MTTDL chart.

Each point runs long enough to see losses: ``hours`` is twice the closed-form MTTDL,
capped by :data:`algorithms.redundancy.MAX_HOURS` and by the failures a group may
expect (:data:`algorithms.redundancy.MAX_FAILURES_PER_GROUP`).

Examples
--------
>>> rows = mttdl_sweep(100, 10, 1, 30_000, 1, "g", [5, 10, 25], trials=500, seed=1)
>>> [row["g"] for row in rows]
[5, 10, 25]
>>> all(row["low"] < row["closed"] < row["high"] for row in rows)
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from algorithms.engine import CommandError, check_choice, check_float, check_int, check_seed
from algorithms.redundancy.raid import MAX_HOURS, array_mttdl, check_array
from algorithms.redundancy.simulate import MAX_FAILURES_PER_GROUP, simulate_array

__all__ = ["MAX_SWEEP_POINTS", "SWEEPS", "mttdl_interval", "mttdl_sweep"]

SWEEPS = ("g", "mttr")
"""What a sweep varies: the group size or the repair time."""

MAX_SWEEP_POINTS = 20
"""The most points in one sweep."""


def mttdl_interval(exposure: float, losses: int, z: float = 2.576) -> tuple[float, float]:
    """Interval of an exponential mean measured as ``exposure / losses``.

    The loss count is Poisson, so ``log(MTTDL)`` has standard error about
    ``1/sqrt(losses)``: the interval is ``exposure/losses · exp(±z/sqrt(losses))``
    (99 % by default). Without a loss it is ``(exposure / z², inf)``, a one-sided bound.

    Examples
    --------
    >>> lo, hi = mttdl_interval(1_000.0, 100, z=1.96)
    >>> round(lo, 2), round(hi, 2)
    (8.22, 12.17)
    """
    t = check_float("exposure", exposure, 0.0, math.inf)
    k = check_int("losses", losses, 0, 2**62)
    zz = check_float("z", z, 0.0, 10.0)
    if k == 0:
        return (t / (zz * zz) if zz else 0.0), math.inf
    mean = t / k
    spread = math.exp(zz / math.sqrt(k))
    return mean / spread, mean * spread


def mttdl_sweep(
    d: int,
    g: int,
    c: int,
    mttf: float,
    mttr: float,
    vary: str,
    values: Sequence[float],
    trials: int,
    seed: int,
    **modes: Any,
) -> list[dict[str, Any]]:
    """Simulate an array at each value of G or MTTR; measured MTTDL next to the closed form.

    Parameters
    ----------
    d, g, c, mttf, mttr
        The array (rules of :func:`algorithms.redundancy.check_array`); the swept
        parameter's own value is replaced by each of ``values``.
    vary : {"g", "mttr"}
    values : sequence
        1 to :data:`MAX_SWEEP_POINTS` values of ``g`` (dividing ``d``) or ``mttr``.
    trials, seed
        Per point, as in :func:`algorithms.redundancy.simulate_array` (the points use
        seeds ``seed, seed + 1, …``).
    **modes
        ``repair``, ``rebuilds``, ``batch_cv``, ``supply_mttf``, ``ure`` as in
        :func:`algorithms.redundancy.simulate_array`; the closed form uses
        ``rebuilds`` too.

    Returns
    -------
    list of dict
        Per point: ``g``, ``mttr``, ``hours``, ``closed`` (hours), ``measured`` (None
        without a loss), ``low``, ``high`` (99 % interval), ``losses``, ``trials``.

    Examples
    --------
    >>> rows = mttdl_sweep(20, 10, 1, 1_000, 1, "mttr", [1, 2, 4], trials=300, seed=2)
    >>> [round(row["closed"]) for row in rows]
    [4545, 2273, 1136]
    """
    how = check_choice("vary", vary, SWEEPS)
    if isinstance(values, str) or not isinstance(values, Sequence) or not values:
        raise CommandError("values", values, "must be a non-empty list of numbers")
    if len(values) > MAX_SWEEP_POINTS:
        raise CommandError("values", len(values), f"must have at most {MAX_SWEEP_POINTS} points")
    base_seed = check_seed(seed)
    rebuilds = modes.get("rebuilds", "serial")
    rows = []
    for i, value in enumerate(values):
        d_, g_, c_, mttf_, mttr_ = check_array(
            d, value if how == "g" else g, c, mttf, value if how == "mttr" else mttr
        )
        closed = array_mttdl(d_, g_, c_, mttf_, mttr_, rebuilds=rebuilds)
        cap = MAX_FAILURES_PER_GROUP * mttf_ / (g_ + c_)
        hours = min(2 * closed, MAX_HOURS, cap)
        sim = simulate_array(d_, g_, c_, mttf_, mttr_, hours, trials, base_seed + i, **modes)
        low, high = mttdl_interval(sim.total_hours, sim.losses)
        rows.append(
            {
                "g": g_,
                "mttr": mttr_,
                "hours": hours,
                "closed": closed,
                "measured": sim.mttdl,
                "low": low,
                "high": high,
                "losses": sim.losses,
                "trials": sim.trials,
            }
        )
    return rows
