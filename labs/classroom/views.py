"""Classroom pages: start a session, join it, teach, follow, results and CSV."""

from __future__ import annotations

import csv
import time

import segno
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from algorithms.engine import CommandError
from algorithms.recording import Timeline
from labs.classroom import store
from labs.classroom.models import Answer, ClassSession, Participant, Poll
from labs.classroom.questions import questions_for
from labs.live.frames import dumps
from labs.live.limits import SAVES, client_of_request
from labs.models import Replay
from labs.registry import LABS
from labs.teaching import content


def _teaches(request: HttpRequest, session: ClassSession) -> bool:
    if session.code in request.session.get("classroom_teach", []):
        return True
    return bool(request.user.is_authenticated and request.user.pk == session.owner_id)


def _first_frame(timeline: Timeline) -> str:
    frame = {
        "type": "frame",
        "step": timeline.position,
        "length": timeline.length,
        "playing": False,
        "fps": 4,
        "events": [],
        "caption": None,
        "branch": timeline.branch_id,
        "branches": timeline.branches(),
        "t": time.time() * 1000,
        "state": timeline.engine.state(),
    }
    return dumps(frame)


def home(request: HttpRequest) -> HttpResponse:
    samples = Replay.objects.filter(source="sample").order_by("lab", "id")
    return render(
        request,
        "classroom/home.html",
        {
            "labs": list(LABS),
            "samples": samples,
            "exercises": sorted(content.installed().exercises.values(), key=lambda e: e.id),
            "code": request.GET.get("code", "")[:16],
        },
    )


@require_POST
def start(request: HttpRequest) -> HttpResponse:
    """A new live session from a lab (its defaults) or a replay (its recording)."""
    try:
        # Each session is a stored row: counted with the client's saves.
        SAVES.take(client_of_request(request), "classroom session")
    except CommandError as err:
        return HttpResponse(f"Refused: {err}", status=429, content_type="text/plain")
    replay_id = request.POST.get("replay", "")[:64]
    exercise_id = request.POST.get("exercise", "")[:64]
    captions: dict[str, str] = {}
    if exercise_id:
        # An exercise's scenario, set-up applied: its questions become the polls.
        exercise = content.exercise(exercise_id)
        if exercise is None or LABS.get(exercise.lab) is None:
            raise Http404("No such exercise")
        lab = LABS[exercise.lab]
        variant = exercise.variant(exercise.seed if exercise.seed is not None else lab.default_seed)
        timeline = exercise.scenario(variant).timeline()
        title = exercise.title
    elif replay_id:
        replay = get_object_or_404(Replay, pk=replay_id)
        lab = LABS.get(replay.lab)
        if lab is None:
            raise Http404("No such lab")
        timeline = Timeline.from_recording(
            lab.engine_class(), replay.recording(), lab.checkpoint_every, run=False
        )
        captions, title = dict(replay.captions), replay.title
    else:
        lab = LABS.get(request.POST.get("lab", "")[:64])
        if lab is None:
            raise Http404("No such lab")
        timeline = Timeline(
            lab.engine_class(), lab.slug, {}, lab.default_seed, lab.checkpoint_every
        )
        title = lab.title
    session = ClassSession.objects.create(
        lab=lab.slug,
        title=title,
        replay=replay_id,
        captions=captions,
        recording=timeline.recording().to_json(),
        owner=request.user if request.user.is_authenticated else None,
    )
    store.publish(session.pk, _first_frame(timeline), session.recording, timeline.position)
    teach = [*request.session.get("classroom_teach", [])[-19:], session.code]
    request.session["classroom_teach"] = teach
    return redirect("classroom-teach", code=session.code)


def _join_url(request: HttpRequest, session: ClassSession) -> str:
    return request.build_absolute_uri(f"/classroom/join/?code={session.code}")


