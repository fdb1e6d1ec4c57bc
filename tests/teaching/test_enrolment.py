"""Enrolment: a CSV upload (all or nothing, roles the uploader may grant) and the join link."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from labs.teaching import enrolment
from labs.teaching.models import INSTRUCTOR, STUDENT, TA, Course, Membership

pytestmark = pytest.mark.django_db


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def course(users: dict[str, User]) -> Course:
    course = Course.objects.create(slug="dist-101", title="Distributed Systems 101")
    Membership.objects.create(course=course, user=users["teacher"], role=INSTRUCTOR)
    ta = User.objects.create_user("ta")
    Membership.objects.create(course=course, user=ta, role=TA)
    Membership.objects.create(course=course, user=users["alice"], role=STUDENT)
    return course


def roles(course: Course) -> dict[str, str]:
    return {m.user.get_username(): m.role for m in course.memberships.select_related("user")}


def test_a_csv_enrols_existing_and_new_users_through_the_page(
    course: Course, users: dict[str, User]
) -> None:
    text = (
        "username,email,role,first_name,last_name\n"
        "bob,,student,,\n"
        "newbie,newbie@example.org,,New,Student\n"
        ",other_teacher@example.org,ta,,\n"
    )
    users["other_teacher"].email = "other_teacher@example.org"
    users["other_teacher"].save()
    upload = SimpleUploadedFile("roster.csv", text.encode(), content_type="text/csv")
    response = as_user(users["teacher"]).post(
        "/courses/dist-101/enrol/", {"csv": upload}, follow=True
    )
    assert "Enrolled 3 new members" in response.content.decode()
    got = roles(course)
    assert got["bob"] == STUDENT and got["newbie"] == STUDENT and got["other_teacher"] == TA
    newbie = User.objects.get(username="newbie")
    assert not newbie.has_usable_password() and newbie.get_full_name() == "New Student"
    assert Membership.objects.get(user=newbie).source == "csv"


def test_one_bad_line_refuses_the_whole_file(course: Course, users: dict[str, User]) -> None:
    before = roles(course)
    accounts = User.objects.count()
    text = "username,role\nbob,student\nnewbie,student\nzed,professor\nbad name!,student\n"
    result = enrolment.enrol_csv(text, course, users["teacher"])
    assert not result.ok
    assert any("line 4" in p and "professor" in p for p in result.problems)
    assert any("line 5" in p and "bad name!" in p for p in result.problems)
    assert roles(course) == before and User.objects.count() == accounts
    page = as_user(users["teacher"]).post("/courses/dist-101/enrol/", {"text": text}, follow=True)
    assert "Nothing was enrolled" in page.content.decode()
    assert roles(course) == before


@pytest.mark.parametrize(
    "text, problem",
    [
        ("", "no rows"),
        ("name,role\nbob,student\n", "header"),
        ("username\nbob\nbob\n", "twice"),
        ("email\nnot-an-email\n", "name@host"),
    ],
)
def test_malformed_files_are_refused_with_the_reason(
    course: Course, users: dict[str, User], text: str, problem: str
) -> None:
    result = enrolment.enrol_csv(text, course, users["teacher"])
    assert not result.ok and problem in " ".join(result.problems)


def test_a_teaching_assistant_enrols_students_only(course: Course, users: dict[str, User]) -> None:
    ta = User.objects.get(username="ta")
    result = enrolment.enrol_csv("username,role\nbob,instructor\n", course, ta)
    assert not result.ok and "students only" in result.problems[0]
    assert "bob" not in roles(course)
    assert enrolment.enrol_csv("username,role\nbob,student\n", course, ta).ok
    assert roles(course)["bob"] == STUDENT
    # Nor may a TA demote the instructor, nor remove them.
    result = enrolment.enrol_csv("username,role\nteacher,student\n", course, ta)
    assert not result.ok and roles(course)["teacher"] == INSTRUCTOR
    teacher = Membership.objects.get(course=course, user=users["teacher"])
    assert as_user(ta).post(f"/courses/dist-101/members/{teacher.pk}/remove/").status_code == 403
    assert Membership.objects.filter(pk=teacher.pk).exists()


def test_students_and_outsiders_cannot_enrol(course: Course, users: dict[str, User]) -> None:
    text = "username,role\nbob,instructor\n"
    assert not enrolment.enrol_csv(text, course, users["alice"]).ok
    assert (
        as_user(users["alice"]).post("/courses/dist-101/enrol/", {"text": text}).status_code == 403
    )
    assert as_user(users["bob"]).post("/courses/dist-101/enrol/", {"text": text}).status_code == 404
    assert "bob" not in roles(course)


def test_the_join_link_enrols_a_student_while_open(course: Course, users: dict[str, User]) -> None:
    bob = as_user(users["bob"])
    url = f"/courses/dist-101/join/{course.join_token}/"
    closed = bob.get(url)
    assert closed.status_code == 404 and b"not valid" in closed.content
    assert bob.post(url).status_code == 404 and "bob" not in roles(course)
    teacher = as_user(users["teacher"])
    teacher.post("/courses/dist-101/join-link/", {"action": "open"})
    course.refresh_from_db()
    assert course.join_open
    assert url in teacher.get("/courses/dist-101/").content.decode()
    assert bob.get(url).status_code == 200
    response = bob.post(url)
    assert response.status_code == 302 and roles(course)["bob"] == STUDENT
    assert Membership.objects.get(user=users["bob"]).source == "join"
    # The instructor following their own link stays an instructor.
    teacher.post(url)
    assert roles(course)["teacher"] == INSTRUCTOR
    # A renewed link refuses the old one; a wrong token is refused too.
    teacher.post("/courses/dist-101/join-link/", {"action": "renew"})
    carol = as_user(User.objects.create_user("carol"))
    assert carol.post(url).status_code == 404
    assert carol.post("/courses/dist-101/join/wrong/").status_code == 404
    assert "carol" not in roles(course)
    ta = as_user(User.objects.get(username="ta"))
    assert ta.post("/courses/dist-101/join-link/", {"action": "close"}).status_code == 403
