"""Branches: acting in the past keeps the old future as a branch of its own.

A session is a tree of lines: each branch shares its parent's steps up to its ``fork``
step and has its own after it. The timeline watches one branch and keeps the others
here, each with a few checkpoints (:data:`~.checkpoints.KEPT_PER_BRANCH`), so
switching back rebuilds any of their steps exactly. At most :data:`MAX_BRANCHES` are
kept; past that, the oldest one not being watched is dropped.

Examples
--------
>>> b = Branch(1, None, 0, {}, [], 0, Checkpoints(None, 256))
>>> b.row(current=True)
{'id': 1, 'parent': None, 'fork': 0, 'length': 0, 'current': True}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from algorithms.engine import Event, LabEngine, LabParams
from algorithms.recording.checkpoints import Checkpoints

__all__ = ["MAX_BRANCHES", "Branch"]

MAX_BRANCHES = 16
"""Branches a timeline keeps; past this, the oldest one not being watched is dropped."""

E = TypeVar("E", bound=LabEngine[LabParams])


@dataclass
class Branch(Generic[E]):
    """One line of the session: the steps it shares with its parent up to ``fork``."""

    id: int
    parent: int | None
    fork: int
    commands: dict[int, Mapping[str, Any]]
    events: list[list[Event]]
    length: int
    checkpoints: Checkpoints[E] = field(repr=False)

    def row(self, *, current: bool) -> dict[str, Any]:
        """The branch as the player lists it."""
        return {
            "id": self.id,
            "parent": self.parent,
            "fork": self.fork,
            "length": self.length,
            "current": current,
        }
