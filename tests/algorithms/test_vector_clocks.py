"""Tests of the vector-clocks lab: clocks, ShiViz logs, the causal index, Dynamo, engine."""

from __future__ import annotations

import copy
import itertools
import re
from collections import deque
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from algorithms.clocks.shiviz import logformat as shiviz_module
from algorithms.clocks.shiviz import read as shiviz_read
from algorithms.clocks.shiviz import regex as shiviz_regex
from algorithms.engine import CommandError
from algorithms.recording import Timeline
from algorithms.vector_clocks import (
    GOVECTOR_REGEX,
    MAX_EVENTS,
    MAX_SHIVIZ_BYTES,
    MAX_SHIVIZ_EVENTS,
    CausalIndex,
    Process,
    ShiVizError,
    ShiVizEvent,
    ShiVizImportError,
    VectorClock,
    VectorClocksEngine,
    VectorClocksParams,
    VersionedKey,
    compare_versions,
    figure3,
    figure3_commands,
    parse_shiviz,
    to_shiviz,
    validate_shiviz,
)

DATA = Path(__file__).parent / "data"
FIXTURE = (DATA / "shiviz_client_server.log").read_text()

# -- VectorClock ----------------------------------------------------------------------


def test_clock_absent_entries_are_zero_and_equal() -> None:
    a = VectorClock({"P1": 1, "P2": 0})
    b = VectorClock({"P1": 1})
    assert a == b and hash(a) == hash(b)
    assert a["P2"] == 0 and "P2" not in a and len(a) == 1
    assert a.to_json() == {"P1": 1}
    assert VectorClock.from_json({"P1": 1, "P2": 0}) == a


def test_clock_order_is_happens_before() -> None:
    a = VectorClock({"P1": 1})
    b = VectorClock({"P1": 1, "P2": 2})
    c = VectorClock({"P3": 1})
    assert a < b and a <= b and b > a and b >= a and not b < a
    assert not a < a and a <= a
    assert a.concurrent_with(c) and c.concurrent_with(a) and not a.concurrent_with(b)
    assert b.merge(c) == VectorClock({"P1": 1, "P2": 2, "P3": 1})


def test_clock_increment_returns_a_new_clock() -> None:
    a = VectorClock({"P1": 1})
    b = a.increment("P1")
    assert a == VectorClock({"P1": 1}) and b == VectorClock({"P1": 2})
    assert a.increment("P2") == VectorClock({"P1": 1, "P2": 1})


def test_clock_comparisons_with_other_types_are_not_implemented() -> None:
    a = VectorClock({"P1": 1})
    assert a.__lt__({"P1": 1}) is NotImplemented
    assert a.__eq__({"P1": 1}) is NotImplemented
    assert a != {"P1": 1}
    with pytest.raises(TypeError):
        _ = a < {"P1": 2}  # type: ignore[operator]


