"""The Django admin: quiz items must name valid exercises; regrade actions."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from labs.teaching import services
from labs.teaching.admin import QuizItemForm
from labs.teaching.models import Attempt, Quiz

pytestmark = pytest.mark.django_db


def test_an_item_must_name_a_valid_exercise() -> None:
    form = QuizItemForm(data={"position": 1, "exercise": "nope", "points": ""})
    assert not form.is_valid()
    assert (
        "exercise 'nope' does not exist (valid: ch-construct, ch-join-basics"
        in form.errors["exercise"][0]
    )
    assert QuizItemForm(data={"position": 1, "exercise": "ch-what-if", "points": "5"}).is_valid()


def test_admin_creates_a_quiz_and_regrades(users: dict[str, User], quiz: Quiz) -> None:
    root = User.objects.create_superuser("root", password="x")
    client = Client()
    client.force_login(root)
    response = client.post(
        "/admin/teaching/quiz/add/",
        {
            "slug": "made-here",
            "title": "Made in the admin",
            "description": "",
            "max_attempts": "2",
            "reveal": "after_last_attempt",
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "1000",
            "items-0-position": "1",
            "items-0-exercise": "ch-what-if",
            "items-0-points": "4",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    made = Quiz.objects.get(slug="made-here")
    assert made.source == "admin" and [i.exercise for i in made.items.all()] == ["ch-what-if"]
    attempt = services.start_attempt(made, users["alice"])
    services.submit(attempt, attempt.token, {})
    Attempt.objects.filter(pk=attempt.pk).update(score=99)
    response = client.post(
        "/admin/teaching/quiz/",
        {"action": "regrade_quizzes", "_selected_action": [str(made.pk)]},
    )
    assert response.status_code == 302
    assert Attempt.objects.get(pk=attempt.pk).score == 0
    Attempt.objects.filter(pk=attempt.pk).update(score=99)
    client.post(
        "/admin/teaching/attempt/",
        {"action": "regrade_attempts", "_selected_action": [str(attempt.pk)]},
    )
    assert Attempt.objects.get(pk=attempt.pk).score == 0
