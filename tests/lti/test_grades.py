"""Quiz scores back to the fake platform through AGS: sent after the request by the
background sender, once, retried with back-off, shown to staff."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from labs.lti import ags, sender
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


def test_a_submitted_score_is_sent_after_the_request_and_once(
    platform: FakePlatform, quiz: Quiz, django_capture_on_commit_callbacks: Any
) -> None:
    slot = right_slot(quiz)
    with django_capture_on_commit_callbacks() as callbacks:
        submit(quiz, slot)
    # The submit only recorded the grade and woke the sender: the LMS saw nothing yet.
    assert platform.scores == [] and platform.token_requests == 0
    assert GradeSend.objects.get().status == GradeSend.PENDING
    assert [c.__name__ for c in callbacks] == ["wake"]
    assert sender.run_once() == (1, 0)
    assert len(platform.scores) == 1
    sent = platform.scores[0]
    assert sent["userId"] == "lms-user-1" and sent["scoreGiven"] > 0
    assert sent["gradingProgress"] == "FullyGraded"
    assert GradeSend.objects.get().status == GradeSend.SENT
    # A worse second attempt leaves the best score, so nothing is sent again;
    # a regrade that changes nothing sends nothing either, nor a new launch.
    submit(quiz, "0" if slot != "0" else "1")
    services.regrade(quiz.attempts.all())
    launch(Client(), platform, [LEARNER], extra=AGS)
    assert sender.run_once() == (0, 0) and ags.send_due(now_too=True) == (0, 0)
    assert len(platform.scores) == 1


def test_platform_down_then_up_the_grade_arrives_once(platform: FakePlatform, quiz: Quiz) -> None:
    platform.fail_scores = True
    submit(quiz, right_slot(quiz))
    assert sender.run_once() == (0, 1)
    send = GradeSend.objects.get()
    assert send.status == GradeSend.FAILED and send.tries == 1 and "503" in send.last_error
    assert send.next_try > timezone.now() + timedelta(seconds=20)
    # Backing off: the sender does not try again before its time, even once the LMS is up.
    platform.fail_scores = False
    assert sender.run_once() == (0, 0) and platform.scores == []
    # Down again at the next try: the wait doubles.
    platform.fail_scores = True
    GradeSend.objects.update(next_try=timezone.now())
    assert sender.run_once() == (0, 1)
    send = GradeSend.objects.get()
    assert send.tries == 2 and send.next_try > timezone.now() + timedelta(seconds=50)
    # Up, and the time has come: the grade arrives, once.
    platform.fail_scores = False
    GradeSend.objects.update(next_try=timezone.now())
    assert sender.run_once() == (1, 0)
    assert sender.run_once() == (0, 0)
    assert len(platform.scores) == 1
    send = GradeSend.objects.get()
    assert send.status == GradeSend.SENT and send.sent_score == platform.scores[0]["scoreGiven"]
    assert send.tries == 0 and send.last_error == "" and send.claimed_until is None


def test_the_backoff_doubles_up_to_an_hour() -> None:
    assert [ags.backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert ags.backoff(8) == timedelta(hours=1) and ags.backoff(10_000) == timedelta(hours=1)


def test_a_claimed_grade_is_sent_by_one_process_only(platform: FakePlatform, quiz: Quiz) -> None:
    submit(quiz, right_slot(quiz))
    send = GradeSend.objects.get()
    # Another process holds the row: this one skips it.
    assert ags.claim(send) is True
    assert ags.claim(send) is False
    assert ags.send_due(now_too=True) == (0, 0) and platform.scores == []
    # A claim left by a process that died lapses.
    GradeSend.objects.update(claimed_until=timezone.now() - timedelta(seconds=1))
    assert ags.send_due() == (1, 0)
    assert ags.claim(GradeSend.objects.get()) is False  # nothing left to claim once sent
    assert len(platform.scores) == 1


def test_a_score_changed_while_sending_is_sent_again(platform: FakePlatform, quiz: Quiz) -> None:
    submit(quiz, right_slot(quiz))
    send = GradeSend.objects.select_related("line_item__registration").get()
    assert ags.claim(send)
    # The score changes between the claim and the platform's answer.
    GradeSend.objects.update(score=send.score + 1)
    assert ags.deliver(send) is True
    send = GradeSend.objects.get()
    assert send.status != GradeSend.SENT and send.sent_score == platform.scores[0]["scoreGiven"]
    assert sender.run_once() == (1, 0)
    assert [s["scoreGiven"] for s in platform.scores] == [send.score - 1, send.score]


def test_a_failed_send_is_kept_shown_to_staff_and_retried(
    platform: FakePlatform, quiz: Quiz
) -> None:
    platform.fail_scores = True
    submit(quiz, right_slot(quiz))
    sender.run_once()
    send = GradeSend.objects.get()
    assert send.status == GradeSend.FAILED and send.tries == 1 and "503" in send.last_error
    assert platform.scores == []
    # The course's instructor sees the failure beside the gradebook.
    teacher = Client()
    launch(teacher, platform, [INSTRUCTOR], sub="teacher-1")
    page = teacher.get("/quizzes/lti-quiz/gradebook/").content.decode()
    assert 'id="passback-failures"' in page and "gradebook is down" in page
    assert "Next try" in page
    # Cron's fallback waits out the back-off, or not with --now; still down, still kept.
    out = StringIO()
    call_command("send_grades", stdout=out, stderr=StringIO())
    assert "sent 0, failed 0" in out.getvalue() and GradeSend.objects.get().tries == 1
    call_command("send_grades", "--now", stdout=out, stderr=StringIO())
    assert "failed 1" in out.getvalue() and GradeSend.objects.get().tries == 2
    # Back up: the button sends it at once, without waiting out the back-off.
    platform.fail_scores = False
    response = teacher.post("/quizzes/lti-quiz/grades/retry/", follow=True)
    assert "Sent 1 grades" in response.content.decode()
    assert len(platform.scores) == 1 and GradeSend.objects.get().status == GradeSend.SENT
    assert GradeSend.objects.get().sent_score == platform.scores[0]["scoreGiven"]
    assert sender.run_once() == (0, 0) and len(platform.scores) == 1


def test_students_cannot_retry_or_see_the_passback(platform: FakePlatform, quiz: Quiz) -> None:
    client = Client()
    client.force_login(student().user)
    assert client.post("/quizzes/lti-quiz/grades/retry/").status_code == 403
    assert client.get("/quizzes/lti-quiz/gradebook/").status_code == 403


def test_scores_url_keeps_the_query() -> None:
    assert ags.scores_url("https://l/x/3?type=1") == "https://l/x/3/scores?type=1"
    assert ags.scores_url("https://l/x/3/") == "https://l/x/3/scores"
