"""The redundancy engine's contract, and the narrated replays' numbers."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest

from algorithms.engine import CommandError
from algorithms.recording import Timeline
from algorithms.redundancy import (
    MAX_TIMELINE_EVENTS,
    ArrayTimeline,
    RedundancyEngine,
    RedundancyParams,
    fail_domain,
)
from algorithms.redundancy.replays import (
    patterson_arithmetic,
    patterson_replay,
    zone_failure_replay,
)

SCRIPT: list[dict[str, Any] | None] = [
    None,
    {"action": "fail_disk", "disk": 3},
    None,
    {"action": "fail_domain", "level": "rack", "name": "R1a-2"},
    {"action": "place", "strategy": "copysets", "scatter": 2},
    {"action": "fail_hosts", "count": 7},
    {"action": "run", "hours": 5_000},
    {"action": "restore"},
    None,
]


def run(seed: int, params: RedundancyParams | None = None) -> tuple[list[str], dict[str, Any]]:
    engine = RedundancyEngine(params or RedundancyParams(mttf=3_000, mttr=30), seed)
    texts = []
    for command in SCRIPT:
        events = engine.step() if command is None else engine.apply(command)
        assert events, command
        texts += [e.text for e in events]
    return texts, engine.state()


def test_same_seed_same_run_and_the_state_is_json() -> None:
    a, b = run(5), run(5)
    assert a == b
    assert json.loads(json.dumps(a[1])) == a[1]
    assert run(6)[0] != a[0]


def test_a_step_covers_hours_per_step() -> None:
    engine = RedundancyEngine(RedundancyParams(hours_per_step=100.0), seed=1)
    for k in range(1, 4):
        engine.step()
        assert engine.state()["array"]["now"] == pytest.approx(100.0 * k)


def test_two_disks_of_a_group_down_lose_data_with_c_1() -> None:
    engine = RedundancyEngine(RedundancyParams(d=8, g=4, c=1, mttr=10), seed=1)
    assert engine.apply({"action": "fail_disk", "disk": 0})[0].kind == "fail"
    assert engine.apply({"action": "fail_disk", "disk": 5})[0].kind == "fail"  # other group
    event = engine.apply({"action": "fail_disk", "disk": 1})[0]
    assert event.kind == "loss" and event.data["group"] == 0
    assert "more than C = 1 disk down" in event.text
    assert engine.state()["array"]["losses"] == [1, 0]
    with pytest.raises(CommandError, match="being rebuilt"):
        engine.apply({"action": "fail_disk", "disk": 1})


def test_c_2_survives_two_failures() -> None:
    engine = RedundancyEngine(RedundancyParams(d=8, g=4, c=2, mttr=10), seed=1)
    kinds = [engine.apply({"action": "fail_disk", "disk": d})[0].kind for d in (0, 1, 2)]
    assert kinds == ["fail", "fail", "loss"]


def test_domain_failures_match_the_library() -> None:
    params = RedundancyParams(regions=2, zones=3, racks=4, hosts=5, placement="random")
    engine = RedundancyEngine(params, seed=9)
    expected = fail_domain(engine.topology, engine.placement, "zone", "R2b")
    event = engine.apply({"action": "fail_domain", "level": "zone", "name": "R2b"})[0]
    assert event.data["lost"] == expected.lost
    assert event.data["no_quorum"] == expected.no_quorum
    assert engine.lost_items("R2b") == list(expected.lost_items)
    state = engine.state()["domains"]
    assert state["down_hosts"] == 20 and state["failed"] == ["zone R2b"]
    assert set(state["loss_per_year"]) == {"rack", "zone", "region"}


@pytest.mark.parametrize(
    ("command", "field"),
    [
        ({"action": "explode"}, "action"),
        ({"action": "fail_disk"}, "disk"),
        ({"action": "fail_disk", "disk": 25}, "disk"),
        ({"action": "fail_disk", "disk": 1, "extra": 2}, "extra"),
        ({"action": "run", "hours": 0}, "hours"),
        ({"action": "run", "hours": 10_000}, "hours"),
        ({"action": "fail_domain", "level": "row", "name": "R1a"}, "level"),
        ({"action": "fail_domain", "level": "zone", "name": "R1z"}, "name"),
        ({"action": "fail_hosts", "count": 0}, "count"),
        ({"action": "fail_hosts", "count": 61}, "count"),
        ({"action": "place", "strategy": "regions"}, "replicas"),
        ({"action": "place", "strategy": "zones", "scatter": 50}, "scatter"),
    ],
)
def test_refused_commands_change_nothing(command: dict[str, Any], field: str) -> None:
    engine = RedundancyEngine(RedundancyParams(), seed=2)
    engine.step()
    before = copy.deepcopy(engine.state())
    with pytest.raises(CommandError) as err:
        engine.apply(command)
    assert err.value.field == field
    assert engine.state() == before


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"d": 21}, "g"),
        ({"c": 4}, "c"),
        ({"mttr": 40_000}, "mttr"),
        ({"mttf": 0}, "mttf"),
        ({"hours_per_step": 0}, "hours_per_step"),
        ({"d": 1_000, "g": 1}, "d"),
        ({"replicas": 4}, "replicas"),
        ({"placement": "anywhere"}, "placement"),
        ({"items": 300_000}, "items"),
        ({"nodes": 3}, "params"),
        ({"ure": 2}, "ure"),
    ],
)
def test_bad_params_are_refused(data: dict[str, Any], field: str) -> None:
    with pytest.raises(CommandError) as err:
        RedundancyParams.from_dict(data)
    assert err.value.field == field


def test_engine_copies_for_checkpoints() -> None:
    engine = RedundancyEngine(RedundancyParams(mttf=2_000, mttr=50), seed=4)
    engine.step()
    twin = copy.deepcopy(engine)
    assert [e.text for e in twin.step()] == [e.text for e in engine.step()]


# -- the narrated replays ------------------------------------------------------------------


def test_pattersons_arithmetic_from_the_formula() -> None:
    a = patterson_arithmetic()
    assert a["no_redundancy_hours"] == 30_000 / 100
    assert a["level1"]["mttdl_hours"] == pytest.approx(30_000**2 / (2 * 1 * 1) / 100)
    assert a["level3_g10"]["mttdl_hours"] == pytest.approx(30_000**2 / (11 * 10 * 1) / 10)
    assert a["level3_g25"]["mttdl_hours"] == pytest.approx(30_000**2 / (26 * 25 * 1) / 4)
    assert [a[k]["overhead"] for k in ("level1", "level3_g10", "level3_g25")] == [1.0, 0.1, 0.04]


def test_patterson_replay_captions_say_what_the_engine_does() -> None:
    replay = patterson_replay(seed=3)
    params = RedundancyParams.from_dict(replay["params"])
    engine = RedundancyEngine(params, replay["seed"])
    assert "818,182 hours" in replay["moves"][2][1]
    for command, caption in replay["moves"]:
        assert command is None
        events = engine.step()
        month = re.match(r"Month (\d+): (\d+) disks? failed", caption)
        if month:
            assert int(month.group(2)) == sum(e.kind == "fail" for e in events)


def test_zone_failure_replay_runs_as_captioned() -> None:
    replay = zone_failure_replay(seed=2)
    engine = RedundancyEngine(RedundancyParams.from_dict(replay["params"]), replay["seed"])
    lost = []
    for command, caption in replay["moves"]:
        event = engine.apply(command)[0]
        if command["action"] == "fail_domain":
            assert caption.startswith(event.text)
            lost.append(event.data["lost"])
    assert lost[0] > 0 and lost[1:] == [0, 0]


def test_the_timeline_stops_at_its_event_limit() -> None:
    params = RedundancyParams(d=1_000, g=10, c=1, mttf=1_000, mttr=1, hours_per_step=8_760)
    engine = RedundancyEngine(params, seed=1)
    kinds: list[str] = []
    for _ in range(10):
        events = engine.step()
        if not events:
            break
        kinds += [e.kind for e in events]
    assert kinds[-1] == "full" and engine.step() == []
    state = engine.state()["array"]
    assert state["full"] and state["event_count"] == MAX_TIMELINE_EVENTS
    assert len(state["events"]) <= 100 and len(state["rebuild_windows"]) <= 500
    with pytest.raises(CommandError):
        engine.apply({"action": "run", "hours": 10})
    with pytest.raises(CommandError):
        engine.apply({"action": "fail_disk", "disk": 0})


def test_the_player_timeline_rebuilds_any_step() -> None:
    timeline = Timeline(
        RedundancyEngine, "redundancy", {"mttf": 2_000.0, "mttr": 40.0}, seed=3, checkpoint_every=4
    )
    for command in SCRIPT:
        if command is None:
            timeline.forward()
        else:
            timeline.act(command)
    final = timeline.engine.state()
    timeline.seek(2)
    timeline.seek(timeline.length)
    assert timeline.engine.state() == final


def test_supplies_across_the_groups_are_covered_by_the_check_disks() -> None:
    runs = range(200)
    lost = {
        layout: sum(
            ArrayTimeline(
                20, 4, 1, 1e6, 24, seed=s, supply_mttf=50_000, supply_layout=layout
            ).first_loss(20_000)
            is not None
            for s in runs
        )
        for layout in ("group", "orthogonal")
    }
    # group: any supply failure loses a group (5 groups, 20,000 h: 1 - e^-2 of the runs)
    assert lost["group"] > 150
    assert lost["orthogonal"] * 10 < lost["group"]


def test_two_orthogonal_supplies_down_lose_every_group_with_c_1() -> None:
    params = RedundancyParams(d=12, g=4, c=1, supply_mttf=1e6, supply_layout="orthogonal")
    engine = RedundancyEngine(params, seed=1)
    first = engine.apply({"action": "fail_supply", "supply": 0})
    assert [e.kind for e in first] == ["supply"]
    assert engine.state()["array"]["down"] == [[0], [5], [10]]
    second = engine.apply({"action": "fail_supply", "supply": 1})
    assert sorted(e.data["group"] for e in second if e.kind == "loss") == [0, 1, 2]
    with pytest.raises(CommandError, match="being replaced"):
        engine.apply({"action": "fail_supply", "supply": 1})


def test_a_group_supply_loses_its_group() -> None:
    params = RedundancyParams(d=12, g=4, c=2, supply_mttf=1e6)
    engine = RedundancyEngine(params, seed=1)
    events = engine.apply({"action": "fail_supply", "supply": 2})
    assert [(e.kind, e.data["group"]) for e in events] == [("supply", 2), ("loss", 2)]
    with pytest.raises(CommandError):
        engine.apply({"action": "fail_supply", "supply": 3})
    with pytest.raises(CommandError, match="no shared supply"):
        RedundancyEngine(RedundancyParams(), seed=1).apply({"action": "fail_supply", "supply": 0})
