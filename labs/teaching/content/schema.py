"""The schema of instructor content: exercise, narration and quiz files.

Each model is one mapping of a file, with the key the instructor types (docs/exercises.md
describes them). A key whose rule depends on the lab (a query's name, whether a
question type fits the query's answer) reads the lab from the validation context:
``{"lab": slug}``, plus ``body`` (the Markdown after the front matter) for exercises
and ``exercises`` / ``invalid`` (the loaded exercises, the ids of broken ones) for
quizzes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field
from pydantic_core import PydanticCustomError

from labs.registry import LABS
from labs.teaching import markup
from labs.teaching.content.errors import Path_, shown
from labs.teaching.content.fields import (
    Flag,
    Mapping_,
    Name,
    Names,
    Rule,
    Schema,
    VariableName,
    When,
    check,
    fail,
    ident,
    integer,
    mapping,
    number,
    one_of,
    plain_values,
    sized_list,
    text,
)
from labs.teaching.content.items import PER_STUDENT, parse_when, references
from labs.teaching.queries import goals_of, options_of, queries_of

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
Tick = Annotated[int | None, integer(1, MAX_TICKS)]


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


def _ref_name(data: Mapping[str, Any], key: str) -> str | None:
    """The name of a well-formed reference at ``key``, else None (its problem is named)."""
    ref = data.get(key)
    if isinstance(ref, str):
        return ref
    if isinstance(ref, dict) and isinstance(ref.get("name"), str):
        return str(ref["name"])
    return None


# -- exercises -------------------------------------------------------------------------------


def _seed(value: Any) -> int | None:
    if value == PER_STUDENT:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63:
        return value
    fail(f'must be an integer from 0 to 2**63-1 or "{PER_STUDENT}", got {shown(value)}')


def _format(value: Any) -> str | None:
    if value is not None and (
        not isinstance(value, str) or value.count("{}") != 1 or len(value) > 80
    ):
        fail(f"must be a text with one {{}} where the value goes, got {shown(value)}")
    return value


def _bounds(value: Any) -> list[int]:
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(b, int) and not isinstance(b, bool) for b in value)
        or not -(10**9) <= value[0] <= value[1] <= 10**9
    ):
        fail(f"must be [lo, hi], two integers with lo <= hi, got {shown(value)}")
    return value


def _variables(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict) or len(value) > MAX_VARIABLES:
        fail(f"must be a mapping of at most {MAX_VARIABLES} name: spec entries")
    return value


class VariableSpec(Schema):
    """``{int: [lo, hi]}`` or ``{choice: [...]}``, with an optional ``format``."""

    NOT_A_MAPPING = "must be {{int: [lo, hi]}} or {{choice: [...]}}, got {value}"

    int_: Annotated[list[int] | None, check(_bounds)] = Field(None, alias="int")
    choice: Annotated[list[Any] | None, plain_values(1, 1000, "texts or numbers")] = None
    format: Annotated[str | None, check(_format)] = None

    @classmethod
    def rules(cls, data: dict[str, Any], context: Mapping[str, Any]) -> Iterable[Rule]:
        if ("int" in data) == ("choice" in data):
            yield (), "must have exactly one of int: [lo, hi] or choice: [...]"


class SetupCommand(Schema):
    """A set-up command for the engine (its fields are the engine's), or ``{tick: n}``."""

    model_config = Schema.model_config | {"extra": "allow"}
    NOT_A_MAPPING = "must be a command like {{action: add_node, name: E}}, got {value}"

    tick: Tick = None

    @classmethod
    def rules(cls, data: dict[str, Any], context: Mapping[str, Any]) -> Iterable[Rule]:
        if "tick" in data:
            if set(data) != {"tick"}:
                yield (), "a tick entry must only have the key tick"
        elif not isinstance(data.get("action"), str):
            yield (
                ("action",),
                (f"is required and must name a command, got {shown(data.get('action'))}"),
            )


class ScenarioSpec(Schema):
    NOT_A_MAPPING = "must be a mapping, got {value}"
    MISSING = {"seed": f'is required: an integer from 0 to 2**63-1 or "{PER_STUDENT}"'}

    params: Mapping_ = {}
    seed: Annotated[int | None, check(_seed)]
    variables: Annotated[dict[VariableName, VariableSpec], check(_variables)] = {}
    commands: Annotated[
        list[SetupCommand],
        sized_list(
            0,
            MAX_SETUP_COMMANDS,
            f"must be a list of at most {MAX_SETUP_COMMANDS} commands, got {{value}}",
            null_is_empty=True,
        ),
    ] = []


def tolerance(value: Any) -> tuple[float, bool]:
    """``(tolerance, relative)`` of a numeric question: a number >= 0 or ``"2%"``."""
    if value is None:
        return 0.0, False
    m = PERCENT_RE.match(value) if isinstance(value, str) else None
    if m:
        return float(m.group(1)) / 100, True
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value >= 0
    ):
        return float(value), False
    fail(f"must be a number >= 0 or a percentage like '2%', got {shown(value)}")


