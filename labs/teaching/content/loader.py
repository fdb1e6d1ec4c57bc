"""Loading content folders: every file read, checked against the schema, then run.

Markdown files (exercises, narrations) are loaded first, then quizzes, which name
exercises. A file with any problem is left out and every one of its problems is
reported, in the order of its lines.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from labs.registry import LABS
from labs.teaching.content.errors import Path_, Report, shown
from labs.teaching.content.exercise_schema import (
    ExerciseFile,
    QuestionSpec,
    ScenarioSpec,
    tolerance,
)
from labs.teaching.content.items import (
    ContentSet,
    Exercise,
    Narration,
    Question,
    QuizEntry,
    QuizSpec,
    Ref,
    Variable,
)
from labs.teaching.content.running import check_by_running, run_narration
from labs.teaching.content.schema import NarrationFile, QuizFile
from labs.teaching.content.source import (
    content_files,
    display_path,
    parse_yaml,
    read_text,
    split_front_matter,
)


def load(paths: Iterable[Path | str]) -> ContentSet:
    """Load and check every content file under ``paths`` (files or folders)."""
    content = ContentSet()
    quiz_files: list[tuple[Path, str]] = []
    for path in content_files(Path(p) for p in paths):
        shown_path = display_path(path)
        content.files.append(shown_path)
        if path.suffix in (".yaml", ".yml"):
            quiz_files.append((path, shown_path))
            continue
        report = Report(shown_path)
        item = _markdown_file(path, report)
        if item is not None and not report.problems:
            table: dict[str, Any] = (
                content.exercises if isinstance(item, Exercise) else content.narrations
            )
            other = table.get(item.id)
            if other is not None:
                report.add(("id",), f"duplicate id {item.id!r}: {other.path} uses it already")
            else:
                table[item.id] = item
        if report.problems:
            content.invalid.add(shown_path)
            content.invalid_ids.add(report.item_id or path.stem)
        content.problems.extend(report.in_file_order())
    for path, shown_path in quiz_files:
        report = Report(shown_path)
        quiz = _quiz_file(path, report, content.exercises, content.invalid_ids)
        if quiz is not None and not report.problems:
            if quiz.id in content.quizzes:
                report.add(
                    ("id",),
                    f"duplicate id {quiz.id!r}: {content.quizzes[quiz.id].path} uses it already",
                )
            else:
                content.quizzes[quiz.id] = quiz
        if report.problems:
            content.invalid.add(shown_path)
        content.problems.extend(report.in_file_order())
    return content


M = TypeVar("M", bound=BaseModel)


def _validate(
    model: type[M], data: Any, report: Report, context: Mapping[str, Any], base: Path_ = ()
) -> M | None:
    """The model of ``data``, or None with every problem reported under ``base``."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as err:
        report.add_invalid(err, base)
        return None