@pytest.mark.parametrize(
    "bad",
    [{"web server": 1}, {"": 1}, {"P1": -1}, {"P1": True}, {"P1": 1.0}, {"x" * 65: 1}],
)
def test_clock_refuses_bad_entries(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        VectorClock(bad)


def test_clock_from_json_refuses_non_objects() -> None:
    with pytest.raises(ValueError):
        VectorClock.from_json([["P1", 1]])


def test_process_rules_ir1_ir2() -> None:
    p, q = Process("P1"), Process("P2")
    for _ in range(3):
        p.local_event()
    m = p.send_event()
    assert m.lamport == 4 and m.vector == VectorClock({"P1": 4})
    q.local_event()
    r = q.receive_event(m)
    # merge then increment own entry; Lamport: max(1, 4) + 1
    assert r.vector == VectorClock({"P1": 4, "P2": 2}) and r.lamport == 5


# -- the hand-checked ShiViz log -------------------------------------------------------

NAMES = ["c1", "s1", "d1", "c2", "s2", "s3", "c3", "d2", "d3", "s4", "s5", "s6", "c4"]
LINES = [3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27]

# Worked out on paper from the space-time diagram (process order plus the messages
# c2→s2, s3→d2, d3→s5, s6→c4), not from the clocks.
PAST = {
    "c1": set(),
    "c2": {"c1"},
    "c3": {"c1", "c2"},
    "c4": {"c1", "c2", "c3", "s1", "s2", "s3", "s4", "s5", "s6", "d1", "d2", "d3"},
    "s1": set(),
    "s2": {"s1", "c1", "c2"},
    "s3": {"s1", "s2", "c1", "c2"},
    "s4": {"s1", "s2", "s3", "c1", "c2"},
    "s5": {"s1", "s2", "s3", "s4", "c1", "c2", "d1", "d2", "d3"},
    "s6": {"s1", "s2", "s3", "s4", "s5", "c1", "c2", "d1", "d2", "d3"},
    "d1": set(),
    "d2": {"d1", "s1", "s2", "s3", "c1", "c2"},
    "d3": {"d1", "d2", "s1", "s2", "s3", "c1", "c2"},
}
CONCURRENT = {
    frozenset(p)
    for p in [
        ("c1", "s1"), ("c1", "d1"), ("c2", "s1"), ("c2", "d1"),
        ("c3", "s1"), ("c3", "s2"), ("c3", "s3"), ("c3", "s4"), ("c3", "s5"), ("c3", "s6"),
        ("c3", "d1"), ("c3", "d2"), ("c3", "d3"),
        ("s1", "d1"), ("s2", "d1"), ("s3", "d1"), ("s4", "d1"), ("s4", "d2"), ("s4", "d3"),
    ]
}  # fmt: skip
LAMPORT = {
    "c1": 1, "s1": 1, "d1": 1, "c2": 2, "s2": 3, "s3": 4, "c3": 3,
    "d2": 5, "d3": 6, "s4": 5, "s5": 7, "s6": 8, "c4": 9,
}  # fmt: skip
TOTAL_ORDER = ["c1", "s1", "d1", "c2", "c3", "s2", "s3", "s4", "d2", "d3", "s5", "s6", "c4"]
MESSAGES = {"s2": ["c2"], "d2": ["s3"], "s5": ["d3"], "c4": ["s6"]}


def test_fixture_parses_with_lines_hosts_and_texts() -> None:
    events = parse_shiviz(FIXTURE)
    assert [e.line for e in events] == LINES
    assert [e.host[0] + str(e.clock[e.host]) for e in events] == NAMES
    assert events[4].clock == VectorClock({"server": 2, "client": 2})
    assert events[4].text == "Received request from client"
    assert all(e.execution == 0 and e.label == "" for e in events)
    assert validate_shiviz(FIXTURE) == []


def test_fixture_tables_are_consistent() -> None:
    # the two hand tables agree: every unordered pair is ordered one way or concurrent
    for a, b in itertools.combinations(NAMES, 2):
        ordered = a in PAST[b] or b in PAST[a]
        assert ordered != (frozenset((a, b)) in CONCURRENT), (a, b)


def test_fixture_every_pair_against_the_hand_table() -> None:
    index = CausalIndex(parse_shiviz(FIXTURE))
    pos = {name: i for i, name in enumerate(NAMES)}
    for a, b in itertools.product(NAMES, NAMES):
        assert index.happens_before(pos[a], pos[b]) == (a in PAST[b]), (a, b)
        assert index.concurrent(pos[a], pos[b]) == (frozenset((a, b)) in CONCURRENT), (a, b)
    for name in NAMES:
        e = pos[name]
        assert {NAMES[i] for i in index.past(e)} == PAST[name]
        assert {NAMES[i] for i in index.future(e)} == {n for n in NAMES if name in PAST[n]}
        assert {NAMES[i] for i in index.concurrent_with(e)} == {
            n for n in NAMES if frozenset((name, n)) in CONCURRENT
        }


def test_fixture_lamport_clocks_total_order_and_messages() -> None:
    index = CausalIndex(parse_shiviz(FIXTURE))
    assert dict(zip(NAMES, index.lamport, strict=True)) == LAMPORT
    assert [NAMES[i] for i in index.total_order()] == TOTAL_ORDER
    assert index.hosts == ["client", "server", "db"]
    received = {NAMES[i]: [NAMES[s] for s in index.receives_from(i)] for i in range(13)}
    assert {k: v for k, v in received.items() if v} == MESSAGES


def test_concatenated_per_host_files_parse_to_the_same_relation() -> None:
    # GoVector writes one file per process; logs are often just concatenated.
    lines = FIXTURE.split("\n")
    pairs = [(lines[i], lines[i + 1]) for i in range(2, len(lines) - 1, 2)]
    grouped = sorted(pairs, key=lambda p: ["server", "db", "client"].index(p[0].split()[0]))
    text = "\n".join([lines[0], "", *[x for p in grouped for x in p]])
    events = parse_shiviz(text)
    index = CausalIndex(events)
    names = [e.host[0] + str(e.clock[e.host]) for e in events]
    for a, b in itertools.product(range(13), range(13)):
        assert index.happens_before(a, b) == (names[a] in PAST[names[b]])


# -- ShiViz refusals -------------------------------------------------------------------

HEAD = GOVECTOR_REGEX + "\n\n"


def problems(text: str) -> list[tuple[int, str]]:
    return [(p.line, p.reason) for p in validate_shiviz(text)]


def refused(text: str, line: int, *words: str) -> None:
    with pytest.raises(ShiVizError) as info:
        parse_shiviz(text)
    assert info.value.line == line, str(info.value)
    for word in words:
        assert word in info.value.reason, str(info.value)
    assert any(p.line == line for p in validate_shiviz(text))


def test_refuses_an_invalid_regex_line() -> None:
    refused('(?<host>\\S*) (?<clock>{.*)\\n(?<event>.*\n\na {"a":1}\nx', 1, "not a valid")


def test_refuses_a_regex_without_the_named_groups() -> None:
    refused('(?<host>\\S*) (?<ts>{.*})\\n(?<event>.*)\n\na {"a":1}\nx', 1, "lacks clock")


def test_refuses_a_blank_regex_line() -> None:
    refused('\n\na {"a":1}\nx', 1, "parsing regex")


def test_refuses_nested_unbounded_repetition() -> None:
    refused('(?<host>(\\S+)+) (?<clock>{.*})\\n(?<event>.*)\n\na {"a":1}\nx', 1, "exponential")


def test_refuses_a_clock_that_is_not_json() -> None:
    refused(HEAD + 'a {"a":1}\nx\na {"a":2, b}\ny', 5, "not valid JSON")


def test_refuses_a_clock_that_is_not_an_object_of_counters() -> None:
    refused(HEAD + 'a {"a":1}\nx\na {"a":"2"}\ny', 5, "whole number")
    refused(HEAD + 'a {"a":1.5}\nx', 3, "whole number")
    refused(HEAD + 'a {"a":-1}\nx', 3, "whole number")
    refused(HEAD + 'a {"a":1, "a":1}\nx', 3, "twice")


def test_refuses_a_host_missing_from_its_own_clock() -> None:
    refused(HEAD + 'a {"a":1}\nx\nb {"a":1}\ny', 5, "host b is missing from its own clock")
    refused(HEAD + 'b {"b":0, "a":1}\ny', 3, "missing")


def test_refuses_a_clock_going_backwards() -> None:
    text = HEAD + 'a {"a":1}\nx\na {"a":2}\ny\na {"a":1}\nz'
    refused(text, 7, "goes backwards along host a", "increase by exactly 1")
    text = HEAD + 'b {"b":1}\nb1\nb {"b":2}\nb2\na {"a":1, "b":2}\nx\na {"a":2, "b":1}\ny'
    refused(text, 9, "goes backwards along host a", "entry for b drops from 2")


def test_refuses_gaps_and_a_bad_first_counter() -> None:
    refused(HEAD + 'a {"a":1}\nx\na {"a":3}\ny', 5, "skips ahead")
    refused(HEAD + 'a {"a":2}\nx', 3, "first event")


def test_refuses_knowledge_of_an_event_that_does_not_exist() -> None:
    text = HEAD + 'a {"a":1}\nx\nb {"b":1, "a":2}\ny'
    refused(text, 5, "a's event 2", "only 1 events")
    refused(HEAD + 'a {"a":1, "zed":1}\nx', 3, "zed, which has no events")


def test_refuses_inconsistent_knowledge_and_cycles() -> None:
    # b knows a's event 1, which knew c:1, but b does not know c:1
    text = HEAD + 'c {"c":1}\nc\na {"a":1, "c":1}\nx\nb {"b":1, "a":1}\ny'
    refused(text, 7, "not everything that event knew", "c: 1 > 0")
    cycle = HEAD + 'a {"a":1, "b":1}\nx\nb {"a":1, "b":1}\ny'
    refused(cycle, 3, "same clock")


def test_reports_text_the_regex_does_not_match() -> None:
    text = HEAD + 'a {"a":1}\nx\nb {"b":1\ny\na {"a":2}\nz'
    refused(text, 5, "not part of any event")


def test_refuses_oversize_logs_before_parsing() -> None:
    event = 'a {"a":1}\nx\n'
    big = HEAD + event + ("#" * 99 + "\n") * (MAX_SHIVIZ_BYTES // 100 + 1)
    assert len(big.encode()) > MAX_SHIVIZ_BYTES
    with pytest.raises(ShiVizError) as info:
        parse_shiviz(big)
    assert "5,000,000 bytes" in info.value.reason
    assert info.value.line == big.count("\n", 0, MAX_SHIVIZ_BYTES) + 1
    # multi-byte characters count as bytes
    wide = HEAD + event + "é" * (MAX_SHIVIZ_BYTES // 2)
    assert len(wide) <= MAX_SHIVIZ_BYTES < len(wide.encode())
    assert validate_shiviz(wide)[0].reason.startswith("the log is")


def test_refuses_too_many_events_before_reading_clocks() -> None:
    many = HEAD + "".join(f'a {{"a":{k}}}\nx\n' for k in range(1, MAX_SHIVIZ_EVENTS + 2))
    with pytest.raises(ShiVizError) as info:
        parse_shiviz(many)
    assert info.value.line == 3 + 2 * MAX_SHIVIZ_EVENTS
    assert "more than 20,000 events" in info.value.reason
    # bad JSON after the limit is never reached: the count refuses first
    broken = many + "a {broken}\nx"
    assert "more than" in validate_shiviz(broken)[0].reason


def test_refuses_a_log_without_events() -> None:
    refused(HEAD + "nothing here\n", 3, "matches no event")


def test_validate_collects_every_problem_with_its_line() -> None:
    text = HEAD + "\n".join(
        [
            'a {"a":1}', "ok",  # 3
            'b {"b":1, oops}', "bad json",  # 5
            'a {"a":3}', "gap",  # 7
            'c {"a":1}', "no own entry",  # 9
            'd {"d":1, "a":9}', "unknown event",  # 11
        ]
    )  # fmt: skip
    found = problems(text)
    assert [line for line, _ in found] == [5, 7, 9, 11]
    assert "not valid JSON" in found[0][1]
    assert "skips ahead" in found[1][1]
    assert "missing from its own clock" in found[2][1]
    assert "a's event 9" in found[3][1]
    with pytest.raises(ShiVizError) as info:
        parse_shiviz(text)
    assert info.value.line == 5


def test_javascript_regex_with_extra_groups_and_crlf() -> None:
    regex = r"(?<date>\d+) (?<host>\w+) (?<clock>{.*}) (?<event>.*)"
    text = regex + "\r\n\r\n" + '10 a {"a":1} start\r\n11 b {"b":1, "a":1} got it\r\n'
    events = parse_shiviz(text)
    assert [(e.host, e.text, e.line, e.fields) for e in events] == [
        ("a", "start", 3, (("date", "10"),)),
        ("b", "got it", 4, (("date", "11"),)),
    ]


def test_multiple_executions_with_a_delimiter() -> None:
    text = (
        GOVECTOR_REGEX
        + "\n=== (?<trace>\\w+) ===\n"
        + '=== first ===\na {"a":1}\nx\nb {"b":1, "a":1}\ny\n'
        + '=== second ===\na {"a":1}\nz\n'
    )
    events = parse_shiviz(text)
    assert [(e.host, e.execution, e.label, e.line) for e in events] == [
        ("a", 0, "first", 4),
        ("b", 0, "first", 6),
        ("a", 1, "second", 9),
    ]
    # numbering restarts in each execution, and knowledge does not cross them
    bad = text.replace('a {"a":1}\nz', 'a {"a":1, "b":1}\nz')
    refused(bad, 9, "b, which has no events")
    with pytest.raises(ValueError):
        CausalIndex(events)  # two executions mixed: a's event 1 twice


def test_validate_reports_at_most_the_cap() -> None:
    text = HEAD + "".join(f'h{k} {{"x":1}}\nno own entry\n' for k in range(300))
    found = validate_shiviz(text)
    assert len(found) == shiviz_module.MAX_REPORTED_PROBLEMS
    assert found[0].line == 3 and found[-1].line == 3 + 2 * 199


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='ab {}"1:\n\t', max_size=80))
def test_govector_scanner_matches_the_regex(body: str) -> None:
    pattern = re.compile(shiviz_regex._python_regex(GOVECTOR_REGEX), re.MULTILINE)
    fast = list(shiviz_read._govector_hits(body, 0, len(body)))
    slow = list(shiviz_read._regex_hits(pattern, body, 0, len(body)))
    assert fast == slow


def test_long_lines_are_read_in_linear_time() -> None:
    # a backtracking regex needs ~n^2/2 steps here (minutes for n = 200,000)
    text = HEAD + 'a {"a":1}\nx\n' + "a" * 200_000 + "\n"
    assert [p.reason for p in validate_shiviz(text)] == [
        "this text is not part of any event: the parsing regex does not match it"
    ]


def test_custom_regex_logs_have_tighter_limits() -> None:
    regex = r"(?<host>\w+) (?<clock>{.*}) (?<event>.*)"
    ok = regex + '\n\na {"a":1} start\n'
    assert parse_shiviz(ok)[0].text == "start"
    refused(ok + "z" * (shiviz_module.MAX_CUSTOM_LINE_CHARS + 1) + "\n", 4, "at most 2,000")
    big = ok + ("#" * 99 + "\n") * (shiviz_module.MAX_CUSTOM_BYTES // 100)
    refused(big, big.count("\n", 0, shiviz_module.MAX_CUSTOM_BYTES) + 1, "custom regex")
    with pytest.raises(ShiVizError) as info:
        parse_shiviz(ok, govector_only=True)
    assert info.value.line == 1
    delimited = GOVECTOR_REGEX + "\n===\n" + 'a {"a":1}\nx\n'
    with pytest.raises(ShiVizError) as info:
        parse_shiviz(delimited, govector_only=True)
    assert info.value.line == 2


# -- export ----------------------------------------------------------------------------


def test_export_then_parse_gives_the_same_clocks() -> None:
    engine = VectorClocksEngine(VectorClocksParams(processes=5, random_events=300), seed=11)
    text = engine.export_shiviz()
    parsed = parse_shiviz(text)
    state = engine.state()["events"]
    assert [(e.host, e.clock.to_json(), e.text) for e in parsed] == [
        (e["process"], e["vc"], e["text"]) for e in state
    ]
    assert text.split("\n")[:2] == [GOVECTOR_REGEX, ""]


def test_export_refuses_what_shiviz_could_not_read() -> None:
    with pytest.raises(ValueError):
        to_shiviz([])
    with pytest.raises(ValueError):
        to_shiviz([ShiVizEvent("a", VectorClock({"b": 1}), "x", 0)])
    with pytest.raises(ValueError):
        ShiVizEvent("a b", VectorClock({"a b": 1}), "x", 0)  # refused when the clock is made
    text = to_shiviz([ShiVizEvent("a", VectorClock({"a": 1}), "two\nlines\u2028here", 0)])
    assert parse_shiviz(text)[0].text == "two lines here"


# -- properties of random runs ---------------------------------------------------------


def run_from(seed: int, processes: int, commands: list[tuple[int, int, int]]) -> VectorClocksEngine:
    """A run driven by (kind, a, b) triples: local, send, deliver, or tick."""
    engine = VectorClocksEngine(VectorClocksParams(processes=processes, max_delay=4), seed)
    names = engine.processes
    for kind, a, b in commands:
        flying = [m["id"] for m in engine.state()["messages"] if m["status"] == "in_flight"]
        if kind == 0:
            engine.apply({"action": "local", "process": names[a % processes]})
        elif kind == 1:
            s, r = a % processes, b % processes
            if s != r:
                engine.apply({"action": "send", "from": names[s], "to": names[r]})
        elif kind == 2 and flying:
            engine.apply({"action": "deliver", "message": flying[a % len(flying)]})
        else:
            engine.step()
    return engine


runs = st.builds(
    run_from,
    st.integers(0, 2**32),
    st.integers(2, 5),
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 9), st.integers(0, 9)), max_size=60),
)


