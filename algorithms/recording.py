"""Recordings and the timeline the player moves along.

A session is a recording: ``(lab, params, seed, commands)`` where ``commands`` is a
list of ``(step_index, command)`` pairs and every other step up to ``length`` is a
tick of the engine. Because engines are deterministic, any step can be rebuilt
exactly. :class:`Timeline` keeps checkpoints (deep copies of the engine every
``checkpoint_every`` steps) so that seeking to step 100,000 replays at most a few
hundred steps, not the whole run. Acting anywhere but at the end starts a new branch:
the old future is discarded, as in a what-if.

Examples
--------
>>> from algorithms.engine import Event, LabEngine, LabParams
>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class CounterParams(LabParams):
...     start: int = 0
>>> class Counter(LabEngine):
...     Params = CounterParams
...     COMMANDS = {"add": "add"}
...     def __init__(self, params, seed):
...         self.params, self.seed, self.value = params, seed, params.start
...     def add(self, command):
...         self.value += command["by"]
...         return [Event("add", f"Add {command['by']}.")]
...     def step(self):
...         self.value += 1
...         return [Event("tick", "One tick.")]
...     def state(self):
...         return {"value": self.value}
>>> t = Timeline(Counter, "counter", {"start": 10}, seed=1)
>>> _ = t.act({"action": "add", "by": 5}); _ = t.forward(); t.engine.state()
{'value': 16}
>>> _ = t.seek(1); t.engine.state(), t.position, t.length
({'value': 15}, 1, 2)
>>> _ = t.act({"action": "add", "by": 100}); t.engine.state(), t.length
({'value': 115}, 2)
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from algorithms.engine import CommandError, Event, LabEngine, check_int, check_seed

__all__ = ["MAX_COMMAND_BYTES", "MAX_STEPS", "Recording", "Timeline"]

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


class Timeline:
    """The player's model: an engine, its recording, a position and checkpoints.

    Parameters
    ----------
    engine_class : type of LabEngine
        The lab's engine; built as ``engine_class(engine_class.Params.from_dict(params), seed)``.
    lab : str
        The lab slug stored in the recording.
    params : dict
        The engine parameters (validated here; refused with CommandError).
    seed : int
        The engine seed.
    checkpoint_every : int
        Keep a copy of the engine every this many steps (bounded memory: at most
        ``MAX_STEPS / checkpoint_every`` copies).
    """

    def __init__(
        self,
        engine_class: type[LabEngine],
        lab: str,
        params: Mapping[str, Any],
        seed: int,
        checkpoint_every: int = 256,
    ) -> None:
        self.engine_class = engine_class
        self.lab = lab
        self.seed = check_seed(seed)
        self.params = engine_class.Params.from_dict(dict(params))
        self.checkpoint_every = check_int("checkpoint_every", checkpoint_every, 1, MAX_STEPS)
        self.engine: LabEngine = self._fresh()
        self._commands: dict[int, Mapping[str, Any]] = {}
        # Events of the steps run so far; a lazily opened recording runs its steps on
        # first visit, so len(self._events) may be less than self._length.
        self._events: list[list[Event]] = []
        self._length = 0
        self._checkpoints: dict[int, LabEngine] = {0: copy.deepcopy(self.engine)}
        self.position = 0

    def _fresh(self) -> LabEngine:
        engine_class: Any = self.engine_class
        engine: LabEngine = engine_class(self.params, self.seed)
        return engine

    @property
    def length(self) -> int:
        """The number of steps recorded."""
        return self._length

    def events_at(self, step: int) -> list[Event]:
        """The events of the step that led to ``step`` (none at step 0)."""
        return self._events[step - 1] if 0 < step <= len(self._events) else []

    def log(self, limit: int = 200) -> list[tuple[int, Event]]:
        """The last ``limit`` events up to the current position, with their steps."""
        out: list[tuple[int, Event]] = []
        step = self.position
        while step > 0 and len(out) < limit:
            for event in reversed(self._events[step - 1]):
                out.append((step, event))
            step -= 1
        out.reverse()
        return out[-limit:]

    def recording(self) -> Recording:
        """The session so far as a :class:`Recording`."""
        commands = tuple(sorted(self._commands.items()))
        return Recording(self.lab, self.params.to_dict(), self.seed, commands, self.length)

    # -- moving ---------------------------------------------------------------------

    def _run_step(self, index: int) -> list[Event]:
        command = self._commands.get(index)
        return self.engine.apply(command) if command is not None else self.engine.step()

    def _advance_recorded(self) -> list[Event]:
        events = self._run_step(self.position)
        if self.position == len(self._events):
            self._events.append(events)
        self.position += 1
        self._maybe_checkpoint()
        return events

    def _maybe_checkpoint(self) -> None:
        if self.position % self.checkpoint_every == 0 and self.position not in self._checkpoints:
            self._checkpoints[self.position] = copy.deepcopy(self.engine)

    def _truncate(self) -> None:
        """Discard the future after the current position (a new branch)."""
        if self.position == self.length:
            return
        del self._events[self.position :]
        self._length = self.position
        for index in [i for i in self._commands if i >= self.position]:
            del self._commands[index]
        for index in [i for i in self._checkpoints if i > self.position]:
            del self._checkpoints[index]

    def _check_room(self) -> None:
        if self.position >= MAX_STEPS:
            raise CommandError(
                "step", self.position, f"must stay below the longest recording, {MAX_STEPS} steps"
            )

    def act(self, command: Mapping[str, Any]) -> list[Event]:
        """Apply a user command here; if not at the end, the old future is discarded.

        A refused command raises CommandError and changes nothing, not even the
        future.
        """
        self._check_room()
        try:
            size = len(json.dumps(command, separators=(",", ":")).encode("utf-8"))
        except (TypeError, ValueError):
            raise CommandError("command", command, "must be plain JSON data") from None
        if size > MAX_COMMAND_BYTES:
            raise CommandError(
                "command", f"{size} bytes", f"must be at most {MAX_COMMAND_BYTES} bytes of JSON"
            )
        probe = copy.deepcopy(self.engine) if self.position < self.length else self.engine
        events = probe.apply(command)  # raises before anything is discarded
        self._truncate()
        self.engine = probe
        self._commands[self.position] = dict(command)
        self._events.append(events)
        self._length += 1
        self.position += 1
        self._maybe_checkpoint()
        return events

    def forward(self) -> list[Event] | None:
        """Move one step forward: along the recording, or a new tick at its end.

        Returns None when at the end and the engine has nothing left to run.
        """
        if self.position < self.length:
            return self._advance_recorded()
        self._check_room()
        events = self.engine.step()
        if not events:
            return None
        self._events.append(events)
        self._length += 1
        self.position += 1
        self._maybe_checkpoint()
        return events

    def seek(self, step: int) -> list[Event]:
        """Rebuild the exact state at ``step`` (0..length) from the nearest checkpoint."""
        step = check_int("step", step, 0, self.length)
        if step == self.position:
            return self.events_at(step)
        base = max(i for i in self._checkpoints if i <= step)
        if not (base <= self.position <= step):
            self.engine = copy.deepcopy(self._checkpoints[base])
            self.position = base
        while self.position < step:
            self._advance_recorded()
        return self.events_at(step)

    def back(self) -> list[Event]:
        """Step back one step (exact: rebuilt from a checkpoint)."""
        return self.seek(max(0, self.position - 1))

    @classmethod
    def from_recording(
        cls,
        engine_class: type[LabEngine],
        recording: Recording,
        checkpoint_every: int = 256,
        *,
        run: bool = True,
    ) -> Timeline:
        """Rebuild a timeline by running a recording; invalid commands raise CommandError.

        The timeline ends positioned at the end of the recording. With ``run=False``
        nothing runs yet: the timeline opens at step 0 and runs each step on its first
        visit (for recordings already checked, such as stored replays, so opening one
        costs nothing until the viewer moves).
        """
        timeline = cls(
            engine_class, recording.lab, recording.params, recording.seed, checkpoint_every
        )
        if not run:
            timeline._commands = dict(recording.commands)
            timeline._length = recording.length
            return timeline
        commands = dict(recording.commands)
        for index in range(recording.length):
            command = commands.get(index)
            if command is not None:
                try:
                    timeline.act(command)
                except CommandError as err:
                    raise CommandError(
                        f"commands (step {index}) {err.field}", err.value, err.rule
                    ) from err
            elif timeline.forward() is None:
                raise CommandError(
                    "length",
                    recording.length,
                    f"is past the run: the engine has nothing to do at step {index}",
                )
        return timeline
