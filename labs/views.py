"""Pages: the catalog, each lab, replays (view, list, import, export)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from algorithms.engine import CommandError
from labs.inputs import small_int
from labs.models import Replay
from labs.registry import LABS, Lab
from labs.replays import parse_replay


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


def lab_page(request: HttpRequest, slug: str) -> HttpResponse:
    lab = _lab_or_404(slug)
    samples = Replay.objects.filter(source="sample", lab=slug).order_by("id")
    fork = request.GET.get("fork", "")
    # A what-if from a replay: the lab opens on that recording, editable.
    query = (
        f"?replay={fork}&fork=1"
        if fork and Replay.objects.filter(pk=fork, lab=slug).exists()
        else ""
    )
    return render(
        request,
        "lab.html",
        {"lab": lab, "read_only": False, "replay": None, "samples": samples, "ws_query": query},
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
        {"lab": lab, "read_only": True, "replay": replay, "samples": [], "ws_query": query},
    )


def replay_export(request: HttpRequest, replay_id: str) -> HttpResponse:
    replay = get_object_or_404(Replay, pk=replay_id)
    response = JsonResponse(replay.to_json(), json_dumps_params={"indent": 1})
    response["Content-Disposition"] = f'attachment; filename="{replay.lab}-{replay.pk}.json"'
    return response


def replay_list(request: HttpRequest) -> HttpResponse:
    # Exercise answers and graded feedback are reachable by their link only.
    replays = Replay.objects.exclude(source__in=("exercise", "feedback"))[:100]
    return render(request, "replays.html", {"replays": replays, "labs": list(LABS)})


@require_http_methods(["GET", "POST"])
def replay_import(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "replay_import.html", {})
    upload = request.FILES.get("file")
    limit = settings.PAPERLABS_MAX_IMPORT_BYTES
    try:
        if upload is None:
            raise CommandError(
                "file", None, "is required: choose a replay JSON file exported from paperlabs"
            )
        if upload.size is not None and upload.size > limit:
            raise CommandError("file", f"{upload.size} bytes", f"must be at most {limit} bytes")
        recording, title, captions, _ = parse_replay(upload.read(limit + 1))
    except CommandError as err:
        status = 400
        if request.headers.get("accept", "").startswith("application/json"):
            return JsonResponse({"type": "error", **err.to_json()}, status=status)
        return render(request, "replay_import.html", {"error": err}, status=status)
    replay = Replay.from_recording(recording, title=title, captions=captions, source="import")
    replay.save()
    if request.headers.get("accept", "").startswith("application/json"):
        return JsonResponse({"id": replay.pk, "url": replay.get_absolute_url()}, status=201)
    return redirect(replay.get_absolute_url())
