"""Disk arrays: Patterson, Gibson and Katz's closed form for the mean time to data loss.

Patterson, Gibson and Katz, "A Case for Redundant Arrays of Inexpensive Disks (RAID)",
SIGMOD 1988, §5: ``D`` data disks are split into ``D/G`` groups of ``G`` data disks,
each group with ``C`` check disks. With independent, exponentially distributed disk
lifetimes (mean ``MTTF``) and a repair time ``MTTR`` much shorter than ``MTTF``, a
group loses data when one more disk fails than its check disks can cover, before the
repair is over. The paper's formula for ``C = 1`` (RAID 1 is ``G = 1, C = 1``;
RAID 3, 4 and 5 have ``C = 1``)::

    MTTF_group = MTTF² / ((G+C)(G+C−1)·MTTR)        MTTF_array = MTTF_group / (D/G)

and, for ``C = 2`` (RAID 6), the analogous third-order form derived in
:func:`group_mttdl`. Chen, Lee, Gibson, Katz and Patterson, "RAID: High-Performance,
Reliable Secondary Storage", ACM Computing Surveys 26(2), 1994, §3.4, add what the
formula leaves out: correlated failures and unrecoverable read errors during a
rebuild (:func:`rebuild_read_error_probability`, and :mod:`.simulate`).

Examples
--------
>>> round(array_mttdl(100, 10, 1, 30_000, 1))
818182
>>> round(array_mttdl(100, 1, 1, 30_000, 1))
4500000
"""

from __future__ import annotations

import math

from algorithms.engine import CommandError, check_choice, check_float, check_int

__all__ = [
    "HOURS_PER_YEAR",
    "MAX_C",
    "MAX_D",
    "MAX_G",
    "MAX_HOURS",
    "MAX_MTTF",
    "REBUILDS",
    "array_mttdl",
    "check_array",
    "check_hours",
    "check_positive_hours",
    "group_mttdl",
    "loss_probability",
    "rebuild_read_error_probability",
]

HOURS_PER_YEAR = 8_760
"""Hours in a (365-day) year, the unit the paper's tables convert to."""

MAX_D = 10_000
"""The most data disks in an array."""

MAX_G = 100
"""The most data disks in a group."""

MAX_C = 3
"""The most check disks per group (1: RAID 1 and 3–5; 2: RAID 6; 3: triple parity)."""

MAX_MTTF = 10_000_000.0
"""The longest disk MTTF, in hours (over 1,000 years)."""

MAX_HOURS = 1_000_000.0
"""The longest simulated time, in hours (over 110 years)."""

REBUILDS = ("serial", "parallel")
"""How a group rebuilds several failed disks: one at a time, or all at once."""


def check_positive_hours(name: str, value: object, hi: float) -> float:
    """Return ``value`` as a float if it is a number of hours above 0 and at most ``hi``.

    Examples
    --------
    >>> check_positive_hours("mttr", 0, 10.0)
    Traceback (most recent call last):
    ...
    algorithms.engine.CommandError: mttr must be a number of hours above 0 and at most 10.0, got 0
    """
    rule = f"must be a number of hours above 0 and at most {hi}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CommandError(name, value, rule)
    if not math.isfinite(value) or not 0 < value <= hi:
        raise CommandError(name, value, rule)
    return float(value)


def check_hours(value: object, name: str = "hours") -> float:
    """Return a simulated time span in hours: above 0, at most :data:`MAX_HOURS`.

    Examples
    --------
    >>> check_hours(87_600)
    87600.0
    """
    return check_positive_hours(name, value, MAX_HOURS)


