"""The content schema's edges: wrong types, unknown keys, nested lists, unicode, size.

Each refusal names the file, the key path and the line, the value and the rule, as
the loader's other messages do (tests/teaching/test_loader.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from labs.teaching import content
from labs.teaching.content.source import MAX_DEPTH
from tests.teaching.conftest import VALID


def problems(tmp_path: Path, text: str | bytes, name: str = "t-ex.md") -> list[str]:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    loaded = content.load([tmp_path])
    if loaded.problems:
        assert path.stem not in loaded.exercises and path.stem not in loaded.quizzes
    return [str(p).split("/")[-1] for p in loaded.problems]


WRONG_TYPES = [
    (
        lambda t: t.replace("title: A test exercise", "title: 5"),
        "t-ex.md:3: title: must be a non-empty text of at most 200 characters, got 5",
    ),
    (
        lambda t: t.replace("title: A test exercise", "title: [A, B]"),
        "t-ex.md:3: title: must be a non-empty text of at most 200 characters, got ['A', 'B']",
    ),
    (
        lambda t: t.replace("lab: consistent-hashing", "lab: consistent-hashing\npractice: 'yes'"),
        "t-ex.md:5: practice: must be true or false, got 'yes'",
    ),
    (
        lambda t: t.replace("seed: 5", "seed: 1.5"),
        't-ex.md:7: scenario.seed: must be an integer from 0 to 2**63-1 or "per student", got 1.5',
    ),
    (
        lambda t: t.replace("seed: 5", "seed: true"),
        't-ex.md:7: scenario.seed: must be an integer from 0 to 2**63-1 or "per student", got True',
    ),
    (
        lambda t: t.replace("params: {nodes: 3, keys: 60, vnodes: 4}", "params: [3, 60]"),
        "t-ex.md:6: scenario.params: must be a mapping, got [3, 60]",
    ),
    (
        lambda t: t.replace("query: node_count", "query: node_count\n    points: two"),
        "t-ex.md:15: questions[0].points: must be a number above 0 and at most 1000, got 'two'",
    ),
    (
        lambda t: t.replace("query: node_count", "query: 7"),
        "t-ex.md:14: questions[0].query: must be a name or a mapping with name and args, got 7",
    ),
    (
        lambda t: t.replace("args: {key: key-1}", "args: [key-1]"),
        "t-ex.md:18: questions[1].query.args: must be a mapping of argument: value, got ['key-1']",
    ),
    (
        lambda t: t.replace("  - {action: add_node, name: D}", "  - add_node D"),
        "t-ex.md:9: scenario.commands[0]: must be a command like {action: add_node, name: E}, got 'add_node D'",
    ),
    (
        lambda t: (
            t.replace("questions:", "questions: {q1: numeric}").split("\n  - id: q1")[0] + "\n---\n"
        ),
        "t-ex.md:10: questions: must be a list of 1 to 50 questions, got {'q1': 'numeric'}",
    ),
]


@pytest.mark.parametrize("breaker,expected", WRONG_TYPES)
def test_a_wrong_type_names_key_line_value_and_rule(tmp_path: Path, breaker, expected) -> None:  # type: ignore[no-untyped-def]
    assert expected in problems(tmp_path, breaker(VALID))


def test_every_unknown_key_is_refused_with_its_path_and_line(tmp_path: Path) -> None:
    text = (
        VALID.replace("lab: consistent-hashing", "lab: consistent-hashing\ncolour: red\n7: seven")
        .replace("  seed: 5", "  seed: 5\n  variables:\n    k: {int: [1, 2], step: 1}")
        .replace("query: node_count", "query: {name: node_count, argz: {}}\n    weight: 3")
    )
    found = problems(tmp_path, text)
    top = "unknown key (allowed: kind, id, title, lab, practice, scenario, questions)"
    assert f"t-ex.md:5: colour: {top}" in found
    assert f"t-ex.md:6: 7: {top}" in found
    assert (
        "t-ex.md:11: scenario.variables.k.step: unknown key (allowed: int, choice, format)" in found
    )
    assert "t-ex.md:18: questions[0].query.argz: unknown key (allowed: name, args)" in found
    assert any(
        p.startswith("t-ex.md:19: questions[0].weight: unknown key (allowed: id,") for p in found
    )


def test_unknown_keys_of_quizzes_and_narrations(tmp_path: Path) -> None:
    (tmp_path / "t-ex.md").write_text(VALID)
    quiz = "title: A quiz\nexercises:\n  - {exercise: t-ex, weight: 2}\nextra: 1\n"
    found = problems(tmp_path, quiz, "t-quiz.yaml")
    assert "t-quiz.yaml:3: exercises[0].weight: unknown key (allowed: exercise, points)" in found
    assert any(
        p.startswith("t-quiz.yaml:4: extra: unknown key (allowed: kind, id, title") for p in found
    )
    narration = (
        "---\nkind: narration\ntitle: N\nlab: consistent-hashing\nseed: 1\n"
        "steps:\n  - {do: {action: add_node, name: D}, wait: 1}\n---\n"
    )
    (tmp_path / "n").mkdir()
    assert problems(tmp_path / "n", narration, "n.md") == [
        "n.md:7: steps[0].wait: unknown key (allowed: do, tick, caption)"
    ]


@pytest.mark.parametrize(
    "options,shown",
    [
        ("[[D, A], B]", "[['D', 'A'], 'B']"),
        ("[{D: 1}, A]", "[{'D': 1}, 'A']"),
        ("[A, true]", "['A', True]"),
        ("[D]", "['D']"),
        ("{D: A}", "{'D': 'A'}"),
    ],
)
def test_options_must_be_a_flat_list_of_texts_or_numbers(
    tmp_path: Path, options: str, shown: str
) -> None:
    text = VALID.replace("args: {key: key-1}}", f"args: {{key: key-1}}}}\n    options: {options}")
    assert problems(tmp_path, text) == [
        f"t-ex.md:19: questions[1].options: must be a list of 2 to 2000 texts or numbers, got {shown}"
    ]


def test_nested_lists_in_variables_and_instructors(tmp_path: Path) -> None:
    text = VALID.replace(
        "  seed: 5", "  seed: per student\n  variables:\n    k: {choice: [[a, b]]}"
    )
    assert (
        "t-ex.md:9: scenario.variables.k.choice: must be a list of 1 to 1000 texts or numbers, got [['a', 'b']]"
        in problems(tmp_path, text)
    )
    quiz = "title: Q\ninstructors: [[alice]]\nexercises: [nope]\n"
    assert "t-quiz.yaml:2: instructors: must be a list of names, got [['alice']]" in problems(
        tmp_path, quiz, "t-quiz.yaml"
    )


def test_unicode_text_loads_and_a_unicode_id_is_refused(tmp_path: Path) -> None:
    text = (
        VALID.replace("title: A test exercise", "title: Ünïcode ☃ — 一致性哈希")
        .replace("Who owns key-1?", "Qui détient « key-1 » ? 🔑")
        .replace("Some *Markdown*.", "Ein *Körper* ✓.")
    )
    assert problems(tmp_path, text) == []
    loaded = content.load([tmp_path]).exercises["t-ex"]
    assert loaded.title == "Ünïcode ☃ — 一致性哈希" and "🔑" in loaded.questions[1].prompt
    assert problems(tmp_path, text.replace("id: t-ex", "id: ünï")) == [
        "t-ex.md:2: id: must be 1 to 48 lowercase letters, digits and dashes, got 'ünï'"
    ]


def test_unicode_unknown_key_and_options(tmp_path: Path) -> None:
    text = VALID.replace("lab: consistent-hashing", "lab: consistent-hashing\nétiquette: x")
    assert any(p.startswith("t-ex.md:5: étiquette: unknown key") for p in problems(tmp_path, text))
    text = VALID.replace("args: {key: key-1}}", "args: {key: key-1}}\n    options: [Ä, Ö]")
    assert any("must include the answer" in p and "Ä, Ö" in p for p in problems(tmp_path, text))


def test_a_file_at_the_size_limit_loads_and_one_byte_more_is_refused(tmp_path: Path) -> None:
    padding = content.MAX_FILE_BYTES - len(VALID.encode())
    exact = VALID + "x" * padding
    assert len(exact.encode()) == content.MAX_FILE_BYTES
    assert problems(tmp_path, exact) == []
    assert problems(tmp_path, exact + "é") == [
        f"t-ex.md: must be at most 256,000 bytes, got {content.MAX_FILE_BYTES + 2:,}"
    ]


def list_of(count: int, item: str) -> str:
    return "[" + ", ".join([item] * count) + "]"


def test_list_limits_still_hold(tmp_path: Path) -> None:
    questions = "\n".join(
        f"  - {{id: q{i}, type: numeric, prompt: N, query: node_count}}" for i in range(51)
    )
    text = VALID[: VALID.index("questions:")] + f"questions:\n{questions}\n---\n"
    assert problems(tmp_path, text) == [
        "t-ex.md:10: questions: must be a list of 1 to 50 questions, got [{'id': 'q0', 'type': 'numeric', 'prompt': 'N', 'query': 'node_count'}, {'id'..."
    ]
    options = list_of(2001, "A")
    text = VALID.replace("args: {key: key-1}}", f"args: {{key: key-1}}}}\n    options: {options}")
    assert any(
        "questions[1].options: must be a list of 2 to 2000 texts or numbers" in p
        for p in problems(tmp_path, text)
    )
    commands = list_of(501, "{tick: 1}")
    text = VALID.replace(
        "  commands:\n    - {action: add_node, name: D}", f"  commands: {commands}"
    )
    assert any(
        p.startswith("t-ex.md:8: scenario.commands: must be a list of at most 500 commands")
        for p in problems(tmp_path, text)
    )
    variables = "\n".join(f"    v{i}: {{int: [1, 2]}}" for i in range(21))
    text = VALID.replace("  seed: 5", f"  seed: 5\n  variables:\n{variables}")
    assert (
        "t-ex.md:8: scenario.variables: must be a mapping of at most 20 name: spec entries"
        in problems(tmp_path, text)
    )
    steps = "\n".join("  - {tick: 1}" for _ in range(2001))
    narration = (
        f"---\nkind: narration\ntitle: N\nlab: consistent-hashing\nseed: 1\nsteps:\n{steps}\n---\n"
    )
    (tmp_path / "n").mkdir()
    assert problems(tmp_path / "n", narration, "n.md") == [
        "n.md:6: steps: must be a list of 1 to 2000 steps ({do: command} or {tick: n}, each "
        "with an optional caption), got [{'tick': 1}, {'tick': 1}, {'tick': 1}, {'tick': 1}, "
        "{'tick': 1}, {'tick': 1}..."
    ]


def test_deep_nesting_is_refused_with_its_line(tmp_path: Path) -> None:
    deep = "---\ntitle: T\nparams: " + "[" * 100_000 + "]" * 100_000 + "\n---\n"
    assert problems(tmp_path, deep) == [
        f"t-ex.md:3: must not nest lists and mappings more than {MAX_DEPTH} deep"
    ]
    fine = VALID.replace("seed: 5", "seed: 5\n  x: " + "[" * 10 + "]" * 10)
    assert any("scenario.x: unknown key" in p for p in problems(tmp_path, fine))


def test_many_aliases_stay_small(tmp_path: Path) -> None:
    laughs = (
        "---\na: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
            for i in range(9)
        )
        + "---\n"
    )
    found = problems(tmp_path, laughs)
    # Each line's anchor and aliases are one problem: ten lines, ten problems.
    assert sum("anchors and aliases" in p for p in found) == 10
    assert len(found) < 100


def test_null_values_are_refused_or_mean_the_default(tmp_path: Path) -> None:
    text = VALID.replace("{action: add_node, name: D}", "{tick: null}")
    assert problems(tmp_path, text) == [
        "t-ex.md:9: scenario.commands[0].tick: must be an integer between 1 and 10000, got None"
    ]
    text = VALID.replace("query: node_count", "query: node_count\n    explain:\n    points: null")
    assert problems(tmp_path, text) == [
        "t-ex.md:16: questions[0].points: must be a number above 0 and at most 1000, got None"
    ]


def test_only_the_keys_instructors_type_are_accepted(tmp_path: Path) -> None:
    # The model's own names for a key (int_ for int) are not keys of the file.
    text = VALID.replace("  seed: 5", "  seed: per student\n  variables:\n    k: {int_: [1, 2]}")
    found = problems(tmp_path, text)
    assert (
        "t-ex.md:9: scenario.variables.k.int_: unknown key (allowed: int, choice, format)" in found
    )


def test_two_questions_without_ids_are_not_called_duplicates(tmp_path: Path) -> None:
    text = VALID.replace("  - id: q1\n    type", "  - type").replace(
        "  - id: q2\n    type", "  - type"
    )
    assert problems(tmp_path, text) == [
        "t-ex.md:11: questions[0].id: is required",
        "t-ex.md:14: questions[1].id: is required",
    ]
