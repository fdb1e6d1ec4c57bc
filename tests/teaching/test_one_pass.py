"""check_exercises reports every problem of every file in one run, with file, key and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

# Five mistakes of five kinds: YAML (a duplicate key), the engine's parameters, the
# question's shape, the lab's queries, and a query's arguments.
FIVE_MISTAKES = """---
id: five-mistakes
title: "Five mistakes"
lab: consistent-hashing
title: "Five mistakes, again"
scenario:
  params: {nodes: 999, keys: 100, vnodes: 4}
  seed: 3
questions:
  - id: q1
    type: numerc
    prompt: "How many nodes?"
    query: node_count
  - id: q2
    type: numeric
    prompt: "How many keys?"
    query: keys_count
  - id: q3
    type: single
    prompt: "Who stores key-1?"
    query: {name: owner_of_key, args: {key: key-1, colour: red}}
---
Body.
"""

EXPECTED = [
    (5, "title", "duplicate key 'title'"),
    (7, "scenario.params.nodes", "must be an integer between 0 and 64, got 999"),
    (11, "questions[0].type", "must be one of numeric, single"),
    (17, "questions[1].query.name", "must be a query of consistent-hashing"),
    (21, "questions[2].query.args.colour", "is not an argument (allowed: key), got 'red'"),
]


def run(*paths: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    try:
        call_command("check_exercises", *[str(p) for p in paths])
        code = 0
    except SystemExit as stop:
        code = int(stop.code or 0)
    return code, capsys.readouterr().err.splitlines()


def test_five_mistakes_are_named_in_one_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "five.md"
    path.write_text(FIVE_MISTAKES)
    code, lines = run(path, capsys=capsys)
    assert code == 1
    assert lines[-1] == "Checked 1 file: 5 problems."
    for (line, key, message), printed in zip(EXPECTED, lines, strict=False):
        assert printed.startswith(f"{path}:{line}: {key}: "), printed
        assert message in printed


def test_set_up_commands_are_all_checked_and_questions_still_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        FIVE_MISTAKES.replace("nodes: 999", "nodes: 4")
        .replace('title: "Five mistakes, again"\n', "")
        .replace(
            "  seed: 3\n",
            "  seed: 3\n  commands:\n    - {action: remove_node, name: Z}\n"
            "    - {action: add_node, name: 7}\n",
        )
    )
    path = tmp_path / "cmds.md"
    path.write_text(text)
    code, lines = run(path, capsys=capsys)
    assert code == 1
    keys = [line.split(": ")[1] for line in lines[:-1]]
    assert keys == [
        "scenario.commands[0].name",
        "scenario.commands[1].name",
        "questions[0].type",
        "questions[1].query.name",
        "questions[2].query.args.colour",
    ]


def test_aliases_are_all_reported_and_the_rest_is_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = FIVE_MISTAKES.replace(
        "  params: {nodes: 999, keys: 100, vnodes: 4}",
        "  params: &p {nodes: 999, keys: 100, vnodes: 4}\n  extra: *p",
    )
    path = tmp_path / "alias.md"
    path.write_text(text)
    code, lines = run(path, capsys=capsys)
    assert code == 1
    assert sum("anchors and aliases" in line for line in lines) == 2
    assert any("scenario.extra: unknown key" in line for line in lines)
    assert any("questions[2].query.args.colour" in line for line in lines)


def test_every_problem_of_a_quiz_and_a_narration_in_one_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    quiz = tmp_path / "q.yaml"
    quiz.write_text(
        "id: Bad Quiz\ntitle: x\nattempts: 0\nreveal: sometimes\nextra: 1\n"
        "exercises:\n  - {exercise: ghost}\n  - {exercise: ch-what-if, points: -1}\n"
    )
    narration = tmp_path / "n.md"
    narration.write_text(
        "---\nkind: narration\nid: BAD\nlab: consistent-hashing\nparams: {nodes: 3}\nseed: 1\n"
        "steps:\n  - do: {action: add_node, name: A}\n  - do: {action: fly}\n---\n"
    )
    code, lines = run(quiz, narration, capsys=capsys)
    assert code == 1
    keys = [line.split(": ")[1] for line in lines[:-1]]
    assert keys == [
        "title",
        "id",
        "steps[0].do.name",
        "steps[1].do.action",
        "id",
        "attempts",
        "reveal",
        "extra",
        "exercises[0].exercise",
        "exercises[1].points",
    ]


def test_every_refused_parameter_and_no_other(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # replication 5 is fine with nodes 10 (it would not be with the default nodes).
    path = tmp_path / "params.md"
    path.write_text(
        FIVE_MISTAKES.replace(
            "{nodes: 999, keys: 100, vnodes: 4}",
            "{nodes: 10, replication: 5, vnodes: 999, colour: red, keys: -1}",
        )
    )
    code, lines = run(path, capsys=capsys)
    assert code == 1
    params = sorted(line.split(": ")[1] for line in lines if ": scenario.params." in line)
    assert params == [
        "scenario.params.colour",
        "scenario.params.keys",
        "scenario.params.vnodes",
    ]
