"""What must not leak: a quiz's variants through practice, a closed quiz's exercises,
other instructors' quizzes through the admin."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.utils import timezone

from labs.teaching import content, services
from labs.teaching.models import Quiz, QuizItem

pytestmark = pytest.mark.django_db


def as_user(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def scenario_link(html: str) -> str:
    """The signed scenario the page opens the lab on: it holds the variant's seed."""
    match = re.search(r'data-ws-query="\?scenario=([^"&]+)', html)
    assert match, "no scenario link on the page"
    return match.group(1)


@pytest.mark.parametrize("slug", ["practice", "check", "q-test"])
def test_a_quiz_variant_is_never_a_public_practice_variant(
    users: dict[str, User], slug: str
) -> None:
    # A quiz made in the admin (or an old database) can carry any slug.
    quiz = Quiz.objects.create(slug=slug, title="Named like the practice space")
    QuizItem.objects.create(quiz=quiz, position=1, exercise="ch-what-if")
    alice = users["alice"]
    student = as_user(alice)
    attempt = services.start_attempt(quiz, alice)
    in_quiz = scenario_link(student.get(attempt.get_absolute_url() + "?item=1").content.decode())
    # The public practice page of the same exercise, at the variant number a student
    # could guess (their own user id), logged out.
    practice = as_user(None).get(f"/exercises/ch-what-if/?variant={alice.pk}")
    assert practice.status_code == 200
    assert scenario_link(practice.content.decode()) != in_quiz
    # Nor at any of the first variant numbers.
    seeds = {content.practice_variant_seed("ch-what-if", n) for n in range(200)}
    assert attempt.variant["ch-what-if"] not in seeds


QUIZ = """id: {id}
title: A quiz
exercises:
  - {{exercise: t-ps, points: 5}}
"""
PER_STUDENT = """---
id: t-ps
title: A test exercise
lab: consistent-hashing
scenario:
  params: {nodes: 3, keys: 60, vnodes: 4}
  seed: per student
questions:
  - id: q1
    type: numeric
    prompt: How many nodes?
    query: node_count
---
Text.
"""


@pytest.mark.parametrize("reserved", ["practice", "check"])
def test_the_loader_refuses_reserved_quiz_ids(tmp_path: Path, reserved: str) -> None:
    (tmp_path / "t-ps.md").write_text(PER_STUDENT)
    (tmp_path / "t-quiz.yaml").write_text(QUIZ.format(id=reserved))
    loaded = content.load([tmp_path])
    found = [str(p) for p in loaded.problems]
    problem = next((p for p in found if "t-quiz.yaml:1: id: " in p), "")
    assert f"got {reserved!r}" in problem and "reserved" in problem, found
    assert reserved not in loaded.quizzes
    # A file named after a reserved word, with no id, is refused the same way.
    (tmp_path / "t-quiz.yaml").unlink()
    (tmp_path / f"{reserved}.yaml").write_text(QUIZ.format(id=reserved).split("\n", 1)[1])
    found = [str(p) for p in content.load([tmp_path]).problems]
    assert any(
        f"{reserved}.yaml" in p and ": id: " in p and f"got {reserved!r}" in p for p in found
    ), found


def test_the_admin_refuses_reserved_quiz_slugs(users: dict[str, User]) -> None:
    admin = User.objects.create_superuser("root", password="pw")
    response = as_user(admin).post(
        "/admin/teaching/quiz/add/",
        {
            "slug": "practice",
            "title": "Sneaky",
            "max_attempts": "1",
            "reveal": "after_last_attempt",
            "items-TOTAL_FORMS": "0",
            "items-INITIAL_FORMS": "0",
            "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 200
    assert "is reserved" in response.content.decode()
    assert not Quiz.objects.filter(slug="practice").exists()


def test_a_quiz_not_yet_open_shows_no_exercises_to_students(
    quiz: Quiz, users: dict[str, User]
) -> None:
    quiz.opens = timezone.now() + timedelta(days=1)
    quiz.save()
    titles = [content.exercise(i.exercise).title for i in quiz.items.all()]  # type: ignore[union-attr]
    page = as_user(users["alice"]).get(quiz.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "This quiz is not open" in html
    for title in titles:
        assert title not in html and title.replace('"', "&quot;") not in html
    assert "ch-what-if" not in html
    # Its instructor sees what the students will get.
    html = as_user(users["teacher"]).get(quiz.get_absolute_url()).content.decode()
    assert all(t.replace('"', "&quot;") in html for t in titles)
    # Once open, students see the titles.
    quiz.opens = timezone.now() - timedelta(minutes=1)
    quiz.save()
    html = as_user(users["alice"]).get(quiz.get_absolute_url()).content.decode()
    assert all(t.replace('"', "&quot;") in html for t in titles)


def test_the_admin_filter_lists_only_the_quizzes_one_manages(
    quiz: Quiz, users: dict[str, User]
) -> None:
    secret = Quiz.objects.create(slug="q-secret", title="Secret upcoming exam")
    QuizItem.objects.create(quiz=secret, position=1, exercise="ch-what-if")
    teacher = users["teacher"]
    teacher.is_staff = True
    teacher.save()
    teacher.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_quiz", "view_attempt"])
    )
    services.start_attempt(quiz, users["alice"])
    services.start_attempt(secret, users["bob"])
    page = as_user(teacher).get("/admin/teaching/attempt/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Test quiz" in html
    assert "Secret upcoming exam" not in html and "Other quiz" not in html
    # A superuser's filter lists every quiz.
    root = User.objects.create_superuser("root", password="pw")
    html = as_user(root).get("/admin/teaching/attempt/").content.decode()
    assert "Secret upcoming exam" in html and "Other quiz" in html
