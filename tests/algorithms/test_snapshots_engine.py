"""The snapshot lab's engine and its narrated replays."""

from __future__ import annotations

import contextlib
import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from algorithms.engine import CommandError
from algorithms.recording import Timeline
from algorithms.snapshots.engine import MAX_LAB_EVENTS, SnapshotsEngine, SnapshotsParams
from algorithms.snapshots.narrations import example_2_2_commands, single_token_commands


def engine(**params: object) -> SnapshotsEngine:
    return SnapshotsEngine(SnapshotsParams(**params), seed=3)  # type: ignore[arg-type]


def play(commands: list[tuple[dict[str, object], str]]) -> SnapshotsEngine:
    e = engine()
    for command, caption in commands:
        assert caption
        e.apply(command)
    return e


def test_example_2_2_narration_reaches_figure_8() -> None:
    state = play(example_2_2_commands()).state()
    [s] = state["snapshots"]
    assert s["complete"] and s["local"] == {"p": 1, "q": 0}
    channels = {(c["from"], c["to"]): c["tokens"] for c in s["channels"]}
    assert channels == {("p", "q"): [], ("q", "p"): [1]}
    assert s["occurred"] is False  # S* is none of the states the run passed through
    assert s["conservation"] == {"recorded": 1, "in_flight": 1, "total": 2, "holds": True}
    order = s["reordering"]["order"]
    assert s["reordering"]["recorded_after"] == 1  # only q's send of M' precedes the cut
    first = next(e for e in state["events"] if e["index"] == order[0])
    assert (first["process"], first["kind"]) == ("q", "send")


def test_single_token_narration_counts_the_token_once_in_channel_c() -> None:
    state = play(single_token_commands()).state()
    [s] = state["snapshots"]
    assert s["local"] == {"p": 0, "q": 0}
    channels = {(c["from"], c["to"]): c["tokens"] for c in s["channels"]}
    assert channels == {("p", "q"): [1], ("q", "p"): []}
    assert s["occurred"] is True and s["conservation"]["holds"]


def test_state_is_json_ready_and_has_the_space_time_view() -> None:
    e = engine(processes=4, topology="complete", tokens=3)
    e.apply({"action": "send", "from": "P1", "to": "P2", "tokens": 2})
    e.apply({"action": "snapshot", "process": "P3"})
    e.apply({"action": "snapshot", "process": "P1", "id": "mine"})
    e.apply({"action": "tick", "units": 3})
    e.apply({"action": "select_snapshot", "id": "mine"})
    state = e.state()
    json.dumps(state)
    assert [s["id"] for s in state["snapshots"]] == ["S1", "mine"]
    assert all(s["complete"] and s["conservation"]["holds"] for s in state["snapshots"])
    markers = [m for m in state["messages"] if m["kind"] == "marker"]
    assert len(markers) == 2 * 12 and all(m["received_at"] >= m["sent_at"] for m in markers)
    cut = state["snapshots"][1]["cut"]
    assert set(cut) == {"P1", "P2", "P3", "P4"} and cut["P1"]["time"] == 0
    assert "properties" in state["snapshots"][1] and "properties" not in state["snapshots"][0]


def test_commands_are_validated_before_anything_changes() -> None:
    e = engine()
    before = json.dumps(e.state())
    bad = [
        {"action": "send", "from": "P1", "to": "P2", "tokens": 6},
        {"action": "send", "from": "P1", "to": "P9", "tokens": 1},
        {"action": "send", "from": "P1", "to": "P2"},
        {"action": "send", "from": "P1", "to": "P2", "tokens": 1, "extra": 1},
        {"action": "tick", "units": 0},
        {"action": "deliver", "from": "P1", "to": "P2"},
        {"action": "snapshot", "process": "P1", "id": "has space"},
        {"action": "import_topology", "text": "2\np 1\nq 0\np q\n"},
        {"action": "import_events", "text": "send P1 P2 1\nsend P1 P2 9\n"},
        {"action": "add_link", "from": "P1", "to": "P2"},
        {"action": "set_mode", "mode": "flink"},
        {"action": "select_snapshot", "id": "S1"},
    ]
    for command in bad:
        with pytest.raises(CommandError):
            e.apply(command)
    assert json.dumps(e.state()) == before
    e.apply({"action": "snapshot", "process": "P1", "id": "A"})
    with pytest.raises(CommandError, match="reused"):
        e.apply({"action": "snapshot", "process": "P2", "id": "A"})