def graph_reachability(state: dict[str, Any]) -> set[tuple[int, int]]:
    """→ from its definition: process order and message edges, closed transitively."""
    edges: dict[int, list[int]] = {e["id"]: [] for e in state["events"]}
    last: dict[str, int] = {}
    for e in state["events"]:
        if e["process"] in last:
            edges[last[e["process"]]].append(e["id"])
        last[e["process"]] = e["id"]
    for m in state["messages"]:
        if m["receive_event"] is not None:
            edges[m["send_event"]].append(m["receive_event"])
    pairs = set()
    for start in edges:
        seen, todo = set(), deque(edges[start])
        while todo:
            x = todo.popleft()
            if x not in seen:
                seen.add(x)
                todo.extend(edges[x])
        pairs |= {(start, x) for x in seen}
    return pairs


@settings(max_examples=60, deadline=None)
@given(runs)
def test_happens_before_is_the_graph_relation_and_a_strict_partial_order(
    engine: VectorClocksEngine,
) -> None:
    state = engine.state()
    n = len(state["events"])
    index = engine.causal_index()
    expected = graph_reachability(state)
    hb = {(a, b) for a in range(n) for b in range(n) if index.happens_before(a, b)}
    assert hb == expected
    for a in range(n):
        assert not index.happens_before(a, a)  # irreflexive
    for a, b in hb:
        assert (b, a) not in hb  # antisymmetric
    for a, b in hb:
        for c in range(n):
            if (b, c) in hb:
                assert (a, c) in hb  # transitive
    clocks = [VectorClock(e["vc"]) for e in state["events"]]
    for a, b in itertools.product(range(n), range(n)):
        assert ((a, b) in hb) == (clocks[a] < clocks[b])  # Mattern: a → b iff V(a) < V(b)


