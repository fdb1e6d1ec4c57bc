"""Fixtures for the teaching tests: content folders, users, a quiz, correct answers."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User

from algorithms.recording import Recording
from labs.models import Replay
from labs.teaching import content
from labs.teaching.content import Exercise
from labs.teaching.grading import Prepared, prepare
from labs.teaching.models import Attempt, Quiz, QuizItem

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "labs" / "content"

VALID = """---
id: t-ex
title: A test exercise
lab: consistent-hashing
scenario:
  params: {nodes: 3, keys: 60, vnodes: 4}
  seed: 5
  commands:
    - {action: add_node, name: D}
questions:
  - id: q1
    type: numeric
    prompt: How many nodes?
    query: node_count
  - id: q2
    type: single
    prompt: Who owns key-1?
    query: {name: owner_of_key, args: {key: key-1}}
---
Some *Markdown*.
"""


@pytest.fixture
def content_dir(tmp_path: Path, settings: Any) -> Path:
    """An empty content folder that is the only one installed."""
    folder = tmp_path / "content"
    folder.mkdir()
    settings.PAPERLABS_CONTENT_DIRS = [folder]
    return folder


@pytest.fixture
def users(db: None, settings: Any) -> dict[str, User]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    make = User.objects.create_user
    return {
        "alice": make("alice", password="pw"),
        "bob": make("bob", password="pw"),
        "teacher": make("teacher", password="pw"),
        "other_teacher": make("other_teacher", password="pw"),
    }


@pytest.fixture
def quiz(users: dict[str, User]) -> Quiz:
    """The shipped exercises ch-what-if and ch-construct, 2 attempts, taught by teacher."""
    quiz = Quiz.objects.create(slug="q-test", title="Test quiz", max_attempts=2)
    QuizItem.objects.create(quiz=quiz, position=1, exercise="ch-what-if", points=10)
    QuizItem.objects.create(quiz=quiz, position=2, exercise="ch-construct", points=10)
    quiz.instructors.add(users["teacher"])
    other = Quiz.objects.create(slug="q-other", title="Other quiz")
    QuizItem.objects.create(quiz=other, position=1, exercise="ch-what-if")
    other.instructors.add(users["other_teacher"])
    return quiz


def prepared_of(attempt: Attempt, exercise_id: str) -> Prepared:
    exercise = content.exercise(exercise_id)
    assert exercise is not None
    return prepare(exercise, exercise.variant(attempt.variant[exercise_id]))


def _owner(engine: Any, key: str) -> str:
    engine.apply({"action": "select_key", "key": key})
    return str(engine.state()["selected"]["node"])


def mover_name(prepared: Prepared, key: str) -> str:
    """A node name whose join moves ``key`` to it (found with the engine, not the grader)."""
    base = prepared.scenario.timeline().engine
    for i in range(400):
        name = f"N{i}"
        probe = copy.deepcopy(base)
        probe.apply({"action": "add_node", "name": name})
        if _owner(probe, key) == name:
            return name
    raise AssertionError(f"no node name moves {key}")


def mover_recording(prepared: Prepared, key: str) -> dict[str, Any]:
    """A recording of the scenario plus one join that moves ``key``."""
    name = mover_name(prepared, key)
    timeline = prepared.scenario.timeline([{"action": "add_node", "name": name}])
    return timeline.recording().to_json()


def save_replay(recording: dict[str, Any], source: str = "exercise") -> str:
    replay = Replay.from_recording(Recording.from_json(recording), source=source)
    replay.save()
    return str(replay.pk)


def correct_answers(attempt: Attempt, exercise: Exercise) -> dict[str, Any]:
    """Form fields with every right answer of the exercise for this attempt's variant."""
    prepared = prepared_of(attempt, exercise.id)
    out: dict[str, Any] = {}
    for q in exercise.questions:
        name = f"a-{exercise.id}-{q.id}"
        if q.type == "construct":
            assert q.goal is not None
            key = content.substitute(dict(q.goal.args), prepared.variant.values)["key"]
            out[name] = save_replay(mover_recording(prepared, key))
            continue
        value = prepared.expected[q.id].value
        if q.type == "pick":
            value = value[0]
        out[name] = value if isinstance(value, list) else str(value)
    return out


@pytest.fixture
def answers_for() -> Callable[[Attempt, str], dict[str, Any]]:
    def make(attempt: Attempt, exercise_id: str) -> dict[str, Any]:
        exercise = content.exercise(exercise_id)
        assert exercise is not None
        return correct_answers(attempt, exercise)

    return make
