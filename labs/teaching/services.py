"""Attempts: start, save, submit, expire and regrade, with every rule enforced here.

- Starting needs the quiz open, every exercise available, and an attempt left; a
  student has at most one open attempt (a database constraint), and a second *Start*
  returns the open one.
- Submitting cleans every answer first: any wrong-typed or out-of-range answer is
  refused with a message naming the field, the value and the rule, and the attempt
  stays open (no attempt is used). Otherwise the attempt is graded and stored with
  one conditional UPDATE (``status = open``) inside a transaction, so a double submit
  grades once and the second request sees the stored result.
- Past the deadline (time limit or closing time) nothing more is accepted; the
  attempt is graded on the answers saved before it (``expired``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone

from labs.models import Replay
from labs.teaching import content as content_mod
from labs.teaching.content import Exercise, quiz_variant_seed
from labs.teaching.grading import (
    AnswerError,
    Prepared,
    clean_answer,
    feedback_replay,
    grade_exercise,
    prepare,
)
from labs.teaching.models import Attempt, Quiz, QuizItem

# Sent after an attempt is graded (submitted, expired or regraded): grade passback
# to an LMS listens to it.
attempt_graded = Signal()


class QuizClosed(Exception):
    """Starting or answering is not allowed now (with the reason)."""


@dataclass
class ItemView:
    item: QuizItem
    exercise: Exercise | None
    points: float

    @property
    def id(self) -> str:
        return self.item.exercise


def quiz_items(quiz: Quiz) -> list[ItemView]:
    exercises = content_mod.installed().exercises
    out: list[ItemView] = []
    for item in quiz.items.all():
        exercise = exercises.get(item.exercise)
        points = (
            item.points if item.points is not None else (exercise.total_points if exercise else 0.0)
        )
        out.append(ItemView(item, exercise, float(points)))
    return out


def unavailable(items: Iterable[ItemView]) -> list[str]:
    return [i.id for i in items if i.exercise is None]


def prepared_for(attempt: Attempt, item: ItemView) -> Prepared:
    assert item.exercise is not None
    seed = int(attempt.variant.get(item.id, 0))
    return prepare(item.exercise, item.exercise.variant(seed))


def attempts_used(quiz: Quiz, user: AbstractBaseUser) -> int:
    return Attempt.objects.filter(quiz=quiz, user=user).count()


def start_attempt(quiz: Quiz, user: AbstractBaseUser) -> Attempt:
    """The student's open attempt, or a new one if the rules allow (QuizClosed if not)."""
    if not quiz.can_take(user):
        course = quiz.course
        raise QuizClosed(
            f"Only the students of the course {course.title!r} take this quiz."
            if course is not None
            else "Sign in to take this quiz."
        )
    open_attempt = Attempt.objects.filter(quiz=quiz, user=user, status=Attempt.OPEN).first()
    if open_attempt is not None and not expire_if_due(open_attempt):
        return open_attempt
    now = timezone.now()
    if quiz.opens is not None and now < quiz.opens:
        raise QuizClosed(f"This quiz opens at {quiz.opens:%Y-%m-%d %H:%M} UTC.")
    if quiz.has_closed(now):
        raise QuizClosed(f"This quiz closed at {quiz.closes:%Y-%m-%d %H:%M} UTC.")
    items = quiz_items(quiz)
    missing = unavailable(items)
    if missing or not items:
        raise QuizClosed(
            "This quiz is not available: "
            + (
                f"exercise {', '.join(missing)} has problems."
                if missing
                else "it has no exercises."
            )
        )
    used = attempts_used(quiz, user)
    if used >= quiz.max_attempts:
        raise QuizClosed(f"You have used all {quiz.max_attempts} attempts.")
    variant = {i.id: quiz_variant_seed(quiz.slug, i.id, user.pk) for i in items}
    try:
        with transaction.atomic():
            return Attempt.objects.create(
                quiz=quiz,
                user=user,
                number=used + 1,
                variant=variant,
                started=now,
                deadline=Attempt.deadline_for(quiz, now),
            )
    except IntegrityError:
        # A second click at the same moment: the other request made the attempt.
        existing = Attempt.objects.filter(quiz=quiz, user=user, status=Attempt.OPEN).first()
        if existing is None:
            raise
        return existing


# -- answers -------------------------------------------------------------------------------


@dataclass
class Outcome:
    attempt: Attempt
    errors: list[AnswerError] = field(default_factory=list)
    submitted: bool = False
    expired: bool = False
    already: bool = False