def test_import_events_names_the_line() -> None:
    e = engine()
    with pytest.raises(CommandError, match="line 2: tokens sent must be at most what P1 holds"):
        e.apply({"action": "import_events", "text": "send P1 P2 5\nsend P1 P2 1\n"})
    e.apply({"action": "import_events", "text": "snapshot P2\nsend P1 P2 5\ntick\ntick 2\n"})
    assert e.state()["snapshots"][0]["complete"]
    # Tokens in flight count once a tick has delivered them, within one file too.
    e.apply({"action": "import_events", "text": "send P2 P3 10\ntick\nsend P3 P1 15\n"})
    assert [p["tokens"] for p in e.state()["processes"]] == [0, 0, 0]


def test_links_can_be_edited_while_markers_can_reach_everyone() -> None:
    e = engine(processes=3, topology="complete")
    e.apply({"action": "remove_link", "from": "P1", "to": "P3"})
    assert ["P1", "P3"] not in e.state()["links"]
    e.apply({"action": "remove_link", "from": "P2", "to": "P1"})
    with pytest.raises(CommandError, match="strongly connected"):
        e.apply({"action": "remove_link", "from": "P3", "to": "P1"})
    e.apply({"action": "add_link", "from": "P1", "to": "P3"})


def test_aligned_mode_compares_with_chandy_lamport_on_the_same_run() -> None:
    e = engine(mode="aligned")
    e.apply({"action": "snapshot", "process": "src1"})
    for k in range(10):
        src = "src1" if k % 2 else "src2"
        dst = "join" if src == "src2" or k % 4 == 1 else "map"
        e.apply({"action": "send", "from": src, "to": dst, "tokens": 2})
    e.apply({"action": "snapshot", "process": "src1"})
    for _ in range(5):
        e.step()
    state = e.state()
    assert all(s["complete"] and s["conservation"]["holds"] for s in state["snapshots"])
    assert all(c["tokens"] == [] for s in state["snapshots"] for c in s["channels"])
    assert set(state["comparison"]) == {
        "recorded_in_channels",
        "held_back",
        "total_held_time",
        "longest_hold",
    }
    with pytest.raises(CommandError, match="source"):
        e.apply({"action": "snapshot", "process": "join"})


def test_same_commands_same_state_and_checkpoints_are_independent() -> None:
    commands = [
        {"action": "send", "from": "P1", "to": "P2", "tokens": 2},
        {"action": "snapshot", "process": "P2"},
        {"action": "send", "from": "P3", "to": "P1", "tokens": 1},
    ]
    a, b = engine(), engine()
    for c in commands:
        a.apply(c)
        b.apply(c)
    twin = copy.deepcopy(a)
    a.step()
    b.step()
    assert a.state() == b.state()
    assert twin.state() != a.state()
    twin.step()
    assert twin.state() == a.state()


def test_runs_on_the_timeline_and_stays_bounded() -> None:
    t = Timeline(SnapshotsEngine, "snapshots", {"processes": 2, "tokens": 1000}, seed=1)
    t.act({"action": "snapshot", "process": "P1"})
    t.forward()
    assert t.engine.state()["snapshots"][0]["complete"]
    e = engine(processes=2, tokens=1000)
    with pytest.raises(CommandError, match="events"):
        for k in range(MAX_LAB_EVENTS):
            a, b = ("P1", "P2") if k % 2 else ("P2", "P1")
            e.apply({"action": "send", "from": a, "to": b, "tokens": 1})
            if k % 400 == 399:
                e.apply({"action": "tick"})
    assert len(e.state()["events"]) <= MAX_LAB_EVENTS


