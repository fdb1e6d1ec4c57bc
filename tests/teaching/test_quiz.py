"""Taking a quiz: variants, saving, submitting once, limits, deadlines, regrading."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from labs.models import Replay
from labs.teaching import content, services
from labs.teaching.content import quiz_variant_seed
from labs.teaching.models import Attempt, Quiz, QuizItem
from tests.teaching.conftest import SHIPPED, prepared_of

pytestmark = pytest.mark.django_db

Answers = Callable[[Attempt, str], dict[str, Any]]


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def start(client: Client, quiz: Quiz) -> Attempt:
    response = client.post(quiz.get_absolute_url())
    assert response.status_code == 302, response.content
    match = re.match(r"^/attempts/(\d+)/$", response["Location"])
    assert match, response["Location"]
    return Attempt.objects.get(pk=int(match.group(1)))


def post(
    client: Client, attempt: Attempt, item: int, data: dict[str, Any], action: str = "save"
) -> Any:
    return client.post(
        attempt.get_absolute_url(),
        {"item": str(item), "action": action, "token": attempt.token, **data},
    )


def test_variant_is_per_student_and_stable(quiz: Quiz, users: dict[str, User]) -> None:
    a = start(login(users["alice"]), quiz)
    b = start(login(users["bob"]), quiz)
    assert a.variant["ch-what-if"] == quiz_variant_seed("q-test", "ch-what-if", users["alice"].pk)
    assert a.variant != b.variant
    # Coming back gives the same open attempt and the same variant.
    again = start(login(users["alice"]), quiz)
    assert again.pk == a.pk and again.variant == a.variant


def test_the_attempt_page_shows_the_live_lab_on_the_variant_and_no_answer(
    quiz: Quiz, users: dict[str, User]
) -> None:
    client = login(users["alice"])
    attempt = start(client, quiz)
    html = client.get(attempt.get_absolute_url()).content.decode()
    prepared = prepared_of(attempt, "ch-what-if")
    assert 'data-ws-query="?scenario=' in html
    assert f"Node <strong>{prepared.variant.values['joiner']}</strong> is about to join" in html
    moved = prepared.expected["moved-if"].value
    slot = prepared.expected["slot"].value
    assert f">{moved}<" not in html and f'"{moved}"' not in html
    assert str(slot) not in re.sub(r'value="[^"]*"', "", html)
    for word in ("expected", "solution", prepared.expected["moved-if"].why):
        assert word not in html


def test_submit_grades_on_the_server_and_is_saved(
    quiz: Quiz, users: dict[str, User], answers_for: Answers
) -> None:
    client = login(users["alice"])
    attempt = start(client, quiz)
    first = answers_for(attempt, "ch-what-if")
    assert post(client, attempt, 1, first).status_code == 302
    second = answers_for(attempt, "ch-construct")
    response = post(client, attempt, 2, second, action="submit")
    assert response.status_code == 302 and response["Location"] == attempt.get_absolute_url()
    attempt.refresh_from_db()
    assert attempt.status == "submitted" and attempt.score == 20 and attempt.max_score == 20
    page = client.get(attempt.get_absolute_url()).content.decode()
    assert "Score: <strong>20 / 20</strong>" in page
    # Every question's result, and a feedback replay for each.
    results = attempt.results["items"]
    assert all(
        r["status"] == "correct" for item in results.values() for r in item["questions"].values()
    )
    for item in results.values():
        for r in item["questions"].values():
            assert Replay.objects.filter(pk=r["replay"]).exists()
    # The construct answer carries its recording: regrading never needs the replay row.
    task = attempt.answers["ch-construct"]["make-it-move"]
    assert task["recording"]["lab"] == "consistent-hashing"


def test_double_submit_is_idempotent(
    quiz: Quiz, users: dict[str, User], answers_for: Answers
) -> None:
    client = login(users["alice"])
    attempt = start(client, quiz)
    right = answers_for(attempt, "ch-what-if")
    post(client, attempt, 1, right, action="submit-unanswered")
    attempt.refresh_from_db()
    score, submitted = attempt.score, attempt.submitted
    wrong = {k: "0" for k in right if k.endswith(("moved-if", "slot"))}
    response = post(client, attempt, 1, wrong, action="submit")
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.score == score and attempt.submitted == submitted
    assert Attempt.objects.filter(quiz=quiz, user=users["alice"]).count() == 1
    # And straight through the service: the second call sees the stored result.
    outcome = services.submit(attempt, attempt.token, {})
    assert outcome.already and not outcome.submitted


def test_refused_answers_use_no_attempt_and_say_why(quiz: Quiz, users: dict[str, User]) -> None:
    client = login(users["alice"])
    attempt = start(client, quiz)
    response = post(
        client, attempt, 1, {"a-ch-what-if-moved-if": "lots", "a-ch-what-if-slot": "12"}, "submit"
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was submitted and no attempt was used." in html
    assert "Exercise 1, question 1 must be a number like 42 or 0.25, got &#x27;lots&#x27;" in html
    attempt.refresh_from_db()
    assert attempt.status == "open" and attempt.score is None
    assert attempt.answers["ch-what-if"]["slot"] == 12.0  # the valid answer is kept as a draft
    bad_choice = post(client, attempt, 1, {"a-ch-what-if-owner-after": "Nobody"}, "submit")
    assert "Exercise 1, question 2 must be one of the options" in bad_choice.content.decode()
    construct = post(
        client, attempt, 2, {"a-ch-construct-make-it-move": "no-such-replay"}, "submit"
    )
    assert (
        "must name a recording saved from the live lab (none has this id)"
        in construct.content.decode()
    )
    assert Attempt.objects.get(pk=attempt.pk).status == "open"


def test_a_recording_of_someone_elses_variant_is_refused(
    quiz: Quiz, users: dict[str, User], answers_for: Answers
) -> None:
    alice = start(login(users["alice"]), quiz)
    replay_id = answers_for(alice, "ch-construct")["a-ch-construct-make-it-move"]
    client = login(users["bob"])
    bob = start(client, quiz)
    html = post(
        client, bob, 2, {"a-ch-construct-make-it-move": replay_id}, "submit"
    ).content.decode()
    assert "must start from this exercise&#x27;s scenario" in html
    assert Attempt.objects.get(pk=bob.pk).status == "open"


def test_attempt_limit_is_enforced(quiz: Quiz, users: dict[str, User]) -> None:
    client = login(users["alice"])
    for _ in range(2):
        attempt = start(client, quiz)
        post(client, attempt, 1, {}, "submit-unanswered")
        assert Attempt.objects.get(pk=attempt.pk).status == "submitted"
    response = client.post(quiz.get_absolute_url())
    assert response.status_code == 302 and response["Location"] == quiz.get_absolute_url()
    assert "You have used all 2 attempts." in client.get(quiz.get_absolute_url()).content.decode()
    assert Attempt.objects.filter(quiz=quiz, user=users["alice"]).count() == 2
    with pytest.raises(services.QuizClosed, match="used all 2 attempts"):
        services.start_attempt(quiz, users["alice"])


def test_opening_and_closing_times_are_enforced(quiz: Quiz, users: dict[str, User]) -> None:
    now = timezone.now()
    quiz.opens = now + timedelta(hours=1)
    quiz.save()
    with pytest.raises(services.QuizClosed, match="opens at"):
        services.start_attempt(quiz, users["alice"])
    quiz.opens, quiz.closes = now - timedelta(hours=2), now - timedelta(hours=1)
    quiz.save()
    with pytest.raises(services.QuizClosed, match="closed at"):
        services.start_attempt(quiz, users["alice"])
    assert not Attempt.objects.exists()


def test_past_the_deadline_nothing_is_accepted_and_saved_answers_are_graded(
    quiz: Quiz, users: dict[str, User], answers_for: Answers
) -> None:
    quiz.time_limit = 30
    quiz.save()
    client = login(users["alice"])
    attempt = start(client, quiz)
    assert attempt.deadline is not None and attempt.deadline - attempt.started == timedelta(
        minutes=30
    )
    right = answers_for(attempt, "ch-what-if")
    slot_only = {k: v for k, v in right.items() if k.endswith("-slot")}
    post(client, attempt, 1, slot_only)  # saved before the deadline
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    attempt.refresh_from_db()
    response = post(client, attempt, 1, right, "submit")  # too late: the rest is not taken
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.status == "expired"
    questions = attempt.results["items"]["ch-what-if"]["questions"]
    assert questions["slot"]["status"] == "correct" and questions["moved-if"]["status"] == "blank"
    assert attempt.score == pytest.approx(10 * 1 / 5)


def test_the_deadline_is_never_after_closing(quiz: Quiz, users: dict[str, User]) -> None:
    quiz.time_limit = 60
    quiz.closes = timezone.now() + timedelta(minutes=10)
    quiz.save()
    attempt = services.start_attempt(quiz, users["alice"])
    assert attempt.deadline == quiz.closes


def test_regrade_after_fixing_an_exercise(
    tmp_path: Path, settings: Any, users: dict[str, User]
) -> None:
    folder = tmp_path / "content"
    folder.mkdir()
    settings.PAPERLABS_CONTENT_DIRS = [folder]
    original = (SHIPPED / "exercises" / "ch-what-if.md").read_text()
    (folder / "ex.md").write_text(original)
    quiz = Quiz.objects.create(slug="fix", title="Fix", reveal="immediately")
    QuizItem.objects.create(quiz=quiz, exercise="ch-what-if", points=5)
    client = login(users["alice"])
    attempt = start(client, quiz)
    prepared = prepared_of(attempt, "ch-what-if")
    slot = prepared.expected["slot"].value
    post(client, attempt, 1, {"a-ch-what-if-slot": str(slot)}, "submit-unanswered")
    attempt.refresh_from_db()
    assert attempt.score == pytest.approx(5 * 1 / 5)
    # The instructor fixes the exercise: the slot question is now worth 4 points.
    (folder / "ex.md").write_text(
        original.replace(
            "query: {name: slot_of_key, args: {key: $key}}",
            "query: {name: slot_of_key, args: {key: $key}}\n    points: 4",
        )
    )
    assert content.installed().exercises["ch-what-if"].question("slot").points == 4
    teacher = users["teacher"]
    quiz.instructors.add(teacher)
    response = login(teacher).post(f"/quizzes/{quiz.slug}/regrade/")
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.score == pytest.approx(5 * 4 / 8)
    assert login(users["bob"]).post(f"/quizzes/{quiz.slug}/regrade/").status_code == 403


def test_reveal_after_the_last_attempt(quiz: Quiz, users: dict[str, User]) -> None:
    client = login(users["alice"])
    attempt = start(client, quiz)
    post(client, attempt, 1, {"a-ch-what-if-slot": "1"}, "submit-unanswered")
    page = client.get(attempt.get_absolute_url()).content.decode()
    slot = prepared_of(attempt, "ch-what-if").expected["slot"].value
    assert "The answer:" not in page and "The expected answers are shown after the student" in page
    last = start(client, quiz)
    post(client, last, 1, {"a-ch-what-if-slot": "1"}, "submit-unanswered")
    page = client.get(last.get_absolute_url()).content.decode()
    assert f"The answer: <strong>{slot}</strong>" in page
    assert "/replays/fb-" in page


def test_load_content_creates_the_shipped_quiz(users: dict[str, User]) -> None:
    User.objects.create_user("instructor")
    call_command("load_content")
    quiz = Quiz.objects.get(slug="ring-quiz")
    assert quiz.source == "file" and quiz.max_attempts == 3 and quiz.time_limit == 60
    assert [i.exercise for i in quiz.items.all()] == ["ch-what-if", "ch-construct"]
    assert list(quiz.instructors.values_list("username", flat=True)) == ["instructor"]
    assert Replay.objects.get(pk="ch-strategies-walkthrough").captions["0"].startswith("Dynamo")
    call_command("load_content")  # twice: updated, not duplicated
    assert Quiz.objects.filter(slug="ring-quiz").count() == 1 and quiz.items.count() == 2
