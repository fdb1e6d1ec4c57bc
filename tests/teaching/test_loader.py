"""The content loader: shipped files pass; every kind of broken file gives its message."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from labs.teaching import content
from labs.teaching.markup import render_markdown
from tests.teaching.conftest import ROOT, SHIPPED, VALID


def problems(tmp_path: Path, text: str | bytes, name: str = "t-ex.md") -> list[str]:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    loaded = content.load([tmp_path])
    assert path.stem not in loaded.exercises or not loaded.problems
    return [str(p) for p in loaded.problems]


def test_the_valid_base_file_loads(tmp_path: Path) -> None:
    (tmp_path / "t-ex.md").write_text(VALID)
    loaded = content.load([tmp_path])
    assert loaded.problems == []
    ex = loaded.exercises["t-ex"]
    assert (
        ex.lab == "consistent-hashing"
        and ex.seed == 5
        and [q.id for q in ex.questions]
        == [
            "q1",
            "q2",
        ]
    )


def test_every_shipped_file_passes() -> None:
    loaded = content.load([SHIPPED])
    assert loaded.problems == []
    assert len(loaded.exercises) >= 3 and loaded.quizzes and loaded.narrations
    kinds = {q.type for ex in loaded.exercises.values() for q in ex.questions}
    assert {"numeric", "single", "multiple", "pick", "construct"} <= kinds
    assert any(ex.per_student for ex in loaded.exercises.values())


# Each case: (how to break the valid file, the problem's "file:line: key: message" part).
EXERCISE_CASES = [
    ("no-front-matter", lambda t: "Just a body.\n", ":1: must start with a line '---'"),
    ("unclosed", lambda t: t.replace("\n---\nSome", "\nSome"), ":1: front matter is never closed"),
    (
        "yaml-syntax",
        lambda t: t.replace("title: A test exercise", "title: [oops"),
        ": YAML syntax error:",
    ),
    (
        "anchor",
        lambda t: t.replace("params: {nodes: 3", "params: &p {nodes: 3"),
        ":6: YAML anchors and aliases (&name, *name) are not allowed",
    ),
    (
        "duplicate-key",
        lambda t: t.replace("lab: consistent-hashing", "lab: consistent-hashing\ntitle: again"),
        ":5: title: duplicate key 'title'",
    ),
    ("not-a-mapping", lambda t: "---\n- a\n- b\n---\n", ":2: front matter must be a YAML mapping"),
    (
        "unknown-key",
        lambda t: t.replace("questions:", "qestions:"),
        "qestions: unknown key (allowed: kind, id,",
    ),
    ("missing-title", lambda t: t.replace("title: A test exercise\n", ""), ": title: is required"),
    (
        "bad-id",
        lambda t: t.replace("id: t-ex", "id: Bad ID"),
        ":2: id: must be 1 to 48 lowercase letters",
    ),
    (
        "unknown-lab",
        lambda t: t.replace("lab: consistent-hashing", "lab: paxos"),
        ":4: lab: must be one of consistent-hashing",
    ),
    ("missing-scenario", lambda t: t.replace("scenario:", "scenery:"), ": scenario: is required"),
    (
        "bad-seed",
        lambda t: t.replace("seed: 5", "seed: sometimes"),
        ':7: scenario.seed: must be an integer from 0 to 2**63-1 or "per student"',
    ),
    (
        "param-out-of-range",
        lambda t: t.replace("nodes: 3", "nodes: 500"),
        ":6: scenario.params.nodes: must be an integer between 0 and 64, got 500",
    ),
    (
        "unknown-param",
        lambda t: t.replace("nodes: 3", "nodez: 3"),
        ":6: scenario.params.nodez: must only have the keys keys, keys_per_tick, migration, mode, nodes",
    ),
    (
        "refused-command",
        lambda t: t.replace("{action: add_node, name: D}", "{action: remove_node, name: Z}"),
        ":9: scenario.commands[0].name: must be a current node (A, B, C), got 'Z'",
    ),
    (
        "command-without-action",
        lambda t: t.replace("{action: add_node, name: D}", "{name: D}"),
        ":9: scenario.commands[0].action: is required and must name a command",
    ),
    (
        "bad-tick",
        lambda t: t.replace("{action: add_node, name: D}", "{tick: 0}"),
        "scenario.commands[0].tick: must be an integer between 1 and 10000, got 0",
    ),
    (
        "missing-questions",
        lambda t: t[: t.index("questions:")] + "---\n",
        ": questions: is required",
    ),
    (
        "empty-questions",
        lambda t: t[: t.index("questions:")] + "questions: []\n---\n",
        ":10: questions: must be a list of 1 to 50 questions",
    ),
    (
        "duplicate-question",
        lambda t: t.replace("id: q2", "id: q1"),
        ":15: questions[1].id: duplicate question id 'q1'",
    ),
    (
        "unknown-type",
        lambda t: t.replace("type: numeric", "type: essay"),
        ":12: questions[0].type: must be one of numeric, single, multiple, pick, construct, got 'essay'",
    ),
    (
        "unknown-query",
        lambda t: t.replace("query: node_count", "query: nodes_count"),
        ":14: questions[0].query.name: must be a query of consistent-hashing (owner_of_key,",
    ),
    (
        "missing-query-arg",
        lambda t: t.replace("args: {key: key-1}", "args: {}"),
        ":18: questions[1].query.args.key: is required: it must be a name",
    ),
    (
        "unknown-query-arg",
        lambda t: t.replace("args: {key: key-1}", "args: {key: key-1, node: A}"),
        "questions[1].query.args.node: is not an argument (allowed: key), got 'A'",
    ),
    (
        "type-does-not-fit-query",
        lambda t: t.replace("type: single", "type: numeric"),
        ":16: questions[1].type: numeric does not fit query owner_of_key, which answers a choice (use type single or pick)",
    ),
    (
        "bad-tolerance",
        lambda t: t.replace("query: node_count", "query: node_count\n    tolerance: lots"),
        ":15: questions[0].tolerance: must be a number >= 0 or a percentage like '2%', got 'lots'",
    ),
    (
        "options-miss-the-answer",
        lambda t: t.replace("args: {key: key-1}}", "args: {key: key-1}}\n    options: [X, Y]"),
        "questions[1].options: must include the answer",
    ),
    (
        "options-and-options-from",
        lambda t: t.replace(
            "args: {key: key-1}}",
            "args: {key: key-1}}\n    options: [A, B]\n    options_from: nodes",
        ),
        "questions[1].options: give options or options_from, not both",
    ),
    (
        "unknown-options-from",
        lambda t: t.replace(
            "args: {key: key-1}}", "args: {key: key-1}}\n    options_from: servers"
        ),
        "questions[1].options_from.name: must be an option generator of consistent-hashing",
    ),
    (
        "construct-without-goal",
        lambda t: t.replace(
            "type: numeric\n    prompt: How many nodes?\n    query: node_count",
            "type: construct\n    prompt: Do it.",
        ),
        "questions[0].goal: is required for a construct task",
    ),
    (
        "unknown-goal",
        lambda t: t.replace(
            "type: numeric\n    prompt: How many nodes?\n    query: node_count",
            "type: construct\n    prompt: Do it.\n    goal: win",
        ),
        "questions[0].goal.name: must be a goal of consistent-hashing (key_moves_on_join,",
    ),
    (
        "query-cannot-be-answered",
        lambda t: t.replace("query: node_count", "query: {name: load_share, args: {node: Z}}"),
        "questions[0]: load_share cannot be answered for this scenario: there is no node 'Z' (nodes: A, B, C, D)",
    ),
    (
        "undeclared-variable",
        lambda t: t.replace("args: {key: key-1}", "args: {key: $k}"),
        "questions[1]: uses $k, which is not a declared variable (declared: none)",
    ),
    (
        "undeclared-placeholder",
        lambda t: t.replace("Who owns key-1?", "Who owns {{ k }}?"),
        "questions[1].prompt: uses {{ k }}, which is not a declared variable",
    ),
    (
        "bad-variable",
        lambda t: t.replace(
            "seed: 5", "seed: per student\n  variables:\n    k: {int: [1, 2], choice: [a]}"
        ),
        "scenario.variables.k: must have exactly one of int: [lo, hi] or choice: [...]",
    ),
    (
        "bad-points",
        lambda t: t.replace("query: node_count", "query: node_count\n    points: -1"),
        ":15: questions[0].points: must be a number above 0 and at most 1000, got -1",
    ),
    (
        "unknown-kind",
        lambda t: t.replace("id: t-ex", "id: t-ex\nkind: essay"),
        ": kind: must be exercise or narration",
    ),
    (
        "partial-on-single",
        lambda t: t.replace("args: {key: key-1}}", "args: {key: key-1}}\n    partial: true"),
        "questions[1].partial: only applies to multiple-choice questions",
    ),
]


@pytest.mark.parametrize(
    "case,breaker,expected", EXERCISE_CASES, ids=[c[0] for c in EXERCISE_CASES]
)
def test_each_broken_exercise_gives_its_message(
    tmp_path: Path, case: str, breaker, expected: str
) -> None:  # type: ignore[no-untyped-def]
    found = problems(tmp_path, breaker(VALID))
    assert any(expected in p for p in found), f"{case}: {expected!r} not in {found}"
    assert all(p.startswith("t-ex.md") or "/t-ex.md" in p for p in found)
    assert "t-ex" not in content.load([tmp_path]).exercises  # an invalid file is never served


def test_not_utf8_and_too_large(tmp_path: Path) -> None:
    assert any("must be UTF-8 text" in p for p in problems(tmp_path, b"---\ntitle: \xff\n---\n"))
    big = VALID + "x" * (content.MAX_FILE_BYTES + 1)
    assert any("must be at most 256,000 bytes" in p for p in problems(tmp_path, big, "big.md"))


def test_every_problem_of_a_file_is_reported(tmp_path: Path) -> None:
    text = VALID.replace("title: A test exercise\n", "").replace("type: numeric", "type: essay")
    text = text.replace("lab: consistent-hashing", "lab: paxos").replace(
        "questions:", "questions:\n  - 7\n"
    )
    found = problems(tmp_path, text)
    for piece in (
        "title: is required",
        "lab: must be one of",
        "questions[0]: must be a mapping",
        "type: must be one of",
    ):
        assert any(piece in p for p in found), (piece, found)


def test_duplicate_exercise_id_across_files(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(VALID)
    (tmp_path / "b.md").write_text(VALID)
    loaded = content.load([tmp_path])
    assert [str(p).split(": ", 1)[1] for p in loaded.problems] == [
        f"id: duplicate id 't-ex': {loaded.exercises['t-ex'].path} uses it already"
    ]


QUIZ = """id: t-quiz
title: A quiz
opens: 2025-01-01T00:00:00Z
closes: 2030-01-01T00:00:00Z
attempts: 2
exercises:
  - {exercise: t-ps, points: 5}
