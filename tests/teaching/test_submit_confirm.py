"""Submitting a quiz with unanswered questions asks first; a second submit changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from labs.teaching.models import Attempt, Quiz

pytestmark = pytest.mark.django_db

Answers = Callable[[Attempt, str], dict[str, Any]]


def started(client: Client, quiz: Quiz) -> Attempt:
    client.post(quiz.get_absolute_url())
    return Attempt.objects.get(quiz=quiz, status="open")


def post(client: Client, attempt: Attempt, item: int, data: dict[str, Any], action: str) -> Any:
    return client.post(
        attempt.get_absolute_url(),
        {"item": str(item), "action": action, "token": attempt.token, **data},
    )


def test_a_blank_question_asks_first_and_keeps_the_answers(
    quiz: Quiz, users: dict[str, User], answers_for: Answers
) -> None:
    client = Client()
    client.force_login(users["alice"])
    attempt = started(client, quiz)
    right = answers_for(attempt, "ch-what-if")
    one_blank = {k: v for k, v in right.items() if not k.endswith("-slot")}
    response = post(client, attempt, 1, one_blank, "submit")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="confirm-unanswered"' in html and 'role="alertdialog"' in html
    # The blank one of exercise 1 and every question of exercise 2 (never opened).
    assert 'data-item="1" data-qid="slot"' in html
    assert html.count('data-item="2"') == 3
    assert "Submit with 4 unanswered questions?" in html
    attempt.refresh_from_db()
    assert attempt.status == "open" and attempt.score is None
    assert attempt.answers["ch-what-if"]["moved-if"] is not None  # kept as a draft

    # Confirmed: graded on what was given.
    response = post(client, attempt, 1, one_blank, "submit-unanswered")
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.status == "submitted"
    slot = attempt.results["items"]["ch-what-if"]["questions"]["slot"]
    assert slot["points"] == 0 and slot["status"] != "correct"
    score, submitted = attempt.score, attempt.submitted

    # A second submit, of either kind, changes nothing.
    for action in ("submit", "submit-unanswered"):
        again = post(client, attempt, 1, right, action)
        assert again.status_code == 302
        attempt.refresh_from_db()
        assert (attempt.score, attempt.submitted) == (score, submitted)
    assert Attempt.objects.filter(quiz=quiz, user=users["alice"]).count() == 1
    page = client.get(attempt.get_absolute_url()).content.decode()
    assert "already submitted" in page and 'id="confirm-unanswered"' not in page


def test_a_refused_answer_is_reported_before_any_question(
    quiz: Quiz, users: dict[str, User]
) -> None:
    client = Client()
    client.force_login(users["alice"])
    attempt = started(client, quiz)
    response = post(client, attempt, 1, {"a-ch-what-if-moved-if": "lots"}, "submit")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Exercise 1, question 1 must be a number like 42 or 0.25, got &#x27;lots&#x27;" in html
    assert 'id="confirm-unanswered"' not in html
    attempt.refresh_from_db()
    assert attempt.status == "open"


def test_nothing_blank_submits_at_once(
    quiz: Quiz, users: dict[str, User], answers_for: Answers
) -> None:
    client = Client()
    client.force_login(users["alice"])
    attempt = started(client, quiz)
    assert post(client, attempt, 1, answers_for(attempt, "ch-what-if"), "save").status_code == 302
    response = post(client, attempt, 2, answers_for(attempt, "ch-construct"), "submit")
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.status == "submitted" and attempt.score == 20
