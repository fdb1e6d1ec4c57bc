"""A question about hash slots opens its lab in slots mode, before and after answering."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlencode

import pytest
from django.test import Client

from algorithms.recording import Timeline
from labs.models import Replay
from labs.registry import LABS
from labs.teaching import content
from labs.teaching.content import variant_seed
from labs.teaching.grading import feedback_replay, grade_exercise, prepare
from labs.teaching.scenario import open_scenario

pytestmark = pytest.mark.django_db


def test_the_slot_question_links_to_the_lab_in_slots_mode_without_its_answer() -> None:
    client = Client()
    html = client.get("/exercises/ch-what-if/?variant=3").content.decode()
    found = re.search(r'href="/labs/consistent-hashing/\?scenario=([^"]+)" id="setting-slot"', html)
    assert found, html
    token = unquote(found.group(1).replace("&amp;", "&"))
    scenario = open_scenario(token, "consistent-hashing")
    assert scenario.params["mode"] == "slots" and scenario.commands == ()
    # Showing the exercise stores nothing: the link is signed, not a saved replay.
    assert not Replay.objects.exists()
    page = client.get(f"/labs/consistent-hashing/?{urlencode({'scenario': token})}")
    assert 'data-ws-query="?scenario=' in page.content.decode()
    forged = client.get("/labs/consistent-hashing/?scenario=forged").content.decode()
    assert 'data-ws-query=""' in forged
    # Only the slot question links there: the others are about the ring.
    assert html.count('class="setting-link"') == 1


def test_the_slot_feedback_replay_shows_the_key_in_slots_mode() -> None:
    exercise = content.exercise("ch-what-if")
    assert exercise is not None
    prepared = prepare(exercise, exercise.variant(variant_seed("practice", "ch-what-if", 3)))
    result = grade_exercise(prepared, {"slot": 1.0})["questions"]["slot"]
    made = feedback_replay(prepared, "slot", result)
    assert made is not None
    _, recording, captions = made
    assert recording.params["mode"] == "slots"
    assert recording.params["nodes"] == prepared.scenario.params["nodes"]
    lab = LABS["consistent-hashing"]
    timeline = Timeline.from_recording(lab.engine_class(), recording, lab.checkpoint_every)
    timeline.seek(result["step"])
    selected = timeline.engine.state()["selected"]
    key = prepared.variant.values["key"]
    assert selected["key"] == key and selected["slot"] == result["expected"]
    assert str(result["expected"]) in captions[str(result["step"])]


def test_a_slots_mode_scenario_has_no_extra_link(content_dir: Path) -> None:
    (content_dir / "s.md").write_text(
        "---\nid: s-slots\ntitle: Slots\nlab: consistent-hashing\nscenario:\n"
        "  params: {mode: slots, nodes: 3, keys: 50}\n  seed: 1\nquestions:\n"
        "  - {id: slot, type: numeric, prompt: 'Slot?', query: {name: slot_of_key, args: {key: a}}}\n"
        "---\n"
    )
    html = Client().get("/exercises/s-slots/").content.decode()
    assert 'data-ws-query="?scenario=' in html and 'class="setting-link"' not in html
