"""Grading on the server: every shipped answer is computable; answers are checked strictly."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from algorithms.consistent_hashing import ConsistentHashingEngine, ConsistentHashingParams, key_slot
from algorithms.recording import Recording
from labs.teaching import content
from labs.teaching.content import Exercise, variant_seed
from labs.teaching.grading import (
    AnswerError,
    Prepared,
    clean_answer,
    feedback_replay,
    grade_exercise,
    grade_question,
    prepare,
)
from tests.teaching.conftest import SHIPPED, VALID, mover_recording

VARIANTS = 6


def shipped() -> dict[str, Exercise]:
    return content.load([SHIPPED]).exercises


@pytest.mark.parametrize("exercise_id", sorted(shipped()))
def test_every_shipped_answer_is_computed_for_several_variants(exercise_id: str) -> None:
    exercise = shipped()[exercise_id]
    seeds = [variant_seed("test", exercise_id, i) for i in range(VARIANTS)]
    variants = {exercise.variant(s).seed for s in seeds}
    assert len(variants) == (VARIANTS if exercise.per_student else 1)
    for seed in seeds:
        prepared = prepare(exercise, exercise.variant(seed))
        assert prepared.errors == {}, prepared.errors
        for q in exercise.questions:
            if q.type == "construct":
                continue
            expected = prepared.expected[q.id].value
            if q.type in ("single", "multiple", "pick"):
                options = prepared.options[q.id]
                wanted = expected if isinstance(expected, list) else [expected]
                assert (
                    set(wanted) <= set(options) if q.type != "pick" else set(wanted) & set(options)
                )


def test_answers_match_the_engine_computed_independently() -> None:
    exercise = shipped()["ch-join-basics"]
    prepared = prepare(exercise, exercise.variant(0))
    engine = ConsistentHashingEngine(ConsistentHashingParams(nodes=4, keys=500, vnodes=8), 1)
    events = engine.apply({"action": "add_node", "name": "E"})
    assert prepared.expected["moved"].value == events[0].data["moved"]
    by_name = {k["name"]: k["node"] for k in engine.state()["keys"]}
    assert prepared.expected["owner"].value == by_name["key-42"]
    shares = {n["name"]: n["load_share"] for n in engine.state()["nodes"]}
    assert prepared.expected["share"].value == pytest.approx(shares["E"])
    assert prepared.expected["biggest"].value == [max(shares, key=shares.__getitem__)]
    engine.apply({"action": "select_key", "key": "key-7"})
    assert prepared.expected["pref"].value == sorted(engine.state()["selected"]["preference_list"])


def test_per_student_variants_differ_and_slot_is_crc16() -> None:
    exercise = shipped()["ch-what-if"]
    keys = set()
    for i in range(8):
        variant = exercise.variant(variant_seed("q", "ch-what-if", i))
        prepared = prepare(exercise, variant)
        keys.add(variant.values["key"])
        assert prepared.expected["slot"].value == key_slot(variant.values["key"])
        assert variant.values["joiner"] in ("F", "G", "H", "J", "K", "M")
    assert len(keys) > 4


def test_variant_seed_is_sha256_not_python_hash() -> None:
    text = "\x1f".join(["paperlabs-variant", "ring-quiz", "ch-what-if", "7"])
    expected = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") >> 1
    assert variant_seed("ring-quiz", "ch-what-if", 7) == expected
    assert variant_seed("ring-quiz", "ch-what-if", 7) != variant_seed("ring-quiz", "ch-what-if", 8)


# -- checking answers ---------------------------------------------------------------------


@pytest.fixture
def basics() -> Prepared:
    exercise = shipped()["ch-join-basics"]
    return prepare(exercise, exercise.variant(0))


def q(prepared: Prepared, qid: str) -> Any:
    return prepared.exercise.question(qid)


@pytest.mark.parametrize(
    "qid,raw,message",
    [
        ("moved", "abc", "question moved must be a number like 42 or 0.25, got 'abc'"),
        ("moved", "1e400", "must be a number between"),
        ("moved", "nan", "must be a number like 42 or 0.25, got 'nan'"),
        ("moved", True, "must be a number like 42 or 0.25, got True"),
        ("owner", "Z", "question owner must be one of the options (A, B, C, D, E), got 'Z'"),
        ("owner", ["A", "B"], "must be one of the options"),
        ("pref", ["A", "A"], "question pref must not choose the same option twice, got 'A'"),
        (
            "pref",
            ["A", "nobody"],
            "question pref must be among the options (A, B, C, D, E), got 'nobody'",
        ),
        (
            "biggest",
            "key-1",
            "question biggest must be one of the elements of the diagram (A, B, C, D, E)",
        ),
    ],
)
def test_wrong_typed_or_out_of_range_answers_are_refused(
    basics: Prepared, qid: str, raw: Any, message: str
) -> None:
    with pytest.raises(AnswerError) as err:
        clean_answer(basics, q(basics, qid), raw, f"question {qid}")
    assert message in str(err.value)
    assert err.value.field == f"question {qid}"


def test_blank_answers_are_none_and_score_zero(basics: Prepared) -> None:
    assert clean_answer(basics, q(basics, "moved"), "  ", "x") is None
    assert clean_answer(basics, q(basics, "pref"), [], "x") is None
    result = grade_exercise(basics, {})
    assert result["earned"] == 0 and result["max"] == 6
    assert {r["status"] for r in result["questions"].values()} == {"blank"}


def test_numeric_tolerance_absolute_and_relative(basics: Prepared) -> None:
    share = q(basics, "share")
    expected = basics.expected["share"].value
    assert grade_question(basics, share, expected + 0.004)["status"] == "correct"
    assert grade_question(basics, share, expected + 0.006)["status"] == "wrong"
    moved = q(basics, "moved")
    exact = basics.expected["moved"].value
    assert grade_question(basics, moved, float(exact))["points"] == 2
    assert grade_question(basics, moved, exact + 1.0)["points"] == 0
    relative = moved.__class__(**{**moved.__dict__, "tolerance": 0.05, "relative": True})
    assert grade_question(basics, relative, exact * 1.04)["status"] == "correct"
    assert grade_question(basics, relative, exact * 1.06)["status"] == "wrong"


def test_multiple_choice_partial_credit(basics: Prepared) -> None:
    pref = q(basics, "pref")
    want = basics.expected["pref"].value
    others = [o for o in basics.options["pref"] if o not in want]
    assert grade_question(basics, pref, sorted(want))["points"] == 1
    assert grade_question(basics, pref, sorted(want[:2]))["points"] == pytest.approx(2 / 3)
    assert grade_question(basics, pref, sorted([*want[:2], others[0]]))["points"] == pytest.approx(
        1 / 3
    )
    assert grade_question(basics, pref, sorted(others))["points"] == 0


def test_feedback_never_states_the_expected_value_for_a_wrong_answer(basics: Prepared) -> None:
    moved = q(basics, "moved")
    result = grade_question(basics, moved, 1.0)
    assert str(basics.expected["moved"].value) not in result["feedback"]


# -- construct tasks --------------------------------------------------------------------


@pytest.fixture
def construct() -> Prepared:
    exercise = shipped()["ch-construct"]
    return prepare(exercise, exercise.variant(variant_seed("t", 1)))


def key_of(prepared: Prepared) -> str:
    return str(prepared.variant.values["key"])


def test_a_join_that_moves_the_key_is_graded_correct(construct: Prepared) -> None:
    recording = mover_recording(construct, key_of(construct))
    task = q(construct, "make-it-move")
    answer = clean_answer(construct, task, {"replay": "r1", "recording": recording}, "task")
    result = grade_question(construct, task, answer)
    assert result["status"] == "correct" and result["points"] == 3
    assert f"'{key_of(construct)}' moves from" in result["feedback"]
    assert result["step"] == construct.recording.length + 1


def test_a_join_that_misses_the_key_or_two_joins_are_wrong(construct: Prepared) -> None:
    task = q(construct, "make-it-move")
    key = key_of(construct)
    owner = construct.expected["owner-now"].value
    for i in range(400):  # a name whose tokens do not take the key
        recording = construct.scenario.timeline(
            [{"action": "add_node", "name": f"M{i}"}]
        ).recording()
        result = grade_question(construct, task, {"replay": "r", "recording": recording.to_json()})
        if result["status"] == "wrong":
            assert f"'{key}' stays on {owner}" in result["feedback"]
            break
    else:
        raise AssertionError("every name moved the key")
    two = construct.scenario.timeline(
        [{"action": "add_node", "name": "X1"}, {"action": "add_node", "name": "X2"}]
    ).recording()
    result = grade_question(construct, task, {"replay": "r", "recording": two.to_json()})
    assert (
        result["status"] == "wrong"
        and result["feedback"] == "Add exactly one node: your recording adds 2."
    )


def test_recordings_that_do_not_start_from_the_scenario_are_refused(construct: Prepared) -> None:
    task = q(construct, "make-it-move")
    good = construct.scenario.timeline([{"action": "add_node", "name": "X"}]).recording().to_json()
    other_seed = {**good, "seed": good["seed"] + 1}
    with pytest.raises(AnswerError, match="must start from this exercise's scenario"):
        clean_answer(construct, task, {"replay": "r", "recording": other_seed}, "task")
    other_params = {**good, "params": {**good["params"], "vnodes": 3}}
    with pytest.raises(AnswerError, match="must start from this exercise's scenario"):
        clean_answer(construct, task, {"replay": "r", "recording": other_params}, "task")
    long = construct.scenario.timeline([{"action": "select_key", "key": "key-1"}] * 501).recording()
    with pytest.raises(AnswerError, match="must add at most 500 steps"):
        clean_answer(construct, task, {"replay": "r", "recording": long.to_json()}, "task")
    with pytest.raises(AnswerError, match="must be the id of a recording saved from the live lab"):
        clean_answer(construct, task, "../../etc", "task")


def test_recording_must_keep_the_setup(tmp_path: Path) -> None:
    (tmp_path / "t-ex.md").write_text(
        VALID.replace(
            "  - id: q1\n    type: numeric\n    prompt: How many nodes?\n    query: node_count",
            "  - id: q1\n    type: construct\n    prompt: Grow.\n    goal: {name: node_count_at_least, args: {n: 6}}",
        )
    )
    exercise = content.load([tmp_path]).exercises["t-ex"]
    prepared = prepare(exercise, exercise.variant(0))
    task = exercise.question("q1")
    # Stepped back before the set-up's join and branched: the set-up is gone.
    lab_timeline = prepared.scenario.timeline()
    lab_timeline.seek(0)
    lab_timeline.act({"action": "add_node", "name": "Q"})
    with pytest.raises(
        AnswerError, match="must begin with the scenario's 1 set-up steps unchanged"
    ):
        clean_answer(
            prepared, task, {"replay": "r", "recording": lab_timeline.recording().to_json()}, "t"
        )
    grown = prepared.scenario.timeline([{"action": "add_node"}, {"action": "add_node"}]).recording()
    ok = grade_question(prepared, task, {"replay": "r", "recording": grown.to_json()})
    assert ok["status"] == "correct" and ok["feedback"] == "You end with 6 nodes."


def test_feedback_replay_ids_are_stable_and_unguessable(basics: Prepared) -> None:
    result = grade_question(basics, q(basics, "moved"), 3.0)
    made = feedback_replay(basics, "moved", result)
    again = feedback_replay(basics, "moved", grade_question(basics, q(basics, "moved"), 3.0))
    assert made is not None and again is not None
    assert made[0] == again[0] and made[0].startswith("fb-") and len(made[0]) == 27
    _, recording, captions = made
    assert isinstance(recording, Recording) and recording.length == 1
    assert captions == {"1": f"Question moved: {basics.expected['moved'].why}"}
    # What-if questions replay the join the question asks about.
    owner = feedback_replay(basics, "owner", grade_question(basics, q(basics, "owner"), "A"))
    assert (
        owner is not None
        and owner[1].length == 2
        and owner[1].commands[-1][1]["action"] == "select_key"
    )


def test_the_other_labs_declare_queries_and_their_samples_answer() -> None:
    from labs.teaching.queries import goals_of, queries_of

    assert {
        "happens_before",
        "concurrent",
        "vector_clock_entry",
        "lamport_clock",
        "siblings",
    } <= set(queries_of("vector-clocks"))
    assert {
        "clustering",
        "path_length",
        "degree",
        "rounds_until_all_informed",
        "shortest_path_length",
    } <= set(queries_of("small-world"))
    assert "siblings_at_least" in goals_of("vector-clocks") and "small_world" in goals_of(
        "small-world"
    )
    exercise = shipped()["vc-happens-before"]
    for i in range(4):
        prepared = prepare(exercise, exercise.variant(variant_seed("vc", i)))
        events = prepared.scenario.timeline().engine.state()["events"]
        e, f = (events[prepared.variant.values[k]] for k in ("e", "f"))
        before = f["vc"].get(e["process"], 0) >= e["index"]
        after = e["vc"].get(f["process"], 0) >= f["index"]
        assert prepared.expected["before"].value == ("yes" if before else "no")
        assert prepared.expected["concurrent"].value == (
            "yes" if not before and not after else "no"
        )
        assert prepared.expected["lamport"].value == f["lamport"]


def test_an_empty_causal_past_is_answered_by_ticking_nothing(tmp_path: Path) -> None:
    text = """---
id: vc-empty
title: Empty past
lab: vector-clocks
scenario:
  params: {processes: 2}
  seed: 1
  commands:
    - {action: local, process: P1}
questions:
  - id: past
    type: multiple
    prompt: Tick the past of e0.
    query: {name: causal_past, args: {event: 0}}
    options: ["0"]
---
"""
    (tmp_path / "x.md").write_text(text)
    loaded = content.load([tmp_path])
    assert [str(p) for p in loaded.problems] == [
        f"{loaded.files[0]}:15: questions[0].options: must be a list of 2 to 2000 texts or numbers, got ['0']"
    ]
    two = text.replace('options: ["0"]', "options_from: events").replace(
        "    - {action: local, process: P1}",
        "    - {action: local, process: P1}\n    - {action: local, process: P2}",
    )
    (tmp_path / "x.md").write_text(two)
    exercise = content.load([tmp_path]).exercises["vc-empty"]
    prepared = prepare(exercise, exercise.variant(0))
    assert prepared.expected["past"].value == [] and prepared.options["past"] == ["0", "1"]
    question = exercise.question("past")
    assert grade_question(prepared, question, None)["status"] == "correct"
    assert grade_question(prepared, question, ["1"])["status"] == "wrong"
