"""Polls from exercise questions, answered by the lab's engine at the live step.

An exercise's ``single`` (one option, or yes/no), ``multiple`` (tick every right one),
``pick`` (one element of the diagram, from the list) and ``numeric`` questions become
polls of the same kind: the options and the right answer are computed by the
question's query on the lecture's engine as it stands now, exactly as the exercise
pages grade (labs/teaching/content/), with the question's own tolerance. The variant
is the session's seed, so templated prompts (``{{ key }}``) take that variant's values.

A ``construct`` task becomes a poll that each student answers by acting: they explore
from the lecture's step, act, and send their lab. Their lab (the lecture's recording up
to the poll's step, then their own commands) is replayed and judged by the lab's goal
predicate with the very code that grades the exercise pages
(:func:`labs.teaching.grading.replay_after`, :func:`~labs.teaching.grading.goal_verdict`),
under the seek budget like every other re-run of recorded steps.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from algorithms.engine import CommandError
from algorithms.recording import Recording, StepCheck, Timeline
from labs.classroom.models import MAX_QUESTION_OPTIONS, OPTION_MAX
from labs.teaching import content
from labs.teaching.content import Ref, answer_query, resolve_options, substitute
from labs.teaching.grading import AnswerError, goal_verdict, replay_after
from labs.teaching.queries import Context, QueryError, check_args, goals_of

POLL_TYPES = ("single", "multiple", "pick", "numeric", "construct")
KIND_WORDS = {
    "single": "one answer",
    "multiple": "tick every right one",
    "pick": "pick one element",
    "numeric": "a number",
    "construct": "act in your own lab",
}
LAB_LABEL = "Your lab"
"""The construct poll's field (``lab``), as the student's page labels it."""


def _plain(markdown: str) -> str:
    """A prompt's Markdown as plain text (polls show text, never markup)."""
    return re.sub(r"[*`_]", "", markdown).strip()


def _fill(template: str, values: dict[str, Any]) -> str:
    """``{{ name }}`` replaced by the variant's value, as the exercise pages show it."""
    return re.sub(
        r"\{\{\s*(\w+)\s*\}\}", lambda m: str(values.get(m.group(1), m.group(0))), template
    )


def questions_for(lab: str) -> list[dict[str, str]]:
    """The exercise questions a poll can ask in this lab, for the instructor's menu."""
    found = []
    for exercise in content.installed().exercises.values():
        if exercise.lab != lab:
            continue
        for q in exercise.questions:
            if q.type in POLL_TYPES:
                found.append(
                    {
                        "value": f"{exercise.id}/{q.id}",
                        "label": f"{exercise.title}: {_plain(q.prompt)}"[:180]
                        + f" ({KIND_WORDS[q.type]})",
                    }
                )
    return found


def poll_from_question(ref: object, timeline: Timeline) -> dict[str, Any]:
    """The poll_open message for ``"exercise/question"`` at the timeline's step."""
    if not isinstance(ref, str) or ref.count("/") != 1:
        raise CommandError("question", ref, "must name an exercise question as exercise/question")
    exercise_id, question_id = ref.split("/")
    exercise = content.exercise(exercise_id)
    if exercise is None or exercise.lab != timeline.lab:
        raise CommandError("question", ref, f"must be a question of a {timeline.lab} exercise")
    try:
        question = exercise.question(question_id)
    except KeyError:
        raise CommandError("question", ref, "must be a question of that exercise") from None
    if question.type not in POLL_TYPES:
        raise CommandError(
            "question",
            ref,
            f"must be of type {', '.join(POLL_TYPES)} (it is {question.type})",
        )
    variant = exercise.variant(timeline.seed)
    if question.type == "construct":
        return _construct_spec(ref, question, variant.values, timeline.lab)
    # Queries read the engine; a copy keeps the lecture's own untouched whatever they do.
    ctx = Context(copy.deepcopy(timeline))
    try:
        answer = answer_query(exercise, question, ctx, variant)
        options = (
            [] if question.type == "numeric" else resolve_options(exercise, question, ctx, variant)
        )
    except (CommandError, QueryError) as err:
        raise CommandError("question", ref, f"cannot be answered at this step ({err})") from None
    values = dict(variant.values)
    spec: dict[str, Any] = {
        "kind": question.type,
        "prompt": _plain(_fill(question.prompt, values))[:500],
        "options": [o[:OPTION_MAX] for o in options],
        "correct": None,
        "expected": None,
        "explanation": _plain(_fill(question.explain, values))[:500],
    }
    if question.type == "numeric":
        spec["expected"] = {
            "value": float(answer.value),
            "tolerance": question.tolerance,
            "relative": question.relative,
        }
        return spec
    if not 2 <= len(options) <= MAX_QUESTION_OPTIONS:
        raise CommandError(
            "question",
            ref,
            f"has {len(options)} options here; a poll shows 2 to {MAX_QUESTION_OPTIONS}",
        )
    if question.type == "single":
        spec["correct"] = options.index(answer.value) if answer.value in options else None
    else:
        # multiple: every right option; pick: the elements of which any one is right.
        right = [i for i, o in enumerate(options) if o in answer.value]
        spec["expected"] = right if right or question.type == "multiple" else None
    return spec


