"""In an LMS's iframe with third-party cookies blocked: no cookie ever comes back.

Every request below is made by a client that keeps no cookie (as the browser in the
iframe): the launch still signs the user in, and the page's signed token carries the
session from page to page and through the quiz's forms (with the CSRF check on).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from labs.lti import frame_session
from labs.teaching.models import Course, Quiz, QuizItem
from tests.lti.conftest import LEARNER, FakePlatform, oidc_login

pytestmark = pytest.mark.django_db


def cookieless() -> Client:
    return Client(enforce_csrf_checks=True)


def forget(client: Client) -> Client:
    client.cookies.clear()
    return client


def launch_without_cookies(platform: FakePlatform, **kwargs: Any) -> Any:
    client = cookieless()
    state, nonce = oidc_login(client)
    forget(client)  # the state cookie of the login step is dropped by the browser
    token = platform.id_token(nonce, [LEARNER], **kwargs)
    return forget(client).post("/lti/launch/", {"id_token": token, "state": state})


def query(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


@pytest.fixture
def quiz(platform: FakePlatform) -> Quiz:
    quiz = Quiz.objects.create(slug="frame-quiz", title="Frame quiz", max_attempts=2)
    QuizItem.objects.create(quiz=quiz, position=1, exercise="ch-what-if", points=10)
    return quiz


def test_a_launch_and_a_quiz_work_without_any_cookie(platform: FakePlatform, quiz: Quiz) -> None:
    extra = {"https://purl.imsglobal.org/spec/lti/claim/custom": {"target": "quiz:frame-quiz"}}
    response = launch_without_cookies(platform, extra=extra)
    assert response.status_code == 302, response.content
    tokens = query(response["Location"])
    assert tokens["ws_token"] and tokens["frame_session"]
    Quiz.objects.filter(pk=quiz.pk).update(course=Course.objects.get())
    # The quiz page, from the token alone; it hands the page a fresh token.
    page = cookieless().get("/quizzes/frame-quiz/", {"frame_session": tokens["frame_session"]})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="paperlabs-frame-session"' in html and "frame-session" in html, html[:900]
    fresh = html.split('name="paperlabs-frame-session" content="')[1].split('"')[0]
    assert frame_session.user_from_token(fresh) is not None
    # Start an attempt: a POST without a CSRF cookie, the token in its URL.
    started = cookieless().post(f"/quizzes/frame-quiz/?frame_session={fresh}")
    assert started.status_code == 302 and "/attempts/" in started["Location"]
    follow = query(started["Location"])["frame_session"]
    attempt_url = urlsplit(started["Location"]).path
    page = cookieless().get(attempt_url, {"frame_session": follow})
    html = page.content.decode()
    assert page.status_code == 200 and "ws_token=" in html
    attempt_token = html.split('name="token" value="')[1].split('"')[0]
    # Submit it, blank: answered and graded.
    sent = cookieless().post(
        f"{attempt_url}?frame_session={follow}",
        {"action": "submit-unanswered", "item": "1", "token": attempt_token},
    )
    assert sent.status_code == 302
    assert quiz.attempts.get().status != "open"
    # The flash message waited for the next page, though no cookie carried it.
    after = query(sent["Location"])["frame_session"]
    result = cookieless().get(urlsplit(sent["Location"]).path, {"frame_session": after})
    assert "Submitted and saved." in result.content.decode()
    again = cookieless().get(urlsplit(sent["Location"]).path, {"frame_session": after})
    assert "Submitted and saved." not in again.content.decode()


def test_without_a_valid_token_nothing_is_signed_in(platform: FakePlatform, quiz: Quiz) -> None:
    assert cookieless().get("/quizzes/frame-quiz/").status_code == 302  # to the log-in page
    forged = cookieless().get("/quizzes/frame-quiz/", {"frame_session": "x" * 40})
    assert forged.status_code == 302 and "/accounts/login/" in forged["Location"]
    # A websocket token is not a page token (another salt).
    from django.contrib.auth.models import User

    from labs.lti import wstoken

    user = User.objects.create_user("someone")
    ws = wstoken.make(user)
    assert cookieless().get("/quizzes/", {"frame_session": ws}).status_code == 302
    # A POST without the token (and without a CSRF cookie) is refused by the CSRF check,
    # and one with the token in its body only is not signed in (the body is the view's).
    assert cookieless().post("/quizzes/frame-quiz/").status_code == 403
    assert (
        cookieless()
        .post("/quizzes/frame-quiz/", {"frame_session": frame_session.make(user)})
        .status_code
        == 403
    )
    # The admin never takes a token.
    user.is_staff = user.is_superuser = True
    user.save()
    token = frame_session.make(user)
    assert cookieless().get("/admin/", {"frame_session": token}).status_code == 302
    assert frame_session.user_from_token(token, max_age=-1) is None  # expired


def test_a_cookieless_launch_is_still_used_once(platform: FakePlatform) -> None:
    client = cookieless()
    state, nonce = oidc_login(client)
    form = {"id_token": platform.id_token(nonce, [LEARNER]), "state": state}
    assert forget(client).post("/lti/launch/", form).status_code == 302
    again = forget(client).post("/lti/launch/", form)
    assert again.status_code == 400 and b'id="refusal"' in again.content
    # A state the tool never issued, without its cookie: refused.
    _, nonce2 = oidc_login(forget(client))
    wrong = {"id_token": platform.id_token(nonce2, [LEARNER]), "state": "state-made-up"}
    assert forget(client).post("/lti/launch/", wrong).status_code == 400


def test_with_token_replaces_an_old_one() -> None:
    url = frame_session.with_token("/a/?x=1&frame_session=old", "new")
    assert url == "/a/?x=1&frame_session=new"


def test_a_launched_student_cannot_reach_another_courses_quiz_by_url(
    platform: FakePlatform,
) -> None:
    other = Course.objects.create(slug="other", title="Other")
    Quiz.objects.create(slug="theirs", title="Theirs", course=other)
    response = launch_without_cookies(platform)
    token = query(response["Location"])["frame_session"]
    for url in ("/quizzes/theirs/", "/quizzes/theirs/gradebook/", "/courses/other/"):
        assert cookieless().get(url, {"frame_session": token}).status_code == 404, url
    sent = cookieless().post(f"/quizzes/theirs/grades/retry/?frame_session={token}")
    assert sent.status_code == 404


def test_a_framed_page_gets_a_fresh_socket_token_from_its_frame_session() -> None:
    from django.contrib.auth.models import User

    from labs.lti import wstoken

    user = User.objects.create_user("framed")
    answer = cookieless().get("/lti/socket-token/", {"frame_session": frame_session.make(user)})
    assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"
    tokens = answer.json()
    assert wstoken.user_from_token(tokens["ws_token"]) == user
    assert frame_session.user_from_token(tokens["frame_session"]) == user
    # Without a frame session (or with a socket token in its place) nothing is handed out.
    for params in ({}, {"frame_session": "x" * 40}, {"frame_session": tokens["ws_token"]}):
        refused = cookieless().get("/lti/socket-token/", params)
        assert refused.status_code == 403
        assert refused.json()["field"] == "frame_session"
        assert "start the lab again from the LMS" in refused.json()["message"]
    # A lab page signed in by its frame session says where to ask.
    page = cookieless().get(
        "/labs/consistent-hashing/", {"frame_session": frame_session.make(user)}
    )
    assert 'data-token-url="/lti/socket-token/?frame_session=' in page.content.decode()
    assert "data-token-url" not in cookieless().get("/labs/consistent-hashing/").content.decode()