def teach(request: HttpRequest, code: str) -> HttpResponse:
    session = store.live_session(code)
    if session is None:
        raise Http404("No live session with this code")
    if not _teaches(request, session):
        return redirect(f"/classroom/join/?code={session.code}")
    lab = LABS.get(session.lab)
    join_url = _join_url(request, session)
    qr = segno.make(join_url, error="m").svg_inline(scale=5, title="Join code as a QR code")
    return render(
        request,
        "classroom/teach.html",
        {
            "lab": lab,
            "session": session,
            "join_url": join_url,
            "qr": mark_safe(qr),  # made by segno from our own URL: no user text inside
            "questions": questions_for(session.lab),
        },
    )


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    code = (request.POST.get("code") or request.GET.get("code") or "").strip().upper()[:16]
    joined: dict[str, int] = request.session.get("classroom_join", {})
    error = ""
    session = store.live_session(code) if code else None
    if (
        session is not None
        and request.method == "GET"
        and code in joined
        and Participant.objects.filter(pk=joined[code], session=session).exists()
    ):
        return redirect("classroom-follow", code=code)
    if request.method == "POST":
        raw_name = request.POST.get("name", "")
        if not raw_name.strip() and request.user.is_authenticated:
            raw_name = request.user.get_username()
        try:
            if session is None:
                raise CommandError("code", code, "must be the join code of a live session")
            name = store.clean_name(raw_name)
        except CommandError as err:
            error = err.rule if err.field == "name" else "No live session has this code."
            if err.field == "name":
                error = f"Display name {err.rule}."
        else:
            participant = Participant.objects.create(
                session=session,
                name=name,
                user=request.user if request.user.is_authenticated else None,
            )
            joined = {k: v for k, v in joined.items() if store.live_session(k) is not None}
            joined[session.code] = participant.pk
            request.session["classroom_join"] = joined
            return redirect("classroom-follow", code=session.code)
    return render(
        request,
        "classroom/join.html",
        {"code": code, "error": error, "name": request.POST.get("name", "")[:40]},
        status=400 if error else 200,
    )


def follow(request: HttpRequest, code: str) -> HttpResponse:
    session = store.live_session(code)
    if session is None:
        messages.info(request, "This session has ended or the code is wrong.")
        return redirect("/classroom/")
    pk = request.session.get("classroom_join", {}).get(session.code)
    participant = Participant.objects.filter(pk=pk, session=session).first()
    if participant is None:
        return redirect(f"/classroom/join/?code={session.code}")
    return render(
        request,
        "classroom/follow.html",
        {"lab": LABS.get(session.lab), "session": session, "participant": participant},
    )


def _owned(request: HttpRequest, code: str) -> ClassSession:
    session = ClassSession.objects.filter(code=code.strip().upper()[:16]).first()
    if session is None or not _teaches(request, session):
        raise Http404("No session of yours has this code")
    return session


def _rows(session: ClassSession) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    answers = (
        Answer.objects.filter(poll__session=session)
        .select_related("poll", "participant", "participant__user")
        .order_by("participant__name", "participant_id", "poll__number")
    )
    for a in answers:
        poll = a.poll
        rows.append(
            {
                "student": a.participant.name,
                "user": a.participant.user.get_username() if a.participant.user else "",
                "poll": poll.number,
                "step": poll.step,
                "kind": poll.kind,
                "prompt": poll.prompt,
                # Option numbers from 1, as the page lists them; a number as typed.
                "choice": _choice(poll, a.value),
                "answer": poll.shown(a.value),
                "correct": {None: "", True: "yes", False: "no"}[poll.is_right(a.value)],
                "at": a.at.isoformat(timespec="seconds"),
            }
        )
    return rows


def _choice(poll: Poll, value: object) -> str:
    if poll.kind == "construct":
        return "" if not isinstance(value, dict) else "reached" if value.get("done") else "not yet"
    if value is None or poll.kind == "numeric":
        return "" if value is None else f"{value:.6g}" if isinstance(value, float) else str(value)
    picked = value if isinstance(value, list) else [value]
    return " ".join(str(i + 1) for i in picked if isinstance(i, int))


def results(request: HttpRequest, code: str) -> HttpResponse:
    session = _owned(request, code)
    polls = [(p, store.summary(p)) for p in session.polls.all()]
    return render(
        request,
        "classroom/results.html",
        {
            "session": session,
            "polls": polls,
            "rows": _rows(session),
            "students": session.students.count(),
        },
    )


def _cell(value: object) -> object:
    # A spreadsheet must not run a formula a student typed as their name.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def results_csv(request: HttpRequest, code: str) -> HttpResponse:
    session = _owned(request, code)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="classroom-{session.code}.csv"'
    fields = [
        "student",
        "user",
        "poll",
        "step",
        "kind",
        "prompt",
        "choice",
        "answer",
        "correct",
        "at",
    ]
    writer = csv.DictWriter(response, fieldnames=fields)
    writer.writeheader()
    for row in _rows(session):
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return response