def _clean_posted(
    attempt: Attempt, items: list[ItemView], posted: Mapping[str, Mapping[str, Any]]
) -> tuple[dict[str, dict[str, Any]], list[AnswerError]]:
    """Merge the posted answers into the saved ones, cleaning only what was posted."""
    answers: dict[str, dict[str, Any]] = {k: dict(v) for k, v in attempt.answers.items()}
    errors: list[AnswerError] = []
    for position, item in enumerate(items, start=1):
        if item.id not in posted or item.exercise is None:
            continue
        prepared = prepared_for(attempt, item)
        saved = answers.setdefault(item.id, {})
        for number, q in enumerate(item.exercise.questions, start=1):
            if q.id not in posted[item.id]:
                continue
            try:
                saved[q.id] = clean_answer(
                    prepared, q, posted[item.id][q.id], answer_label(position, number)
                )
            except AnswerError as err:
                err.qid = q.id
                errors.append(err)
    return answers, errors


def answer_label(position: int, number: int) -> str:
    """A question as the attempt page labels it: its exercise's and its own number."""
    return f"Exercise {position}, question {number}"


@dataclass(frozen=True)
class Blank:
    """A question of an open attempt that has no answer yet."""

    position: int
    number: int
    qid: str
    multiple: bool

    @property
    def label(self) -> str:
        return answer_label(self.position, self.number)


def unanswered(attempt: Attempt, items: list[ItemView]) -> list[Blank]:
    """Every question of the attempt with no saved answer (that could have one)."""
    out: list[Blank] = []
    for position, item in enumerate(items, start=1):
        if item.exercise is None:
            continue
        saved = attempt.answers.get(item.id, {})
        prepared = prepared_for(attempt, item)
        for number, q in enumerate(item.exercise.questions, start=1):
            if saved.get(q.id) is None and q.id not in prepared.errors:
                out.append(Blank(position, number, q.id, q.type == "multiple"))
    return out


def save_answers(attempt: Attempt, posted: Mapping[str, Mapping[str, Any]]) -> Outcome:
    """Save answers without submitting; refused ones are reported and not stored."""
    if expire_if_due(attempt):
        return Outcome(attempt, expired=True)
    if not attempt.is_open:
        return Outcome(attempt, already=True)
    items = quiz_items(attempt.quiz)
    answers, errors = _clean_posted(attempt, items, posted)
    Attempt.objects.filter(pk=attempt.pk, status=Attempt.OPEN).update(answers=answers)
    attempt.answers = answers
    return Outcome(attempt, errors=errors)


def submit(attempt: Attempt, token: str, posted: Mapping[str, Mapping[str, Any]]) -> Outcome:
    """Clean, grade and store in one transaction; idempotent for a repeated submit."""
    if not attempt.is_open:
        return Outcome(attempt, already=True)
    if token != attempt.token:
        err = AnswerError(
            "Submit the quiz",
            token[:12],
            "must be pressed on this attempt's own page (its hidden submission token did not "
            "match): reload the page and submit again",
        )
        return Outcome(attempt, errors=[err])
    if expire_if_due(attempt):
        return Outcome(attempt, expired=True)
    items = quiz_items(attempt.quiz)
    answers, errors = _clean_posted(attempt, items, posted)
    if errors:
        # Keep what was valid as a draft; nothing is submitted, no attempt is used.
        Attempt.objects.filter(pk=attempt.pk, status=Attempt.OPEN).update(answers=answers)
        attempt.answers = answers
        return Outcome(attempt, errors=errors)
    results, score, max_score, replays = grade(attempt, items, answers)
    now = timezone.now()
    with transaction.atomic():
        store_replays(replays)
        done = Attempt.objects.filter(pk=attempt.pk, status=Attempt.OPEN).update(
            status=Attempt.SUBMITTED,
            submitted=now,
            graded=now,
            answers=answers,
            results=results,
            score=score,
            max_score=max_score,
        )
    attempt.refresh_from_db()
    if done:
        attempt_graded.send(sender=Attempt, attempt=attempt)
    return Outcome(attempt, submitted=bool(done), already=not done)


def expire_if_due(attempt: Attempt) -> bool:
    """Grade an open attempt whose deadline has passed on its saved answers."""
    if not attempt.is_open or not attempt.past_deadline():
        return False
    items = quiz_items(attempt.quiz)
    results, score, max_score, replays = grade(attempt, items, attempt.answers)
    now = timezone.now()
    with transaction.atomic():
        store_replays(replays)
        Attempt.objects.filter(pk=attempt.pk, status=Attempt.OPEN).update(
            status=Attempt.EXPIRED,
            submitted=attempt.deadline,
            graded=now,
            results=results,
            score=score,
            max_score=max_score,
        )
    attempt.refresh_from_db()
    attempt_graded.send(sender=Attempt, attempt=attempt)
    return True


