"""The schema of instructor content: its limits, and the narration and quiz files.

Each model is one mapping of a file, with the keys the instructor types
(docs/exercises.md describes them); exercises are in :mod:`.exercise_schema`. A quiz's
rules read the loaded exercises from the validation context: ``{"exercises": {id:
Exercise}, "invalid": {ids of broken exercises}}``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Annotated, Any

from labs.registry import LABS
from labs.teaching.content.errors import Path_, shown
from labs.teaching.content.fields import (
    Mapping_,
    Name,
    Names,
    Rule,
    Schema,
    When,
    check,
    fail,
    ident,
    integer,
    mapping,
    number,
    one_of,
    sized_list,
    text,
)
from labs.teaching.content.items import parse_when

MAX_QUESTIONS = 50
MAX_OPTIONS = 2000
MAX_SETUP_COMMANDS = 500
MAX_TICKS = 10_000
MAX_VARIABLES = 20
MAX_STEPS = 2000
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,47}$")
QID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
PERCENT_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")
QUESTION_TYPES: dict[str, tuple[str, ...]] = {
    "numeric": ("number",),
    "single": ("choice", "bool"),
    "multiple": ("choices",),
    "pick": ("pick", "choice"),
    "construct": (),
}
REVEAL = ("after_last_attempt", "after_close", "immediately", "never")
RESERVED_QUIZ_IDS = frozenset({"practice", "check"})
"""Quiz ids refused by the loader and the admin: the names of the public seed spaces."""

ItemId = Annotated[str, ident(ID_RE, "1 to 48 lowercase letters, digits and dashes")]
QuestionId = Annotated[str, ident(QID_RE, "1 to 32 letters, digits, _ and -")]
Title = Annotated[str, text(200)]
LabSlug = Annotated[str, one_of(LABS.slugs)]
Tick = Annotated[int, integer(1, MAX_TICKS, required=True)]
"""``tick: n``: optional where it appears (default None), but never null."""


def given(data: Mapping[str, Any], key: str) -> bool:
    """Whether the file gives the key a value (``key:`` with nothing is not giving it)."""
    return data.get(key) is not None


# -- references to what a lab declares ------------------------------------------------------


class Ref(Schema):
    """A query, goal or option generator: ``name`` or ``{name: ..., args: {...}}``."""

    NOT_A_MAPPING = "must be a name or a mapping with name and args, got {value}"
    MISSING = {"name": "is required and must be a name, got None"}

    name: Name
    args: Annotated[dict[str, Any], mapping("a mapping of argument: value")] = {}

    @classmethod
    def coerce(cls, data: Any) -> Any:
        return {"name": data} if isinstance(data, str) else data


def ref_name(data: Mapping[str, Any], key: str) -> str | None:
    """The name of a well-formed reference at ``key``, else None (its problem is named)."""
    ref = data.get(key)
    if isinstance(ref, str):
        return ref
    if isinstance(ref, dict) and isinstance(ref.get("name"), str):
        return str(ref["name"])
    return None


# -- narrations ------------------------------------------------------------------------------


STEPS_RULE = "is required: a list of {do: command} or {tick: n}, each with an optional caption"


def _caption(value: Any) -> str | None:
    if value is not None and (not isinstance(value, str) or len(value) > 2000):
        fail("must be a text of at most 2000 characters")
    return value


class Step(Schema):
    NOT_A_MAPPING = "must be a mapping like {{do: {{action: add_node}}, caption: ...}}, got {value}"

    do: Annotated[dict[str, Any] | None, mapping("a command mapping with an action", False)] = None
    tick: Tick = None
    caption: Annotated[str | None, check(_caption)] = None

    @classmethod
    def rules(cls, data: dict[str, Any], context: Mapping[str, Any]) -> Iterable[Rule]:
        if "do" in data and "tick" in data:
            yield (), "give do or tick, not both"


class NarrationFile(Schema):
    """The front matter of a narration (``kind: narration``): a replay with captions."""

    MISSING = {"steps": STEPS_RULE}

    kind: Any = "narration"
    id: ItemId
    title: Title
    lab: LabSlug
    params: Mapping_ = {}
    seed: Annotated[int, integer(0, 2**63 - 1, required=True)]
    steps: Annotated[
        list[Step],
        sized_list(
            1,
            MAX_STEPS,
            f"must be a list of 1 to {MAX_STEPS} steps ({{{{do: command}}}} or {{{{tick: n}}}}, "
            "each with an optional caption), got {value}",
        ),
    ]


# -- quizzes -----------------------------------------------------------------------------------


ENTRIES_RULE = f"is required: a list of 1 to {MAX_QUESTIONS} {{exercise: id, points: n}} entries"


def _exercise_id(value: Any) -> str:
    if not isinstance(value, str):
        fail(f"is required: the id of an exercise, got {shown(value)}")
    return value


def _quiz_kind(value: Any) -> str:
    if value != "quiz":
        fail(f"must be quiz in a .yaml file, got {shown(value)}")
    return "quiz"


def _not_reserved(value: str) -> str:
    if value in RESERVED_QUIZ_IDS:
        fail(
            f"must not be one of the reserved ids {', '.join(sorted(RESERVED_QUIZ_IDS))} "
            f"(they name public seed spaces), got {value!r}"
        )
    return value


def _course(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or (value and not ID_RE.match(value)):
        fail(f"must be a course id (lowercase letters, digits, dashes), got {shown(value)}")
    return value


def _when_or_none(value: Any) -> datetime | None:
    try:
        return parse_when(value)
    except ValueError:
        return None


class QuizEntrySpec(Schema):
    NOT_A_MAPPING = "must be {{exercise: id, points: n}}, got {value}"
    MISSING = {"exercise": "is required: the id of an exercise, got None"}

    exercise: Annotated[str, check(_exercise_id)]
    points: Annotated[float | None, number(0, 10_000)] = None

    @classmethod
    def coerce(cls, data: Any) -> Any:
        return {"exercise": data} if isinstance(data, str) else data


class QuizFile(Schema):
    """A quiz (``*.yaml``): exercises with points, dates, attempts, who teaches it."""

    MISSING = {"exercises": ENTRIES_RULE}

    kind: Annotated[str, check(_quiz_kind)] = "quiz"
    id: Annotated[
        str, ident(ID_RE, "1 to 48 lowercase letters, digits and dashes"), check(_not_reserved)
    ]
    title: Title
    description: Annotated[str | None, text(20_000, required=False)] = None
    opens: When = None
    closes: When = None
    attempts: Annotated[int | None, integer(1, 100)] = 1
    time_limit: Annotated[int | None, integer(1, 24 * 60)] = None
    reveal: Annotated[str, one_of(lambda: REVEAL)] = REVEAL[0]
    instructors: Names = []
    instructor_groups: Names = []
    exercises: Annotated[list[QuizEntrySpec], sized_list(1, MAX_QUESTIONS, ENTRIES_RULE)]
    course: Annotated[str, check(_course)] = ""

    @classmethod
    def rules(cls, data: dict[str, Any], context: Mapping[str, Any]) -> Iterable[Rule]:
        opens, closes = _when_or_none(data.get("opens")), _when_or_none(data.get("closes"))
        if opens and closes and closes <= opens:
            yield (
                ("closes",),
                f"must be after opens ({opens.isoformat()}), got {closes.isoformat()}",
            )
        raw = data.get("exercises")
        seen: set[str] = set()
        exercises = context.get("exercises", {})
        invalid = context.get("invalid", set())
        for i, item in enumerate(raw if isinstance(raw, list) else []):
            ex_id = (
                item
                if isinstance(item, str)
                else item.get("exercise")
                if isinstance(item, dict)
                else None
            )
            if not isinstance(ex_id, str):
                continue
            where: Path_ = ("exercises", i, "exercise")
            if ex_id in seen:
                yield where, f"lists {ex_id!r} twice"
                continue
            seen.add(ex_id)
            exercise = exercises.get(ex_id)
            if exercise is None:
                why = "has problems (see above)" if ex_id in invalid else "does not exist"
                yield where, f"exercise {ex_id!r} {why}"
            elif exercise.practice and not exercise.per_student:
                yield (
                    where,
                    (
                        f"exercise {ex_id!r} is a practice exercise with a fixed seed, so its "
                        "answers are public: set practice: false or seed: per student"
                    ),
                )
