"""Practice exercises: anyone can open them, answers are checked on the server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from labs.teaching import content
from labs.teaching.content import variant_seed
from labs.teaching.grading import prepare
from tests.teaching.conftest import SHIPPED, VALID, mover_recording, save_replay

pytestmark = pytest.mark.django_db


def test_the_list_shows_practice_exercises_only(content_dir: Path) -> None:
    (content_dir / "a.md").write_text(VALID.replace("id: t-ex", "id: open-one"))
    (content_dir / "b.md").write_text(
        VALID.replace("id: t-ex", "id: quiz-only").replace(
            "title: A test exercise", "title: Secret\npractice: false"
        )
    )
    (content_dir / "c.md").write_text("not an exercise")
    html = Client().get("/exercises/").content.decode()
    assert "/exercises/open-one/" in html and "quiz-only" not in html
    assert Client().get("/exercises/quiz-only/").status_code == 404
    assert Client().get("/exercises/c/").status_code == 404  # an invalid file is never served


def test_check_answers_in_practice(client: Client) -> None:
    exercise = content.exercise("ch-join-basics")
    assert exercise is not None
    prepared = prepare(exercise, exercise.variant(0))
    page = client.get("/exercises/ch-join-basics/").content.decode()
    assert (
        "The answer:" not in page
        and str(prepared.expected["moved"].value) not in re.sub(r"<[^>]+>", " ", page).split()
    )
    data = {
        "a-ch-join-basics-moved": str(prepared.expected["moved"].value),
        "a-ch-join-basics-owner": "Z",
    }
    refused = client.post("/exercises/ch-join-basics/", data)
    assert refused.status_code == 400
    assert (
        "Question 2 must be one of the options (A, B, C, D, E), got &#x27;Z&#x27;"
        in refused.content.decode()
    )
    data["a-ch-join-basics-owner"] = prepared.expected["owner"].value
    data["a-ch-join-basics-pref"] = prepared.expected["pref"].value[:2]
    checked = client.post("/exercises/ch-join-basics/", data).content.decode()
    assert "Score: <strong>3.67 / 6</strong>" in checked
    assert f"The answer: <strong>{prepared.expected['moved'].value}</strong>" in checked
    assert re.search(r'href="/replays/fb-[0-9a-f]{24}/\?step=1"', checked)


def test_per_student_practice_gets_a_variant_number(client: Client) -> None:
    response = client.get("/exercises/ch-what-if/")
    assert response.status_code == 302
    match = re.match(r"^/exercises/ch-what-if/\?variant=(\d+)$", response["Location"])
    assert match
    page = client.get(response["Location"]).content.decode()
    number = int(match.group(1))
    exercise = content.exercise("ch-what-if")
    assert exercise is not None
    variant = exercise.variant(variant_seed("practice", "ch-what-if", number))
    assert f"Node <strong>{variant.values['joiner']}</strong> is about to join" in page
    assert client.get("/exercises/ch-what-if/?variant=-1").status_code == 302
    assert client.get("/exercises/ch-what-if/?variant=99999999").status_code == 302
    assert client.get("/exercises/ch-what-if/?variant=%C2%B2").status_code == 302
    assert client.get("/exercises/ch-what-if/?variant=" + "9" * 5000).status_code == 302


def test_construct_task_in_practice(client: Client) -> None:
    exercise = content.load([SHIPPED]).exercises["ch-construct"]
    number = 42
    prepared = prepare(exercise, exercise.variant(variant_seed("practice", exercise.id, number)))
    replay_id = save_replay(mover_recording(prepared, prepared.variant.values["key"]))
    page = client.post(
        f"/exercises/ch-construct/?variant={number}", {"a-ch-construct-make-it-move": replay_id}
    ).content.decode()
    assert "3 / 3</strong> · &#x27;key-" in page and "moves from" in page
