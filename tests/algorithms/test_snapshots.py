"""Chandy–Lamport snapshots and aligned barriers: the library (algorithms.snapshots)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from algorithms.engine import CommandError
from algorithms.snapshots import (
    LineError,
    Snapshot,
    TokenSystem,
    Topology,
    all_tokens_at_one_process,
    closing_marker,
    complete_topology,
    conserves,
    dump_events,
    dump_snapshot,
    dump_topology,
    in_flight_tokens,
    is_consistent,
    load_events,
    load_snapshot,
    load_topology,
    random_events,
    random_topology,
    recorded_channel_state,
    recorded_process_state,
    ring_topology,
    run,
    stable_property_holds,
)
from algorithms.snapshots.dataflow import compare_modes, dataflow_events, dataflow_topology
from algorithms.snapshots.reachability import (
    is_consistent_cut,
    reordering,
    replay,
    state_of,
    states_passed,
)
from algorithms.snapshots.runner import apply_action

EXAMPLE_2_2 = load_topology("2\np 1\nq 1\np q\nq p\n")


def random_run(n: int, seed: int, messages: int, snapshots: int) -> tuple[Topology, list[Snapshot]]:
    topology = random_topology(n, seed, max_tokens=6)
    events = random_events(topology, seed, messages, snapshots, per_tick=4)
    return topology, run(topology, events, seed)


@given(st.integers(2, 8), st.integers(0, 2**31), st.integers(0, 120), st.integers(1, 6))
@settings(max_examples=60, deadline=None)
def test_every_snapshot_conserves_the_tokens(n: int, seed: int, messages: int, k: int) -> None:
    topology, snapshots = random_run(n, seed, messages, k)
    assert len(snapshots) == k
    for s in snapshots:
        assert set(s.local) == set(topology.processes)
        assert set(s.channels) == set(topology.links)
        assert sum(s.local.values()) + in_flight_tokens(s) == topology.total
        assert conserves(s, topology.total)


@given(st.integers(2, 8), st.integers(0, 2**31), st.integers(0, 120), st.integers(1, 6))
@settings(max_examples=60, deadline=None)
def test_no_recorded_message_was_sent_after_its_sender_recorded(
    n: int, seed: int, messages: int, k: int
) -> None:
    _, snapshots = random_run(n, seed, messages, k)
    for s in snapshots:
        assert is_consistent(s)
        for (src, dst), sent_at in s.channel_sent_index.items():
            assert all(i < s.recorded_index[src] for i in sent_at)
            assert len(sent_at) == len(s.channels[(src, dst)])
            # ... and each was received after the receiver recorded (the marker closed it).
            assert s.sent_before[(src, dst)] - s.received_before[(src, dst)] == len(sent_at)


def test_same_seed_same_snapshots_and_seeds_differ() -> None:
    topology = complete_topology(5, 4)
    events = random_events(topology, 3, 300, 10)
    assert run(topology, events, 11) == run(topology, events, 11)
    runs = {tuple(dump_snapshot(s) for s in run(topology, events, seed)) for seed in range(6)}
    assert len(runs) > 1


def test_overlapping_snapshots_each_have_their_own_markers() -> None:
    system = TokenSystem(ring_topology(4, 3), seed=5)
    system.start_snapshot("P1")
    system.send("P2", "P3", 2)
    system.start_snapshot("P3", "mine")
    system.send("P4", "P1", 1)
    system.finish()
    got = system.completed()
    assert [s.id for s in got] == ["S1", "mine"]
    markers = [m for m in system.messages.values() if m.kind == "marker"]
    assert sorted({m.snapshot for m in markers}) == ["S1", "mine"]
    assert len(markers) == 2 * len(system.topology.links)
    for s in got:
        for link in system.topology.links:
            marker = closing_marker(s, *link)
            assert marker is not None and system.messages[marker].snapshot == s.id


def example_2_2_system() -> tuple[TokenSystem, Snapshot]:
    system = TokenSystem(EXAMPLE_2_2, seed=0)
    rec = system.start_snapshot("p")  # p records A in S0 and sends a marker along c
    system.send("p", "q", 1)  # M: S1
    system.send("q", "p", 1)  # M': S2
    system.deliver_next("q", "p")  # p receives M': S3
    system.deliver_next("p", "q")  # q receives the marker: records D, c empty
    system.deliver_next("q", "p")  # p receives the marker along c': c' = [M']
    return system, system.result(rec)


def test_example_2_2_records_a_state_the_run_never_passed_through() -> None:
    system, s = example_2_2_system()
    assert s.local == {"p": 1, "q": 0}  # p in A, q in D
    assert s.channels == {("p", "q"): [], ("q", "p"): [1]}  # c empty, c' holding M'
    passed = states_passed(system)
    assert [st[0] for st in passed] == [(1, 1), (0, 1), (0, 0), (1, 0)]  # S0..S3
    assert state_of(s, system.topology) not in passed
    order, at = reordering(system, s)
    states = replay(system.topology, system.events, order)
    assert states[at] == state_of(s, system.topology)
    assert states[-1] == passed[-1]


def test_example_2_2_through_run_for_some_seeds() -> None:
    events = load_events("snapshot p\nsend p q 1\nsend q p 1\n")
    outcomes = {dump_snapshot(run(EXAMPLE_2_2, events, seed)[0]) for seed in range(30)}
    assert "snapshot S1\np 1\nq 0\nq p token(1)\n" in outcomes  # Figure 8
    assert outcomes <= {"snapshot S1\np 1\nq 0\nq p token(1)\n", "snapshot S1\np 2\nq 0\n"}


@given(st.integers(2, 6), st.integers(0, 2**31), st.integers(0, 60), st.integers(1, 4))
@settings(max_examples=40, deadline=None)
def test_the_recorded_state_is_reachable_by_reordering(
    n: int, seed: int, messages: int, k: int
) -> None:
    topology = random_topology(n, seed, max_tokens=5)
    system = TokenSystem(topology, seed)
    for action in random_events(topology, seed, messages, k, per_tick=3):
        apply_action(system, action)
    system.finish()
    final = states_passed(system)[-1]
    for s in system.completed():
        order, at = reordering(system, s)
        states = replay(topology, system.events, order)  # a computation: no refusal
        assert states[at] == state_of(s, topology)
        assert states[-1] == final


def test_topology_and_events_round_trip() -> None:
    for seed in range(20):
        topology = random_topology(2 + seed % 15, seed)
        assert load_topology(dump_topology(topology)) == topology
        events = random_events(topology, seed, 50, 3)
        assert load_events(dump_events(events)) == events
        assert dump_events(load_events(dump_events(events))) == dump_events(events)


def test_snapshot_export_round_trips() -> None:
    topology = complete_topology(4, 5)
    for s in run(topology, random_events(topology, 1, 200, 5), 1):
        text = dump_snapshot(s)
        back = load_snapshot(text, links=topology.links)
        assert (back.id, back.local, back.channels) == (s.id, s.local, s.channels)
        assert dump_snapshot(back) == text


def test_queries() -> None:
    _, s = example_2_2_system()
    assert recorded_process_state(s, "p") == 1
    assert recorded_channel_state(s, "q", "p") == [1]
    assert in_flight_tokens(s) == 1 and is_consistent(s)
    with pytest.raises(CommandError):
        recorded_process_state(s, "r")
    quiet = Snapshot("S9", "p", {"p": 2, "q": 0}, {("p", "q"): [], ("q", "p"): []})
    assert all_tokens_at_one_process(quiet) == "p"
    assert not stable_property_holds(quiet, "terminated", idle=["p"])
    assert stable_property_holds(quiet, "terminated", idle=["p", "q"])
    assert not stable_property_holds(s, "all_tokens_at_one_process")
    inconsistent = Snapshot("S8", "p", {"p": 2}, {("p", "q"): []}, {("p", "q"): 1}, {("p", "q"): 2})
    assert not is_consistent(inconsistent)


def test_aligned_barriers_record_no_channel_state_and_are_consistent() -> None:
    topology = dataflow_topology()
    for seed in range(15):
        events = dataflow_events(topology, seed, messages=60, snapshots=4)
        cmp = compare_modes(topology, events, seed)
        assert len(cmp.aligned) == len(cmp.chandy_lamport) == 4
        for s in cmp.aligned:
            assert all(v == [] for v in s.channels.values())
            assert is_consistent(s)
            assert all(s.received_before[link] == s.sent_before[link] for link in topology.links)
            assert conserves(s, topology.total)
        for s in cmp.chandy_lamport:
            assert is_consistent(s) and conserves(s, topology.total)
        assert cmp.held_back == sum(len(s.held) for s in cmp.aligned)
        assert cmp.total_held_time >= cmp.longest_hold >= 0


def test_alignment_holds_input_back_on_some_runs() -> None:
    topology = dataflow_topology()
    held = recorded = 0
    for seed in range(10):
        cmp = compare_modes(topology, dataflow_events(topology, seed, 80, 5), seed)
        held += cmp.held_back
        recorded += cmp.recorded_in_channels
    assert held > 0 and recorded > 0


BAD_TOPOLOGIES = [
    ("2\np 1\nq 0\np q\nq p\np p\n", "line 6: link must join two different processes"),
    ("2\np 1\nq 0\np q\nq r\n", "line 5: link destination must be a process (p, q), got 'r'"),
    ("3\np 1\nq 0\nr 0\np q\nq p\nq r\n", "line 4: process must be reachable by markers from p"),
    ("2\np 1\nq -2\np q\nq p\n", "line 3: tokens of q must be a whole number"),
    ("two\np 1\n", "line 1: number of processes must be a whole number"),
    ("2\np 1 1\nq 1\n", "line 2: process line must be `ID tokens`"),
    ("17\n", "line 1: number of processes must be a whole number between 2 and 16"),
    ("2\np 1\np 2\n", "line 3: process must not be listed twice"),
    ("2\np 1\nq 0\np q\nq p\np q\n", "line 6: link must not be listed twice (line 4)"),
]


@pytest.mark.parametrize(("text", "message"), BAD_TOPOLOGIES)
def test_bad_topologies_are_refused_with_the_line(text: str, message: str) -> None:
    with pytest.raises(LineError) as err:
        load_topology(text)
    assert message in str(err.value)
    assert isinstance(err.value, CommandError)


def test_not_strongly_connected_says_which_process() -> None:
    with pytest.raises(LineError) as err:
        load_topology("3\na 1\nb 1\nc 1\na b\nb a\nc a\n")
    assert "a cannot send to c" in str(err.value) and err.value.line == 4


BAD_EVENTS = [
    ("send p q 2\n", "line 1: tokens sent must be at most what p holds (1), got 2"),
    ("tick\nsend x q 1\n", "line 2: sender must be a process (p, q), got 'x'"),
    ("send p z 1\n", "line 1: receiver must be a process (p, q), got 'z'"),
    ("snapshot z\n", "line 1: initiator must be a process (p, q), got 'z'"),
    ("snapshot p A\n# again\nsnapshot q A\n", "line 3: snapshot id must not be reused"),
    ("send p q -1\n", "line 1: tokens sent must be a whole number between 1"),
    ("send p q 1 2\n", "line 1: send must be `send A B k`"),
    ("jump p\n", "line 1: action must be one of send, snapshot, tick, got 'jump'"),
    ("tick x\n", "line 1: tick must be a whole number"),
]


@pytest.mark.parametrize(("text", "message"), BAD_EVENTS)
def test_bad_events_are_refused_with_the_line(text: str, message: str) -> None:
    with pytest.raises(CommandError) as err:
        run(load_topology("2\np 1\nq 0\np q\nq p\n"), load_events(text), seed=1)
    assert message in str(err.value)


def test_a_send_on_a_missing_channel_is_refused() -> None:
    topology = load_topology("3\na 1\nb 1\nc 1\na b\nb c\nc a\n")
    with pytest.raises(LineError, match="line 1: receiver must be at the end of a channel from a"):
        run(topology, load_events("send a c 1"), seed=0)


@given(st.integers(2, 6), st.integers(0, 2**31), st.integers(1, 60))
@settings(max_examples=30, deadline=None)
def test_recorded_cuts_are_consistent_cuts_of_the_run(n: int, seed: int, messages: int) -> None:
    topology = random_topology(n, seed, max_tokens=5)
    system = TokenSystem(topology, seed)
    for action in random_events(topology, seed, messages, 2, per_tick=3):
        apply_action(system, action)
    system.finish()
    for s in system.completed():
        assert is_consistent_cut(system, s.recorded_index)
    receives = [e for e in system.events if e.kind == "receive"]
    if receives:  # a cut holding a receive but not its send is inconsistent
        r = receives[0]
        sender = system.messages[r.message].src if r.message is not None else ""
        cut = dict.fromkeys(topology.processes, len(system.events))
        cut[sender] = 0
        assert not is_consistent_cut(system, cut)


ids = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.'-]{0,15}", fullmatch=True)


@given(st.lists(ids, min_size=2, max_size=16, unique=True), st.data())
@settings(max_examples=60, deadline=None)
def test_any_valid_topology_round_trips(names: list[str], data: st.DataObject) -> None:
    tokens = {p: data.draw(st.integers(0, 10**9)) for p in names}
    ring = [(names[i], names[(i + 1) % len(names)]) for i in range(len(names))]
    extra = data.draw(st.lists(st.sampled_from([(a, b) for a in names for b in names if a != b])))
    links = tuple(dict.fromkeys(ring + extra))
    topology = Topology(tokens, links)
    text = dump_topology(topology)
    assert load_topology(text) == topology
    assert dump_topology(load_topology("# a comment\n" + text.replace("\n", "  # note\n"))) == text


actions = st.one_of(
    st.builds(lambda a, b, k: f"send {a} {b} {k}", ids, ids, st.integers(1, 10**9)),
    st.builds(lambda a: f"snapshot {a}", ids),
    st.builds(lambda a, i: f"snapshot {a} {i}", ids, ids),
    st.just("tick"),
    st.builds(lambda n: f"tick {n}", st.integers(1, 10**6)),
)


@given(st.lists(actions, max_size=40))
@settings(max_examples=60, deadline=None)
def test_any_valid_events_file_round_trips(lines: list[str]) -> None:
    events = load_events("\n".join(lines))
    assert len(events) == len(lines)
    assert load_events(dump_events(events)) == events
    assert dump_events(events) == "".join(
        line.removesuffix(" 1") + "\n" if line == "tick 1" else line + "\n" for line in lines
    )