@settings(max_examples=60, deadline=None)
@given(runs)
def test_clocks_along_processes_clock_condition_and_receives(engine: VectorClocksEngine) -> None:
    state = engine.state()
    events = state["events"]
    by_process: dict[str, list[dict[str, Any]]] = {}
    for e in events:
        by_process.setdefault(e["process"], []).append(e)
    for name, mine in by_process.items():
        for k, (x, y) in enumerate(itertools.pairwise(mine)):
            vx, vy = VectorClock(x["vc"]), VectorClock(y["vc"])
            assert vx < vy and vy[name] == vx[name] + 1 == k + 2
            assert y["lamport"] > x["lamport"]  # IR1
    index = engine.causal_index()
    for a, b in itertools.product(range(len(events)), repeat=2):
        if index.happens_before(a, b):
            assert events[a]["lamport"] < events[b]["lamport"]  # Clock Condition
    for m in state["messages"]:
        if m["receive_event"] is not None:
            send, recv = events[m["send_event"]], events[m["receive_event"]]
            assert VectorClock(send["vc"]) < VectorClock(recv["vc"])
            assert send["lamport"] < recv["lamport"]
    assert index.lamport == [e["lamport"] for e in events]  # same IR1/IR2 from the clocks
    order = engine.total_order()
    assert sorted(order) == list(range(len(events)))
    for a, b in itertools.pairwise(order):
        assert not index.happens_before(b, a)  # ⇒ extends →


