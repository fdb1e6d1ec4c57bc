"""Polls from exercise questions, answered by the lab's engine at the live step.

An exercise's ``single`` questions (one option, or yes/no) become polls: the options and
the right one are computed by the question's query on the lecture's engine as it stands
now, exactly as the exercise pages grade (labs/teaching/content/). The variant is the
session's seed, so templated prompts (``{{ key }}``) take that variant's values.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from algorithms.engine import CommandError
from algorithms.recording import Timeline
from labs.classroom.models import MAX_OPTIONS
from labs.teaching import content
from labs.teaching.content import answer_query, resolve_options
from labs.teaching.queries import Context, QueryError

POLL_TYPES = ("single",)


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
                        "label": f"{exercise.title}: {_plain(q.prompt)}"[:200],
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
            "question", ref, f"must be of type {', '.join(POLL_TYPES)} (it is {question.type})"
        )
    variant = exercise.variant(timeline.seed)
    # Queries read the engine; a copy keeps the lecture's own untouched whatever they do.
    ctx = Context(copy.deepcopy(timeline))
    try:
        answer = answer_query(exercise, question, ctx, variant)
        options = resolve_options(exercise, question, ctx, variant)
    except (CommandError, QueryError) as err:
        raise CommandError("question", ref, f"cannot be answered at this step ({err})") from None
    if not 2 <= len(options) <= MAX_OPTIONS:
        raise CommandError(
            "question", ref, f"has {len(options)} options here; a poll shows 2 to {MAX_OPTIONS}"
        )
    values = dict(variant.values)
    return {
        "prompt": _plain(_fill(question.prompt, values))[:500],
        "options": options,
        "correct": options.index(answer.value) if answer.value in options else None,
        "explanation": _plain(_fill(question.explain, values))[:500],
    }
