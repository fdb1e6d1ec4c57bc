"""The timeline behind the player: exact seeks, checkpoints, branches, validation."""

from __future__ import annotations

import copy
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest

from algorithms.engine import CommandError, Event, LabEngine, LabParams, check_int, look_up
from algorithms.recording import MAX_BRANCHES, MAX_CHECKPOINTS, MAX_STEPS, Recording, Timeline


@dataclass(frozen=True)
class WalkParams(LabParams):
    width: int = 10

    def __post_init__(self) -> None:
        check_int("width", self.width, 1, 1000)


class RandomWalk(LabEngine):
    """A seeded walk: ticks move randomly, commands jump; enough to test the player."""

    Params = WalkParams
    COMMANDS = {"jump": "jump"}

    def __init__(self, params: WalkParams, seed: int) -> None:
        self.params, self.seed = params, seed
        self.rng = random.Random(seed)
        self.x = 0
        self.trail: list[int] = []
        self.marked: int | None = None

    def jump(self, command: Mapping[str, Any]) -> list[Event]:
        to = check_int("to", command.get("to"), -self.params.width, self.params.width)
        self.x = to
        return [Event("jump", f"Jump to {to}.")]

    @look_up("mark", example={"action": "mark", "at": 0})
    def mark(self, command: Mapping[str, Any]) -> list[Event]:
        at = command.get("at")
        self.marked = None if at is None else check_int("at", at, 0, len(self.trail))
        return [Event("mark", f"Marked {self.marked}.")]

    def step(self) -> list[Event]:
        self.x += self.rng.choice((-1, 1))
        self.trail.append(self.x)
        return [Event("move", f"Move to {self.x}.")]

    def state(self) -> dict[str, Any]:
        return {
            "x": self.x,
            "trail": list(self.trail[-5:]),
            "n": len(self.trail),
            "marked": self.marked,
        }


def run(commands: dict[int, dict[str, Any]], length: int, seed: int = 7) -> Timeline:
    t = Timeline(RandomWalk, "walk", {"width": 50}, seed, checkpoint_every=16)
    for i in range(length):
        if i in commands:
            t.act(commands[i])
        else:
            t.forward()
    return t


def test_seek_to_k_equals_running_k_steps_from_the_start() -> None:
    commands = {5: {"action": "jump", "to": 3}, 40: {"action": "jump", "to": -7}}
    full = run(commands, 100)
    for k in (0, 1, 5, 6, 15, 16, 17, 41, 63, 64, 99, 100, 37, 2):
        full.seek(k)
        fresh = run({i: c for i, c in commands.items() if i < k}, k)
        assert full.engine.state() == fresh.engine.state(), k
        assert full.position == k


def test_acting_in_the_past_starts_a_branch_and_keeps_the_old_future() -> None:
    t = run({}, 50)
    t.seek(20)
    old_state = copy.deepcopy(t)
    old_state.seek(50)
    t.act({"action": "jump", "to": 1})
    assert t.length == 21 and t.position == 21
    assert t.recording().commands == ((20, {"action": "jump", "to": 1}),)
    t.forward()
    assert t.engine.state()["x"] in (0, 2)
    assert [(b["id"], b["parent"], b["fork"], b["length"], b["current"]) for b in t.branches()] == [
        (1, None, 0, 50, False),
        (2, 1, 20, 22, True),
    ]
    t.switch_branch(1)
    # The same step if the branch has it; the old future is there, exactly.
    assert (t.position, t.length, t.branch_id) == (22, 50, 1)
    t.seek(50)
    assert t.engine.state() == old_state.engine.state()
    assert t.recording() == old_state.recording()
    t.switch_branch(2)
    assert (t.position, t.length) == (22, 22)
    assert t.recording().commands == ((20, {"action": "jump", "to": 1}),)


def test_branches_of_branches_and_the_oldest_is_dropped_past_the_limit() -> None:
    t = run({}, 10)
    for i in range(MAX_BRANCHES + 2):
        t.seek(5)
        t.act({"action": "jump", "to": i})
    ids = [b["id"] for b in t.branches()]
    assert len(ids) == MAX_BRANCHES and t.branch_id == MAX_BRANCHES + 3
    assert 1 not in ids and t.dropped_branch is not None
    with pytest.raises(CommandError) as err:
        t.switch_branch(1)
    assert err.value.field == "branch"


def test_a_look_up_in_the_past_keeps_the_future_and_follows_the_steps() -> None:
    t = run({3: {"action": "jump", "to": 4}}, 40)
    recorded = t.recording()
    t.seek(10)
    t.perform({"action": "mark", "at": 8})
    assert t.engine.state()["marked"] == 8
    assert t.recording() == recorded and t.length == 40 and t.position == 10
    t.seek(35)
    assert t.engine.state()["marked"] == 8
    # Where the look-up does not apply yet, nothing is shown; it comes back later.
    t.seek(4)
    assert t.engine.state()["marked"] is None
    t.seek(39)
    assert t.engine.state()["marked"] == 8
    t.perform({"action": "mark", "at": None})
    t.seek(20)
    assert t.engine.state()["marked"] is None
    assert t.recording() == recorded


def test_a_refused_look_up_changes_nothing() -> None:
    t = run({}, 20)
    t.seek(5)
    t.perform({"action": "mark", "at": 2})
    with pytest.raises(CommandError):
        t.perform({"action": "mark", "at": 99})
    assert t.engine.state()["marked"] == 2 and t.length == 20


