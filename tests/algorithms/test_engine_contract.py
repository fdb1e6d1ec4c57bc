"""The generic engine contract: params from the type argument, versions, the memo."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest

from algorithms.engine import (
    CommandError,
    Event,
    LabEngine,
    LabParams,
    check_int,
    json_copy,
    move,
)
from algorithms.recording import Timeline


@dataclass(frozen=True)
class PileParams(LabParams):
    size: int = 3

    def __post_init__(self) -> None:
        check_int("size", self.size, 1, 100)


class Pile(LabEngine[PileParams]):
    """A pile of numbers whose picture is costly: it counts its own drawings."""

    def __init__(self, params: PileParams, seed: int) -> None:
        super().__init__(params, seed)
        self.items = [self.rng.randrange(10) for _ in range(params.size)]
        self.drawings = 0

    @move("push")
    def push(self, command: Mapping[str, Any]) -> list[Event]:
        value = check_int("value", command.get("value"), 0, 9)
        self.items.append(value)
        return [Event("push", f"Push {value}.")]

    def step(self) -> list[Event]:
        self.items.append(self.rng.randrange(10))
        return [Event("tick", "One more.")]

    def _draw(self) -> dict[str, Any]:
        self.drawings += 1
        return {"items": self.items, "nested": {"sum": [sum(self.items)]}}

    def state(self) -> dict[str, Any]:
        return self.memo("state", self._draw)


def test_the_params_class_comes_from_the_type_argument() -> None:
    assert Pile.Params is PileParams
    engine = Pile(PileParams(size=2), seed=5)
    assert engine.params.size == 2 and engine.seed == 5 and len(engine.items) == 2


def test_a_mismatched_params_declaration_is_refused_at_class_creation() -> None:
    with pytest.raises(TypeError, match="names LabParams as Params"):

        class Wrong(LabEngine[PileParams]):
            Params = LabParams


def test_the_constructor_refuses_other_params_and_bad_seeds() -> None:
    with pytest.raises(CommandError) as err:
        Pile({"size": 2}, seed=1)  # type: ignore[arg-type]
    assert err.value.field == "params" and "PileParams" in err.value.rule
    with pytest.raises(CommandError) as err:
        Pile(PileParams(), seed=-1)
    assert err.value.field == "seed"


def test_every_apply_and_step_counts_a_version_and_state_does_not() -> None:
    engine = Pile(PileParams(), seed=1)
    assert engine.version == 0
    engine.apply({"action": "push", "value": 4})
    engine.step()
    engine.state()
    assert engine.version == 2
    with pytest.raises(CommandError):
        engine.apply({"action": "push", "value": 40})
    assert engine.version == 3  # a refusal redraws once, harmlessly


def test_the_memo_draws_once_per_version_and_hands_out_copies() -> None:
    engine = Pile(PileParams(), seed=1)
    first = engine.state()
    first["items"].append(99)
    first["nested"]["sum"].clear()
    again = engine.state()
    assert engine.drawings == 1
    assert again == {"items": engine.items, "nested": {"sum": [sum(engine.items)]}}
    assert again["items"] is not engine.items
    engine.step()
    assert engine.state()["items"] == engine.items and engine.drawings == 2


def test_a_copy_of_the_engine_shares_no_memo_and_no_state() -> None:
    engine = Pile(PileParams(), seed=1)
    engine.state()
    twin = copy.deepcopy(engine)
    assert twin._memo is not engine._memo
    twin.step()
    assert twin.state() != engine.state() and engine.drawings == 1


def test_the_memo_refuses_what_is_not_json() -> None:
    with pytest.raises(TypeError, match="must be JSON data, not set"):
        json_copy({"a": {1}})


def test_a_timeline_of_a_generic_engine_replays_it_exactly() -> None:
    timeline = Timeline(Pile, "pile", {"size": 2}, seed=3, checkpoint_every=2)
    timeline.act({"action": "push", "value": 7})
    for _ in range(4):
        timeline.forward()
    end = timeline.engine.state()
    timeline.seek(1)
    assert timeline.engine.state()["items"][-1] == 7
    timeline.seek(5)
    assert timeline.engine.state() == end
    assert isinstance(timeline.engine, Pile) and isinstance(timeline.params, PileParams)