"""
PER_STUDENT = VALID.replace("id: t-ex", "id: t-ps").replace("seed: 5", "seed: per student")

QUIZ_CASES = [
    (
        "unknown-exercise",
        lambda q: q.replace("exercise: t-ps", "exercise: nope"),
        ":7: exercises[0].exercise: exercise 'nope' does not exist",
    ),
    (
        "closes-before-opens",
        lambda q: q.replace("2030-01-01", "2020-01-01"),
        ":4: closes: must be after opens (2025-01-01T00:00:00+00:00)",
    ),
    (
        "bad-date",
        lambda q: q.replace("2025-01-01T00:00:00Z", "next monday"),
        ":3: opens: must be a date and time like 2025-03-01T09:00:00Z, got 'next monday'",
    ),
    (
        "no-attempts",
        lambda q: q.replace("attempts: 2", "attempts: 0"),
        ":5: attempts: must be an integer between 1 and 100, got 0",
    ),
    (
        "twice",
        lambda q: q + "  - {exercise: t-ps}\n",
        ":8: exercises[1].exercise: lists 't-ps' twice",
    ),
    (
        "bad-reveal",
        lambda q: q + "reveal: sometimes\n",
        "reveal: must be one of after_last_attempt, after_close, immediately, never",
    ),
    ("unknown-key", lambda q: q + "attempt: 3\n", "attempt: unknown key (allowed: kind, id, title"),
    (
        "public-answers",
        lambda q: q.replace("exercise: t-ps", "exercise: t-ex"),
        "exercise 't-ex' is a practice exercise with a fixed seed, so its answers are public",
    ),
    ("not-a-mapping", lambda q: "- a\n", ":1: must be a YAML mapping of key: value"),
]


@pytest.mark.parametrize("case,breaker,expected", QUIZ_CASES, ids=[c[0] for c in QUIZ_CASES])
def test_each_broken_quiz_gives_its_message(
    tmp_path: Path, case: str, breaker, expected: str
) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "t-ex.md").write_text(VALID)
    (tmp_path / "t-ps.md").write_text(PER_STUDENT)
    (tmp_path / "t-quiz.yaml").write_text(breaker(QUIZ))
    loaded = content.load([tmp_path])
    found = [str(p) for p in loaded.problems]
    assert any(expected in p for p in found), f"{case}: {expected!r} not in {found}"
    assert "t-quiz" not in loaded.quizzes


def test_quiz_naming_an_exercise_with_problems(tmp_path: Path) -> None:
    (tmp_path / "t-ps.md").write_text(PER_STUDENT.replace("nodes: 3", "nodes: 99"))
    (tmp_path / "t-quiz.yaml").write_text(QUIZ)
    found = [str(p) for p in content.load([tmp_path]).problems]
    assert any(
        "exercises[0].exercise: exercise 't-ps' has problems (see above)" in p for p in found
    )


NARRATION = """---
kind: narration
id: t-nar
title: A walkthrough
lab: consistent-hashing
params: {nodes: 3, keys: 40}
seed: 1
steps:
  - do: {action: add_node, name: D}
    caption: D joins.
  - do: {action: remove_node, name: A}