@settings(max_examples=40, deadline=None)
@given(runs)
def test_export_then_parse_then_import_round_trip(engine: VectorClocksEngine) -> None:
    state = engine.state()
    if not state["events"]:
        return
    text = engine.export_shiviz()
    parsed = parse_shiviz(text)
    assert [e.clock.to_json() for e in parsed] == [e["vc"] for e in state["events"]]
    other = VectorClocksEngine(VectorClocksParams(), seed=0)
    other.apply({"action": "import_shiviz", "text": text})
    imported = other.state()
    # imported events are in a causal order: compare by (process, index)
    key = {(e["process"], e["index"]): e for e in imported["events"]}
    first_seen = list(dict.fromkeys(e["process"] for e in state["events"]))
    assert imported["processes"] == first_seen
    for e in state["events"]:
        twin = key[(e["process"], e["index"])]
        assert twin["vc"] == e["vc"] and twin["lamport"] == e["lamport"]
    delivered = {
        (state["events"][m["send_event"]]["process"], state["events"][m["send_event"]]["index"])
        for m in state["messages"]
        if m["status"] == "delivered"
    }
    imported_sends = {
        (
            imported["events"][m["send_event"]]["process"],
            imported["events"][m["send_event"]]["index"],
        )
        for m in imported["messages"]
    }
    assert imported_sends <= delivered


# -- Dynamo ----------------------------------------------------------------------------

FIGURE3 = [
    # after each step: version id, its clock, the statuses of every version so far
    ("D1", {"Sx": 1}, {"D1": "current"}),
    ("D2", {"Sx": 2}, {"D1": "ancestor", "D2": "current"}),
    ("D3", {"Sx": 2, "Sy": 1}, {"D1": "ancestor", "D2": "ancestor", "D3": "current"}),
    (
        "D4",
        {"Sx": 2, "Sz": 1},
        {"D1": "ancestor", "D2": "ancestor", "D3": "sibling", "D4": "sibling"},
    ),
    (
        "D5",
        {"Sx": 3, "Sy": 1, "Sz": 1},
        {"D1": "ancestor", "D2": "ancestor", "D3": "ancestor", "D4": "ancestor", "D5": "current"},
    ),
]