def expire_due(quiz: Quiz) -> int:
    count = 0
    for attempt in Attempt.objects.filter(
        quiz=quiz, status=Attempt.OPEN, deadline__lte=timezone.now()
    ):
        count += expire_if_due(attempt)
    return count


# -- grading -----------------------------------------------------------------------------------

ReplayRow = tuple[str, Any, dict[str, str], str]


def grade(
    attempt: Attempt, items: list[ItemView], answers: Mapping[str, Mapping[str, Any]]
) -> tuple[dict[str, Any], float, float, list[ReplayRow]]:
    """Grade every item from clean (or stored) answers; answers are re-checked."""
    out: dict[str, Any] = {}
    replays: list[ReplayRow] = []
    total = max_total = 0.0
    for position, item in enumerate(items, start=1):
        max_total += item.points
        if item.exercise is None:
            out[item.id] = {
                "error": f"exercise {item.id} is unavailable",
                "score": 0.0,
                "points": item.points,
            }
            continue
        prepared = prepared_for(attempt, item)
        given = answers.get(item.id, {})
        clean: dict[str, Any] = {}
        invalid: dict[str, str] = {}
        for number, q in enumerate(item.exercise.questions, start=1):
            try:
                clean[q.id] = clean_answer(
                    prepared, q, given.get(q.id), answer_label(position, number)
                )
            except AnswerError as err:
                invalid[q.id] = str(err)
        result = grade_exercise(prepared, clean)
        for qid, message in invalid.items():
            result["questions"][qid].update(status="invalid", points=0.0, feedback=message)
        result["earned"] = round(sum(r["points"] for r in result["questions"].values()), 6)
        for qid, res in result["questions"].items():
            made = feedback_replay(prepared, qid, res) if res.get("recording") else None
            res.pop("recording", None)
            if made is not None:
                replay_id, recording, captions = made
                replays.append((replay_id, recording, captions, f"{item.exercise.title}: {qid}"))
                res["replay"] = replay_id
        fraction = result["earned"] / result["max"] if result["max"] else 0.0
        result["points"] = item.points
        result["score"] = round(item.points * fraction, 6)
        total += result["score"]
        out[item.id] = result
    return (
        {"items": out, "score": round(total, 6), "max": max_total},
        round(total, 6),
        max_total,
        replays,
    )


def store_replays(rows: list[ReplayRow]) -> None:
    if not rows:
        return
    seen: set[str] = set()
    objects: list[Replay] = []
    for replay_id, recording, captions, title in rows:
        if replay_id in seen:
            continue
        seen.add(replay_id)
        replay = Replay.from_recording(
            recording, title=title[:200], captions=captions, source="feedback"
        )
        replay.id = replay_id
        objects.append(replay)
    Replay.objects.bulk_create(objects, ignore_conflicts=True)


def regrade(attempts: Iterable[Attempt]) -> int:
    """Grade finished attempts again with the current exercise files."""
    count = 0
    cache: dict[int, list[ItemView]] = {}
    for attempt in attempts:
        if attempt.is_open:
            continue
        items = cache.setdefault(attempt.quiz_id, quiz_items(attempt.quiz))
        results, score, max_score, replays = grade(attempt, items, attempt.answers)
        with transaction.atomic():
            store_replays(replays)
            Attempt.objects.filter(pk=attempt.pk).update(
                results=results, score=score, max_score=max_score, graded=timezone.now()
            )
        attempt.score, attempt.max_score = score, max_score
        attempt_graded.send(sender=Attempt, attempt=attempt)
        count += 1
    return count


def may_reveal(attempt: Attempt, viewer_manages: bool = False) -> bool:
    """Whether expected answers and feedback replays are shown for this attempt."""
    if viewer_manages:
        return True
    if attempt.is_open:
        return False
    quiz = attempt.quiz
    if quiz.reveal == "immediately":
        return True
    if quiz.reveal == "never":
        return False
    if quiz.has_closed():
        return True
    if quiz.reveal == "after_last_attempt":
        return (
            attempts_used(quiz, attempt.user) >= quiz.max_attempts
            and not Attempt.objects.filter(
                quiz=quiz, user=attempt.user, status=Attempt.OPEN
            ).exists()
        )
    return False