def check_array(
    d: object, g: object, c: object, mttf: object, mttr: object
) -> tuple[int, int, int, float, float]:
    """Validate an array's shape and disk times; return them typed.

    Rules: ``1 <= d <= MAX_D``; ``1 <= g <= min(d, MAX_G)`` and ``g`` divides ``d``
    (the paper's ``D/G`` groups); ``1 <= c <= MAX_C``; ``0 < mttf <= MAX_MTTF`` hours;
    ``0 < mttr < mttf`` hours (a repair as long as a disk's life repairs nothing).

    Raises
    ------
    CommandError
        Naming the field, the value and the rule.

    Examples
    --------
    >>> check_array(100, 10, 1, 30_000, 1)
    (100, 10, 1, 30000.0, 1.0)
    >>> check_array(100, 7, 1, 30_000, 1)
    Traceback (most recent call last):
    ...
    algorithms.engine.CommandError: g must divide d=100 (the array has D/G groups of G data disks), got 7
    >>> check_array(100, 10, 1, 30_000, 30_000)
    Traceback (most recent call last):
    ...
    algorithms.engine.CommandError: mttr must be less than mttf=30000.0 hours, got 30000
    """
    d_ = check_int("d", d, 1, MAX_D)
    g_ = check_int("g", g, 1, min(d_, MAX_G))
    if d_ % g_:
        raise CommandError("g", g, f"must divide d={d_} (the array has D/G groups of G data disks)")
    c_ = check_int("c", c, 1, MAX_C)
    mttf_ = check_positive_hours("mttf", mttf, MAX_MTTF)
    mttr_ = check_positive_hours("mttr", mttr, MAX_MTTF)
    if mttr_ >= mttf_:
        raise CommandError("mttr", mttr, f"must be less than mttf={mttf_} hours")
    return d_, g_, c_, mttf_, mttr_


def group_mttdl(g: int, c: int, mttf: float, mttr: float, *, rebuilds: str = "serial") -> float:
    """Mean time to data loss of one group of ``G`` data and ``C`` check disks, in hours.

    Derivation (``n = G + C`` disks, each failing at rate ``1/MTTF``, ``MTTR ≪ MTTF``).
    A group with all disks working has its first failure at rate ``n/MTTF``. It
    loses data only if ``C`` more disks fail before it is whole again:

    - ``C = 1`` (the paper): the second failure must come from the ``n − 1``
      survivors during the repair, probability ``(n−1)·MTTR/MTTF``. Losses happen at
      rate ``n/MTTF · (n−1)·MTTR/MTTF``, hence ``MTTF² / (n(n−1)·MTTR)``. Only the
      mean repair time matters here.
    - ``C = 2``: after a second failure (probability ``(n−1)·MTTR/MTTF``) two disks
      are down, and a third failure among the ``n − 2`` others while both are down
      loses data. If rebuilds run one at a time and repair times are exponential, the
      rebuild under way still has a mean ``MTTR`` to go (memorylessness), so that
      window has mean ``MTTR`` and the third failure has probability
      ``(n−2)·MTTR/MTTF``. The loss rate is ``n(n−1)(n−2)·MTTR²/MTTF³``, hence
      ``MTTF³ / (n(n−1)(n−2)·MTTR²)``, the analogous third-order form.
    - In general, ``MTTF^(C+1) / (n(n−1)…(n−C)·MTTR^C)`` (``rebuilds="serial"``).

    With ``rebuilds="parallel"`` every failed disk is rebuilt at once. Then ``k``
    disks down leave that state at ``k`` times the rate (exponential repairs), or,
    with fixed repair times, the ``C`` later failures must all fall within ``MTTR``
    of the first, an ordered ``C``-tuple of volume ``MTTR^C / C!``: either way the
    mean time to data loss is ``C!`` times longer (the same for ``C = 1``).

    All of these are first-order in ``MTTR/MTTF``; the simulation in
    :func:`algorithms.redundancy.simulate_array` shows where they hold.

    Parameters
    ----------
    g, c : int
        Data and check disks in the group (validated as in :func:`check_array`).
    mttf, mttr : float
        A disk's mean time to failure and the repair time, in hours.
    rebuilds : {"serial", "parallel"}

    Examples
    --------
    >>> round(group_mttdl(10, 1, 30_000, 1))  # 30,000² / (11·10·1)
    8181818
    >>> group_mttdl(10, 2, 30_000, 1) == 30_000**3 / (12 * 11 * 10 * 1**2)
    True
    >>> group_mttdl(10, 2, 30_000, 1, rebuilds="parallel") / group_mttdl(10, 2, 30_000, 1)
    2.0
    """
    _, g_, c_, mttf_, mttr_ = check_array(g, g, c, mttf, mttr)
    mode = check_choice("rebuilds", rebuilds, REBUILDS)
    n = g_ + c_
    ways = math.prod(n - j for j in range(c_ + 1))
    mttdl = mttf_ ** (c_ + 1) / (ways * mttr_**c_)
    return mttdl * math.factorial(c_) if mode == "parallel" else mttdl


