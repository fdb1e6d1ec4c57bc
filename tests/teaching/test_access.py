"""Who may see what: the authorization matrix, the gradebook and its CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from labs.models import Replay
from labs.teaching import services
from labs.teaching.gradebook_views import csv_cell
from labs.teaching.models import Attempt, Quiz

pytestmark = pytest.mark.django_db


def as_user(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def attempts(quiz: Quiz, users: dict[str, User]) -> dict[str, Attempt]:
    out = {}
    for name in ("alice", "bob"):
        attempt = services.start_attempt(quiz, users[name])
        services.submit(attempt, attempt.token, {"ch-what-if": {"slot": "7"}})
        attempt.refresh_from_db()
        out[name] = attempt
    return out


def test_anonymous_users_use_labs_replays_and_practice_but_log_in_for_quizzes(
    quiz: Quiz, attempts: dict[str, Attempt]
) -> None:
    anon = as_user(None)
    for url in (
        "/labs/consistent-hashing/",
        "/replays/",
        "/exercises/",
        "/exercises/ch-join-basics/",
    ):
        assert anon.get(url).status_code == 200, url
    assert anon.get("/exercises/ch-what-if/", follow=True).status_code == 200
    for url in (
        "/quizzes/",
        f"/quizzes/{quiz.slug}/",
        f"/quizzes/{quiz.slug}/gradebook/",
        f"/quizzes/{quiz.slug}/gradebook.csv",
        attempts["alice"].get_absolute_url(),
    ):
        response = anon.get(url)
        assert response.status_code == 302 and response["Location"].startswith(
            "/accounts/login/?next="
        ), url
    assert anon.post(f"/quizzes/{quiz.slug}/").status_code == 302
    assert not Attempt.objects.filter(user__isnull=True).exists()


def test_a_student_cannot_read_another_students_attempt(
    quiz: Quiz, users: dict[str, User], attempts: dict[str, Attempt]
) -> None:
    alice = as_user(users["alice"])
    assert alice.get(attempts["alice"].get_absolute_url()).status_code == 200
    bob_url = attempts["bob"].get_absolute_url()
    assert alice.get(bob_url).status_code == 404
    assert alice.post(bob_url, {"action": "submit", "item": "1"}).status_code == 404
    assert alice.get("/attempts/999999/").status_code == 404


def test_a_student_cannot_see_a_gradebook_or_its_csv(
    quiz: Quiz, users: dict[str, User], attempts: dict[str, Attempt]
) -> None:
    alice = as_user(users["alice"])
    assert alice.get(f"/quizzes/{quiz.slug}/gradebook/").status_code == 403
    response = alice.get(f"/quizzes/{quiz.slug}/gradebook.csv")
    assert response.status_code == 403 and b"bob" not in response.content
    assert alice.post(f"/quizzes/{quiz.slug}/regrade/").status_code == 403
    assert "gradebook" not in alice.get(f"/quizzes/{quiz.slug}/").content.decode()


def test_an_instructor_sees_only_the_quizzes_they_manage(
    quiz: Quiz, users: dict[str, User], attempts: dict[str, Attempt]
) -> None:
    teacher, other = as_user(users["teacher"]), as_user(users["other_teacher"])
    assert teacher.get(f"/quizzes/{quiz.slug}/gradebook/").status_code == 200
    assert teacher.get(attempts["bob"].get_absolute_url()).status_code == 200
    assert teacher.get("/quizzes/q-other/gradebook/").status_code == 403
    assert other.get(f"/quizzes/{quiz.slug}/gradebook/").status_code == 403
    assert other.get(f"/quizzes/{quiz.slug}/gradebook.csv").status_code == 403
    assert other.get(attempts["bob"].get_absolute_url()).status_code == 404
    assert other.get("/quizzes/q-other/gradebook/").status_code == 200
    listing = teacher.get("/quizzes/").content.decode()
    assert (
        f"/quizzes/{quiz.slug}/gradebook/" in listing
        and "/quizzes/q-other/gradebook/" not in listing
    )
    assert list(Quiz.managed_by(users["teacher"])) == [quiz]
    # An instructor cannot answer a student's attempt.
    response = teacher.post(attempts["bob"].get_absolute_url(), {"action": "save", "item": "1"})
    assert response.status_code in (302, 403)


def test_instructor_groups_and_the_admin_follow_the_same_rule(
    quiz: Quiz, users: dict[str, User], attempts: dict[str, Attempt]
) -> None:
    tas = Group.objects.create(name="tas")
    ta = User.objects.create_user("ta", is_staff=True)
    ta.groups.add(tas)
    assert as_user(ta).get(f"/quizzes/{quiz.slug}/gradebook/").status_code == 403
    quiz.instructor_groups.add(tas)
    assert as_user(ta).get(f"/quizzes/{quiz.slug}/gradebook/").status_code == 200
    from django.contrib.auth.models import Permission

    ta.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_quiz", "view_attempt", "change_quiz"])
    )
    admin = as_user(ta)
    page = admin.get("/admin/teaching/quiz/").content.decode()
    assert "Test quiz" in page and "Other quiz" not in page
    attempts_page = admin.get("/admin/teaching/attempt/").content.decode()
    assert "alice" in attempts_page
    other = Quiz.objects.get(slug="q-other")
    assert admin.get(f"/admin/teaching/quiz/{other.pk}/change/").status_code in (302, 404)


def test_gradebook_per_student_per_question_and_csv(
    quiz: Quiz, users: dict[str, User], attempts: dict[str, Attempt]
) -> None:
    evil = User.objects.create_user("=HYPERLINK(1)", first_name="+cmd", last_name="|x")
    attempt = services.start_attempt(quiz, evil)
    services.submit(attempt, attempt.token, {})
    teacher = as_user(users["teacher"])
    html = teacher.get(f"/quizzes/{quiz.slug}/gradebook/").content.decode()
    assert "1.moved-if" in html and "2.make-it-move" in html
    assert "alice" in html and "bob" in html
    response = teacher.get(f"/quizzes/{quiz.slug}/gradebook.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header = rows[0]
    assert header[:6] == ["username", "name", "attempt", "attempts", "status", "submitted"]
    assert header[-2:] == ["score", "max"] and "1.slot" in header and "2.make-it-move" in header
    by_user = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert set(by_user) == {"alice", "bob", "'=HYPERLINK(1)"}
    assert by_user["'=HYPERLINK(1)"]["name"] == "'+cmd |x"
    alice = attempts["alice"]
    assert float(by_user["alice"]["score"]) == pytest.approx(alice.score)
    slot_points = alice.results["items"]["ch-what-if"]["questions"]["slot"]["points"]
    assert float(by_user["alice"]["1.slot"]) == slot_points
    assert by_user["alice"]["max"] == "20.0"


@pytest.mark.parametrize(
    "value,shown",
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("alice", "alice"),
        (3.5, 3.5),
        (None, ""),
    ],
)
def test_csv_cells_a_spreadsheet_would_run_are_quoted(value: Any, shown: Any) -> None:
    assert csv_cell(value) == shown


def test_gradebook_keeps_the_best_finished_attempt(quiz: Quiz, users: dict[str, User]) -> None:
    alice = users["alice"]
    first = services.start_attempt(quiz, alice)
    services.submit(first, first.token, {})
    second = services.start_attempt(quiz, alice)
    from tests.teaching.conftest import prepared_of

    slot = prepared_of(second, "ch-what-if").expected["slot"].value
    services.submit(second, second.token, {"ch-what-if": {"slot": str(slot)}})
    from labs.teaching.gradebook_views import gradebook_data

    _, rows = gradebook_data(quiz)
    assert len(rows) == 1 and rows[0]["attempt"].number == 2 and rows[0]["attempts"] == 2


def test_exercise_answers_and_feedback_replays_stay_out_of_the_public_list(
    quiz: Quiz, attempts: dict[str, Attempt]
) -> None:
    feedback = Replay.objects.filter(source="feedback")
    assert feedback.exists()
    listing = as_user(None).get("/replays/").content.decode()
    for replay in feedback:
        assert replay.pk not in listing
