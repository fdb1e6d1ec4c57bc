"""The schema of exercise files: scenario, variables, set-up commands, questions.

A question's rules depend on its lab (a query's name, whether the question type fits
the query's answer); they read the lab from the validation context, ``{"lab": slug,
"body": markdown}``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Annotated, Any

from pydantic import Field
from pydantic_core import PydanticCustomError

from labs.teaching import markup
from labs.teaching.content.errors import Path_, shown
from labs.teaching.content.fields import (
    Flag,
    Mapping_,
    Rule,
    Schema,
    VariableName,
    check,
    fail,
    number,
    one_of,
    plain_values,
    sized_list,
    text,
)
from labs.teaching.content.items import PER_STUDENT, references
from labs.teaching.content.schema import (
    MAX_OPTIONS,
    MAX_QUESTIONS,
    MAX_SETUP_COMMANDS,
    MAX_VARIABLES,
    PERCENT_RE,
    QUESTION_TYPES,
    ItemId,
    LabSlug,
    QuestionId,
    Ref,
    Tick,
    Title,
    given,
    ref_name,
)
from labs.teaching.queries import goals_of, options_of, queries_of


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
            goal = ref_name(data, "goal")
            if goal is not None and lab is not None and goal not in goals_of(lab):
                known = ", ".join(goals_of(lab)) or "none declared"
                yield ("goal", "name"), f"must be a goal of {lab} ({known}), got {goal!r}"
            return
        if given(data, "goal"):
            yield ("goal",), "only applies to construct tasks"
        if not given(data, "query"):
            yield ("query",), "is required: the query the lab answers"
        name = ref_name(data, "query")
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
            gen = ref_name(data, "options_from")
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
            if q.get("id") is None:
                continue  # reported as required
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