def array_mttdl(
    d: int, g: int, c: int, mttf: float, mttr: float, *, rebuilds: str = "serial"
) -> float:
    """Mean time to data loss of an array, in hours: the group's over ``D/G`` groups.

    Patterson, Gibson and Katz 1988, §5 (Level 1, 3, 4, 5 tables): the groups fail
    independently, so the array loses data ``D/G`` times as often as one group. See
    :func:`group_mttdl` for the group (and the third-order form for ``C = 2``).

    Parameters
    ----------
    d, g, c : int
        Data disks (1 to :data:`MAX_D`), data disks per group (1 to :data:`MAX_G`,
        dividing ``d``), check disks per group (1 to :data:`MAX_C`).
    mttf, mttr : float
        Hours; ``0 < mttr < mttf <= MAX_MTTF``.
    rebuilds : {"serial", "parallel"}
        See :func:`group_mttdl`.

    Returns
    -------
    float
        Hours.

    Examples
    --------
    The paper's Level 3 array: 100 data disks of MTTF 30,000 hours in groups of 10
    with one parity disk each, repaired in an hour: over 90 years.

    >>> mttdl = array_mttdl(100, 10, 1, 30_000, 1)
    >>> round(mttdl), round(mttdl / HOURS_PER_YEAR)
    (818182, 93)
    >>> array_mttdl(100, 10, 0, 30_000, 1)
    Traceback (most recent call last):
    ...
    algorithms.engine.CommandError: c must be an integer between 1 and 3, got 0
    """
    d_, g_, c_, mttf_, mttr_ = check_array(d, g, c, mttf, mttr)
    return group_mttdl(g_, c_, mttf_, mttr_, rebuilds=rebuilds) / (d_ // g_)


def loss_probability(hours: float, mttdl: float) -> float:
    """Probability of at least one data loss within ``hours``: ``1 − exp(−hours/MTTDL)``.

    Losses of an array whose MTTDL is long against its repairs form (very nearly) a
    Poisson process, so the time to the first loss is exponential with mean MTTDL.

    Examples
    --------
    >>> round(loss_probability(87_600, array_mttdl(100, 10, 1, 30_000, 1)), 4)
    0.1015
    """
    hours_ = check_hours(hours)
    mttdl_ = check_float("mttdl", mttdl, 0.0, math.inf)
    if mttdl_ <= 0:
        raise CommandError("mttdl", mttdl, "must be above 0 hours")
    return -math.expm1(-hours_ / mttdl_)


def rebuild_read_error_probability(
    disks_read: int, disk_bytes: float, bit_error_rate: float
) -> float:
    """Probability that a rebuild hits an unrecoverable read error (URE).

    Chen et al. 1994, §3.4.2: rebuilding a failed disk reads every surviving disk of
    its group in full. If the group has no redundancy left (one disk down with
    ``C = 1``), a single unreadable sector loses data. With one URE per
    ``1/bit_error_rate`` bits read, the rebuild reads ``disks_read · disk_bytes · 8``
    bits and fails with probability ``1 − (1 − ber)^bits``.

    Parameters
    ----------
    disks_read : int
        Surviving disks read by the rebuild (``G + C − 1`` for one failed disk), 1 to
        ``MAX_G + MAX_C``.
    disk_bytes : float
        Capacity of one disk in bytes, above 0 and at most 10¹⁵.
    bit_error_rate : float
        Unrecoverable errors per bit read, 0 to 10⁻⁶ (disks quote 10⁻¹⁴ or 10⁻¹⁵).

    Examples
    --------
    Ten surviving 1 TB disks at 10⁻¹⁴: more than half of the rebuilds fail.

    >>> round(rebuild_read_error_probability(10, 1e12, 1e-14), 3)
    0.551
    """
    n = check_int("disks_read", disks_read, 1, MAX_G + MAX_C)
    size = check_float("disk_bytes", disk_bytes, 0.0, 1e15)
    if size <= 0:
        raise CommandError("disk_bytes", disk_bytes, "must be above 0 bytes")
    ber = check_float("bit_error_rate", bit_error_rate, 0.0, 1e-6)
    return -math.expm1(n * size * 8 * math.log1p(-ber))
