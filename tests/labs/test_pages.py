"""Pages: catalog, lab pages, replays (import refusals, export, shared links)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from algorithms.recording import Timeline
from labs.models import Replay
from labs.registry import LABS
from labs.samples import all_samples

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def test_catalog_lists_every_registered_lab(client: Client) -> None:
    html = client.get("/").content.decode()
    for lab in LABS:
        assert f'href="/labs/{lab.slug}/"' in html
        assert lab.summary.split(",")[0] in html


def test_lab_page_loads_plotly_from_our_static_files(client: Client) -> None:
    for lab in LABS:
        response = client.get(f"/labs/{lab.slug}/")
        assert response.status_code == 200
        html = response.content.decode()
        # A hashed name (cached for a year) of our own bundle, never a CDN.
        assert re.search(r'defer src="/static/vendor/plotly\.min\.[0-9a-f]{12}\.js"', html)
        assert not re.search(r"(src|href)=\"https?://", html)
    assert finders.find("vendor/plotly.min.js")


def test_lab_and_exercise_pages_fetch_every_module_they_need_at_once(client: Client) -> None:
    """The page module, the lab's view and every module they import are preloaded, each
    once, so no import waits for the one before it; the page module runs async."""

    def preloaded(html: str) -> list[str]:
        return [
            re.sub(r"\.[0-9a-f]{12}\.js$", ".js", href)
            for href in re.findall(r'<link rel="modulepreload" href="/static/([^"]+)">', html)
        ]

    for lab in LABS:
        html = client.get(f"/labs/{lab.slug}/").content.decode()
        links = preloaded(html)
        assert links[0] == "lab-page.js" and len(links) == len(set(links))
        assert {"player.js", "plotly-ready.js", lab.script} <= set(links)
        view = (ROOT / "static" / lab.script).read_text()
        for name in re.findall(r'from "\.\./([\w-]+\.js)"', view):
            assert name in links, f"{lab.slug}: {name} is imported but not preloaded"
        assert re.search(
            r'<script type="module" async src="/static/lab-page\.[0-9a-f]{12}\.js"', html
        )
    html = client.get("/exercises/q-hinted-handoff/").content.decode()
    links = preloaded(html)
    assert {"teaching/exercise-page.js", "teaching/exercise.js", "labs/quorum.js"} <= set(links)
    assert {"spacetime.js", "escape.js", "player.js", "charts.js"} <= set(links)


def test_plotly_bundle_holds_only_the_trace_types_the_labs_draw() -> None:
    """The labs draw scatter, bar and scattergl; the bundle registers no more than that."""
    used = set()
    for script in [*(ROOT / "static").glob("*.js"), *(ROOT / "static" / "labs").glob("*.js")]:
        used |= set(
            re.findall(r'type: "(scatter|scattergl|bar|heatmap|\w+polar\w*)"', script.read_text())
        )
    used |= {"scattergl"}  # chosen at run time for large pictures
    entry = (ROOT / "assets" / "plotly-paperlabs.js").read_text()
    registered = (
        {"scatter"}
        | set(re.findall(r'lib/(\w+)"\)', entry)) - {"core"}
        | set(re.findall(r"traces/(\w+)/strict", entry))
    )
    assert used == registered


def test_unknown_lab_is_404(client: Client) -> None:
    assert client.get("/labs/nope/").status_code == 404
    assert client.get("/replays/nope/").status_code == 404


def test_samples_load_and_open(client: Client) -> None:
    call_command("load_samples")
    samples = Replay.objects.filter(source="sample")
    assert samples.count() == len(all_samples())
    for replay in samples:
        assert client.get(replay.get_absolute_url() + "?step=1").status_code == 200
        assert replay.captions["0"]


def _upload(client: Client, payload: bytes, accept: str = "text/html"):  # type: ignore[no-untyped-def]
    file = SimpleUploadedFile("replay.json", payload, content_type="application/json")
    return client.post("/replays/import/", {"file": file}, HTTP_ACCEPT=accept)


def _valid_export() -> dict:
    lab = LABS["consistent-hashing"]
    t = Timeline(lab.engine_class(), lab.slug, {}, 3)
    t.act({"action": "add_node", "name": "X"})
    t.act({"action": "add_keys", "count": 5})
    data = t.recording().to_json()
    data["title"] = "imported"
    data["captions"] = {"1": "X joins."}
    return data


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (b"not json at all", "file"),
        (b"\xff\xfe", "file"),
        (b"[1, 2]", "file"),
        (
            json.dumps(
                {"lab": "quantum-gravity", "params": {}, "seed": 1, "length": 0, "commands": []}
            ).encode(),
            "lab",
        ),
    ],
)
def test_bad_imports_are_refused_and_store_nothing(
    client: Client, payload: bytes, field: str
) -> None:
    response = _upload(client, payload, accept="application/json")
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert Replay.objects.count() == 0


def test_import_with_invalid_command_names_the_step(client: Client) -> None:
    data = _valid_export()
    data["commands"][1][1]["count"] = 10**9
    response = _upload(client, json.dumps(data).encode(), accept="application/json")
    assert response.status_code == 400
    body = response.json()
    assert "step 1" in body["field"] and "count" in body["field"]
    assert Replay.objects.count() == 0
    html = _upload(client, json.dumps(data).encode()).content.decode()
    assert "Not imported" in html and "count" in html


def test_import_missing_file_and_bad_caption(client: Client) -> None:
    response = client.post("/replays/import/", {}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and response.json()["field"] == "file"
    data = _valid_export()
    data["captions"] = {"99": "past the end"}
    response = _upload(client, json.dumps(data).encode(), accept="application/json")
    assert response.status_code == 400 and response.json()["field"] == "captions"
    assert Replay.objects.count() == 0


def test_import_then_export_round_trips(client: Client) -> None:
    data = _valid_export()
    response = _upload(client, json.dumps(data).encode())
    assert response.status_code == 302
    replay = Replay.objects.get()
    assert response["Location"] == f"/replays/{replay.pk}/"
    exported = client.get(f"/replays/{replay.pk}/export.json").json()
    for key in ("lab", "params", "seed", "length", "commands", "title", "captions"):
        assert exported[key] == data[key], key
    # Export then import gives the same states.
    lab = LABS["consistent-hashing"]
    a = Timeline.from_recording(lab.engine_class(), replay.recording())
    b = Timeline.from_recording(lab.engine_class(), Replay.objects.get().recording())
    assert a.engine.state() == b.engine.state()


def test_replay_page_passes_the_step_to_the_socket(client: Client) -> None:
    call_command("load_samples")
    replay = Replay.objects.filter(lab="consistent-hashing").first()
    assert replay is not None
    html = client.get(f"/replays/{replay.pk}/?step=2").content.decode()
    assert f"?replay={replay.pk}&amp;step=2" in html
    assert 'data-read-only="1"' in html
    fork = client.get(f"/labs/consistent-hashing/?fork={replay.pk}").content.decode()
    assert f"?replay={replay.pk}&amp;fork=1" in fork


@pytest.mark.parametrize("key", ["²", "9" * 5000, "-1"])
def test_odd_caption_keys_are_refused(client: Client, key: str) -> None:
    data = _valid_export()
    data["captions"] = {key: "x"}
    response = _upload(client, json.dumps(data).encode(), accept="application/json")
    assert response.status_code == 400 and response.json()["field"] == "captions"
    assert Replay.objects.count() == 0


def test_control_characters_in_titles_are_refused(client: Client) -> None:
    data = _valid_export()
    data["title"] = "a\u0000b"
    response = _upload(client, json.dumps(data).encode(), accept="application/json")
    assert response.status_code == 400 and response.json()["field"] == "title"


def test_odd_step_in_a_replay_link_is_dropped(client: Client) -> None:
    call_command("load_samples")
    html = client.get("/replays/dynamo-figure-2/?step=%C2%B2").content.decode()
    assert (
        "?replay=dynamo-figure-2&quot;" in html or 'data-ws-query="?replay=dynamo-figure-2"' in html
    )