def test_figure3_in_the_library() -> None:
    store = VersionedKey("cart")
    for (command, _), (vid, clock, statuses) in zip(figure3_commands(), FIGURE3, strict=True):
        if command["action"] == "put":
            v = store.put(command["coordinator"], command["value"], command["context"])
        else:
            v = store.reconcile(command["coordinator"], command["value"])
        assert v.id == vid and v.clock.to_json() == clock
        assert {x.id: store.status(x.id) for x in store.versions} == statuses
    d = {v.id: v.clock for v in store.versions}
    assert compare_versions(d["D1"], d["D2"]) == "ancestor"
    assert compare_versions(d["D2"], d["D3"]) == "ancestor"
    assert compare_versions(d["D3"], d["D4"]) == "concurrent"
    assert compare_versions(d["D5"], d["D3"]) == "descendant"
    assert compare_versions(d["D5"], d["D4"]) == "descendant"
    assert store.version("D5").parents == ("D3", "D4")
    assert [v.id for v in figure3().get()] == ["D5"]


def test_figure3_through_the_engine_with_captions() -> None:
    engine = VectorClocksEngine(VectorClocksParams(), seed=3)
    texts = []
    for (command, caption), (vid, clock, statuses) in zip(figure3_commands(), FIGURE3, strict=True):
        assert caption.endswith(".") and vid in caption
        texts.append([e.text for e in engine.apply(command)])
        versions = engine.state()["versions"]
        assert {v["id"]: v["status"] for v in versions["versions"]} == statuses
        assert versions["versions"][-1]["clock"] == clock
    assert texts[3][-1] == (
        "D3 and D4 are siblings: neither clock descends from the other, so the client must "
        "reconcile them."
    )
    assert "D5 gets clock ([Sx,3],[Sy,1],[Sz,1])" in texts[4][0]
    history = engine.state()["versions"]["history"]
    assert [h["current"] for h in history] == [["D1"], ["D2"], ["D3"], ["D3", "D4"], ["D5"]]
    assert history[4]["dropped"] == ["D3", "D4"]


def test_truncation_makes_a_descendant_look_concurrent() -> None:
    exact, cut = VersionedKey(truncate=10), VersionedKey(truncate=2)
    for store in (exact, cut):
        store.put("Sa", "a", [])
        store.put("Sb", "ab", ["D1"])
        store.put("Sc", "abc", ["D2"])  # D3 descends from D2
    assert [v.id for v in exact.get()] == ["D3"]
    d2, d3 = cut.version("D2"), cut.version("D3")
    assert d3.truncated == ("Sa",)  # Sa's pair was updated first: the oldest
    assert d3.clock == VectorClock({"Sb": 1, "Sc": 1})
    assert d2.clock.concurrent_with(d3.clock)  # a false conflict
    assert [v.id for v in cut.get()] == ["D2", "D3"]
    assert cut.status("D2") == cut.status("D3") == "sibling"


def test_truncation_drops_the_pair_updated_longest_ago() -> None:
    store = VersionedKey(truncate=3)
    store.put("Sa", "1", [])
    store.put("Sb", "2", "latest")
    store.put("Sa", "3", "latest")  # Sa updated again: now Sb is the oldest pair
    v = store.put("Sc", "4", "latest")
    assert v.clock.to_json() == {"Sa": 2, "Sb": 1, "Sc": 1} and v.truncated == ()
    w = store.put("Sd", "5", "latest")
    assert w.truncated == ("Sb",) and w.clock.to_json() == {"Sa": 2, "Sc": 1, "Sd": 1}


def test_stale_context_through_the_same_coordinator() -> None:
    store = VersionedKey()
    store.put("Sx", "v1", [])
    store.put("Sx", "v2", ["D1"])
    d3 = store.put("Sx", "v3", ["D1"])  # same clock as D2: they cannot be told apart
    assert d3.clock == store.version("D2").clock
    assert [v.id for v in store.get()] == ["D3"]
    assert store.history[-1].dropped == ("D2",)


def test_engine_put_refusals_leave_the_store_alone() -> None:
    engine = VectorClocksEngine(VectorClocksParams(), seed=1)
    engine.apply({"action": "put", "coordinator": "Sx", "value": "a", "context": []})
    before = engine.state()
    for bad in [
        {"action": "put", "coordinator": "S x", "value": "a", "context": []},
        {"action": "put", "coordinator": "Sx", "value": 3, "context": []},
        {"action": "put", "coordinator": "Sx", "value": "a", "context": ["D9"]},
        {"action": "put", "coordinator": "Sx", "value": "a", "context": "newest"},
        {"action": "put", "coordinator": "Sx"},
        {"action": "reconcile", "coordinator": "Sx", "value": "a", "extra": 1},
        {"action": "set_truncate", "size": 0},
        {"action": "set_truncate", "size": 65},
    ]:
        with pytest.raises(CommandError):
            engine.apply(bad)
        assert engine.state() == before
    empty = VectorClocksEngine(VectorClocksParams(), seed=1)
    with pytest.raises(CommandError):
        empty.apply({"action": "reconcile", "coordinator": "Sx", "value": "a"})