def test_a_check_can_stop_a_seek_where_it_is() -> None:
    t = run({}, 100)
    t.seek(0)

    class Stop(Exception):
        pass

    def check(index: int) -> None:
        if index >= 85:
            raise Stop

    with pytest.raises(Stop):
        t.seek(90, check)
    # Rebuilt from the checkpoint at 80, stopped before step 85 ran.
    assert t.position == 85
    fresh = run({}, 85)
    assert t.engine.state() == fresh.engine.state()


def test_refused_command_changes_nothing_even_mid_timeline() -> None:
    t = run({}, 30)
    t.seek(10)
    before = (t.engine.state(), t.length, t.position)
    with pytest.raises(CommandError) as err:
        t.act({"action": "jump", "to": 1000})
    assert err.value.field == "to"
    assert (t.engine.state(), t.length, t.position) == before


def test_recording_round_trips_through_json_and_rebuilds_the_same_states() -> None:
    t = run({3: {"action": "jump", "to": 4}}, 40, seed=11)
    recording = Recording.from_json(t.recording().to_json())
    again = Timeline.from_recording(RandomWalk, recording, checkpoint_every=8)
    assert again.engine.state() == t.engine.state()
    for k in (0, 3, 4, 39):
        t.seek(k)
        again.seek(k)
        assert again.engine.state() == t.engine.state()
        assert [e.text for e in again.events_at(k)] == [e.text for e in t.events_at(k)]


def test_log_lists_events_up_to_the_position() -> None:
    t = run({}, 10)
    t.seek(4)
    assert [s for s, _ in t.log()] == [1, 2, 3, 4]
    assert len(t.log(limit=2)) == 2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ("nope", "recording"),
        ({"lab": "walk"}, "params"),
        ({"lab": "", "params": {}, "seed": 1, "length": 0, "commands": []}, "lab"),
        ({"lab": "w", "params": {}, "seed": -1, "length": 0, "commands": []}, "seed"),
        ({"lab": "w", "params": {}, "seed": 1, "length": MAX_STEPS + 1, "commands": []}, "length"),
        ({"lab": "w", "params": {}, "seed": 1, "length": 1, "commands": [[0, {}]]}, "commands[0]"),
        (
            {
                "lab": "w",
                "params": {},
                "seed": 1,
                "length": 2,
                "commands": [[1, {"action": "a"}], [1, {"action": "a"}]],
            },
            "commands[1] step",
        ),
        (
            {"lab": "w", "params": {}, "seed": 1, "length": 2, "commands": [[5, {"action": "a"}]]},
            "commands[0] step",
        ),
        ({"lab": "w", "params": [], "seed": 1, "length": 0, "commands": []}, "params"),
    ],
)
def test_malformed_recordings_are_refused(data: object, field: str) -> None:
    with pytest.raises(CommandError) as err:
        Recording.from_json(data)
    assert err.value.field == field


def test_invalid_command_in_a_recording_names_its_step() -> None:
    recording = Recording("walk", {"width": 5}, 1, ((2, {"action": "jump", "to": 99}),), 3)
    with pytest.raises(CommandError) as err:
        Timeline.from_recording(RandomWalk, recording)
    assert err.value.field == "commands (step 2) to"


def test_unknown_params_are_refused() -> None:
    with pytest.raises(CommandError) as err:
        Timeline(RandomWalk, "walk", {"depth": 3}, 1)
    assert err.value.field == "params"


def test_oversized_or_non_json_commands_are_refused() -> None:
    t = run({}, 3)
    with pytest.raises(CommandError) as err:
        t.act({"action": "jump", "to": 1, "pad": "x" * 70_000})
    assert err.value.field == "command" and "65536" in err.value.rule
    with pytest.raises(CommandError) as err:
        t.act({"action": "jump", "to": object()})
    assert err.value.field == "command"
    assert t.length == 3


def test_a_lazily_opened_recording_gives_the_same_states_and_events() -> None:
    commands = {5: {"action": "jump", "to": 3}, 40: {"action": "jump", "to": -7}}
    full = run(commands, 90)
    lazy = Timeline.from_recording(RandomWalk, full.recording(), checkpoint_every=16, run=False)
    assert (lazy.position, lazy.length) == (0, 90)
    for k in (50, 3, 89, 90, 17, 0, 41):
        full.seek(k)
        lazy.seek(k)
        assert lazy.engine.state() == full.engine.state(), k
        assert [e.text for e in lazy.events_at(k)] == [e.text for e in full.events_at(k)]
        assert [(s, e.text) for s, e in lazy.log()] == [(s, e.text) for s, e in full.log()]
    lazy.seek(20)
    lazy.act({"action": "jump", "to": 2})
    assert lazy.length == 21 and lazy.recording().commands[-1] == (20, {"action": "jump", "to": 2})


def test_checkpoints_stay_bounded_and_seeks_stay_exact() -> None:
    t = run({7: {"action": "jump", "to": 3}}, 2_000)  # 125 checkpoint intervals of 16
    assert len(t._checkpoints) <= MAX_CHECKPOINTS
    for k in (0, 7, 8, 999, 1_500, 2_000, 3):
        t.seek(k)
        assert t.engine.state() == run({7: {"action": "jump", "to": 3}}, k).engine.state(), k
    # A branch not being watched keeps a few copies only, and comes back exactly.
    t.seek(1_000)
    t.act({"action": "jump", "to": 1})
    assert len(t._others[1].checkpoints) <= 4
    t.switch_branch(1)
    t.seek(1_900)
    assert t.engine.state() == run({7: {"action": "jump", "to": 3}}, 1_900).engine.state()