def _construct_spec(ref: str, question: content.Question, values: Any, lab: str) -> dict[str, Any]:
    """A construct poll: the goal with the variant's arguments, and what it asks."""
    assert question.goal is not None
    goal = goals_of(lab).get(question.goal.name)
    if goal is None:
        raise CommandError("question", ref, f"names a goal the {lab} lab does not declare")
    try:
        args = check_args(
            "goal.args", goal.args, substitute(dict(question.goal.args), dict(values))
        )
    except (CommandError, QueryError, ValueError) as err:
        raise CommandError("question", ref, f"cannot be asked here ({err})") from None
    shown = ", ".join(f"{k}: {v}" for k, v in args.items())
    return {
        "kind": "construct",
        "prompt": _plain(_fill(question.prompt, dict(values)))[:500],
        "options": [],
        "correct": None,
        "expected": {
            "goal": goal.name,
            "args": args,
            "text": (goal.doc + (f" ({shown})" if shown else ""))[:OPTION_MAX],
        },
        "explanation": _plain(_fill(question.explain, dict(values)))[:500],
    }


def judge_lab(
    expected: dict[str, Any],
    lecture: dict[str, Any],
    step: int,
    mine: Timeline,
    check: StepCheck | None = None,
) -> dict[str, Any]:
    """A student's explored lab judged against a construct poll's goal.

    ``lecture`` is the session's recording and ``step`` the poll's: the student's lab
    (their timeline up to where they stand) must begin with the lecture's first
    ``step`` steps. Returns the answer as stored: ``{"done", "message", "actions"}``.
    Refusals name the field ``lab``, which the student's page labels "Your lab".
    """
    setup = Recording.from_json(lecture)
    setup = Recording(
        setup.lab,
        setup.params,
        setup.seed,
        tuple((i, c) for i, c in setup.commands if i < step),
        min(step, setup.length),
    )
    whole = mine.recording()
    recording = Recording(
        whole.lab,
        whole.params,
        whole.seed,
        tuple((i, c) for i, c in whole.commands if i < mine.position),
        mine.position,
    )
    try:
        timeline = replay_after(
            setup,
            recording,
            LAB_LABEL,
            start=f"must start from the lecture's lab at step {step} (press Explore while "
            "the poll is open, then act)",
            steps="must begin with the lecture's {n} steps up to the poll unchanged (press "
            "Explore again while the poll is open, then act)",
            check=check,
        )
        verdict = goal_verdict(
            setup.lab,
            Ref(str(expected["goal"]), dict(expected.get("args") or {})),
            {},
            recording,
            timeline,
            setup.length,
            check,
        )
    except AnswerError as err:
        raise CommandError("lab", err.value, err.rule) from None
    return {
        "done": bool(verdict.done),
        "message": str(verdict.message)[:OPTION_MAX],
        "actions": recording.length - setup.length,
    }
