"""The timeline the player moves along: steps, seeks, look-ups.

:class:`Timeline` runs an engine along a :class:`~.format.Recording`, keeps
checkpoints (:mod:`.checkpoints`) so that seeking to step 100,000 replays at most a
few hundred steps, and keeps every branch (:mod:`.branches`): acting anywhere but at
the end starts a new one, the old future staying switchable. A look-up (a question
about the current step, such as "where does this key live?") is answered without
being recorded, so it never touches the future.

See :mod:`algorithms.recording` for an example.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

from algorithms.engine import CommandError, Event, LabEngine, LabParams, check_int, check_seed
from algorithms.recording.branches import MAX_BRANCHES, Branch
from algorithms.recording.checkpoints import KEPT_PER_BRANCH, Checkpoints
from algorithms.recording.format import MAX_COMMAND_BYTES, MAX_STEPS, Recording

__all__ = ["StepCheck", "Timeline"]

E = TypeVar("E", bound=LabEngine[LabParams])

StepCheck = Callable[[int], None]
"""Called before each step a seek or an import re-runs, with the step index; it may
raise (a CPU budget spent, the client gone) to stop the work where it is."""


class Timeline(Generic[E]):
    """The player's model: an engine, its recording, a position and checkpoints.

    A timeline is typed by its engine class: ``Timeline(SnapshotsEngine, ...)`` is a
    ``Timeline[SnapshotsEngine]`` whose ``engine`` is a ``SnapshotsEngine``.

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
        engine_class: type[E],
        lab: str,
        params: Mapping[str, Any],
        seed: int,
        checkpoint_every: int = 256,
    ) -> None:
        self.engine_class = engine_class
        self.lab = lab
        self.seed = check_seed(seed)
        self.params: LabParams = engine_class.Params.from_dict(dict(params))
        self.checkpoint_every = check_int("checkpoint_every", checkpoint_every, 1, MAX_STEPS)
        self.engine: E = self._fresh()
        self._commands: dict[int, Mapping[str, Any]] = {}
        # Events of the steps run so far; a lazily opened recording runs its steps on
        # first visit, so len(self._events) may be less than self._length.
        self._events: list[list[Event]] = []
        self._length = 0
        self._checkpoints: Checkpoints[E] = Checkpoints(self.engine, self.checkpoint_every)
        self.position = 0
        # The branch being watched lives in the attributes above; the others wait here.
        self.branch_id = 1
        self._parent: int | None = None
        self._fork = 0
        self._others: dict[int, Branch[E]] = {}
        self._next_branch = 2
        self.dropped_branch: Branch[E] | None = None
        # Live look-ups, re-asked after every move so a selection follows the student.
        self._lenses: dict[str, Mapping[str, Any]] = {}

    def _fresh(self) -> E:
        return self.engine_class(self.params, self.seed)

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
        self._checkpoints.keep(self.position, self.engine)

    def _start_branch(self) -> None:
        """Keep the future after the current position as a branch; start a new one here."""
        if self.position == self.length:
            return
        here = self.position
        parent = self.branch_id
        self._others[parent] = self._stash()
        self.branch_id, self._next_branch = self._next_branch, self._next_branch + 1
        self._parent, self._fork = parent, here
        self._commands = {i: c for i, c in self._commands.items() if i < here}
        self._events = self._events[:here]
        self._length = here
        self._checkpoints = self._checkpoints.up_to(here)
        self.dropped_branch = None
        if len(self._others) + 1 > MAX_BRANCHES:
            oldest = min(self._others)
            self.dropped_branch = self._others.pop(oldest)

    def _stash(self) -> Branch[E]:
        return Branch(
            self.branch_id,
            self._parent,
            self._fork,
            self._commands,
            self._events,
            self._length,
            self._checkpoints.thinned(KEPT_PER_BRANCH),
        )

    def branches(self) -> list[dict[str, Any]]:
        """Every branch of this session: id, parent, fork step, length, and which is watched."""
        rows = [b.row(current=False) for b in self._others.values()]
        watched = Branch(
            self.branch_id,
            self._parent,
            self._fork,
            self._commands,
            self._events,
            self.length,
            self._checkpoints,
        )
        rows.append(watched.row(current=True))
        return sorted(rows, key=lambda row: row["id"])

    def check_branch(self, branch_id: object) -> int:
        """Return ``branch_id`` if it names a branch of this session, else refuse it."""
        if (
            isinstance(branch_id, int)
            and not isinstance(branch_id, bool)
            and (branch_id == self.branch_id or branch_id in self._others)
        ):
            return branch_id
        known = ", ".join(str(b["id"]) for b in self.branches())
        raise CommandError("branch", branch_id, f"must be one of this session's branches ({known})")

    def switch_branch(self, branch_id: int, check: StepCheck | None = None) -> list[Event]:
        """Watch another branch, at the same step if it has one, else at its end."""
        self.check_branch(branch_id)
        if branch_id == self.branch_id:
            return self.events_at(self.position)
        target = self._others[branch_id]
        here = min(self.position, target.length)
        del self._others[branch_id]
        self._others[self.branch_id] = self._stash()
        self.branch_id, self._parent, self._fork = target.id, target.parent, target.fork
        self._commands, self._events = target.commands, target.events
        self._length, self._checkpoints = target.length, target.checkpoints
        self._restore(here, check, anew=True)
        return self.events_at(here)

    def _check_room(self) -> None:
        if self.position >= MAX_STEPS:
            raise CommandError(
                "step", self.position, f"must stay below the longest recording, {MAX_STEPS} steps"
            )

    def act(self, command: Mapping[str, Any]) -> list[Event]:
        """Record a command here; if not at the end, a new branch starts here.

        The old future is kept as a branch (see :meth:`branches`). A refused command
        raises CommandError and changes nothing. Any command is recorded, look-ups
        included (narrated replays may show one as a step); the live player sends
        commands through :meth:`perform`, which records moves only.
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
        events = probe.apply(command)  # raises before anything changes
        self._start_branch()
        self.engine = probe
        self._commands[self.position] = dict(command)
        self._events.append(events)
        self._length += 1
        self.position += 1
        self._maybe_checkpoint()
        self._ask_lenses()
        return events

    def perform(self, command: Mapping[str, Any]) -> list[Event]:
        """What the player does with a user's command: record a move, answer a look-up."""
        if self.engine_class.is_look_up(command):
            return self.look_up(command)
        return self.act(command)

    def look_up(self, command: Mapping[str, Any]) -> list[Event]:
        """Answer a look-up at the current step without recording it.

        The look-up is kept and asked again after every move, seek and branch switch,
        so a selected key or event stays selected while the student steps; where it
        does not apply (an event not yet run) nothing is shown.
        """
        if not self.engine_class.is_look_up(command):
            raise CommandError("action", command.get("action"), "must name a look-up")
        events = self.engine.apply(command)  # raises before anything changes
        action = str(command["action"])
        self._lenses.pop(action, None)
        self._lenses[action] = dict(command)
        return events

    def _ask_lenses(self) -> None:
        for command in self._lenses.values():
            try:
                self.engine.apply(command)
            except CommandError:
                continue

    def forward(self) -> list[Event] | None:
        """Move one step forward: along the recording, or a new tick at its end.

        Returns None when at the end and the engine has nothing left to run.
        """
        if self.position < self.length:
            events = self._advance_recorded()
            if self._lenses and self.position - 1 in self._commands:
                self._ask_lenses()
            return events
        self._check_room()
        events = self.engine.step()
        if not events:
            return None
        self._events.append(events)
        self._length += 1
        self.position += 1
        self._maybe_checkpoint()
        return events

    def seek(self, step: int, check: StepCheck | None = None) -> list[Event]:
        """Rebuild the exact state at ``step`` (0..length) from the nearest checkpoint.

        ``check`` is called before each step re-run and may raise to stop the seek
        where it is (the timeline stays consistent, at an earlier step).
        """
        step = check_int("step", step, 0, self.length)
        if step == self.position:
            return self.events_at(step)
        self._restore(step, check)
        return self.events_at(step)

    def _restore(self, step: int, check: StepCheck | None, *, anew: bool = False) -> None:
        base = max(i for i in self._checkpoints if i <= step)
        if anew or not (base <= self.position <= step):
            self.position, self.engine = self._checkpoints.restore(step)
        try:
            while self.position < step:
                if check is not None:
                    check(self.position)
                self._advance_recorded()
        finally:
            self._ask_lenses()

    def back(self, check: StepCheck | None = None) -> list[Event]:
        """Step back one step (exact: rebuilt from a checkpoint)."""
        return self.seek(max(0, self.position - 1), check)

    @classmethod
    def from_recording(
        cls,
        engine_class: type[E],
        recording: Recording,
        checkpoint_every: int = 256,
        *,
        run: bool = True,
        check: StepCheck | None = None,
    ) -> Timeline[E]:
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
            if check is not None:
                check(index)
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