# -- the engine ------------------------------------------------------------------------


def test_engine_sentences_follow_the_paper() -> None:
    engine = VectorClocksEngine(VectorClocksParams(), seed=5)
    engine.apply({"action": "local", "process": "P1"})
    sent = engine.apply({"action": "send", "from": "P1", "to": "P2"})[0].text
    assert sent.startswith(
        "P1 sends m0 to P2 with vector clock [P1:2, P2:0, P3:0] (Lamport clock 2)"
    )
    engine.apply({"action": "local", "process": "P2"})
    got = engine.apply({"action": "deliver", "message": 0})[0].text
    assert got == (
        "P2 receives m0: it takes the element-wise maximum with its own clock and increments "
        "its own entry: [P1:2, P2:2, P3:0] (Lamport clock max(1, 2) + 1 = 3)."
    )
    state = engine.state()
    assert state["messages"] == [
        {
            "id": 0,
            "from": "P1",
            "to": "P2",
            "send_event": 1,
            "receive_event": 3,
            "status": "delivered",
            "due": state["messages"][0]["due"],
        }
    ]
    assert [e["kind"] for e in state["events"]] == ["local", "send", "local", "receive"]
    assert [e["index"] for e in state["events"]] == [1, 2, 1, 2]


def test_step_delivers_when_due_and_is_empty_when_idle() -> None:
    engine = VectorClocksEngine(VectorClocksParams(min_delay=3, max_delay=3), seed=2)
    assert engine.step() == []
    assert engine.state()["now"] == 0
    engine.apply({"action": "send", "from": "P1", "to": "P3"})
    assert engine.state()["messages"][0]["due"] == 3
    kinds = [[e.kind for e in engine.step()] for _ in range(3)]
    assert kinds == [["tick"], ["tick"], ["receive"]]
    assert engine.state()["events"][-1]["time"] == 3
    assert engine.step() == []


def test_drop_means_no_receive() -> None:
    engine = VectorClocksEngine(VectorClocksParams(), seed=2)
    engine.apply({"action": "send", "from": "P1", "to": "P2"})
    engine.apply({"action": "drop", "message": 0})
    assert engine.state()["messages"][0]["status"] == "dropped"
    assert engine.step() == []
    with pytest.raises(CommandError):
        engine.apply({"action": "deliver", "message": 0})


def test_select_event_and_total_order_in_state() -> None:
    engine = VectorClocksEngine(VectorClocksParams(), seed=5)
    engine.apply({"action": "import_shiviz", "text": FIXTURE})
    state = engine.state()
    name_of = {e["id"]: e["process"][0] + str(e["index"]) for e in state["events"]}
    s4 = next(i for i, n in name_of.items() if n == "s4")
    engine.apply({"action": "select_event", "event": s4})
    sel = engine.state()["selected"]
    assert {name_of[i] for i in sel["past"]} == PAST["s4"]
    assert {name_of[i] for i in sel["future"]} == {"s5", "s6", "c4"}
    assert {name_of[i] for i in sel["concurrent"]} == {"c3", "d1", "d2", "d3"}
    engine.apply({"action": "show_total_order", "on": True})
    assert [name_of[i] for i in engine.state()["total_order"]] == TOTAL_ORDER
    engine.apply({"action": "show_total_order", "on": False})
    engine.apply({"action": "select_event", "event": None})
    assert engine.state()["total_order"] is None and engine.state()["selected"] is None


def test_import_builds_messages_kinds_and_keeps_going() -> None:
    engine = VectorClocksEngine(VectorClocksParams(), seed=5)
    events = engine.apply({"action": "import_shiviz", "text": FIXTURE})
    assert "13 events on 3 hosts (client, server, db) with 4 messages" in events[0].text
    state = engine.state()
    assert state["processes"] == ["client", "server", "db"]
    name_of = {e["id"]: e["process"][0] + str(e["index"]) for e in state["events"]}
    assert {(name_of[m["send_event"]], name_of[m["receive_event"]]) for m in state["messages"]} == {
        ("c2", "s2"),
        ("s3", "d2"),
        ("d3", "s5"),
        ("s6", "c4"),
    }
    kinds = {name_of[e["id"]]: e["kind"] for e in state["events"]}
    assert [n for n in NAMES if kinds[n] == "receive"] == ["s2", "d2", "s5", "c4"]
    assert [n for n in NAMES if kinds[n] == "send"] == ["c2", "s3", "d3", "s6"]
    assert {name_of[e["id"]]: e["lamport"] for e in state["events"]} == LAMPORT
    nxt = engine.apply({"action": "send", "from": "db", "to": "client"})[0]
    assert "[client:2, server:3, db:4]" in nxt.text
    assert "Lamport clock 7" in nxt.text


def test_import_refusals_name_the_line_and_change_nothing() -> None:
    engine = VectorClocksEngine(VectorClocksParams(random_events=20), seed=4)
    before = engine.state()
    bad = FIXTURE.replace('db {"db":2, "client":2, "server":3}', 'db {"db":2, client:2}')
    with pytest.raises(ShiVizImportError) as info:
        engine.apply({"action": "import_shiviz", "text": bad})
    assert info.value.problems[0].line == 17
    assert "line 17" in str(info.value)
    assert info.value.to_json()["problems"][0]["line"] == 17
    assert engine.state() == before
    for command in [
        {"action": "import_shiviz", "text": 5},
        {"action": "import_shiviz", "text": FIXTURE, "execution": 1},
        {"action": "import_shiviz", "text": FIXTURE.replace("\\S*", "\\w*", 1)},
        {"action": "import_shiviz", "text": "x" * (MAX_SHIVIZ_BYTES + 1)},
    ]:
        with pytest.raises(CommandError):
            engine.apply(command)
        assert engine.state() == before


