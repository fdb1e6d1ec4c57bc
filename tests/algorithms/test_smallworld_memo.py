"""The small-world engine's state() changes nothing, and its copies share nothing mutable.

The player keeps checkpoints (deep copies of the engine) and asks state() at every step;
the measures of a version are kept in a memo keyed by the number of decisions applied.
"""

from __future__ import annotations

import copy
import dataclasses
import random
from typing import Any

import numpy as np
import pytest

from algorithms.recording import Timeline
from algorithms.small_world import SmallWorldEngine, SmallWorldParams
from algorithms.smallworld.memo import VersionMemo, frozen_array
from algorithms.smallworld.plan import GraphPlan

SCRIPT: list[dict[str, Any] | None] = [
    None,
    None,
    {"action": "select_node", "node": 3},
    None,
    {"action": "shortest_path", "a": 0, "b": 20},
    {"action": "gossip", "source": 5, "mode": "push-pull"},
    None,
    None,
    {"action": "rewire_next"},
    None,
    {"action": "clear"},
    None,
]


def play(
    engine: SmallWorldEngine, ask_state: bool, script: list[dict[str, Any] | None] = SCRIPT
) -> list[list[str]]:
    texts = []
    for command in script:
        events = engine.step() if command is None else engine.apply(command)
        texts.append([e.text for e in events])
        if ask_state:
            engine.state()
            engine.state()
    return texts


def mutable_parts(root: object) -> dict[int, object]:
    """Every mutable object reachable from ``root`` (the memo's own dicts included)."""
    found: dict[int, object] = {}
    seen: set[int] = set()
    todo = [root]
    while todo:
        obj = todo.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, int | float | str | bytes | bool | type(None) | np.generic):
            continue
        if isinstance(obj, np.ndarray):
            if obj.flags.writeable:
                found[id(obj)] = obj
            continue
        if isinstance(obj, tuple | frozenset):
            todo.extend(obj)
            continue
        if isinstance(obj, list | set | bytearray | dict | random.Random):
            found[id(obj)] = obj
            if isinstance(obj, dict):
                todo.extend(obj.keys())
                todo.extend(obj.values())
            elif not isinstance(obj, bytearray | random.Random):
                todo.extend(obj)
            continue
        if dataclasses.is_dataclass(obj) and type(obj).__dataclass_params__.frozen:  # type: ignore[attr-defined]
            todo.extend(vars(obj).values())
            continue
        found[id(obj)] = obj  # any other object with attributes can change
        todo.extend(vars(obj).values())
    return found


@pytest.mark.parametrize("model", ["watts_strogatz", "newman_watts", "erdos_renyi"])
def test_state_changes_nothing_a_later_step_sees(model: str) -> None:
    params = SmallWorldParams(model=model, n=40, k=4, p=0.2)
    asked = SmallWorldEngine(params, 11)
    quiet = SmallWorldEngine(params, 11)
    script = SCRIPT
    if model == "erdos_renyi":  # built whole: no decisions to apply
        script = [c for c in SCRIPT if c is None or c["action"] != "rewire_next"]
    assert play(asked, True, script) == play(quiet, False, script)
    assert asked.state() == quiet.state()


def test_state_leaves_every_attribute_as_it_was() -> None:
    engine = SmallWorldEngine(SmallWorldParams(n=40, k=4, p=0.3), 2)
    play(engine, False)
    skip = ("_graph_memo", "plan", "rng")

    def attributes() -> dict[str, Any]:
        return {k: copy.deepcopy(v) for k, v in vars(engine).items() if k not in skip}

    before, plan, rng = attributes(), engine.plan, engine.rng.getstate()
    engine.state()
    assert attributes() == before
    assert engine.plan is plan and engine.rng.getstate() == rng


def test_a_copy_shares_nothing_mutable_with_the_engine() -> None:
    engine = SmallWorldEngine(SmallWorldParams(n=40, k=4, p=0.3), 2)
    play(engine, True)
    twin = copy.deepcopy(engine)
    assert not set(mutable_parts(engine)) & set(mutable_parts(twin))
    # Asking either for its state or stepping it leaves the other as it was.
    kept = twin.state()
    for _ in range(20):
        engine.step()
        engine.state()
    assert twin.state() == kept
    assert not set(mutable_parts(engine)) & set(mutable_parts(twin))


def test_timeline_checkpoints_are_not_touched_by_the_live_engine() -> None:
    params = {"model": "watts_strogatz", "n": 60, "k": 6, "p": 0.2}
    timeline = Timeline(SmallWorldEngine, "small-world", params, 3, checkpoint_every=4)
    for _ in range(10):
        timeline.forward()
        timeline.engine.state()
    checkpoints = dict(timeline._checkpoints._copies)
    frozen = {step: len(engine._graph_memo) for step, engine in checkpoints.items()}
    live = set(mutable_parts(timeline.engine))
    for step, engine in checkpoints.items():
        assert not live & set(mutable_parts(engine)), f"checkpoint {step} shares state"
    timeline.look_up({"action": "select_node", "node": 1})
    timeline.engine.state()
    assert {step: len(engine._graph_memo) for step, engine in checkpoints.items()} == frozen
    timeline.seek(3)
    assert timeline.engine.state()["decisions_done"] == 3


def test_the_memo_pays_and_a_copy_keeps_what_is_known(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = SmallWorldEngine(SmallWorldParams(n=80, k=6, p=0.2), 4)
    calls: list[int] = []
    measure = GraphPlan.measure

    def counted(self: GraphPlan, done: int) -> Any:
        calls.append(done)
        return measure(self, done)

    monkeypatch.setattr(GraphPlan, "measure", counted)
    engine.state()
    engine.state()
    engine.apply({"action": "select_node", "node": 2})
    assert calls == [0]
    twin = copy.deepcopy(engine)
    twin.state()
    assert calls == [0]  # the copy starts with what the engine knew
    engine.step()
    engine.state()
    assert calls == [0, 1]


def test_the_memo_refuses_what_could_change() -> None:
    memo = VersionMemo(versions=2)
    with pytest.raises(TypeError, match="immutable"):
        memo.get(0, "rows", lambda: np.zeros(3))
    assert memo.get(0, "rows", lambda: frozen_array(np.zeros(3))).sum() == 0
    with pytest.raises(TypeError, match="immutable"):
        memo.get(0, "nested", lambda: ((1, 2), [3]))
    for version in range(5):
        memo.get(version, "v", lambda: version)  # noqa: B023
    assert len(memo) == 2
    with pytest.raises(ValueError, match="at least 1"):
        VersionMemo(versions=0)


def test_the_plan_is_read_only() -> None:
    engine = SmallWorldEngine(SmallWorldParams(n=40, k=4, p=0.5), 9)
    with pytest.raises(ValueError, match="read-only"):
        engine.plan.ids[0] = 1
    assert copy.deepcopy(engine.plan) is engine.plan


def test_many_look_ups_at_one_step_hold_a_bounded_memo() -> None:
    engine = SmallWorldEngine(SmallWorldParams(n=200, k=4, p=0.1), 5)
    for b in range(1, 200):
        engine.apply({"action": "shortest_path", "a": 0, "b": b})
        engine.state()
    kept = engine._graph_memo._store[engine.done]
    assert len(kept) <= 32 and "measures" in kept and "picture" in kept
