"""Pages: practice exercises (anyone), and the pieces every exercise page shows.

Quizzes and attempts are in ``quiz_views``, gradebooks in ``gradebook_views``. Expected
answers are computed on the server and never put in a page before the attempt is
submitted (and then only as the quiz's ``reveal`` setting allows); the live lab opens on
a signed scenario token that holds the set-up and nothing else.
"""

from __future__ import annotations

import random
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import AbstractBaseUser
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from labs.inputs import small_int
from labs.live.limits import SAVES, client_of_request
from labs.lti import wstoken
from labs.models import Replay
from labs.registry import LABS
from labs.teaching import content as content_mod
from labs.teaching import services
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
from labs.teaching.scenario import scenario_token

PRACTICE_VARIANTS = 1_000_000


# -- what every exercise page shows --------------------------------------------------


def setting_links(prepared: Prepared) -> dict[str, tuple[str, str]]:
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


def question_rows(
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


def lab_context(prepared: Prepared, request: HttpRequest | None = None) -> dict[str, Any]:
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


def posted_answers(request: HttpRequest, exercise: Exercise) -> dict[str, Any]:
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
        posted = posted_answers(request, exercise)
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
    questions = question_rows(
        prepared, answers, results, reveal=results is not None, settings=setting_links(prepared)
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
        **lab_context(prepared, request),
    }
    return render(request, "teaching/exercise.html", context, status=400 if errors else 200)
