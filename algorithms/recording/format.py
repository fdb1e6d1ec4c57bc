"""The recording: everything needed to rebuild a session, and its export format.

A session is ``(lab, params, seed, commands, length)``: ``commands`` is a list of
``(step_index, command)`` pairs and every other step up to ``length`` is a tick of the
engine. Because engines are deterministic, this is all a replay needs.

Examples
--------
>>> Recording("counter", {}, 1, (), 0).to_json()["commands"]
[]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from algorithms.engine import CommandError, check_int, check_seed

__all__ = ["MAX_COMMAND_BYTES", "MAX_STEPS", "Recording"]

JSON = dict[str, Any]

MAX_STEPS = 200_000
"""The longest recording: a timeline refuses to grow past this many steps."""

MAX_COMMAND_BYTES = 65_536
"""The largest single command kept in a recording (as compact JSON)."""


@dataclass(frozen=True)
class Recording:
    """Everything needed to rebuild a session: lab, params, seed, commands, length.

    Examples
    --------
    >>> r = Recording("counter", {"start": 1}, 7, ((0, {"action": "add", "by": 2}),), 3)
    >>> Recording.from_json(r.to_json()) == r
    True
    """

    lab: str
    params: Mapping[str, Any]
    seed: int
    commands: tuple[tuple[int, Mapping[str, Any]], ...]
    length: int

    def to_json(self) -> JSON:
        """The recording as a JSON object (the replay export format)."""
        return {
            "lab": self.lab,
            "params": dict(self.params),
            "seed": self.seed,
            "length": self.length,
            "commands": [[i, dict(c)] for i, c in self.commands],
        }

    @classmethod
    def from_json(cls, data: object) -> Recording:
        """Check the shape of an exported recording; raise CommandError if wrong.

        This checks structure only; whether each command is valid for the lab is
        checked by replaying it (see :meth:`Timeline.from_recording`).
        """
        if not isinstance(data, dict):
            raise CommandError("recording", data, "must be a JSON object")
        for key in ("lab", "params", "seed", "length", "commands"):
            if key not in data:
                raise CommandError(key, None, "is required in a recording")
        lab = data["lab"]
        if not isinstance(lab, str) or not lab:
            raise CommandError("lab", lab, "must be a lab slug")
        params = data["params"]
        if not isinstance(params, dict):
            raise CommandError("params", params, "must be an object")
        seed = check_seed(data["seed"])
        length = check_int("length", data["length"], 0, MAX_STEPS)
        raw = data["commands"]
        if not isinstance(raw, list) or len(raw) > length:
            raise CommandError(
                "commands", _count(raw), f"must be a list of at most length={length} entries"
            )
        commands: list[tuple[int, Mapping[str, Any]]] = []
        last = -1
        for n, entry in enumerate(raw):
            where = f"commands[{n}]"
            if not isinstance(entry, list) or len(entry) != 2:
                raise CommandError(where, entry, "must be a pair [step, command]")
            step, command = entry
            check_int(f"{where} step", step, last + 1, length - 1)
            if not isinstance(command, dict) or not isinstance(command.get("action"), str):
                raise CommandError(where, command, "must be an object with an action")
            commands.append((step, command))
            last = step
        return cls(lab, params, seed, tuple(commands), length)


def _count(value: object) -> object:
    return f"{len(value)} entries" if isinstance(value, list) else value
