"""Checkpoints: copies of an engine at chosen steps, so a seek re-runs only a few steps.

A checkpoint is taken with :func:`copy.deepcopy` and restored with another one, so a
checkpoint shares nothing mutable with the live engine in either direction: whatever
the live engine (or a caller holding its state) does afterwards, a seek back rebuilds
the step exactly. Checkpoints themselves are never changed once taken, so branches of
one session share those before their fork.

Memory stays bounded however long the recording: past :data:`MAX_CHECKPOINTS` copies
every other one is dropped and the spacing doubles.

Examples
--------
>>> from algorithms.engine import Event, LabEngine, LabParams
>>> class Tally(LabEngine[LabParams]):
...     def __init__(self, params, seed):
...         super().__init__(params, seed)
...         self.seen = []
...     def step(self):
...         self.seen.append(len(self.seen))
...         return [Event("tick", "Tick.")]
...     def state(self):
...         return {"seen": list(self.seen)}
>>> live = Tally(LabParams(), seed=1)
>>> copies = Checkpoints(live, spacing=2)
>>> for position in (1, 2, 3, 4):
...     _ = live.step(); copies.keep(position, live)
>>> sorted(copies), live.seen.clear()
([0, 2, 4], None)
>>> base, engine = copies.restore(3)
>>> base, engine.state()
(2, {'seen': [0, 1]})
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Generic, TypeVar

from algorithms.engine import LabEngine, LabParams

__all__ = ["KEPT_PER_BRANCH", "MAX_CHECKPOINTS", "Checkpoints"]

MAX_CHECKPOINTS = 32
"""Engine copies the watched branch keeps. Past it, every other one is dropped and the
spacing doubles: memory stays bounded however long the recording, and a seek re-runs
at most a few spacings (under the caller's step check)."""

KEPT_PER_BRANCH = 4
"""Engine copies a branch keeps while another is watched."""

E = TypeVar("E", bound=LabEngine[LabParams])


class Checkpoints(Generic[E]):
    """Engine copies by step; step 0 is always kept.

    Parameters
    ----------
    first : LabEngine
        The engine at step 0 (copied, not kept).
    spacing : int
        Keep a copy every this many steps (doubled whenever the copies thin out).
    """

    def __init__(self, first: E | None, spacing: int) -> None:
        self._copies: dict[int, E] = {} if first is None else {0: copy.deepcopy(first)}
        self.spacing = spacing

    def __len__(self) -> int:
        return len(self._copies)

    def __iter__(self) -> Iterator[int]:
        return iter(sorted(self._copies))

    def keep(self, position: int, engine: E) -> None:
        """Copy ``engine`` (which is at ``position``) if a checkpoint is due there."""
        if position % self.spacing == 0 and position not in self._copies:
            self._copies[position] = copy.deepcopy(engine)
            if len(self._copies) > MAX_CHECKPOINTS:
                self._copies = self._thinned(MAX_CHECKPOINTS // 2)
                self.spacing *= 2

    def restore(self, step: int) -> tuple[int, E]:
        """The nearest checkpoint at or before ``step``: its step and a fresh copy of it."""
        base = max(i for i in self._copies if i <= step)
        return base, copy.deepcopy(self._copies[base])

    def up_to(self, step: int) -> Checkpoints[E]:
        """The checkpoints at or before ``step`` (shared: checkpoints never change)."""
        return self._with({i: cp for i, cp in self._copies.items() if i <= step})

    def thinned(self, keep: int) -> Checkpoints[E]:
        """At most about ``keep`` checkpoints, evenly spread; step 0 always stays.

        Examples
        --------
        >>> copies = Checkpoints[LabEngine[LabParams]](None, spacing=100)
        >>> copies._copies = dict.fromkeys(range(0, 800, 100))  # type: ignore[arg-type]
        >>> list(copies.thinned(4))
        [0, 200, 400, 600]
        """
        return self._with(self._thinned(keep))

    def _thinned(self, keep: int) -> dict[int, E]:
        steps = sorted(self._copies)
        if len(steps) <= keep:
            return dict(self._copies)
        stride = -(-len(steps) // keep)
        kept = {0, *steps[::stride]}
        return {i: self._copies[i] for i in sorted(kept)}

    def _with(self, copies: dict[int, E]) -> Checkpoints[E]:
        other: Checkpoints[E] = Checkpoints(None, self.spacing)
        other._copies = copies
        return other
