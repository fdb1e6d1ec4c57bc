"""Quiz scores back to the fake platform through AGS: sent once, retried, shown to staff."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from labs.lti import ags
from labs.lti.models import GradeSend, LtiAccount
from labs.teaching import services
from labs.teaching.models import Course, Quiz, QuizItem
from tests.lti.conftest import INSTRUCTOR, LEARNER, LINEITEM, FakePlatform, launch

pytestmark = pytest.mark.django_db

AGS = {
    "https://purl.imsglobal.org/spec/lti/claim/custom": {"target": "quiz:lti-quiz"},
    "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
        "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"],
        "lineitem": LINEITEM,
    },
}


@pytest.fixture
def quiz(platform: FakePlatform) -> Quiz:
    quiz = Quiz.objects.create(slug="lti-quiz", title="LTI quiz", max_attempts=3)
    QuizItem.objects.create(quiz=quiz, position=1, exercise="ch-what-if", points=10)
    response, _ = launch(Client(), platform, [LEARNER], extra=AGS)
    assert response.status_code == 302
    quiz.course = Course.objects.get()
    quiz.save()
    return quiz


def student() -> LtiAccount:
    return LtiAccount.objects.get(sub="lms-user-1")


def submit(quiz: Quiz, slot: str) -> None:
    attempt = services.start_attempt(quiz, student().user)
    services.submit(attempt, attempt.token, {"ch-what-if": {"slot": slot}})


def right_slot(quiz: Quiz) -> str:
    from labs.teaching.models import Attempt
    from tests.teaching.conftest import prepared_of

    attempt = services.start_attempt(quiz, student().user)
    value = str(prepared_of(attempt, "ch-what-if").expected["slot"].value)
    Attempt.objects.filter(pk=attempt.pk).delete()
    return value


def test_a_submitted_score_goes_to_the_platform_once(platform: FakePlatform, quiz: Quiz) -> None:
    slot = right_slot(quiz)
    submit(quiz, slot)
    assert len(platform.scores) == 1
    sent = platform.scores[0]
    assert sent["userId"] == "lms-user-1" and sent["scoreGiven"] > 0
    assert sent["gradingProgress"] == "FullyGraded"
    assert GradeSend.objects.get().status == GradeSend.SENT
    # A worse second attempt leaves the best score, so nothing is sent again;
    # a regrade that changes nothing sends nothing either.
    submit(quiz, "0" if slot != "0" else "1")
    services.regrade(quiz.attempts.all())
    assert len(platform.scores) == 1
    assert ags.send_due() == (0, 0)


def test_a_failed_send_is_kept_shown_to_staff_and_retried(
    platform: FakePlatform, quiz: Quiz
) -> None:
    platform.fail_scores = True
    submit(quiz, right_slot(quiz))
    send = GradeSend.objects.get()
    assert send.status == GradeSend.FAILED and send.tries == 1 and "503" in send.last_error
    assert platform.scores == []
    # The course's instructor sees the failure beside the gradebook.
    teacher = Client()
    launch(teacher, platform, [INSTRUCTOR], sub="teacher-1")
    page = teacher.get("/quizzes/lti-quiz/gradebook/").content.decode()
    assert 'id="passback-failures"' in page and "gradebook is down" in page
    # Still down: the retry fails again, and the grade is still kept.
    out = StringIO()
    call_command("send_grades", stdout=out, stderr=StringIO())
    assert "failed 1" in out.getvalue() and GradeSend.objects.get().tries == 2
    # Back up: the retry button sends it.
    platform.fail_scores = False
    response = teacher.post("/quizzes/lti-quiz/grades/retry/", follow=True)
    assert "Sent 1 grades" in response.content.decode()
    assert len(platform.scores) == 1 and GradeSend.objects.get().status == GradeSend.SENT
    assert GradeSend.objects.get().sent_score == platform.scores[0]["scoreGiven"]


def test_students_cannot_retry_or_see_the_passback(platform: FakePlatform, quiz: Quiz) -> None:
    client = Client()
    client.force_login(student().user)
    assert client.post("/quizzes/lti-quiz/grades/retry/").status_code == 403
    assert client.get("/quizzes/lti-quiz/gradebook/").status_code == 403


def test_scores_url_keeps_the_query() -> None:
    assert ags.scores_url("https://l/x/3?type=1") == "https://l/x/3/scores?type=1"
    assert ags.scores_url("https://l/x/3/") == "https://l/x/3/scores"
