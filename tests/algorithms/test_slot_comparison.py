"""Slots mode runs both migration styles side by side on the same keys and plan.

A slot at a time (ElastiCache online resharding) never splits a slot between two shards;
key by key (open-source Redis, ASK redirects) splits the slot being migrated until its
last key has moved. The engine's ``state()["compare"]`` shows the other style.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from algorithms.consistent_hashing import (
    MAX_TICK_EVENTS,
    CommandError,
    ConsistentHashingEngine,
    ConsistentHashingParams,
    SlotCluster,
    key_slot,
    plan_reshard,
    slot_table,
)

START = ["shard-A", "shard-B"]
MOVING = {m.slot for m in plan_reshard(slot_table(START), [*START, "shard-C"])}
# Four hash tags whose slots move to the new shard, five keys each.
TAGS = [t for t in (f"cart{i}" for i in range(2000)) if key_slot(t) in MOVING][:4]
TAGGED = [f"{{{tag}}}:{i}" for tag in TAGS for i in range(5)]
PLAIN = [f"plain-{i}" for i in range(60)]


def engine(style: str, keys_per_tick: int = 2) -> ConsistentHashingEngine:
    params = ConsistentHashingParams(
        mode="slots", nodes=2, keys=0, migration=style, keys_per_tick=keys_per_tick
    )
    return ConsistentHashingEngine(params, seed=11)


def reference(style: str) -> SlotCluster:
    cluster = SlotCluster(START, style=style)
    for name in TAGGED + PLAIN:
        cluster.add_key(name)
    return cluster


def owner_table(shards: list[dict[str, Any]]) -> list[str | None]:
    owners: list[str | None] = [None] * 16384
    for shard in shards:
        for a, b in shard["ranges"]:
            for slot in range(a, b + 1):
                owners[slot] = shard["name"]
    return owners


def served_twice(cluster: SlotCluster, names: list[str]) -> list[int]:
    """Slots whose stored keys are answered by two different shards, from lookups alone."""
    servers: dict[int, set[str | None]] = {}
    for name in names:
        servers.setdefault(key_slot(name), set()).add(cluster.served_by(name))
    return sorted(slot for slot, who in servers.items() if len(who) > 1)


def step_until(e: ConsistentHashingEngine, reached: Callable[[dict[str, Any]], bool]) -> None:
    for _ in range(200):
        if reached(e.state()):
            return
        assert e.step(), "the reshard finished first"
    raise AssertionError("not reached in 200 steps")


def start_reshard(e: ConsistentHashingEngine) -> None:
    e.apply({"action": "add_keys", "names": TAGGED + PLAIN})
    e.apply({"action": "select_key", "key": TAGGED[0]})
    e.apply({"action": "add_node", "name": "shard-C"})


@pytest.mark.parametrize("style", ["slot", "key"])
def test_both_styles_follow_the_same_plan_in_lockstep(style: str) -> None:
    other = "key" if style == "slot" else "slot"
    e = engine(style)
    refs = {style: reference(style), other: reference(other)}
    start_reshard(e)
    plans = [r.add_shard("shard-C") for r in refs.values()]
    assert plans[0] == plans[1]
    state = e.state()
    assert state["migration_style"] == style
    assert state["compare"]["migration_style"] == other
    assert state["compare"]["migration"]["queue_slots"] == len(plans[0]) == len(MOVING)
    ticks = 0
    while e.step():
        ticks += 1
        for r in refs.values():
            r.step(2)
        state = e.state()
        main, comp = state, state["compare"]
        assert owner_table(main["shards"]) == refs[style].owners
        assert owner_table(comp["shards"]) == refs[other].owners
        # no key is written during the reshard, so the two never drift apart
        assert refs[style].owners == refs[other].owners
        assert (main["migration"] is None) == (comp["migration"] is None)
        if main["migration"] is not None:
            for field in ("queue_slots", "done_slots", "moved_keys", "total_keys", "joining"):
                assert main["migration"][field] == comp["migration"][field]
            assert main["migration"]["style"] == style
            assert comp["migration"]["style"] == other
        assert [s["keys"] for s in main["shards"]] == list(refs[style].key_counts().values())
        assert [s["keys"] for s in comp["shards"]] == list(refs[other].key_counts().values())
    moving = sum(key_slot(name) in MOVING for name in TAGGED + PLAIN)
    assert ticks == (moving + 1) // 2  # two keys a step; empty slots flip for free
    assert e.state()["compare"]["migration"] is None


def test_a_slot_at_a_time_is_never_split_and_key_by_key_is() -> None:
    for style in ("slot", "key"):
        e = engine(style)
        start_reshard(e)
        ref = {"slot": reference("slot"), "key": reference("key")}
        for r in ref.values():
            r.add_shard("shard-C")
        by_style: dict[str, list[int]] = {"slot": [], "key": []}
        while events := e.step():
            for r in ref.values():
                r.step(2)
            state = e.state()
            pictures = {style: state, state["compare"]["migration_style"]: state["compare"]}
            for name, picture in pictures.items():
                expected = served_twice(ref[name], TAGGED + PLAIN)
                assert picture["split_slots"] == expected
                assert picture["split_count"] == len(expected)
                by_style[name].append(picture["split_count"])
            notes = [ev for ev in events if ev.kind == "compare"]
            assert len(notes) <= 1
            # a sentence on the other style exactly when one of them has a split slot
            split_now = state["split_count"] + state["compare"]["split_count"]
            assert bool(notes) == bool(split_now)
        assert set(by_style["slot"]) == {0}
        assert max(by_style["key"]) == 1
        # with 2 keys a step and 5 keys a slot, each tagged slot is split for two steps
        assert by_style["key"].count(1) == 2 * len(TAGS)


def test_the_compare_sentences_name_the_split_slot() -> None:
    e = engine("slot", keys_per_tick=1)
    start_reshard(e)
    slot = min(key_slot(t) for t in TAGS)  # the plan moves slots in slot order
    plan = plan_reshard(slot_table(START), [*START, "shard-C"])
    source = next(m.source for m in plan if m.slot == slot)
    texts = [ev.text for _ in range(400) for ev in e.step()]
    expected = [
        f"Meanwhile, key by key: slot {slot} is split; {source} answers ASK shard-C for "
        f"{moved} of its 5 keys."
        for moved in (1, 2, 3, 4)
    ]
    assert [t for t in texts if f"slot {slot} is split" in t] == expected

    k = engine("key", keys_per_tick=1)
    start_reshard(k)
    texts = [ev.text for _ in range(400) for ev in k.step()]
    notes = [t for t in texts if t.startswith("Meanwhile, slot at a time:")]
    assert len(notes) == 4 * len(TAGS)
    assert notes[0].endswith(f"all 5 keys of slot {slot} (1 copied to shard-C).")


def test_selected_key_agrees_with_each_cluster() -> None:
    for style in ("slot", "key"):
        other = "key" if style == "slot" else "slot"
        e = engine(style, keys_per_tick=1)
        refs = {style: reference(style), other: reference(other)}
        start_reshard(e)
        for r in refs.values():
            r.add_shard("shard-C")
        differed = 0
        while e.step():
            for r in refs.values():
                r.step(1)
            state = e.state()
            pairs = ((state["selected"], refs[style]), (state["compare"]["selected"], refs[other]))
            for picked, ref in pairs:
                look = ref.lookup(TAGGED[0])
                assert picked == {
                    "key": look.key,
                    "slot": look.slot,
                    "hashed": look.hashed,
                    "shard": look.owner,
                    "ask": look.ask,
                    "served_by": look.served_by,
                }
            if state["selected"]["served_by"] != state["compare"]["selected"]["served_by"]:
                differed += 1
                key_side = state if style == "key" else state["compare"]
                slot_side = state["compare"] if style == "key" else state
                assert key_side["selected"]["ask"] == "shard-C"
                assert slot_side["selected"]["ask"] is None
                assert slot_side["selected"]["served_by"] == slot_side["selected"]["shard"]
        # TAGGED[0] is the first key of its slot to move: it answers ASK for 4 steps
        assert differed == 4
        assert e.state()["compare"]["selected"] == e.state()["selected"]


def test_select_and_add_key_sentences_give_both_answers() -> None:
    e = engine("slot", keys_per_tick=1)
    start_reshard(e)
    step_until(e, lambda state: state["compare"]["split_count"] > 0)
    source = e.state()["compare"]["migration"]["current"]["source"]
    split = e.state()["compare"]["split_slots"][0]
    tag = next(t for t in TAGS if key_slot(t) == split)
    moved = f"{{{tag}}}:0"
    text = e.apply({"action": "select_key", "key": moved})[0].text
    assert text.endswith(f"owned by {source}; key by key, {source} already answers ASK shard-C.")
    text = e.apply({"action": "add_keys", "names": [f"{{{tag}}}:new"]})[0].text
    assert f"served by {source} (key by key: by shard-C, through ASK)" in text


def test_keys_written_during_a_migration_put_the_slot_style_behind() -> None:
    e = engine("key", keys_per_tick=1)
    start_reshard(e)
    step_until(e, lambda state: state["split_count"] > 0)
    tag = next(t for t in TAGS if key_slot(t) in e.state()["split_slots"])
    e.apply({"action": "add_keys", "names": [f"{{{tag}}}:late-{i}" for i in range(3)]})
    state = e.state()
    main, comp = state["migration"], state["compare"]["migration"]
    left = main["total_keys"] - main["moved_keys"]
    assert comp["total_keys"] - comp["moved_keys"] == left + 3  # copied, not created
    main_ticks = comp_ticks = 0
    while events := e.step():
        state = e.state()
        if state["migration"] is not None:
            main_ticks += 1
        comp_ticks += 1
        if state["migration"] is None and state["compare"]["migration"] is not None:
            # the chosen style is done; the other still copies and refuses a new reshard
            assert [ev.kind for ev in events][-1] == "compare"
            before = state
            for bad in (
                {"action": "add_node"},
                {"action": "remove_node", "name": "shard-A"},
                {"action": "set_migration", "style": "slot"},
            ):
                with pytest.raises(CommandError) as err:
                    e.apply(bad)
                assert "shown beside it" in str(err.value)
                assert e.state() == before
    assert comp_ticks - main_ticks == 4  # three late keys to copy, plus the step that ends it
    texts = [ev.text for ev in e.apply({"action": "add_node"})]
    assert texts[0].startswith("shard-D joins")


def test_refused_commands_leave_both_clusters_unchanged() -> None:
    e = engine("slot")
    start_reshard(e)
    e.step()
    before = e.state()
    for bad in (
        {"action": "add_node"},
        {"action": "remove_node", "name": "shard-A"},
        {"action": "set_migration", "style": "key"},
        {"action": "add_keys", "names": [TAGGED[0]]},
        {"action": "add_keys", "count": 10**9},
        {"action": "select_key", "key": ""},
    ):
        with pytest.raises(CommandError):
            e.apply(bad)
        assert e.state() == before
    fresh = engine("slot")
    start_reshard(fresh)
    fresh.step()
    for _ in range(20):
        assert [ev.text for ev in e.step()] == [ev.text for ev in fresh.step()]
    assert e.state() == fresh.state()


def test_set_migration_swaps_the_two_pictures() -> None:
    e = engine("slot")
    start_reshard(e)
    while e.step():
        pass
    before = e.state()
    e.apply({"action": "set_migration", "style": "key"})
    after = e.state()
    assert after["migration_style"] == "key"
    assert after["compare"]["migration_style"] == "slot"
    assert after["shards"] == before["shards"] == after["compare"]["shards"]
    e.apply({"action": "remove_node", "name": "shard-C"})
    splits = []
    while e.step():
        splits.append((e.state()["split_count"], e.state()["compare"]["split_count"]))
    assert max(s for s, _ in splits) == 1 and max(c for _, c in splits) == 0


def test_comparison_is_deterministic_and_survives_deep_copy() -> None:
    def run() -> tuple[list[str], str]:
        e = engine("slot", keys_per_tick=3)
        start_reshard(e)
        texts = []
        for i in range(30):
            texts += [ev.text for ev in e.step()]
            if i == 3:
                e.apply({"action": "add_keys", "names": [f"{{{TAGS[1]}}}:x"]})
        return texts, json.dumps(e.state(), sort_keys=True)

    assert run() == run()
    e = engine("key")
    start_reshard(e)
    e.step()
    clone = copy.deepcopy(e)
    assert clone.state() == e.state()
    while e.step():
        pass
    assert clone.state() != e.state()
    while clone.step():
        pass
    assert clone.state() == e.state()


def test_many_slots_in_one_step_stay_within_the_event_limit() -> None:
    e = ConsistentHashingEngine(
        ConsistentHashingParams(mode="slots", nodes=3, keys=3000, keys_per_tick=10_000), seed=2
    )
    e.apply({"action": "add_node"})
    events = e.step()
    assert len(events) <= MAX_TICK_EVENTS
    assert events[-1].kind == "done"
    assert e.step() == []
    assert e.state()["split_count"] == e.state()["compare"]["split_count"] == 0


def test_ring_mode_has_no_comparison() -> None:
    ring = ConsistentHashingEngine(ConsistentHashingParams(), seed=1)
    assert "compare" not in ring.state()
    assert "split_slots" not in ring.state()