---
Intro caption.
"""


def test_narration_loads_with_captions(tmp_path: Path) -> None:
    (tmp_path / "n.md").write_text(NARRATION)
    loaded = content.load([tmp_path])
    assert loaded.problems == []
    narration = loaded.narrations["t-nar"]
    assert narration.recording.length == 2
    assert dict(narration.captions) == {"0": "Intro caption.", "1": "D joins."}


@pytest.mark.parametrize(
    "breaker,expected",
    [
        (
            lambda t: t.replace("name: A}", "name: Q}"),
            ":11: steps[1].do.name: must be a current node",
        ),
        (lambda t: t[: t.index("steps:")] + "---\n", "steps: is required"),
        (
            lambda t: t.replace("caption: D joins.", "caption: D joins.\n    tick: 2"),
            "steps[0]: give do or tick, not both",
        ),
    ],
)
def test_broken_narrations(tmp_path: Path, breaker, expected: str) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "n.md").write_text(breaker(NARRATION))
    found = [str(p) for p in content.load([tmp_path]).problems]
    assert any(expected in p for p in found), found


# -- check_exercises ------------------------------------------------------------------------


def run_check(*paths: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check_exercises", *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_exercises_passes_on_the_shipped_content() -> None:
    done = run_check()
    assert done.returncode == 0, done.stderr
    assert "0 problems" in done.stdout


def test_check_exercises_lists_every_problem_and_fails(tmp_path: Path) -> None:
    (tmp_path / "good.md").write_text(VALID.replace("id: t-ex", "id: good"))
    (tmp_path / "bad.md").write_text(
        VALID.replace("id: t-ex", "id: bad")
        .replace("nodes: 3", "nodes: 99")
        .replace("title: A test exercise\n", "")
    )
    (tmp_path / "quiz.yaml").write_text(QUIZ.replace("t-ps", "ghost"))
    done = run_check(str(tmp_path))
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert any(line.endswith("bad.md:2: title: is required") for line in lines)
    assert any(
        line.endswith(
            "bad.md:5: scenario.params.nodes: must be an integer between 0 and 64, got 99"
        )
        for line in lines
    )

    assert any(
        "quiz.yaml:7: exercises[0].exercise: exercise 'ghost' does not exist" in line
        for line in lines
    )
    assert not any("good.md" in line for line in lines)
    assert lines[-1] == "Checked 3 files: 3 problems."


def test_check_exercises_command_in_process(tmp_path: Path) -> None:
    (tmp_path / "x.md").write_text("no front matter")
    with pytest.raises(SystemExit) as stop:
        call_command("check_exercises", str(tmp_path))
    assert stop.value.code == 1


# -- Markdown ------------------------------------------------------------------------------------


def test_instructor_markdown_comes_out_inert() -> None:
    html = render_markdown(
        "Hi <script>alert(1)</script> <img src=x onerror=alert(2)> "
        '[link](javascript:alert(3)) <a href="javascript:alert(4)" onclick="x()">a</a> '
        '<b onmouseover="y()">bold</b> <iframe src="https://e.example"></iframe> **ok**'
    )
    lowered = html.lower()
    for bad in (
        "<script",
        "alert(1)",
        "onerror",
        "onclick",
        "onmouseover",
        "<iframe",
        "<img",
    ):
        assert bad not in lowered, (bad, html)
    # A javascript: link is left as plain text or loses its href: nothing to click.
    assert 'href="javascript' not in lowered and "href='javascript" not in lowered
    assert "<strong>ok</strong>" in html and "<b>bold</b>" in html


def test_exercise_page_sanitizes_an_exercise_body(client, content_dir: Path) -> None:  # type: ignore[no-untyped-def]
    evil = VALID.replace(
        "Some *Markdown*.",
        'Read <script>steal()</script> [me](javascript:steal()) <b onclick="steal()">x</b>',
    ).replace("How many nodes?", "How many <img src=x onerror=steal()> nodes?")
    (content_dir / "t-ex.md").write_text(evil)
    html = client.get("/exercises/t-ex/").content.decode()
    assert "<script" not in html.split("</main>")[0].split('<main id="main">')[1]
    assert "<script>steal" not in html and "onclick" not in html and "onerror" not in html
    assert 'href="javascript' not in html


def test_check_exercises_on_one_installed_file(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("check_exercises", str(SHIPPED / "quizzes" / "ring-quiz.yaml"))
    assert "Checked 1 file: 0 problems." in capsys.readouterr().out
