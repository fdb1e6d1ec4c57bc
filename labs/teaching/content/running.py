"""Checking content by running it: the scenario, every question, for several variants.

A shipped exercise cannot ask a question its lab cannot answer: the loader runs the
set-up through the real engine and answers every query for the variants
:func:`check_variants` draws, reporting every refused parameter, command, argument
and option on its key path.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from algorithms.engine import CommandError
from algorithms.recording import Recording, Timeline
from labs.registry import LABS
from labs.teaching.content.errors import Path_, Report, field_path, rule_of
from labs.teaching.content.items import (
    BOOL_OPTIONS,
    Exercise,
    Question,
    Scenario,
    Variant,
    check_variants,
    substitute,
)
from labs.teaching.content.schema import MAX_TICKS
from labs.teaching.queries import (
    Answer,
    Context,
    QueryError,
    check_args,
    goals_of,
    options_of,
    queries_of,
)


def resolve_options(
    exercise: Exercise, question: Question, ctx: Context, variant: Variant
) -> list[str]:
    """The options a student chooses from, for this variant (as texts)."""
    lab = exercise.lab
    if question.options is not None:
        return [str(o) for o in substitute(list(question.options), variant.values)]
    if question.query is not None and exercise.kind_of(question) == "bool":
        return list(BOOL_OPTIONS)
    gen_ref = question.options_from
    args: dict[str, Any]
    if gen_ref is not None:
        gen = options_of(lab)[gen_ref.name]
        args = check_args(
            "options_from.args", gen.args, substitute(dict(gen_ref.args), variant.values)
        )
    else:
        assert question.query is not None
        declared = queries_of(lab)[question.query.name]
        gen = options_of(lab)[declared.options or ""]
        query_args = substitute(dict(question.query.args), variant.values)
        args = check_args(
            "options", gen.args, {k: v for k, v in query_args.items() if k in gen.args}
        )
    try:
        return [str(o) for o in gen.fn(ctx, **args)]
    except (CommandError, KeyError, ValueError, IndexError, QueryError) as err:
        raise QueryError(str(err)) from err


def answer_query(exercise: Exercise, question: Question, ctx: Context, variant: Variant) -> Answer:
    """Run the question's query for this variant (raises CommandError / QueryError)."""
    assert question.query is not None
    declared = queries_of(exercise.lab)[question.query.name]
    args = check_args(
        "query.args", declared.args, substitute(dict(question.query.args), variant.values)
    )
    answer = declared.run(ctx, args)
    value = answer.value
    if declared.answer == "number":
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise QueryError(f"the query gave {value!r}, not a number")
    elif declared.answer == "bool":
        value = "yes" if value else "no"
    elif declared.answer in ("choices", "pick"):
        value = sorted(str(v) for v in value)
    else:
        value = str(value)
    return Answer(value, answer.step, answer.commands, answer.why, answer.lab_params)


def _params_problems(exercise: Exercise, variant: Variant) -> list[CommandError]:
    """Every refused parameter, not only the first one the engine stops at.

    The engine stops at the first; that parameter is then left at its default and the
    rest checked again, until the engine accepts them (each refusal is one the given
    values cause, never one of a parameter checked alone against the defaults).
    """
    params_class = LABS[exercise.lab].engine_class().Params
    given = substitute(dict(exercise.params), variant.values)
    found: list[CommandError] = []
    for _ in range(len(given) + 1):
        try:
            params_class.from_dict(given)
            break
        except CommandError as err:
            found.append(err)
            key = str(err.value) if err.field == "params" else err.field
            if key not in given:
                break
            del given[key]
    return found


def _run_setup(exercise: Exercise, scenario: Scenario, r: Report, label: str) -> Timeline | None:
    """Run the set-up; report every refused command (skipping it), None if any was."""
    lab = LABS[exercise.lab]
    timeline = Timeline(
        lab.engine_class(), lab.slug, scenario.params, scenario.seed, lab.checkpoint_every
    )
    ok = True
    for i, command in enumerate(scenario.commands):
        where: Path_ = ("scenario", "commands", i)
        if "tick" in command:
            for _ in range(int(command["tick"])):
                if timeline.forward() is None:
                    r.add(
                        (*where, "tick"),
                        f"is more ticks than the engine runs (idle after step "
                        f"{timeline.position}){label}",
                    )
                    ok = False
                    break
            continue
        try:
            timeline.act(command)
        except CommandError as err:
            # Later commands still run (without this one), so their problems show too.
            r.add(field_path(where, err.field), f"{rule_of(err)}{label}")
            ok = False
    return timeline if ok else None


