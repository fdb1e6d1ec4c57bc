"""The documented maxima of the quorum library and the checks that enforce them.

Every public function of :mod:`algorithms.quorum` validates its arguments with these
helpers before doing any work, so a refused call allocates nothing and raises
:class:`algorithms.engine.CommandError` naming the field, the value and the rule.

Maxima
------
- ``N`` (replicas per key): 1 to :data:`MAX_N` = 1,000 for the closed forms of
  :mod:`algorithms.quorum.pbs`; 1 to :data:`MAX_N_SIMULATED` = 32 for the WARS Monte
  Carlo, whose work grows with ``trials * N``.
- ``R`` and ``W``: integers from 1 to ``N``.
- ``k`` (versions for k-staleness): 1 to :data:`MAX_K` = 100.
- ``trials``: 1 to :data:`MAX_TRIALS` = 2,000,000, and ``trials * N`` at most
  :data:`MAX_REPLICA_TRIALS` = 20,000,000 (so all 2,000,000 for ``N <= 10``, 625,000 for
  ``N = 32``): the Monte Carlo's work is proportional to ``trials * N``, and this caps
  one run at a few seconds of CPU.
- ``t`` (ms after the write committed): 0 to :data:`MAX_T_MS` = 100,000, and at most
  :data:`MAX_T_POINTS` = 1,000 values in one grid.

Examples
--------
>>> check_quorum(3, 2, 2)
(3, 2, 2)
>>> check_quorum(3, 4, 1)
Traceback (most recent call last):
...
algorithms.engine.CommandError: r must be an integer between 1 and N=3, got 4
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from algorithms.engine import CommandError, check_float, check_int

__all__ = [
    "MAX_K",
    "MAX_N",
    "MAX_N_SIMULATED",
    "MAX_REPLICA_TRIALS",
    "MAX_TRIALS",
    "MAX_T_MS",
    "MAX_T_POINTS",
    "check_quorum",
    "check_times",
    "check_trials",
    "is_scalar_time",
]

MAX_N = 1_000
MAX_N_SIMULATED = 32
MAX_K = 100
MAX_TRIALS = 2_000_000
MAX_REPLICA_TRIALS = 20_000_000
MAX_T_MS = 100_000.0
MAX_T_POINTS = 1_000


def check_quorum(n: object, r: object, w: object, max_n: int = MAX_N) -> tuple[int, int, int]:
    """Return ``(n, r, w)`` if ``1 <= n <= max_n`` and ``R`` and ``W`` are in ``1..N``.

    Parameters
    ----------
    n, r, w : int
        Replicas per key, read quorum and write quorum (Dynamo section 4.5).
    max_n : int
        The largest ``N`` allowed (:data:`MAX_N` unless the caller simulates).

    Returns
    -------
    tuple of int
        The three values, unchanged.

    Raises
    ------
    CommandError
        Naming the first value that breaks its rule.

    Examples
    --------
    >>> check_quorum(5, 0, 3)
    Traceback (most recent call last):
    ...
    algorithms.engine.CommandError: r must be an integer between 1 and N=5, got 0
    """
    n = check_int("n", n, 1, max_n)
    for name, value in (("r", r), ("w", w)):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= n:
            raise CommandError(name, value, f"must be an integer between 1 and N={n}")
    assert isinstance(r, int) and isinstance(w, int)
    return n, r, w


def check_trials(trials: object, n: int) -> int:
    """Return ``trials`` if it is 1 to :data:`MAX_TRIALS` and ``trials * n`` is in bounds.

    Examples
    --------
    >>> check_trials(1_000_000, 3)
    1000000
    >>> check_trials(1_000_000, 32)
    Traceback (most recent call last):
    ...
    algorithms.engine.CommandError: trials must be an integer between 1 and 625000 (20000000 replica-trials / N=32), got 1000000
    """
    cap = min(MAX_TRIALS, MAX_REPLICA_TRIALS // n)
    if cap < MAX_TRIALS:
        if isinstance(trials, bool) or not isinstance(trials, int) or not 1 <= trials <= cap:
            raise CommandError(
                "trials",
                trials,
                f"must be an integer between 1 and {cap} ({MAX_REPLICA_TRIALS} replica-trials / N={n})",
            )
        return trials
    return check_int("trials", trials, 1, MAX_TRIALS)


def check_times(t: object) -> list[float]:
    """Return the read start times ``t`` (a number or a sequence of numbers) as a list.

    Each time is in ms after the write committed, between 0 and :data:`MAX_T_MS`; a
    sequence holds 1 to :data:`MAX_T_POINTS` values.

    Examples
    --------
    >>> check_times(5)
    [5.0]
    >>> check_times([0, 1.5])
    [0.0, 1.5]
    >>> check_times([0, -1])
    Traceback (most recent call last):
    ...
    algorithms.engine.CommandError: t[1] must be a number between 0 and 100000 (ms after the write committed), got -1
    """
    rule = f"must be a number between 0 and {MAX_T_MS:.0f} (ms after the write committed)"
    if is_scalar_time(t):
        assert isinstance(t, int | float | np.integer | np.floating)
        if not math.isfinite(t) or not 0 <= t <= MAX_T_MS:
            raise CommandError("t", t, rule)
        return [float(t)]
    if isinstance(t, str | bytes) or not isinstance(t, Sequence | np.ndarray):
        raise CommandError("t", t, "must be a number or a sequence of numbers")
    values = list(t)
    if not 1 <= len(values) <= MAX_T_POINTS:
        raise CommandError(
            "t", f"{len(values)} values", f"must hold between 1 and {MAX_T_POINTS} values"
        )
    out = []
    for i, value in enumerate(values):
        if isinstance(value, np.integer | np.floating):
            value = value.item()
        try:
            out.append(check_float(f"t[{i}]", value, 0.0, MAX_T_MS))
        except CommandError:
            raise CommandError(f"t[{i}]", value, rule) from None
    return out


def is_scalar_time(t: object) -> bool:
    """Whether ``t`` is one number (Python or numpy, not a bool) rather than a grid.

    Examples
    --------
    >>> is_scalar_time(2.5), is_scalar_time([2.5]), is_scalar_time(True)
    (True, False, False)
    """
    return isinstance(t, int | float | np.integer | np.floating) and not isinstance(
        t, bool | np.bool_
    )