def test_a_stable_property_recorded_still_holds_now() -> None:
    e = engine(processes=3, tokens=2)
    for src, dst in (("P2", "P1"), ("P3", "P1")):
        e.apply({"action": "send", "from": src, "to": dst, "tokens": 2})
    e.apply({"action": "tick"})
    for p in ("P1", "P2", "P3"):
        e.apply({"action": "idle", "process": p})
    e.apply({"action": "snapshot", "process": "P2"})
    e.apply({"action": "tick", "units": 3})
    e.apply({"action": "select_snapshot", "id": "S1"})
    props = e.state()["snapshots"][0]["properties"]
    assert props["terminated"] == {"recorded": True, "now": True}
    assert props["all_tokens_at_one_process"] == {"recorded": True, "now": True}
    # Before the tokens have all arrived, the recorded state shows them in transit.
    e = engine(processes=3, tokens=2)
    e.apply({"action": "send", "from": "P2", "to": "P1", "tokens": 2})
    e.apply({"action": "snapshot", "process": "P1"})
    e.apply({"action": "tick", "units": 3})
    e.apply({"action": "select_snapshot", "id": "S1"})
    props = e.state()["snapshots"][0]["properties"]
    assert props["terminated"]["recorded"] is False


def test_state_is_a_fresh_picture_each_time() -> None:
    e = play(example_2_2_commands())
    first = e.state()
    first["snapshots"][0]["local"]["p"] = 99
    assert e.state()["snapshots"][0]["local"]["p"] == 1
    e.apply({"action": "idle", "process": "p"})
    e.apply({"action": "idle", "process": "q"})
    props = e.state()["snapshots"][0]["properties"]
    assert props["terminated"] == {"recorded": False, "now": True}  # M' was in c' then


def test_marker_sentences_say_which_rule_applied() -> None:
    e = engine()
    texts = [ev.text for c, _ in example_2_2_commands() for ev in e.apply(c)]
    assert any("it had not recorded, so it records its state now" in t for t in texts)
    assert any(
        "channel q->p is recorded as the messages received after p recorded" in t for t in texts
    )


names = st.sampled_from(["P1", "P2", "P3", "P4", "src1", "src2", "map", "join", "sink", "x"])
commands = st.one_of(
    st.builds(
        lambda a, b, k: {"action": "send", "from": a, "to": b, "tokens": k},
        names,
        names,
        st.integers(-1, 6),
    ),
    st.builds(lambda u: {"action": "tick", "units": u}, st.integers(0, 4)),
    st.builds(lambda a, b: {"action": "deliver", "from": a, "to": b}, names, names),
    st.builds(lambda a: {"action": "snapshot", "process": a}, names),
    st.builds(lambda a: {"action": "idle", "process": a}, names),
    st.builds(
        lambda i: {"action": "select_snapshot", "id": i}, st.sampled_from(["S1", "S2", None])
    ),
    st.builds(lambda a, b: {"action": "add_link", "from": a, "to": b}, names, names),
    st.builds(lambda a, b: {"action": "remove_link", "from": a, "to": b}, names, names),
)


@given(
    st.sampled_from(["chandy-lamport", "aligned"]),
    st.sampled_from(["ring", "complete", "random"]),
    st.integers(0, 2**31),
    st.lists(commands, max_size=40),
)
@settings(max_examples=60, deadline=None)
def test_any_command_sequence_keeps_the_engine_sound(
    mode: str, kind: str, seed: int, script: list[dict[str, object]]
) -> None:
    e = SnapshotsEngine(SnapshotsParams(processes=4, topology=kind, tokens=3, mode=mode), seed)
    for command in script:
        with contextlib.suppress(CommandError):
            e.apply(command)
        e.step()
    state = e.state()
    json.dumps(state)
    total = sum(p["tokens"] for p in state["processes"])
    flying = sum(m["tokens"] for m in state["messages"] if m["received_at"] is None)
    assert (
        total + flying + sum(len(v) for v in e.system.buffer.values()) * 0 <= state["total"]
    )  # held-back input is still counted in messages
    assert total + flying == state["total"]
    for s in state["snapshots"]:
        if s["complete"]:
            assert s["conservation"]["holds"] and s["consistent"]
