"""The consistent hashing lab as a package: one engine per mode, and states that change nothing."""

from __future__ import annotations

import copy
import pickle
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import algorithms.consistent_hashing as old_path
import algorithms.dynamo_figure8 as old_figure8
from algorithms import hashing
from algorithms.engine import CommandError
from algorithms.hashing import (
    ConsistentHashingEngine,
    ConsistentHashingParams,
    HashRing,
    KeyPlacement,
    PartitionScheme,
    RingEngine,
    SlotCluster,
    SlotsEngine,
)

RING_PARTS = (HashRing, KeyPlacement, PartitionScheme)


def reachable(root: object) -> Iterator[object]:
    """Every object reachable from ``root`` through containers and attributes."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, str | bytes | int | float | bool | type(None)):
            continue
        seen.add(id(obj))
        yield obj
        if isinstance(obj, dict):
            stack.extend(obj.keys())
            stack.extend(obj.values())
        elif isinstance(obj, list | tuple | set | frozenset | deque):
            stack.extend(obj)
        else:
            stack.extend(getattr(obj, "__dict__", {}).values())
            for slot in getattr(type(obj), "__slots__", ()):
                if hasattr(obj, slot):
                    stack.append(getattr(obj, slot))


def ring_lab() -> ConsistentHashingEngine:
    lab = ConsistentHashingEngine(ConsistentHashingParams(nodes=4, keys=300, strategy=3), 5)
    lab.apply({"action": "add_node", "name": "E"})
    lab.apply({"action": "select_key", "key": "key-7"})
    return lab


def slots_lab() -> ConsistentHashingEngine:
    params = ConsistentHashingParams(mode="slots", nodes=2, keys=0, migration="key")
    lab = ConsistentHashingEngine(params, 5)
    lab.apply({"action": "add_keys", "names": [f"{{user23}}:{i}" for i in range(5)]})
    lab.apply({"action": "add_node"})
    lab.apply({"action": "select_key", "key": "{user23}:0"})
    lab.step()
    return lab


def test_the_mode_picks_the_engine_and_the_other_structure_is_never_built() -> None:
    ring, slots = ring_lab(), slots_lab()
    assert type(ring.inner) is RingEngine and type(slots.inner) is SlotsEngine
    assert not any(isinstance(obj, SlotCluster) for obj in reachable(ring))
    assert not any(isinstance(obj, RING_PARTS) for obj in reachable(slots))


def test_an_engine_refuses_the_params_of_the_other_mode() -> None:
    with pytest.raises(CommandError) as err:
        RingEngine(ConsistentHashingParams(mode="slots"), 1)
    assert err.value.field == "mode"
    with pytest.raises(CommandError) as err:
        SlotsEngine(ConsistentHashingParams(), 1)
    assert err.value.field == "mode"


def test_a_command_of_the_other_mode_is_refused_naming_this_modes_commands() -> None:
    with pytest.raises(CommandError) as err:
        ring_lab().apply({"action": "set_migration", "style": "key"})
    assert err.value.field == "action"
    assert "set_vnodes" in err.value.rule and err.value.rule.endswith("in ring mode")
    with pytest.raises(CommandError) as err:
        slots_lab().apply({"action": "set_strategy", "strategy": 2})
    assert "set_migration" in err.value.rule and err.value.rule.endswith("in slots mode")


@pytest.mark.parametrize("make", [ring_lab, slots_lab], ids=["ring", "slots"])
def test_state_changes_nothing(make: Any) -> None:
    lab = make()
    before = pickle.dumps(lab)
    first = lab.state()
    assert pickle.dumps(lab) == before
    assert lab.state() == first
    assert pickle.dumps(lab) == before


@pytest.mark.parametrize("make", [ring_lab, slots_lab], ids=["ring", "slots"])
def test_a_checkpoint_shares_nothing_mutable_with_the_live_engine(make: Any) -> None:
    lab = make()
    lab.state()  # a memoised picture, if any, must not travel into the copy
    checkpoint = copy.deepcopy(lab)
    mutable = (list, dict, set, deque, bytearray)
    live_ids = {id(o) for o in reachable(lab) if isinstance(o, mutable)}
    copy_ids = {id(o) for o in reachable(checkpoint) if isinstance(o, mutable)}
    assert not live_ids & copy_ids
    assert checkpoint.state() == lab.state()


def test_the_ring_picture_is_redrawn_after_every_change_and_only_then() -> None:
    lab = ring_lab()
    first = lab.state()
    again = lab.state()
    assert again["nodes"] is first["nodes"]  # a selection or a frame reuses the picture
    lab.apply({"action": "add_keys", "names": ["new-key"]})
    after = lab.state()
    assert after["keys"] is not first["keys"]
    assert after["key_count"] == first["key_count"] + 1
    assert sum(n["keys"] for n in after["nodes"]) == sum(n["keys"] for n in first["nodes"]) + 1
    lab.apply({"action": "remove_node", "name": "A"})
    assert "A" not in [n["name"] for n in lab.state()["nodes"]]


def test_the_old_module_paths_are_the_package() -> None:
    for name in hashing.__all__:
        assert getattr(old_path, name) is getattr(hashing, name), name
    assert old_figure8.figure8 is hashing.figure8.figure8


def test_every_module_of_the_package_stays_under_500_lines() -> None:
    root = Path(hashing.__file__).parent
    sizes = {p.name: len(p.read_text().splitlines()) for p in root.glob("*.py")}
    assert max(sizes.values()) <= 500, sizes


def test_a_key_selection_does_not_redraw_the_ring(monkeypatch: pytest.MonkeyPatch) -> None:
    # The picture changes with membership, keys and settings only: a student stepping
    # through look-ups must not pay for the whole ring again (nor re-send it).
    from algorithms.hashing import ring_engine

    engine = hashing.ConsistentHashingEngine(hashing.ConsistentHashingParams(nodes=4), 1)
    drawn: list[int] = []
    picture = ring_engine.ring_picture

    def counted(*args: Any, **kwargs: Any) -> Any:
        drawn.append(1)
        return picture(*args, **kwargs)

    monkeypatch.setattr(ring_engine, "ring_picture", counted)
    first = engine.state()
    engine.apply({"action": "select_key", "key": "key-1"})
    engine.apply({"action": "select_key", "key": "key-2"})
    second = engine.state()
    assert len(drawn) == 1 and second["tokens"] is first["tokens"]
    engine.apply({"action": "add_node"})
    assert engine.state()["tokens"] != first["tokens"] and len(drawn) == 2