def test_import_refuses_more_events_than_a_run_holds() -> None:
    text = HEAD + "".join(f'a {{"a":{k}}}\nx\n' for k in range(1, MAX_EVENTS + 2))
    engine = VectorClocksEngine(VectorClocksParams(), seed=4)
    with pytest.raises(CommandError) as info:
        engine.apply({"action": "import_shiviz", "text": text})
    assert info.value.field == "text"


REFUSED = [
    {"action": "local"},
    {"action": "local", "process": "P9"},
    {"action": "local", "process": "P1", "extra": True},
    {"action": "send", "from": "P1", "to": "P1"},
    {"action": "send", "from": "P1"},
    {"action": "deliver", "message": 99},
    {"action": "deliver", "message": "0"},
    {"action": "drop", "message": -1},
    {"action": "random_run", "events": 0},
    {"action": "random_run", "events": 2001},
    {"action": "select_event", "event": 10_000},
    {"action": "select_event", "event": True},
    {"action": "show_total_order", "on": 1},
    {"action": "teleport"},
    {"action": "import_shiviz", "text": "(?<host>x)\n\nx"},
]


@pytest.mark.parametrize("command", REFUSED)
def test_refused_commands_leave_the_engine_unchanged(command: dict[str, Any]) -> None:
    engine = VectorClocksEngine(VectorClocksParams(random_events=40), seed=9)
    engine.apply({"action": "send", "from": "P1", "to": "P2"})
    before = copy.deepcopy(engine)
    state = engine.state()
    with pytest.raises(CommandError):
        engine.apply(command)
    assert engine.state() == state
    assert engine.rng.getstate() == before.rng.getstate()
    # and the next steps are the same as if it had never been tried
    assert [e.text for e in engine.step()] == [e.text for e in before.step()]


def test_run_is_bounded_at_max_events() -> None:
    engine = VectorClocksEngine(VectorClocksParams(random_events=MAX_EVENTS), seed=1)
    assert len(engine.state()["events"]) == MAX_EVENTS
    with pytest.raises(CommandError):
        engine.apply({"action": "local", "process": "P1"})
    with pytest.raises(CommandError):
        engine.apply({"action": "random_run", "events": 1})
    assert engine.step() == []


def test_params_are_validated() -> None:
    for bad in [
        {"processes": 1},
        {"processes": 13},
        {"min_delay": 0},
        {"max_delay": 51},
        {"min_delay": 4, "max_delay": 3},
        {"random_events": 2001},
        {"truncate": 0},
        {"truncate": 65},
        {"colour": "red"},
    ]:
        with pytest.raises(ValueError):
            VectorClocksParams.from_dict(bad)
    assert VectorClocksParams.from_dict({}).to_dict() == {
        "processes": 3,
        "min_delay": 1,
        "max_delay": 5,
        "random_events": 0,
        "truncate": 10,
    }


def session(engine: VectorClocksEngine) -> list[Any]:
    out = []
    for command in [
        {"action": "random_run", "events": 30},
        {"action": "send", "from": "P2", "to": "P4"},
        {"action": "send", "from": "P4", "to": "P1"},
        {"action": "local", "process": "P3"},
    ]:
        out.append([e.to_json() for e in engine.apply(command)])
    for _ in range(10):
        out.append([e.to_json() for e in engine.step()])
    out.append(engine.state())
    return out


def test_engine_is_deterministic() -> None:
    params = VectorClocksParams(processes=4, random_events=25, max_delay=9)
    a = session(VectorClocksEngine(params, seed=123))
    b = session(VectorClocksEngine(params, seed=123))
    c = session(VectorClocksEngine(params, seed=124))
    assert a == b
    assert a != c


def test_timeline_seek_back_equals_fresh_replay() -> None:
    t = Timeline(
        VectorClocksEngine,
        "vector-clocks",
        {"processes": 3, "max_delay": 6},
        77,
        checkpoint_every=4,
    )
    t.act({"action": "random_run", "events": 12})
    for i in range(6):
        t.act({"action": "send", "from": f"P{1 + i % 3}", "to": f"P{1 + (i + 1) % 3}"})
        t.forward()
    for command, _ in figure3_commands():
        t.act(command)
    t.act({"action": "select_event", "event": 5})
    while t.forward() is not None:
        pass
    length = t.length
    final = t.engine.state()
    for target in [length - 1, 9, 3, 0, length]:
        t.seek(target)
        fresh = Timeline.from_recording(
            VectorClocksEngine, _cut(t.recording(), target), checkpoint_every=4
        )
        assert t.engine.state() == fresh.engine.state(), target
    assert t.engine.state() == final


def _cut(recording: Any, length: int) -> Any:
    from algorithms.recording import Recording

    commands = tuple((i, c) for i, c in recording.commands if i < length)
    return Recording(recording.lab, recording.params, recording.seed, commands, length)