def _check_args_only(exercise: Exercise, r: Report, numbers: Mapping[str, int]) -> None:
    """Without a runnable scenario, still check each question's arguments."""
    values = check_variants(exercise)[0].values
    for q in exercise.questions:
        base: Path_ = ("questions", numbers.get(q.id, 0))
        try:
            if q.goal is not None:
                declared = goals_of(exercise.lab)[q.goal.name].args
                check_args("goal.args", declared, substitute(dict(q.goal.args), values))
            elif q.query is not None:
                declared = queries_of(exercise.lab)[q.query.name].args
                check_args("query.args", declared, substitute(dict(q.query.args), values))
        except CommandError as err:
            r.add(field_path(base, err.field), rule_of(err))


def check_by_running(
    exercise: Exercise, r: Report, scenario_ok: bool, numbers: Mapping[str, int]
) -> None:
    if not scenario_ok:
        _check_args_only(exercise, r, numbers)
        return
    for variant in check_variants(exercise):
        label = f" (variant seed {variant.seed})" if exercise.per_student else ""
        refused = _params_problems(exercise, variant)
        for err in refused:
            field = err.field if err.field != "params" else str(err.value)
            r.add(field_path(("scenario", "params"), field), f"{rule_of(err)}{label}")
        if refused:
            _check_args_only(exercise, r, numbers)
            return
        scenario = exercise.scenario(variant)
        timeline = _run_setup(exercise, scenario, r, label)
        if timeline is None:
            _check_args_only(exercise, r, numbers)
            return
        ctx = Context(timeline)
        for q in exercise.questions:
            base: Path_ = ("questions", numbers.get(q.id, 0))
            try:
                if q.goal is not None:
                    goal = goals_of(exercise.lab)[q.goal.name]
                    check_args(
                        "goal.args", goal.args, substitute(dict(q.goal.args), variant.values)
                    )
                    continue
                answer = answer_query(exercise, q, ctx, variant)
                if q.type == "numeric":
                    continue
                opts = resolve_options(exercise, q, ctx, variant)
                if len(opts) != len(set(opts)):
                    r.add((*base, "options"), f"must not repeat an option, got {opts[:10]}{label}")
                if len(opts) < 2 and q.type != "pick":
                    r.add((*base, "options"), f"must give at least 2 options, got {opts}{label}")
                expected = answer.value if isinstance(answer.value, list) else [answer.value]
                missing = [e for e in expected if e not in opts]
                if q.type == "pick" and len(missing) < len(expected):
                    continue
                if missing:
                    r.add(
                        (*base, "options"),
                        f"must include the answer {', '.join(missing)} (options: {', '.join(opts[:12])}){label}",
                    )
            except CommandError as err:
                r.add(field_path(base, err.field), f"{rule_of(err)}{label}")
            except QueryError as err:
                what = q.query.name if q.query else q.goal.name if q.goal else "?"
                r.add(base, f"{what} cannot be answered for this scenario: {err}{label}")


def run_narration(
    lab_slug: str,
    params: Mapping[str, Any],
    seed: int,
    steps: list[tuple[int, Mapping[str, Any]]],
    r: Report,
) -> tuple[Recording, dict[str, str]] | None:
    """Run a narration's well-formed steps (``(index in the file, step)``).

    Returns the recording and the captions by step, or None if the engine refused
    the parameters (every refused step is reported; later steps still run).
    """
    lab = LABS[lab_slug]
    try:
        timeline = Timeline(lab.engine_class(), lab.slug, params, seed, lab.checkpoint_every)
    except CommandError as err:
        field = err.field if err.field != "params" else str(err.value)
        r.add(field_path(("params",), field), rule_of(err))
        return None
    captions: dict[str, str] = {}
    for i, step in steps:
        where: Path_ = ("steps", i)
        try:
            if step.get("do") is not None:
                timeline.act(dict(step["do"]))
            elif step.get("tick") is not None:
                for _ in range(min(int(step["tick"]), MAX_TICKS)):
                    if timeline.forward() is None:
                        r.add(
                            (*where, "tick"),
                            f"is more ticks than the engine runs (idle after step {timeline.position})",
                        )
                        break
        except CommandError as err:
            r.add(field_path((*where, "do"), err.field), rule_of(err))
            continue
        caption = step.get("caption")
        if caption is not None:
            captions[str(timeline.position)] = str(caption).strip()
    return timeline.recording(), captions
