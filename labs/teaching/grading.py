"""Grading on the server: expected answers from the engine, answers checked, points given.

For one exercise and one variant, :func:`prepare` runs the scenario once and asks every
question's query (cached by the exercise's digest and the variant seed). Student
answers are first *cleaned* (:func:`clean_answers`): a wrong-typed or out-of-range
answer raises :class:`AnswerError` naming the field, the value and the rule, and the
caller uses no attempt. Clean answers are then graded (:func:`grade_exercise`).

A construct task's answer is a recording of the student's session: it must start with
the variant's exact parameters, seed and set-up commands; it is replayed here and the
lab's goal predicate decides (:func:`check_recording`).
"""

from __future__ import annotations

import copy
import json
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.crypto import salted_hmac

from algorithms.engine import CommandError
from algorithms.recording import Recording, StepCheck, Timeline
from labs.registry import LABS
from labs.teaching import markup
from labs.teaching.content import (
    Exercise,
    Question,
    Ref,
    Scenario,
    Variant,
    answer_query,
    resolve_options,
    substitute,
)
from labs.teaching.queries import (
    Context,
    GoalContext,
    QueryError,
    Verdict,
    check_args,
    goals_of,
)

MAX_CONSTRUCT_STEPS = 500
NUMBER_RE = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?$")
MAX_NUMBER = 1e15
REPLAY_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class AnswerError(ValueError):
    """A refused answer: the field, the value and the rule (no attempt is used)."""

    def __init__(self, field: str, value: object, rule: str) -> None:
        self.field, self.value, self.rule = field, value, rule
        self.qid = ""  # the question's id, set by the caller that knows it
        shown = (
            repr(value)
            if not isinstance(value, str) or len(value) <= 60
            else repr(value[:57] + "...")
        )
        super().__init__(f"{field} {rule}, got {shown}")


@dataclass(frozen=True)
class Expected:
    value: Any
    step: int | None
    commands: tuple[Mapping[str, Any], ...]
    why: str
    lab_params: Mapping[str, Any] | None = None


@dataclass
class Prepared:
    """One variant of one exercise: its scenario, options and expected answers."""

    exercise: Exercise
    variant: Variant
    scenario: Scenario
    recording: Recording
    options: dict[str, list[str]] = field(default_factory=dict)
    expected: dict[str, Expected] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def prompt_html(self, question: Question) -> str:
        return markup.render_inline(question.prompt, self.variant.values)

    def body_html(self) -> str:
        return markup.render_markdown(self.exercise.body, self.variant.values)

    def explain_html(self, question: Question) -> str:
        return (
            markup.render_markdown(question.explain, self.variant.values)
            if question.explain
            else ""
        )


_lock = threading.Lock()
_cache: OrderedDict[tuple[str, int], Prepared] = OrderedDict()
CACHE_SIZE = 256


def prepare(exercise: Exercise, variant: Variant) -> Prepared:
    """Run the variant's scenario and every query once (cached)."""
    key = (exercise.digest, variant.seed)
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    scenario = exercise.scenario(variant)
    timeline = scenario.timeline()
    prepared = Prepared(exercise, variant, scenario, timeline.recording())
    ctx = Context(timeline)
    for q in exercise.questions:
        try:
            if q.query is not None:
                answer = answer_query(exercise, q, ctx, variant)
                prepared.expected[q.id] = Expected(
                    answer.value,
                    answer.step,
                    tuple(answer.commands),
                    answer.why,
                    dict(answer.lab_params) if answer.lab_params else None,
                )
            if q.type in ("single", "multiple", "pick"):
                prepared.options[q.id] = resolve_options(exercise, q, ctx, variant)
        except (CommandError, QueryError) as err:
            prepared.errors[q.id] = str(err)
    with _lock:
        _cache[key] = prepared
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return prepared


def field_name(exercise: Exercise, question: Question) -> str:
    return f"a-{exercise.id}-{question.id}"


# -- cleaning answers -----------------------------------------------------------------------


def _one(raw: Any) -> Any:
    if isinstance(raw, list):
        return raw[0] if len(raw) == 1 else raw
    return raw