def _checked(model: type[M], data: Any, context: Mapping[str, Any]) -> M | None:
    """The model of a part whose problems are reported already (None if it has any)."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError:
        return None


def _lab_of(data: Mapping[str, Any]) -> str | None:
    lab = data.get("lab")
    return lab if isinstance(lab, str) and lab in LABS else None


def _mapping(text: str, offset: int, report: Report, what: str, stem: str) -> dict[str, Any] | None:
    """The file's YAML mapping, its id defaulting to the file's name; or None, reported."""
    data = parse_yaml(text, offset, report)
    if data is None and report.problems:
        return None
    if not isinstance(data, dict):
        report.add((), f"{what} a YAML mapping of key: value, got {shown(data)}", offset + 1)
        return None
    data.setdefault("id", stem)
    return data


def _markdown_file(path: Path, report: Report) -> Exercise | Narration | None:
    text = read_text(path, report)
    if text is None:
        return None
    parts = split_front_matter(text, report)
    if parts is None:
        return None
    front, body, offset = parts
    data = _mapping(front, offset, report, "front matter must be", path.stem)
    if data is None:
        return None
    kind = data.get("kind", "exercise")
    if kind == "exercise":
        return _exercise(data, body, report)
    if kind == "narration":
        return _narration(data, body, report)
    report.add(("kind",), f"must be exercise or narration in a .md file, got {shown(kind)}")
    return None


def _exercise(data: dict[str, Any], body: str, r: Report) -> Exercise | None:
    lab = _lab_of(data)
    context = {"lab": lab, "body": body}
    checked = _validate(ExerciseFile, data, r, context)
    item_id = data.get("id")
    r.item_id = str(item_id) if not r.has_under(("id",)) else None
    # Run the engine as far as the file allows, so that one pass reports every
    # problem: the scenario when it is well-formed, then each well-formed question.
    # A broken title or question never hides a refused parameter or query.
    scenario = data.get("scenario")
    if lab is None or not isinstance(scenario, dict):
        return None
    spec = None if r.has_under(("scenario",)) else _checked(ScenarioSpec, scenario, context)
    scenario_ok = spec is not None
    # Without a runnable scenario the questions' arguments are still checked, with
    # the variables' values when the variables themselves are well-formed.
    values = spec or _checked(
        ScenarioSpec, {"variables": scenario.get("variables"), "seed": 0}, context
    )
    numbered: list[tuple[int, Question]] = []
    raw_questions = data.get("questions")
    if isinstance(raw_questions, list) and not r.has_at(("questions",)):
        for i, raw in enumerate(raw_questions):
            if not r.has_under(("questions", i)):
                question = _checked(QuestionSpec, raw, context)
                if question is not None:
                    numbered.append((i, _question(question)))
    digest = hashlib.sha256(
        json.dumps([data, body], sort_keys=True, default=str).encode()
    ).hexdigest()[:16]
    exercise = Exercise(
        id=str(item_id),
        title=str(data.get("title") or ""),
        lab=lab,
        path=r.file,
        body=body,
        seed=spec.seed if spec is not None else None,
        params=spec.params if spec is not None else {},
        commands=tuple(dict(c) for c in scenario.get("commands") or []) if spec else (),
        variables=_variables(values),
        questions=tuple(q for _, q in numbered),
        practice=data.get("practice", True) is not False,
        digest=digest,
    )
    check_by_running(exercise, r, scenario_ok, {q.id: i for i, q in numbered})
    if r.problems or checked is None:
        return None
    return exercise


def _variables(spec: ScenarioSpec | None) -> tuple[Variable, ...]:
    if spec is None:
        return ()
    out: list[Variable] = []
    for name, var in spec.variables.items():
        if var.int_ is not None:
            out.append(Variable(name, "int", var.int_[0], var.int_[1], format=var.format))
        else:
            out.append(Variable(name, "choice", choices=tuple(var.choice or ()), format=var.format))
    return tuple(out)


def _ref(spec: Any) -> Ref | None:
    return None if spec is None else Ref(spec.name, dict(spec.args))


def _question(spec: QuestionSpec) -> Question:
    tol, relative = tolerance(spec.tolerance) if spec.type == "numeric" else (0.0, False)
    return Question(
        id=spec.id,
        type=spec.type,
        prompt=spec.prompt,
        points=spec.points,
        query=_ref(spec.query) if spec.type != "construct" else None,
        goal=_ref(spec.goal) if spec.type == "construct" else None,
        options=tuple(spec.options) if spec.options is not None else None,
        options_from=_ref(spec.options_from),
        tolerance=tol,
        relative=relative,
        partial=spec.partial,
        explain=spec.explain or "",
    )


def _narration(data: dict[str, Any], body: str, r: Report) -> Narration | None:
    lab = _lab_of(data)
    checked = _validate(NarrationFile, data, r, {"lab": lab})
    steps = data.get("steps")
    if lab is None or r.has_under(("params",)):
        return None
    # The steps run even when the id, title or seed has a problem (seed 0 stands
    # in), so that one pass reports every problem of the file.
    seed = 0 if r.has_under(("seed",)) else data.get("seed")
    if not isinstance(steps, list) or r.has_at(("steps",)):
        steps = []  # the parameters are still checked
    well_formed = [(i, step) for i, step in enumerate(steps) if not r.has_under(("steps", i))]
    ran = run_narration(lab, data.get("params") or {}, int(seed or 0), well_formed, r)
    if ran is None or r.problems or checked is None:
        return None
    recording, captions = ran
    intro = body.strip()
    if intro:
        captions = {"0": intro, **captions}
    return Narration(checked.id, checked.title, lab, r.file, recording, captions)


def _quiz_file(
    path: Path, r: Report, exercises: Mapping[str, Exercise], invalid: set[str]
) -> QuizSpec | None:
    text = read_text(path, r)
    if text is None:
        return None
    data = _mapping(text, 0, r, "must be", path.stem)
    if data is None:
        return None
    quiz = _validate(QuizFile, data, r, {"exercises": exercises, "invalid": invalid})
    if quiz is None or r.problems:
        return None
    return QuizSpec(
        id=quiz.id,
        title=quiz.title,
        path=r.file,
        description=quiz.description or "",
        opens=quiz.opens,
        closes=quiz.closes,
        attempts=quiz.attempts or 1,
        time_limit=quiz.time_limit,
        reveal=quiz.reveal,
        instructors=tuple(quiz.instructors),
        instructor_groups=tuple(quiz.instructor_groups),
        exercises=tuple(QuizEntry(e.exercise, e.points) for e in quiz.exercises),
        course=quiz.course,
    )
