"""Pages: practice exercises (anyone), quizzes and attempts (logged in), gradebooks.

Expected answers are computed on the server and never put in a page before the
attempt is submitted (and then only as the quiz's ``reveal`` setting allows); the live
lab opens on a signed scenario token that holds the set-up and nothing else.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from labs.inputs import small_int
from labs.live.limits import SAVES, client_of_request
from labs.lti import ags, wstoken
from labs.models import Replay
from labs.registry import LABS
from labs.teaching import content as content_mod
from labs.teaching import markup, services, statistics
from labs.teaching.content import Exercise, Scenario, practice_variant_seed
from labs.teaching.grading import (
    AnswerError,
    Prepared,
    clean_answers,
    feedback_replay,
    grade_exercise,
    lab_setting_links,
    prepare,
)
from labs.teaching.models import Attempt, Quiz
from labs.teaching.scenario import scenario_token

PRACTICE_VARIANTS = 1_000_000


# -- shared pieces --------------------------------------------------------------------------


def _setting_links(prepared: Prepared) -> dict[str, tuple[str, str]]:
    """Question id: (link, setting) for questions seen in another setting of the lab.

    A hash slot is seen in slots mode: such a question links to the lab opened in that
    mode, through a signed scenario link (the lab before any command), so showing an
    exercise stores nothing.
    """
    lab = prepared.exercise.lab
    out: dict[str, tuple[str, str]] = {}
    for qid, (_, recording, what) in lab_setting_links(prepared).items():
        token = scenario_token(Scenario(lab, recording.params, recording.seed, ()))
        out[qid] = (f"{reverse('lab', args=[lab])}?{urlencode({'scenario': token})}", what)
    return out


def _questions(
    prepared: Prepared,
    answers: dict[str, Any],
    results: dict[str, Any] | None,
    reveal: bool,
    settings: dict[str, tuple[str, str]] | None = None,
) -> list[dict[str, Any]]:
    """What the template shows for each question (never the expected answer unless ``reveal``)."""
    ex = prepared.exercise
    out: list[dict[str, Any]] = []
    for q in ex.questions:
        link, setting = (settings or {}).get(q.id, ("", ""))
        given = answers.get(q.id)
        res = (results or {}).get(q.id)
        entry: dict[str, Any] = {
            "id": q.id,
            "type": q.type,
            "name": f"a-{ex.id}-{q.id}",
            "prompt": prepared.prompt_html(q),
            "points": q.points,
            "options": prepared.options.get(q.id, []),
            "given": given,
            "given_list": [_plain(g) for g in given]
            if isinstance(given, list)
            else ([_plain(given)] if given is not None else []),
            "given_text": "" if given is None or isinstance(given, dict | list) else _plain(given),
            "given_replay": given.get("replay") if isinstance(given, dict) else "",
            "result": res,
            "reveal": reveal,
            "explain": prepared.explain_html(q) if reveal else "",
            "unavailable": q.id in prepared.errors,
            "setting_link": link,
            "setting": setting,
        }
        if res and reveal and res.get("expected") is not None:
            expected = res["expected"]
            entry["expected_text"] = (
                ", ".join(str(v) for v in expected)
                if isinstance(expected, list)
                else _plain(expected)
            )
        out.append(entry)
    return out


def _plain(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}" if not value.is_integer() else str(int(value))
    return str(value)


def _lab_context(prepared: Prepared, request: HttpRequest | None = None) -> dict[str, Any]:
    lab = LABS[prepared.exercise.lab]
    query = "?scenario=" + scenario_token(prepared.scenario)
    if request is not None and request.user.is_authenticated:
        # Inside an LMS's iframe the socket carries no cookie: a short-lived token
        # signs it in instead.
        assert isinstance(request.user, AbstractBaseUser)
        query += "&" + urlencode({"ws_token": wstoken.make(request.user)})
    return {
        "lab": lab,
        "ws_query": query,
        "read_only": False,
        "setup_length": prepared.recording.length,
    }


def _posted_answers(request: HttpRequest, exercise: Exercise) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for q in exercise.questions:
        name = f"a-{exercise.id}-{q.id}"
        values = request.POST.getlist(name)
        out[q.id] = values if q.type == "multiple" else (values[0] if values else None)
    return out


# -- practice -----------------------------------------------------------------------------------


def exercise_list(request: HttpRequest) -> HttpResponse:
    content = content_mod.installed()
    exercises = sorted(
        (e for e in content.exercises.values() if e.practice), key=lambda e: (e.lab, e.title)
    )
    groups: dict[str, list[Exercise]] = {}
    for ex in exercises:
        groups.setdefault(ex.lab, []).append(ex)
    labs = [
        {"lab": LABS[slug], "exercises": items} for slug, items in groups.items() if slug in LABS
    ]
    return render(request, "teaching/exercise_list.html", {"labs": labs})


@require_http_methods(["GET", "POST"])
def exercise_page(request: HttpRequest, exercise_id: str) -> HttpResponse:
    exercise = content_mod.exercise(exercise_id)
    if exercise is None or not exercise.practice:
        raise Http404("No such practice exercise")
    raw_variant = request.GET.get("variant", "")
    number = 0
    if exercise.per_student:
        chosen = small_int(raw_variant)
        if chosen is None or chosen >= PRACTICE_VARIANTS:
            fresh = random.SystemRandom().randrange(PRACTICE_VARIANTS)
            return redirect(f"{reverse('teaching:exercise', args=[exercise.id])}?variant={fresh}")
        number = chosen
    seed = (
        practice_variant_seed(exercise.id, number) if exercise.per_student else exercise.seed or 0
    )
    prepared = prepare(exercise, exercise.variant(seed))
    answers: dict[str, Any] = {}
    results: dict[str, Any] | None = None
    errors: list[AnswerError] = []
    score = None
    replays: dict[str, str] = {}
    if request.method == "POST":
        posted = _posted_answers(request, exercise)
        answers, errors = clean_answers(prepared, posted)
        if not errors:
            graded = grade_exercise(prepared, answers)
            results = graded["questions"]
            score = (graded["earned"], graded["max"])
            rows = []
            for qid, res in results.items():
                made = feedback_replay(prepared, qid, res) if res.get("recording") else None
                if made is not None:
                    rows.append((*made, f"{exercise.title}: {qid}"))
                    replays[qid] = made[0]
            # Feedback replays already stored cost nothing; new ones count against the
            # client's save rate, and past it the answers are graded without them.
            ids = {row[0] for row in rows}
            known = set(Replay.objects.filter(pk__in=ids).values_list("pk", flat=True))
            client = client_of_request(request)
            if len(ids - known) > SAVES.left(client):
                rows = [row for row in rows if row[0] in known]
                replays = {qid: rid for qid, rid in replays.items() if rid in known}
            elif ids - known:
                SAVES.take(client, "practice", len(ids - known))
            services.store_replays(rows)
            for qid, rid in replays.items():
                results[qid]["replay"] = rid
        else:
            answers = {k: v for k, v in posted.items()}
    questions = _questions(
        prepared, answers, results, reveal=results is not None, settings=_setting_links(prepared)
    )
    context = {
        "exercise": exercise,
        "body": prepared.body_html(),
        "questions": questions,
        "errors": errors,
        "score": score,
        "variant": number,
        "new_variant": random.SystemRandom().randrange(PRACTICE_VARIANTS)
        if exercise.per_student
        else None,
        "mode": "practice",
        **_lab_context(prepared, request),
    }
    return render(request, "teaching/exercise.html", context, status=400 if errors else 200)


# -- quizzes -------------------------------------------------------------------------------------


@login_required
def quiz_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    quizzes = [
        q
        for q in Quiz.visible_to(request.user).select_related("course")
        if q.opens is None or q.opens <= now
    ]
    managed = list(Quiz.managed_by(request.user))
    return render(request, "teaching/quiz_list.html", {"quizzes": quizzes, "managed": managed})


def _quiz_or_404(slug: str, request: HttpRequest | None = None) -> Quiz:
    """The quiz; a course's quiz is a 404 to anyone outside the course (no hint it exists)."""
    quiz = get_object_or_404(Quiz.objects.select_related("course"), slug=slug)
    if request is not None and not quiz.can_see(request.user):
        raise Http404("No such quiz")
    return quiz


