"""Instructors named by a quiz file, the forbidden and not-found pages, content problems."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client

from labs.teaching import content
from labs.teaching.models import Attempt, Quiz
from tests.teaching.conftest import VALID

pytestmark = pytest.mark.django_db


def as_user(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_an_instructor_created_after_load_content_manages_the_quiz_at_once(
    settings: Any,
) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_content")  # the README's order: make run, then the account
    quiz = Quiz.objects.get(slug="ring-quiz")
    assert quiz.instructor_names == ["instructor"] and not quiz.instructors.exists()
    teacher = User.objects.create_user("instructor", password="pw")
    client = as_user(teacher)
    response = client.get("/quizzes/ring-quiz/gradebook/")
    assert response.status_code == 200 and b'id="gradebook"' in response.content
    assert client.get("/quizzes/ring-quiz/gradebook.csv").status_code == 200
    assert list(Quiz.managed_by(teacher)) == [quiz]
    assert b"gradebook" in client.get("/quizzes/ring-quiz/").content
    # Somebody else is still refused.
    student = User.objects.create_user("student", password="pw")
    assert as_user(student).get("/quizzes/ring-quiz/gradebook/").status_code == 403
    assert list(Quiz.managed_by(student)) == []


def test_a_group_created_after_load_content_manages_the_quiz(
    content_dir: Path, settings: Any
) -> None:
    (content_dir / "t-ex.md").write_text(VALID.replace("seed: 5", "seed: per student"))
    (content_dir / "g.yaml").write_text(
        "id: g-quiz\ntitle: G\ninstructor_groups: [tas]\nexercises: [t-ex]\n"
    )
    call_command("load_content")
    ta = User.objects.create_user("ta")
    assert as_user(ta).get("/quizzes/g-quiz/gradebook/").status_code == 403
    Group.objects.create(name="tas").user_set.add(ta)
    assert as_user(ta).get("/quizzes/g-quiz/gradebook/").status_code == 200
    assert [q.slug for q in Quiz.managed_by(ta)] == ["g-quiz"]


def test_the_forbidden_page_has_the_layout_and_says_what_to_do(
    quiz: Quiz, users: dict[str, User], settings: Any
) -> None:
    settings.DEBUG = False
    response = as_user(users["alice"]).get(f"/quizzes/{quiz.slug}/gradebook/")
    assert response.status_code == 403
    html = response.content.decode()
    assert '<header class="site">' in html and 'href="/quizzes/"' in html
    assert "Only the instructors of the quiz" in html and "Test quiz" in html
    assert "You are logged in as <strong>alice</strong>" in html
    assert f'/accounts/login/?next=/quizzes/{quiz.slug}/gradebook/"' in html
    assert "instructors: [...]" in html


def test_answering_someone_elses_attempt_is_refused_with_the_layout(
    quiz: Quiz, users: dict[str, User], settings: Any
) -> None:
    settings.DEBUG = False
    client = as_user(users["alice"])
    client.post(f"/quizzes/{quiz.slug}/")
    attempt = Attempt.objects.get(user=users["alice"])
    response = as_user(users["teacher"]).post(attempt.get_absolute_url(), {"action": "save"})
    assert response.status_code == 403
    assert b"Only the student who owns this attempt can answer it" in response.content
    assert b'<header class="site">' in response.content


@pytest.mark.parametrize("url", ["/no/such/page/", "/attempts/999999/", "/exercises/ghost/"])
def test_the_not_found_page_has_the_layout_and_says_what_to_do(
    url: str, users: dict[str, User], settings: Any
) -> None:
    settings.DEBUG = False
    response = as_user(users["alice"]).get(url)
    assert response.status_code == 404
    html = response.content.decode()
    assert '<header class="site">' in html and "There is nothing here" in html
    assert f"<code>{url}</code>" in html and 'href="/exercises/"' in html
    assert "Resolver404" not in html


def test_a_broken_file_is_logged_when_loaded_and_listed_in_the_admin(
    content_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (content_dir / "good.md").write_text(VALID)
    (content_dir / "bad.md").write_text(
        VALID.replace("id: t-ex", "id: t-bad").replace("nodes: 3", "nodes: 999")
    )
    content._cache = None
    with caplog.at_level(logging.WARNING, logger="paperlabs.content"):
        loaded = content.installed()
    assert "t-ex" in loaded.exercises and "t-bad" not in loaded.exercises
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "bad.md:6: scenario.params.nodes: must be an integer between 0 and 64" in logged
    assert "1 of 2 content files have problems" in logged
    admin = User.objects.create_superuser("root", password="pw")
    client = as_user(admin)
    listing = client.get("/admin/teaching/quiz/", follow=True).content.decode()
    assert "1 of 2 content files have problems and are not served" in listing
    page = client.get("/admin/teaching/quiz/content/").content.decode()
    assert "bad.md" in page and "not served" in page
    assert "<code>scenario.params.nodes</code>: must be an integer between 0 and 64" in page


@pytest.mark.parametrize(
    "argv,serving",
    [
        (["/srv/.venv/bin/daphne", "-b", "127.0.0.1", "labs.asgi:application"], True),
        (["/usr/lib/python3/site-packages/daphne/__main__.py", "labs.asgi:application"], True),
        (["manage.py", "runserver"], True),
        (["manage.py", "check_exercises"], False),
        (["/srv/.venv/bin/pytest", "tests/teaching"], False),
    ],
)
def test_a_server_checks_the_content_at_start_up(argv: list[str], serving: bool) -> None:
    from labs.teaching.apps import serving as is_server

    assert is_server(argv) is serving