def clean_answer(prepared: Prepared, question: Question, raw: Any, label: str) -> Any:
    """Check one raw answer (form text or JSON); return its clean value or None if blank.

    Raises AnswerError naming the field (``label``), the value and the rule.
    """
    qtype = question.type
    if qtype == "multiple":
        values = raw if isinstance(raw, list) else ([] if raw in (None, "") else [raw])
        options = prepared.options.get(question.id, [])
        if len(values) > len(options):
            raise AnswerError(label, values, f"must choose at most {len(options)} options")
        out: list[str] = []
        for v in values:
            if not isinstance(v, str) or v not in options:
                raise AnswerError(label, v, f"must be among the options ({_list(options)})")
            if v in out:
                raise AnswerError(label, v, "must not choose the same option twice")
            out.append(v)
        return sorted(out) or None
    raw = _one(raw)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if qtype == "numeric":
        if isinstance(raw, bool):
            raise AnswerError(label, raw, "must be a number like 42 or 0.25")
        if isinstance(raw, int | float):
            value = float(raw)
        elif isinstance(raw, str) and NUMBER_RE.match(raw.strip()):
            value = float(raw.strip())
        else:
            raise AnswerError(label, raw, "must be a number like 42 or 0.25")
        if not math.isfinite(value) or abs(value) > MAX_NUMBER:
            raise AnswerError(
                label, raw, f"must be a number between -{MAX_NUMBER:.0e} and {MAX_NUMBER:.0e}"
            )
        return value
    if qtype in ("single", "pick"):
        options = prepared.options.get(question.id, [])
        if not isinstance(raw, str) or raw not in options:
            what = "options" if qtype == "single" else "elements of the diagram"
            raise AnswerError(label, raw, f"must be one of the {what} ({_list(options)})")
        return raw
    if qtype == "construct":
        if isinstance(raw, dict):  # a stored answer: the recording travels with it
            replay_id, data = raw.get("replay"), raw.get("recording")
        else:
            replay_id, data = raw, None
        if not isinstance(replay_id, str) or not REPLAY_ID_RE.match(replay_id):
            raise AnswerError(
                label, replay_id, "must be the id of a recording saved from the live lab"
            )
        if data is None:
            from labs.models import Replay

            replay = Replay.objects.filter(pk=replay_id).first()
            if replay is None:
                raise AnswerError(
                    label,
                    replay_id,
                    "must name a recording saved from the live lab (none has this id)",
                )
            data = replay.recording().to_json()
        try:
            recording = Recording.from_json(data)
        except CommandError as err:
            raise AnswerError(label, replay_id, f"must be a valid recording ({err})") from None
        check_recording(prepared, recording, label)
        return {"replay": replay_id, "recording": recording.to_json()}
    raise AnswerError(label, raw, f"has an unknown question type {qtype}")  # pragma: no cover


def _list(options: Sequence[str], limit: int = 12) -> str:
    shown = ", ".join(options[:limit])
    return shown + (f" and {len(options) - limit} more" if len(options) > limit else "")


def clean_answers(
    prepared: Prepared, raw: Mapping[str, Any], *, prefix: str = ""
) -> tuple[dict[str, Any], list[AnswerError]]:
    """Clean every question's answer; return (clean answers, problems)."""
    clean: dict[str, Any] = {}
    problems: list[AnswerError] = []
    for number, q in enumerate(prepared.exercise.questions, start=1):
        # The label the page shows ("Question 2"), so the student finds the field.
        label = f"{prefix}question {number}" if prefix else f"Question {number}"
        try:
            clean[q.id] = clean_answer(prepared, q, raw.get(q.id), label)
        except AnswerError as err:
            err.qid = q.id
            problems.append(err)
    return clean, problems


def _canon(commands: Sequence[tuple[int, Mapping[str, Any]]]) -> list[str]:
    return [json.dumps([i, dict(c)], sort_keys=True) for i, c in commands]


def check_recording(prepared: Prepared, recording: Recording, label: str) -> Timeline:
    """The recording must start with this variant's scenario; replay it (bounded)."""
    return replay_after(
        prepared.recording,
        recording,
        label,
        start="must start from this exercise's scenario (the lab page of this question opens on it)",
        steps="must begin with the scenario's {n} set-up steps unchanged "
        "(press ⏭ to the end of the set-up, or reload the page, before acting)",
    )