@login_required
@require_http_methods(["GET", "POST"])
def quiz_page(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = _quiz_or_404(slug, request)
    user = request.user
    assert isinstance(user, AbstractBaseUser)
    if request.method == "POST":
        try:
            attempt = services.start_attempt(quiz, user)
        except services.QuizClosed as err:
            messages.error(request, str(err))
            return redirect(quiz.get_absolute_url())
        return redirect(attempt.get_absolute_url())
    for attempt in Attempt.objects.filter(quiz=quiz, user=user, status=Attempt.OPEN):
        services.expire_if_due(attempt)
    attempts = list(Attempt.objects.filter(quiz=quiz, user=user).order_by("number"))
    manages = quiz.can_manage(user)
    # Before it opens, a quiz shows students nothing of its exercises, not even titles.
    hidden = quiz.opens is not None and timezone.now() < quiz.opens and not manages
    items = [] if hidden else services.quiz_items(quiz)
    open_attempt = next((a for a in attempts if a.is_open), None)
    finished = [a for a in attempts if not a.is_open]
    best = max((a.score or 0.0 for a in finished), default=None)
    context = {
        "quiz": quiz,
        "description": markup.render_markdown(quiz.description),
        "items": items,
        "attempts": attempts,
        "open_attempt": open_attempt,
        "attempts_left": max(0, quiz.max_attempts - len(attempts)),
        "best": best,
        "is_open": quiz.is_open(),
        "unavailable": services.unavailable(items),
        "manages": manages,
        "hidden": hidden,
        "can_take": quiz.can_take(user),
    }
    return render(request, "teaching/quiz.html", context)


def _attempt_for(request: HttpRequest, pk: int) -> tuple[Attempt, bool]:
    """The attempt if the user owns it or manages its quiz; otherwise 404 (no hint)."""
    attempt = Attempt.objects.select_related("quiz", "user").filter(pk=pk).first()
    if attempt is None:
        raise Http404("No such attempt")
    manages = attempt.quiz.can_manage(request.user)
    if attempt.user_id != request.user.pk and not manages:
        raise Http404("No such attempt")
    return attempt, manages


@login_required
@require_http_methods(["GET", "POST"])
def attempt_page(request: HttpRequest, pk: int) -> HttpResponse:
    attempt, manages = _attempt_for(request, pk)
    owner = attempt.user_id == request.user.pk
    services.expire_if_due(attempt)
    items = services.quiz_items(attempt.quiz)
    try:
        position = int(request.GET.get("item") or request.POST.get("item") or 1)
    except ValueError:
        position = 1
    position = min(max(1, position), max(1, len(items)))
    errors: list[AnswerError] = []
    if request.method == "POST":
        if not owner:
            raise PermissionDenied(
                "Only the student who owns this attempt can answer it; as one of the quiz's "
                "instructors you can read it and its results."
            )
        item = items[position - 1] if items else None
        posted = (
            {item.id: _posted_answers(request, item.exercise)} if item and item.exercise else {}
        )
        action = request.POST.get("action", "save")
        outcome = None
        if action == "submit" and attempt.is_open:
            # Ask first when a question is blank: keep the answers as a draft and
            # show which questions have none; "Submit anyway" sends submit-unanswered.
            draft = services.save_answers(attempt, posted)
            if draft.errors or draft.expired or draft.already:
                outcome = draft
            else:
                blanks = services.unanswered(draft.attempt, items)
                if blanks:
                    return _render_open_attempt(request, draft.attempt, items, position, [], blanks)
        if outcome is None and action in ("submit", "submit-unanswered"):
            action = "submit"
            outcome = services.submit(attempt, request.POST.get("token", ""), posted)
        elif outcome is None:
            outcome = services.save_answers(attempt, posted)
        errors = outcome.errors
        if outcome.expired:
            messages.warning(
                request,
                "Time is up: the attempt was graded on the answers saved before the deadline.",
            )
        elif outcome.already and action == "submit":
            messages.info(request, "This attempt was already submitted; here is its result.")
        if outcome.submitted:
            messages.success(request, "Submitted and saved.")
        if not errors:
            target = attempt.get_absolute_url()
            if attempt.is_open and outcome.attempt.is_open:
                go = request.POST.get("go")
                nxt = small_int(go) if small_int(go) is not None else position
                if action != "submit":
                    messages.success(request, "Answers saved.")
                target += f"?item={min(max(1, nxt), len(items))}"
            return redirect(target)
        attempt = outcome.attempt
    if attempt.is_open and owner:
        return _render_open_attempt(request, attempt, items, position, errors)
    return _render_result(request, attempt, items, manages)


def _render_open_attempt(
    request: HttpRequest,
    attempt: Attempt,
    items: list[services.ItemView],
    position: int,
    errors: list[AnswerError],
    blanks: list[services.Blank] | None = None,
) -> HttpResponse:
    item = items[position - 1]
    if item.exercise is None:
        messages.error(request, f"Exercise {item.id} is unavailable.")
        return render(
            request,
            "teaching/attempt_result.html",
            {"attempt": attempt, "rows": [], "manages": False},
            status=503,
        )
    prepared = services.prepared_for(attempt, item)
    saved = dict(attempt.answers.get(item.id, {}))
    if errors and request.method == "POST":
        saved.update(_posted_answers(request, item.exercise))
    context = {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "items": items,
        "item": item,
        "position": position,
        "exercise": item.exercise,
        "body": prepared.body_html(),
        "questions": _questions(
            prepared, saved, None, reveal=False, settings=_setting_links(prepared)
        ),
        "errors": errors,
        "blanks": blanks or [],
        "attempts_left": max(0, attempt.quiz.max_attempts - attempt.number),
        "seconds_left": attempt.seconds_left(),
        "mode": "quiz",
        **_lab_context(prepared, request),
    }
    return render(request, "teaching/exercise.html", context, status=400 if errors else 200)


def _render_result(
    request: HttpRequest, attempt: Attempt, items: list[services.ItemView], manages: bool
) -> HttpResponse:
    reveal = services.may_reveal(attempt, manages)
    rows = []
    for position, item in enumerate(items, start=1):
        result = attempt.results.get("items", {}).get(item.id, {})
        questions: list[dict[str, Any]] = []
        if item.exercise is not None and not attempt.is_open:
            prepared = services.prepared_for(attempt, item)
            questions = _questions(
                prepared, attempt.answers.get(item.id, {}), result.get("questions", {}), reveal
            )
        rows.append({"position": position, "item": item, "result": result, "questions": questions})
    context = {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "rows": rows,
        "reveal": reveal,
        "manages": manages,
    }
    return render(request, "teaching/attempt_result.html", context)


# -- gradebook --------------------------------------------------------------------------------------


def _managed_quiz(request: HttpRequest, slug: str) -> Quiz:
    quiz = _quiz_or_404(slug, request)
    if not quiz.can_manage(request.user):
        raise PermissionDenied(
            f"Only the instructors of the quiz {quiz.title!r} can see its gradebook, "
            "download it or regrade it."
        )
    return quiz


def gradebook_data(quiz: Quiz) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Columns (one per question) and rows (one per student: their best finished attempt)."""
    items = services.quiz_items(quiz)
    columns: list[dict[str, Any]] = []
    for position, item in enumerate(items, start=1):
        if item.exercise is None:
            columns.append(
                {
                    "item": item.id,
                    "qid": None,
                    "label": f"{position}. {item.id} (unavailable)",
                    "max": item.points,
                }
            )
            continue
        for q in item.exercise.questions:
            columns.append(
                {"item": item.id, "qid": q.id, "label": f"{position}.{q.id}", "max": q.points}
            )
    best: dict[int, Attempt] = {}
    counts: dict[int, int] = {}
    open_users: set[int] = set()
    for attempt in (
        Attempt.objects.filter(quiz=quiz).select_related("user").order_by("user_id", "number")
    ):
        counts[attempt.user_id] = counts.get(attempt.user_id, 0) + 1
        if attempt.is_open:
            open_users.add(attempt.user_id)
            best.setdefault(attempt.user_id, attempt)
            continue
        current = best.get(attempt.user_id)
        if current is None or current.is_open or (attempt.score or 0) > (current.score or 0):
            best[attempt.user_id] = attempt
    rows: list[dict[str, Any]] = []
    for user_id, attempt in best.items():
        cells: list[Any] = []
        item_results = attempt.results.get("items", {})
        for col in columns:
            res = (
                item_results.get(col["item"], {}).get("questions", {}).get(col["qid"])
                if col["qid"]
                else None
            )
            cells.append(None if res is None else res["points"])
        rows.append(
            {
                "user": attempt.user,
                "username": attempt.user.get_username(),
                "name": attempt.user.get_full_name(),
                "attempt": attempt,
                "attempts": counts[user_id],
                "status": attempt.status,
                "in_progress": user_id in open_users,
                "cells": cells,
                "score": attempt.score,
                "max": attempt.max_score,
            }
        )
    rows.sort(key=lambda r: r["username"])
    return columns, rows


@login_required
def gradebook(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = _managed_quiz(request, slug)
    services.expire_due(quiz)
    columns, rows = gradebook_data(quiz)
    total = sum(i.points for i in services.quiz_items(quiz))
    stats = statistics.question_stats(quiz)
    return render(
        request,
        "teaching/gradebook.html",
        {
            "quiz": quiz,
            "columns": columns,
            "rows": rows,
            "total": total,
            "stats": stats,
            "chart": statistics.chart_bars(stats),
            "passback": ags.status_for(quiz),
        },
    )


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A cell a spreadsheet will not run: text starting with = + - @ tab CR gets a quote."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def gradebook_csv_rows(quiz: Quiz) -> Iterator[list[Any]]:
    columns, rows = gradebook_data(quiz)
    yield [
        "username",
        "name",
        "attempt",
        "attempts",
        "status",
        "submitted",
        *(c["label"] for c in columns),
        "score",
        "max",
    ]
    for row in rows:
        attempt = row["attempt"]
        submitted = attempt.submitted.isoformat() if attempt.submitted else ""
        yield [
            csv_cell(row["username"]),
            csv_cell(row["name"]),
            attempt.number,
            row["attempts"],
            row["status"],
            submitted,
            *(csv_cell(c) for c in row["cells"]),
            csv_cell(row["score"]),
            csv_cell(row["max"]),
        ]


@login_required
def gradebook_csv(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = _managed_quiz(request, slug)
    services.expire_due(quiz)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in gradebook_csv_rows(quiz):
        writer.writerow(row)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{quiz.slug}-gradebook.csv"'
    return response


@login_required
@require_POST
def regrade(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = _managed_quiz(request, slug)
    count = services.regrade(Attempt.objects.filter(quiz=quiz).select_related("quiz"))
    messages.success(request, f"Regraded {count} attempts with the current exercise files.")
    return redirect(reverse("teaching:gradebook", args=[quiz.slug]))