class QuestionSpec(Schema):
    NOT_A_MAPPING = "must be a mapping (id, type, prompt, query...), got {value}"

    id: QuestionId
    type: Annotated[str, one_of(lambda: QUESTION_TYPES)]
    prompt: Annotated[str, text(4000)]
    points: Annotated[float, number(0, 1000)] = 1.0
    query: Ref | None = None
    goal: Ref | None = None
    options: Annotated[list[Any] | None, plain_values(2, MAX_OPTIONS, "texts or numbers")] = None
    options_from: Ref | None = None
    tolerance: Any = None  # checked by the rules: it depends on the type
    partial: Flag = False
    explain: Annotated[str | None, text(4000, required=False)] = None

    @classmethod
    def rules(cls, data: dict[str, Any], context: Mapping[str, Any]) -> Iterable[Rule]:
        qtype = data.get("type")
        if not isinstance(qtype, str) or qtype not in QUESTION_TYPES:
            return
        lab = context.get("lab")
        if qtype == "construct":
            for key in ("query", "options", "options_from", "tolerance", "partial"):
                if given(data, key):
                    yield (key,), "does not apply to a construct task (it has a goal)"
            if not given(data, "goal"):
                yield ("goal",), "is required for a construct task"
            goal = _ref_name(data, "goal")
            if goal is not None and lab is not None and goal not in goals_of(lab):
                known = ", ".join(goals_of(lab)) or "none declared"
                yield ("goal", "name"), f"must be a goal of {lab} ({known}), got {goal!r}"
            return
        if given(data, "goal"):
            yield ("goal",), "only applies to construct tasks"
        if not given(data, "query"):
            yield ("query",), "is required: the query the lab answers"
        name = _ref_name(data, "query")
        declared = None
        if name is not None and lab is not None:
            known_q = queries_of(lab)
            declared = known_q.get(name)
            if declared is None:
                known = ", ".join(known_q) or "none declared"
                yield ("query", "name"), f"must be a query of {lab} ({known}), got {name!r}"
            elif declared.answer not in QUESTION_TYPES[qtype]:
                fits = [t for t, kinds in QUESTION_TYPES.items() if declared.answer in kinds]
                yield (
                    ("type",),
                    (
                        f"{qtype} does not fit query {name}, which answers a {declared.answer} "
                        f"(use type {' or '.join(fits)})"
                    ),
                )
                declared = None
        if qtype == "numeric":
            for key in ("options", "options_from", "partial"):
                if given(data, key):
                    yield (key,), "does not apply to a numeric question"
            try:
                tolerance(data.get("tolerance"))
            except PydanticCustomError as err:
                yield ("tolerance",), str(err.context["message"] if err.context else err)
            return
        if given(data, "tolerance"):
            yield ("tolerance",), "only applies to numeric questions"
        if given(data, "partial") and qtype != "multiple":
            yield ("partial",), "only applies to multiple-choice questions"
        if given(data, "options") and given(data, "options_from"):
            yield ("options",), "give options or options_from, not both"
        elif given(data, "options_from"):
            gen = _ref_name(data, "options_from")
            if gen is not None and lab is not None and gen not in options_of(lab):
                known = ", ".join(options_of(lab)) or "none"
                yield (
                    ("options_from", "name"),
                    (f"must be an option generator of {lab} ({known}), got {gen!r}"),
                )
        elif (
            not given(data, "options")
            and declared is not None
            and declared.options is None
            and declared.answer != "bool"
        ):
            yield (
                ("options",),
                (f"are required: query {name} declares no options (give options or options_from)"),
            )


def _placeholders(text: Any) -> Iterable[str]:
    return (m.group(1) for m in markup.PLACEHOLDER.finditer(text if isinstance(text, str) else ""))


class ExerciseFile(Schema):
    """The front matter of an exercise (``kind: exercise``, the default)."""

    MISSING = {
        "scenario": "is required (params, seed, commands)",
        "questions": "is required: a list of questions",
    }

    kind: Any = "exercise"
    id: ItemId
    title: Title
    lab: LabSlug
    practice: Flag = True
    scenario: ScenarioSpec
    questions: Annotated[
        list[QuestionSpec],
        sized_list(
            1, MAX_QUESTIONS, f"must be a list of 1 to {MAX_QUESTIONS} questions, got {{value}}"
        ),
    ]

    @classmethod
    def rules(cls, data: dict[str, Any], context: Mapping[str, Any]) -> Iterable[Rule]:
        raw = data.get("questions")
        questions = (
            [(i, q) for i, q in enumerate(raw) if isinstance(q, dict)]
            if isinstance(raw, list)
            else []
        )
        seen: set[str] = set()
        for i, q in questions:
            qid = str(q.get("id"))
            if qid in seen:
                yield ("questions", i, "id"), f"duplicate question id {qid!r}"
            seen.add(qid)
        scenario = data.get("scenario") if isinstance(data.get("scenario"), dict) else {}
        variables = scenario.get("variables")
        names = {str(k) for k in variables} if isinstance(variables, dict) else set()
        declared = ", ".join(sorted(names)) or "none"
        places: list[tuple[Path_, Any]] = [
            (("scenario", "params"), scenario.get("params")),
            (("scenario", "commands"), scenario.get("commands")),
            *((("questions", i), q) for i, q in questions),
        ]
        for where, value in places:
            for ref in dict.fromkeys(references(value)):
                if ref not in names:
                    yield (
                        where,
                        f"uses ${ref}, which is not a declared variable (declared: {declared})",
                    )
        texts: list[tuple[Path_, Any]] = [
            ((), context.get("body", "")),
            *((("questions", i, "prompt"), q.get("prompt")) for i, q in questions),
        ]
        for where, value in texts:
            for name in dict.fromkeys(_placeholders(value)):
                if name not in names:
                    yield where, f"uses {{{{ {name} }}}}, which is not a declared variable"


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
        list[Step], sized_list(1, MAX_STEPS, STEPS_RULE.replace("{", "{{").replace("}", "}}"))
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
