"""Pages: the catalog, each lab, replays (view, list, import, export)."""

from __future__ import annotations

import asyncio
import threading
from urllib.parse import urlencode

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from algorithms.engine import CommandError
from labs.inputs import small_int
from labs.live.limits import SAVES, client_of_request
from labs.lti import wstoken
from labs.models import Replay
from labs.registry import LABS, Lab
from labs.replays import parse_replay
from labs.runtime import HEAVY, Budget
from labs.teaching.scenario import open_scenario


def _lab_or_404(slug: str) -> Lab:
    lab = LABS.get(slug)
    if lab is None:
        raise Http404(f"No lab called {slug!r}")
    return lab


def catalog(request: HttpRequest) -> HttpResponse:
    samples: dict[str, list[Replay]] = {}
    for replay in Replay.objects.filter(source="sample").order_by("lab", "id"):
        samples.setdefault(replay.lab, []).append(replay)
    labs = [{"lab": lab, "samples": samples.get(lab.slug, [])} for lab in LABS]
    return render(request, "catalog.html", {"labs": labs})


def _with_launch_token(request: HttpRequest, query: str) -> str:
    """Pass an LTI launch's signed websocket token on to the lab's socket.

    In an LMS's iframe the session cookie does not reach the socket; the launch put a
    short-lived token on the page's URL (labs/lti/wstoken.py). A bad one is dropped.
    """
    token = request.GET.get("ws_token", "")[:512]
    if getattr(request, "paperlabs_frame_token", "") and request.user.is_authenticated:
        # Signed in by the page's frame session (labs/lti/frame_session.py): a fresh one.
        token = wstoken.make(request.user)  # type: ignore[arg-type]
    elif not token or wstoken.user_from_token(token) is None:
        return query
    return f"{query}{'&' if query else '?'}{urlencode({'ws_token': token})}"


def lab_page(request: HttpRequest, slug: str) -> HttpResponse:
    lab = _lab_or_404(slug)
    samples = Replay.objects.filter(source="sample", lab=slug).order_by("id")
    fork = request.GET.get("fork", "")
    scenario = request.GET.get("scenario", "")[:8192]
    step = small_int(request.GET.get("step", ""))
    # A what-if from a replay: the lab opens on that recording, editable, at the step
    # the replay was showing.
    query = (
        f"?replay={fork}&fork=1" + (f"&step={step}" if step is not None else "")
        if fork and Replay.objects.filter(pk=fork[:64], lab=slug).exists()
        else ""
    )
    if scenario and not query:
        # A signed scenario (an exercise's "see it in slots mode" link): the lab opens
        # on it without anything stored; a forged link opens the plain lab.
        try:
            open_scenario(scenario, slug)
            query = "?" + urlencode({"scenario": scenario})
        except CommandError:
            query = ""
    return render(
        request,
        "lab.html",
        {
            "lab": lab,
            "read_only": False,
            "replay": None,
            "samples": samples,
            "ws_query": _with_launch_token(request, query),
        },
    )


def replay_page(request: HttpRequest, replay_id: str) -> HttpResponse:
    replay = get_object_or_404(Replay, pk=replay_id)
    lab = _lab_or_404(replay.lab)
    step = request.GET.get("step", "")
    query = f"?replay={replay.pk}" + (
        f"&step={small_int(step)}" if small_int(step) is not None else ""
    )
    return render(
        request,
        "lab.html",
        {
            "lab": lab,
            "read_only": True,
            "replay": replay,
            "samples": [],
            "ws_query": _with_launch_token(request, query),
        },
    )


def replay_export(request: HttpRequest, replay_id: str) -> HttpResponse:
    replay = get_object_or_404(Replay, pk=replay_id)
    response = JsonResponse(replay.to_json(), json_dumps_params={"indent": 1})
    response["Content-Disposition"] = f'attachment; filename="{replay.lab}-{replay.pk}.json"'
    return response


def replay_list(request: HttpRequest) -> HttpResponse:
    # Samples, and what signed-in users saved or imported; anyone else's replays,
    # exercise answers and graded feedback are reachable by their link only.
    replays = Replay.objects.filter(Q(source="sample") | Q(listed=True)).exclude(
        source__in=("exercise", "feedback")
    )[:100]
    return render(request, "replays.html", {"replays": replays, "labs": list(LABS)})


# Templates read the session's user, which touches the database: render in a thread.
_render = sync_to_async(render)


@require_http_methods(["GET", "POST"])
async def replay_import(request: HttpRequest) -> HttpResponse:
    """Check an uploaded replay by running it, off the event loop and under a budget.

    The run takes a heavy-work slot (refused when the server is busy), stops past the
    import's CPU budget, and stops if the client leaves before it is done.
    """
    if request.method == "GET":
        return await _render(request, "replay_import.html", {})
    upload = request.FILES.get("file")
    limit = settings.PAPERLABS_MAX_IMPORT_BYTES
    wants_json = request.headers.get("accept", "").startswith("application/json")
    client = await sync_to_async(client_of_request)(request)
    try:
        # Refused before the run: a client past its rate stores nothing more this hour.
        SAVES.check(client, "import")
    except CommandError as err:
        if wants_json:
            return JsonResponse({"type": "error", **err.to_json()}, status=429)
        return await _render(request, "replay_import.html", {"error": err}, status=429)
    try:
        if upload is None:
            raise CommandError(
                "file", None, "is required: choose a replay JSON file exported from paperlabs"
            )
        if upload.size is not None and upload.size > limit:
            raise CommandError("file", f"{upload.size} bytes", f"must be at most {limit} bytes")
        raw = upload.read(limit + 1)
        cancelled = threading.Event()
        budget = Budget("import", settings.PAPERLABS_IMPORT_CPU_SECONDS, cancelled, "file")
        HEAVY.take("import")
        try:
            recording, title, captions, _ = await asyncio.to_thread(parse_replay, raw, budget)
        except asyncio.CancelledError:
            cancelled.set()  # the client left: the run stops at its next step
            raise
        finally:
            HEAVY.give_back("import")
    except CommandError as err:
        status = 400
        if wants_json:
            return JsonResponse({"type": "error", **err.to_json()}, status=status)
        return await _render(request, "replay_import.html", {"error": err}, status=status)
    try:
        SAVES.take(client, "import")
    except CommandError as err:
        if wants_json:
            return JsonResponse({"type": "error", **err.to_json()}, status=429)
        return await _render(request, "replay_import.html", {"error": err}, status=429)
    user = await sync_to_async(lambda: request.user if request.user.is_authenticated else None)()
    replay = Replay.from_recording(
        recording,
        title=title,
        captions=captions,
        source="import",
        listed=user is not None,
        owner=user,
    )
    await sync_to_async(replay.save)()
    if wants_json:
        return JsonResponse({"id": replay.pk, "url": replay.get_absolute_url()}, status=201)
    return redirect(replay.get_absolute_url())
