"""Courses and roles: who sees, takes and manages a course's quizzes, by page and by URL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from labs.teaching import services
from labs.teaching.models import (
    INSTRUCTOR,
    STUDENT,
    TA,
    Attempt,
    Course,
    CourseExercise,
    Membership,
    Quiz,
    QuizItem,
)

pytestmark = pytest.mark.django_db


def as_user(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def people(users: dict[str, User]) -> dict[str, User]:
    make = User.objects.create_user
    return {**users, "ta": make("ta", password="pw"), "carol": make("carol", password="pw")}


@pytest.fixture
def course(people: dict[str, User]) -> Course:
    course = Course.objects.create(slug="dist-101", title="Distributed Systems 101")
    for name, role in (("teacher", INSTRUCTOR), ("ta", TA), ("alice", STUDENT), ("bob", STUDENT)):
        Membership.objects.create(course=course, user=people[name], role=role)
    return course


@pytest.fixture
def other_course(people: dict[str, User]) -> Course:
    other = Course.objects.create(slug="other-101", title="Other course")
    Membership.objects.create(course=other, user=people["other_teacher"], role=INSTRUCTOR)
    Membership.objects.create(course=other, user=people["carol"], role=STUDENT)
    return other


@pytest.fixture
def course_quiz(course: Course) -> Quiz:
    quiz = Quiz.objects.create(slug="c-quiz", title="Course quiz", course=course, max_attempts=2)
    QuizItem.objects.create(quiz=quiz, position=1, exercise="ch-what-if", points=10)
    return quiz


@pytest.fixture
def other_quiz(other_course: Course) -> Quiz:
    quiz = Quiz.objects.create(slug="o-quiz", title="Other course quiz", course=other_course)
    QuizItem.objects.create(quiz=quiz, position=1, exercise="ch-what-if", points=10)
    return quiz


def test_only_the_courses_students_take_its_quiz(
    course_quiz: Quiz, people: dict[str, User]
) -> None:
    alice = as_user(people["alice"])
    assert alice.get("/quizzes/c-quiz/").status_code == 200
    response = alice.post("/quizzes/c-quiz/")
    assert response.status_code == 302 and response["Location"].startswith("/attempts/")
    assert Attempt.objects.filter(quiz=course_quiz, user=people["alice"]).count() == 1
    # Staff see the quiz but do not take it.
    for name in ("teacher", "ta"):
        client = as_user(people[name])
        page = client.get("/quizzes/c-quiz/").content.decode()
        assert "Only the course's students take this quiz" in page and 'id="start"' not in page
        client.post("/quizzes/c-quiz/")
        assert not Attempt.objects.filter(user=people[name]).exists()
    with pytest.raises(services.QuizClosed, match="Only the students"):
        services.start_attempt(course_quiz, people["carol"])


def test_a_student_cannot_reach_another_courses_quiz_or_gradebook_by_url(
    course_quiz: Quiz, other_quiz: Quiz, people: dict[str, User]
) -> None:
    alice = as_user(people["alice"])
    attempt = services.start_attempt(other_quiz, people["carol"])
    for url in (
        "/quizzes/o-quiz/",
        "/quizzes/o-quiz/gradebook/",
        "/quizzes/o-quiz/gradebook.csv",
        "/quizzes/o-quiz/statistics/",
        "/courses/other-101/",
        attempt.get_absolute_url(),
    ):
        response = alice.get(url)
        assert response.status_code == 404, url
        assert b"carol" not in response.content
    assert alice.post("/quizzes/o-quiz/").status_code == 404
    assert alice.post("/quizzes/o-quiz/regrade/").status_code == 404
    assert alice.post("/courses/other-101/enrol/", {"text": "username\nalice"}).status_code == 404
    assert alice.post("/quizzes/o-quiz/grades/retry/").status_code == 404
    assert alice.post("/courses/other-101/join-link/", {"action": "open"}).status_code == 404
    assert not Attempt.objects.filter(user=people["alice"]).exists()
    listing = alice.get("/quizzes/").content.decode()
    assert "Course quiz" in listing and "Other course quiz" not in listing
    # A user in no course sees neither.
    outsider = as_user(User.objects.create_user("dave"))
    assert outsider.get("/quizzes/c-quiz/").status_code == 404
    assert "Course quiz" not in outsider.get("/quizzes/").content.decode()


def test_a_student_of_the_course_cannot_see_its_gradebook(
    course_quiz: Quiz, people: dict[str, User]
) -> None:
    alice = as_user(people["alice"])
    for url in (
        "/quizzes/c-quiz/gradebook/",
        "/quizzes/c-quiz/gradebook.csv",
        "/quizzes/c-quiz/statistics/",
    ):
        assert alice.get(url).status_code == 403, url
    page = alice.get("/courses/dist-101/").content.decode()
    assert "Course quiz" in page and 'id="members"' not in page and "gradebook" not in page


def test_instructors_and_tas_see_the_gradebook_of_their_course_only(
    course_quiz: Quiz, other_quiz: Quiz, people: dict[str, User]
) -> None:
    services.start_attempt(course_quiz, people["alice"])
    for name in ("teacher", "ta"):
        client = as_user(people[name])
        assert client.get("/quizzes/c-quiz/gradebook/").status_code == 200
        assert "alice" in client.get("/quizzes/c-quiz/gradebook.csv").content.decode()
        assert client.get("/quizzes/o-quiz/gradebook/").status_code == 404
        page = client.get("/courses/dist-101/").content.decode()
        assert 'id="members"' in page and "bob" in page
    assert set(Quiz.managed_by(people["ta"])) == {course_quiz}
    assert as_user(people["other_teacher"]).get("/quizzes/c-quiz/gradebook/").status_code == 404


def test_a_quiz_without_a_course_keeps_the_older_rule(
    quiz: Quiz, course: Course, people: dict[str, User]
) -> None:
    carol = as_user(people["carol"])
    assert carol.get(f"/quizzes/{quiz.slug}/").status_code == 200
    assert carol.post(f"/quizzes/{quiz.slug}/").status_code == 302
    assert as_user(people["teacher"]).get(f"/quizzes/{quiz.slug}/gradebook/").status_code == 200
    assert as_user(people["ta"]).get(f"/quizzes/{quiz.slug}/gradebook/").status_code == 403


def test_published_exercises_are_listed_between_their_times(
    course: Course, people: dict[str, User]
) -> None:
    now = timezone.now()
    CourseExercise.objects.create(course=course, exercise="ch-join-basics")
    CourseExercise.objects.create(
        course=course, exercise="sw-small-world", opens=now + timedelta(days=1)
    )
    student = as_user(people["alice"]).get("/courses/dist-101/").content.decode()
    assert "/exercises/ch-join-basics/" in student and "/exercises/sw-small-world/" not in student
    staff = as_user(people["ta"]).get("/courses/dist-101/").content.decode()
    assert "/exercises/sw-small-world/" in staff and "not open to students now" in staff


def test_a_quiz_opening_later_is_not_listed_for_students(
    course: Course, people: dict[str, User]
) -> None:
    later = Quiz.objects.create(
        slug="later", title="Later quiz", course=course, opens=timezone.now() + timedelta(days=2)
    )
    QuizItem.objects.create(quiz=later, position=1, exercise="ch-what-if")
    assert "Later quiz" not in as_user(people["alice"]).get("/courses/dist-101/").content.decode()
    assert "Later quiz" in as_user(people["teacher"]).get("/courses/dist-101/").content.decode()
    with pytest.raises(services.QuizClosed, match="opens at"):
        services.start_attempt(later, people["alice"])


def test_course_list_shows_the_users_courses_and_roles(
    course: Course, other_course: Course, people: dict[str, User]
) -> None:
    page = as_user(people["ta"]).get("/courses/").content.decode()
    assert "Distributed Systems 101" in page and "Other course" not in page and "ta" in page
    assert as_user(None).get("/courses/").status_code == 302


def test_question_statistics_count_right_and_wrong_answers(
    course_quiz: Quiz,
    people: dict[str, User],
    answers_for: Callable[[Attempt, str], dict[str, Any]],
) -> None:
    def right_answers(attempt: Attempt) -> dict[str, Any]:
        fields = answers_for(attempt, "ch-what-if")
        return {k.removeprefix("a-ch-what-if-"): v for k, v in fields.items()}

    right = services.start_attempt(course_quiz, people["alice"])
    posted = {"ch-what-if": right_answers(right)}
    services.submit(right, right.token, posted)
    # Each student has a variant of their own: bob's answers are right for his.
    wrong = services.start_attempt(course_quiz, people["bob"])
    first_qid = next(iter(posted["ch-what-if"]))
    bad = right_answers(wrong)
    good_value = bad[first_qid]
    bad[first_qid] = "0" if good_value != "0" else "1"
    services.submit(wrong, wrong.token, {"ch-what-if": bad})
    from labs.teaching.statistics import question_stats

    stats = {s.qid: s for s in question_stats(course_quiz)}
    first = stats[first_qid]
    assert first.students == 2 and first.correct == 1 and first.wrong + first.partial == 1
    assert first.common_wrong == [(bad[first_qid], 1)]
    for qid, s in stats.items():
        if qid != first_qid:
            assert s.correct == 2, qid
    page = as_user(people["ta"]).get("/quizzes/c-quiz/gradebook/").content.decode()
    assert 'id="stats-chart"' in page and 'id="question-stats"' in page
    assert f"<q>{bad[first_qid]}</q> ×1" in page
    alone = as_user(people["teacher"]).get("/quizzes/c-quiz/statistics/")
    assert alone.status_code == 200 and b"bar-correct" in alone.content