def replay_after(
    setup: Recording,
    recording: Recording,
    label: str,
    *,
    start: str,
    steps: str,
    check: StepCheck | None = None,
) -> Timeline:
    """Replay ``recording``, which must begin with every step of ``setup`` unchanged.

    ``start`` and ``steps`` are the rules a refusal states when the parameters or the
    set-up steps differ (``{n}`` in ``steps``: how many set-up steps there are); ``check`` bounds the replay (labs/runtime.py's budgets).
    """
    if recording.lab != setup.lab:
        raise AnswerError(label, recording.lab, f"must be a recording of the {setup.lab} lab")
    if dict(recording.params) != dict(setup.params) or recording.seed != setup.seed:
        raise AnswerError(label, f"params {dict(recording.params)}, seed {recording.seed}", start)
    head = [(i, c) for i, c in recording.commands if i < setup.length]
    if recording.length < setup.length or _canon(head) != _canon(setup.commands):
        raise AnswerError(
            label,
            f"{len(head)} set-up commands",
            steps.format(n=setup.length),
        )
    extra = recording.length - setup.length
    if extra > MAX_CONSTRUCT_STEPS:
        raise AnswerError(
            label, f"{extra} steps", f"must add at most {MAX_CONSTRUCT_STEPS} steps to the set-up"
        )
    lab = LABS[recording.lab]
    try:
        return Timeline.from_recording(
            lab.engine_class(), recording, lab.checkpoint_every, check=check
        )
    except CommandError as err:
        if check is not None and err.field == getattr(check, "field", None):
            raise  # past the budget: the budget's own refusal
        raise AnswerError(label, err.value, f"must replay exactly ({err})") from None


# -- grading ---------------------------------------------------------------------------------


def _close(given: float, expected: float, question: Question) -> bool:
    tol = question.tolerance * abs(expected) if question.relative else question.tolerance
    return abs(given - expected) <= tol + 1e-9 * max(1.0, abs(expected))


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "nothing"
    return str(value)


def grade_question(prepared: Prepared, question: Question, answer: Any) -> dict[str, Any]:
    """Points and feedback for one clean answer (None: unanswered)."""
    qid = question.id
    result: dict[str, Any] = {
        "points": 0.0,
        "max": question.points,
        "status": "blank",
        "given": answer,
        "expected": None,
        "feedback": "No answer.",
        "why": "",
        "recording": None,
        "step": None,
    }
    if qid in prepared.errors:
        result.update(
            status="error", feedback=f"This question cannot be graded: {prepared.errors[qid]}"
        )
        return result
    if question.type == "construct":
        if answer is not None:
            result["given"] = {"replay": answer["replay"]}
            _grade_construct(prepared, question, answer, result)
        return result
    expected = prepared.expected[qid]
    result["expected"] = expected.value
    result["why"] = expected.why
    result["step"] = expected.step if expected.step is not None else prepared.recording.length
    result["recording"] = {"extra": [dict(c) for c in expected.commands]}
    if expected.lab_params:
        result["recording"]["params"] = dict(expected.lab_params)
    if answer is None and question.type == "multiple" and not expected.value:
        answer = []  # nothing to tick, and nothing ticked: right
    if answer is None:
        return result
    points = 0.0
    if question.type == "numeric":
        ok = _close(float(answer), float(expected.value), question)
        points = question.points if ok else 0.0
    elif question.type == "multiple":
        want, got = set(expected.value), set(answer)
        if want == got:
            points = question.points
        elif question.partial:
            hits, misses = len(want & got), len(got - want)
            points = question.points * max(0.0, (hits - misses) / max(1, len(want)))
    elif question.type == "pick":
        points = question.points if answer in expected.value else 0.0
    else:
        points = question.points if answer == expected.value else 0.0
    result["points"] = round(points, 6)
    if points >= question.points - 1e-9:
        result.update(status="correct", feedback="Correct.")
    elif points > 0:
        result.update(status="partial", feedback=f"Partly right: {_fmt(answer)}.")
    else:
        result.update(status="wrong", feedback=f"Not right: you answered {_fmt(answer)}.")
    return result


def _grade_construct(
    prepared: Prepared, question: Question, answer: dict[str, Any], result: dict[str, Any]
) -> None:
    assert question.goal is not None
    recording = Recording.from_json(answer["recording"])
    timeline = check_recording(prepared, recording, f"question {question.id}")
    verdict = goal_verdict(
        prepared.exercise.lab,
        question.goal,
        prepared.variant.values,
        recording,
        timeline,
        prepared.recording.length,
    )
    result["status"] = "correct" if verdict.done else "wrong"
    result["points"] = question.points if verdict.done else 0.0
    result["feedback"] = verdict.message
    result["expected"] = "goal reached" if verdict.done else "goal not reached"
    result["step"] = verdict.step if verdict.step is not None else recording.length
    result["recording"] = {"student": answer["recording"]}


