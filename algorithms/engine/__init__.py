"""The engine contract every lab follows.

An engine is a deterministic state machine built from ``(params, seed)``. The user
drives it with commands (:meth:`LabEngine.apply`), time advances with
:meth:`LabEngine.step`, and :meth:`LabEngine.state` gives a JSON-ready picture for
the view. Every change is reported as :class:`Event` objects whose ``text`` is one
plain sentence in the paper's terms: it is what the event log shows and what a
screen reader reads.

Refused input raises :class:`CommandError` (a ``ValueError``) naming the field, the
value and the rule. Engines validate a command completely before they change
anything, so a refused command leaves the engine exactly as it was.

Examples
--------
>>> check_int("vnodes", 8, 1, 512)
8
>>> check_int("vnodes", 0, 1, 512)
Traceback (most recent call last):
...
algorithms.engine.CommandError: vnodes must be an integer between 1 and 512, got 0

The contract is split by concept: :mod:`algorithms.engine.checks` (the refusals),
:mod:`algorithms.engine.commands` (events and command declarations),
:mod:`algorithms.engine.memo` (pictures kept per version) and
:mod:`algorithms.engine.contract` (:class:`LabParams` and the generic
:class:`LabEngine`). Import everything from here.
"""

from __future__ import annotations

from algorithms.engine.checks import (
    NAME_MAX,
    CommandError,
    check_bool,
    check_choice,
    check_fields,
    check_float,
    check_int,
    check_name,
    check_names,
    check_seed,
)
from algorithms.engine.commands import Command, Event, look_up, move
from algorithms.engine.contract import LabEngine, LabParams
from algorithms.engine.memo import MemoCache, json_copy

__all__ = [
    "NAME_MAX",
    "Command",
    "CommandError",
    "Event",
    "LabEngine",
    "LabParams",
    "MemoCache",
    "check_bool",
    "check_choice",
    "check_fields",
    "check_float",
    "check_int",
    "check_name",
    "check_names",
    "check_seed",
    "json_copy",
    "look_up",
    "move",
]
