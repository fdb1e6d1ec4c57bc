"""Courses from quiz files and in the admin: the same rule as the site's pages."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from labs.teaching import content
from labs.teaching.models import INSTRUCTOR, STUDENT, TA, Course, Membership, Quiz

pytestmark = pytest.mark.django_db

QUIZ = """id: file-course-quiz
title: A course's quiz from a file
course: dist-101
instructors: [prof]
exercises:
  - {exercise: ch-what-if, points: 10}
"""


def test_a_quiz_file_publishes_to_a_course_and_its_instructors_become_its_staff(
    tmp_path: Path, settings: Any
) -> None:
    folder = tmp_path / "extra"
    folder.mkdir()
    (folder / "file-course-quiz.yaml").write_text(QUIZ)
    settings.PAPERLABS_CONTENT_DIRS = [*settings.PAPERLABS_CONTENT_DIRS, folder]
    prof = User.objects.create_user("prof")
    call_command("load_content", stdout=StringIO())
    quiz = Quiz.objects.get(slug="file-course-quiz")
    assert quiz.course is not None and quiz.course.slug == "dist-101"
    membership = Membership.objects.get(course=quiz.course, user=prof)
    assert membership.role == INSTRUCTOR and membership.source == "file"
    assert Quiz.objects.get(slug="ring-quiz").course is None


def test_a_bad_course_id_in_a_quiz_file_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(QUIZ.replace("course: dist-101", "course: Not A Slug!"))
    loaded = content.load([tmp_path])
    assert any("course" in str(p) for p in loaded.problems)


def test_the_course_admin_shows_staff_only_their_courses_and_enrols_from_a_csv() -> None:
    mine = Course.objects.create(slug="mine", title="Mine")
    Course.objects.create(slug="theirs", title="Theirs")
    prof = User.objects.create_user("prof", is_staff=True)
    prof.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_course", "change_course"])
    )
    Membership.objects.create(course=mine, user=prof, role=INSTRUCTOR)
    student = User.objects.create_user("stu", is_staff=True)
    student.user_permissions.add(*Permission.objects.filter(codename="view_course"))
    Membership.objects.create(course=Course.objects.get(slug="theirs"), user=student, role=STUDENT)
    client = Client()
    client.force_login(prof)
    listing = client.get("/admin/teaching/course/").content.decode()
    assert "Mine" in listing and "Theirs" not in listing
    theirs = Course.objects.get(slug="theirs")
    assert client.get(f"/admin/teaching/course/{theirs.pk}/change/").status_code in (302, 404)
    as_student = Client()
    as_student.force_login(student)
    assert "Theirs" not in as_student.get("/admin/teaching/course/").content.decode()
    form = client.get(f"/admin/teaching/course/{mine.pk}/change/")
    assert form.status_code == 200 and b'name="csv"' in form.content
    data = {
        "slug": "mine",
        "title": "Mine",
        "description": "",
        "join_token": mine.join_token,
        "lti_issuer": "",
        "lti_deployment_id": "",
        "lti_context_id": "",
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "1",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-id": str(Membership.objects.get(user=prof).pk),
        "memberships-0-course": str(mine.pk),
        "memberships-0-user": str(prof.pk),
        "memberships-0-role": INSTRUCTOR,
        "memberships-0-source": "site",
        "exercises-TOTAL_FORMS": "0",
        "exercises-INITIAL_FORMS": "0",
        "exercises-MIN_NUM_FORMS": "0",
        "exercises-MAX_NUM_FORMS": "1000",
        "csv": SimpleUploadedFile("r.csv", b"username,role\nnewta,ta\n", content_type="text/csv"),
    }
    response = client.post(f"/admin/teaching/course/{mine.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Membership.objects.get(user__username="newta").role == TA