def goal_verdict(
    lab: str,
    ref: Ref,
    values: Mapping[str, Any],
    recording: Recording,
    timeline: Timeline,
    setup: int,
    check: StepCheck | None = None,
) -> Verdict:
    """The lab's goal predicate ``ref`` on a replayed recording whose first ``setup``
    steps were given (an exercise's scenario, or a lecture up to a poll's step).

    ``timeline`` is the recording replayed to its end; the student's own actions are
    the commands from step ``setup`` on.
    """
    goal = goals_of(lab)[ref.name]
    args = check_args("goal.args", goal.args, substitute(dict(ref.args), values))
    actions = [(i + 1, c) for i, c in recording.commands if i >= setup]
    after = copy.deepcopy(timeline.engine)
    timeline.seek(setup, check)
    before = copy.deepcopy(timeline.engine)
    g = GoalContext(before, after, actions, timeline, setup)
    if len(actions) > goal.max_actions:
        return Verdict(False, f"Use at most {goal.max_actions} actions; you used {len(actions)}.")
    try:
        return goal.fn(g, **args)
    except (CommandError, QueryError, KeyError, ValueError) as err:
        return Verdict(False, f"The goal cannot be checked on this recording: {err}")


def grade_exercise(prepared: Prepared, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Grade clean answers: per question results plus earned and maximum points."""
    questions: dict[str, Any] = {}
    earned = 0.0
    for q in prepared.exercise.questions:
        try:
            res = grade_question(prepared, q, answers.get(q.id))
        except AnswerError as err:
            res = {
                "points": 0.0,
                "max": q.points,
                "status": "invalid",
                "given": None,
                "expected": None,
                "feedback": str(err),
                "why": "",
                "recording": None,
                "step": None,
            }
        questions[q.id] = res
        earned += res["points"]
    return {
        "questions": questions,
        "earned": round(earned, 6),
        "max": prepared.exercise.total_points,
        "variant": prepared.variant.seed,
    }


# -- feedback replays ---------------------------------------------------------------------------


def lab_setting(prepared: Prepared, changes: Mapping[str, Any]) -> Recording:
    """A fresh run of the variant's lab (same seed, no set-up) with parameters changed."""
    lab = LABS[prepared.scenario.lab]
    params = lab.engine_class().Params.from_dict({**prepared.scenario.params, **changes})
    return Recording(lab.slug, params.to_dict(), prepared.scenario.seed, (), 0)


def lab_setting_links(prepared: Prepared) -> dict[str, tuple[str, Recording, str]]:
    """For each question seen in another setting of the lab than its scenario's (a hash
    slot in slots mode): (replay id, recording, what the setting is). Nothing of the
    answer is in the recording: it is the lab before any command."""
    out: dict[str, tuple[str, Recording, str]] = {}
    for qid, expected in prepared.expected.items():
        changes = expected.lab_params
        if not changes or all(prepared.scenario.params.get(k) == v for k, v in changes.items()):
            continue
        recording = lab_setting(prepared, changes)
        payload = json.dumps(recording.to_json(), sort_keys=True)
        replay_id = (
            "lab-" + salted_hmac("paperlabs.setting", payload, algorithm="sha256").hexdigest()[:24]
        )
        what = ", ".join(f"{k}: {v}" for k, v in sorted(changes.items()))
        out[qid] = (replay_id, recording, what)
    return out


def feedback_replay(
    prepared: Prepared, qid: str, result: dict[str, Any]
) -> tuple[str, Recording, dict[str, str]] | None:
    """The replay that shows the answer: (id, recording, captions); None if none applies.

    The id is an HMAC of the recording and captions under the site's secret key, so
    the same feedback is stored once and nobody can guess it before being shown it.
    """
    info = result.get("recording")
    if not info:
        return None
    if "student" in info:
        recording = Recording.from_json(info["student"])
    else:
        extra = info.get("extra") or []
        # The what-if commands ran on a copy of the engine in the query: append them
        # ({"tick": n} entries are n steps of the engine, recorded without a command).
        setup = prepared.recording
        if info.get("params"):
            # Shown on a fresh run in another setting of the lab (e.g. slots mode).
            setup = lab_setting(prepared, info["params"])
        commands = list(setup.commands)
        index = setup.length
        for command in extra:
            if "tick" in command:
                index += int(command["tick"])
            else:
                commands.append((index, dict(command)))
                index += 1
        recording = Recording(setup.lab, setup.params, setup.seed, tuple(commands), index)
    step = min(int(result.get("step") or recording.length), recording.length)
    question = prepared.exercise.question(qid)
    text = result.get("why") or result.get("feedback") or ""
    captions = {str(step): f"Question {question.id}: {text}".strip()}
    payload = json.dumps([recording.to_json(), captions], sort_keys=True)
    replay_id = (
        "fb-" + salted_hmac("paperlabs.feedback", payload, algorithm="sha256").hexdigest()[:24]
    )
    return replay_id, recording, captions
