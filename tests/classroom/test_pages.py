"""Classroom pages: start, join, the instructor's authority, results and CSV."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from labs.classroom.models import CODE_ALPHABET, CODE_LENGTH, Answer, ClassSession, Poll
from labs.models import Replay
from tests.classroom.helpers import join, start

pytestmark = pytest.mark.django_db


def test_a_session_gets_an_unguessable_code_a_join_url_and_a_qr_code() -> None:
    teacher = Client()
    codes = {start(teacher) for _ in range(5)}
    assert len(codes) == 5
    for code in codes:
        assert len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
    page = teacher.get(f"/classroom/{code}/teach/").content.decode()
    assert f"/classroom/join/?code={code}" in page
    assert "<svg" in page and code in page


def test_a_replay_can_be_taught_with_its_captions() -> None:
    replay = Replay.objects.create(
        lab="consistent-hashing",
        title="Demo",
        params={},
        seed=1,
        commands=[],
        length=0,
        captions={"0": "Start here"},
    )
    code = start(Client(), replay=replay.pk)
    session = ClassSession.objects.get(code=code)
    assert session.captions == {"0": "Start here"} and session.title == "Demo"


def test_only_the_instructor_sees_the_teaching_page_and_results() -> None:
    code = start(Client())
    stranger = Client()
    assert stranger.get(f"/classroom/{code}/teach/").status_code == 302
    assert stranger.get(f"/classroom/{code}/results/").status_code == 404
    assert stranger.get(f"/classroom/{code}/results.csv").status_code == 404


def test_join_refuses_a_wrong_code_and_bad_names() -> None:
    code = start(Client())
    student = Client()
    wrong = student.post("/classroom/join/", {"code": "ZZZZZZZZZZ", "name": "Ann"})
    assert wrong.status_code == 400 and b"No live session" in wrong.content
    long = student.post("/classroom/join/", {"code": code, "name": "x" * 41})
    assert long.status_code == 400 and b"1 to 40 characters" in long.content
    blank = student.post("/classroom/join/", {"code": code, "name": "\u200b \n"})
    assert blank.status_code == 400


def test_a_display_name_is_shown_escaped() -> None:
    code = start(Client())
    student = Client()
    join(student, code.lower(), "<b>Bob</b>")
    page = student.get(f"/classroom/{code}/").content.decode()
    assert "&lt;b&gt;Bob&lt;/b&gt;" in page and "<b>Bob</b>" not in page


def test_an_ended_session_cannot_be_joined() -> None:
    teacher = Client()
    code = start(teacher)
    ClassSession.objects.filter(code=code).update(ended="2026-01-01T00:00Z")
    response = Client().post("/classroom/join/", {"code": code, "name": "Late"})
    assert response.status_code == 400


def test_results_and_csv_list_every_answer_with_formulas_defused() -> None:
    teacher = Client()
    code = start(teacher)
    session = ClassSession.objects.get(code=code)
    poll = Poll.objects.create(
        session=session, number=1, prompt="Next?", options=["a", "b"], correct=1, step=3
    )
    for name, choice in (("=cmd()", 1), ("Ann", 0)):
        client = Client()
        join(client, code, name)
        Answer.objects.create(
            poll=poll, participant=session.students.get(name=name), choice=choice, value=choice
        )
    page = teacher.get(f"/classroom/{code}/results/").content.decode()
    assert "2 answers, 1 right; the answer: b." in page
    rows = list(
        csv.DictReader(io.StringIO(teacher.get(f"/classroom/{code}/results.csv").content.decode()))
    )
    assert [(r["student"], r["answer"], r["choice"], r["correct"], r["step"]) for r in rows] == [
        ("'=cmd()", "b", "2", "yes", "3"),
        ("Ann", "a", "1", "no", "3"),
    ]


def test_results_and_csv_of_every_poll_kind() -> None:
    teacher = Client()
    code = start(teacher)
    session = ClassSession.objects.get(code=code)
    polls = [
        Poll.objects.create(
            session=session,
            number=1,
            kind="multiple",
            prompt="Which nodes hold a copy?",
            options=["A", "B", "C"],
            expected=[0, 2],
        ),
        Poll.objects.create(
            session=session,
            number=2,
            kind="numeric",
            prompt="How many keys move?",
            expected={"value": 10.0, "tolerance": 0.1, "relative": True},
        ),
        Poll.objects.create(
            session=session,
            number=3,
            kind="pick",
            prompt="Pick a node that stores k.",
            options=["A", "B", "C"],
            expected=[1, 2],
        ),
        Poll.objects.create(
            session=session,
            number=4,
            kind="construct",
            prompt="Add one node so that key-7 moves to it.",
            expected={
                "goal": "key_moves_on_join",
                "args": {"key": "key-7"},
                "text": "Add exactly one node so that the key moves to it (key: key-7)",
            },
        ),
    ]
    reached = {"done": True, "message": "'key-7' moves from A to Q when Q joins.", "actions": 1}
    stays = {"done": False, "message": "Add exactly one node: your recording adds 2.", "actions": 2}
    answers = {"Ann": ([0, 2], 10.5, 2, reached), "Bob": ([0], 12.0, 0, stays)}
    for name, values in answers.items():
        client = Client()
        join(client, code, name)
        for poll, value in zip(polls, values, strict=True):
            Answer.objects.create(
                poll=poll,
                participant=session.students.get(name=name),
                value=value,
                choice=value if poll.kind == "pick" else None,
            )
    page = teacher.get(f"/classroom/{code}/results/").content.decode()
    assert "the answer: A; C." in page and "the answer: 10 (within 10%)." in page
    assert "the answer: B or C." in page and "Lowest 10.5, median 11.25, highest 12." in page
    assert "2 answers, 1 right; the answer: goal: Add exactly one node so that the key" in page
    assert "goal reached (right)" in page
    rows = list(
        csv.DictReader(io.StringIO(teacher.get(f"/classroom/{code}/results.csv").content.decode()))
    )
    got = [(r["student"], r["poll"], r["kind"], r["answer"], r["correct"]) for r in rows]
    assert got == [
        ("Ann", "1", "multiple", "A; C", "yes"),
        ("Ann", "2", "numeric", "10.5", "yes"),
        ("Ann", "3", "pick", "C", "yes"),
        (
            "Ann",
            "4",
            "construct",
            "goal reached (1 action): 'key-7' moves from A to Q when Q joins.",
            "yes",
        ),
        ("Bob", "1", "multiple", "A", "no"),
        ("Bob", "2", "numeric", "12", "no"),
        ("Bob", "3", "pick", "A", "no"),
        (
            "Bob",
            "4",
            "construct",
            "not yet (2 actions): Add exactly one node: your recording adds 2.",
            "no",
        ),
    ]
    assert [r["choice"] for r in rows if r["kind"] == "construct"] == ["reached", "not yet"]


def test_an_exercise_can_be_taught_from_its_scenario() -> None:
    teacher = Client()
    assert b'data-exercise="ch-join-basics"' in teacher.get("/classroom/").content
    code = start(teacher, exercise="ch-join-basics")
    session = ClassSession.objects.get(code=code)
    # The scenario's set-up (E joins) is the session's first step.
    assert session.recording["commands"][0][1] == {"action": "add_node", "name": "E"}
    assert session.title == "A node joins the ring" and session.position == 1
    page = teacher.get(f"/classroom/{code}/teach/").content.decode()
    assert 'value="ch-join-basics/owner"' in page


def test_a_lab_page_starts_a_live_session_of_itself_and_starts_are_rate_limited(
    settings: object,
) -> None:
    from labs.live.limits import SAVES

    SAVES.reset()
    client = Client()
    html = client.get("/labs/snapshots/").content.decode()
    assert 'id="teach-live"' in html and 'name="lab" value="snapshots"' in html
    response = client.post("/classroom/start/", {"lab": "snapshots"})
    assert response.status_code == 302 and "/teach/" in response["Location"]
    settings.PAPERLABS_SAVES_PER_HOUR = 1  # type: ignore[attr-defined]
    refused = client.post("/classroom/start/", {"lab": "snapshots"})
    assert refused.status_code == 429 and b"PAPERLABS_SAVES_PER_HOUR" in refused.content
    SAVES.reset()
