"""LTI 1.3 launches against the fake platform: sign-in with the right role, and refusals."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.auth.models import User
from django.test import Client
from lti_tool.models import LtiDeployment

from labs.lti import wstoken
from labs.lti.models import LtiAccount
from labs.teaching.models import INSTRUCTOR, STUDENT, TA, Course, Membership, Quiz, QuizItem
from tests.lti.conftest import (
    INSTRUCTOR as LTI_INSTRUCTOR,
)
from tests.lti.conftest import (
    LEARNER,
    FakePlatform,
    counts,
    launch,
    new_key,
    oidc_login,
)
from tests.lti.conftest import (
    TA as LTI_TA,
)

pytestmark = pytest.mark.django_db


def test_a_launch_signs_the_learner_in_as_a_student_of_the_lms_course(
    platform: FakePlatform,
) -> None:
    client = Client()
    response, _ = launch(client, platform, [LEARNER])
    assert response.status_code == 302
    course = Course.objects.get()
    assert response["Location"].startswith(course.get_absolute_url() + "?ws_token=")
    assert course.title == "Distributed Systems" and course.lti_context_id == "course-7"
    account = LtiAccount.objects.get()
    assert account.sub == "lms-user-1" and account.user.get_full_name() == "Ada Lovelace"
    assert Membership.objects.get(course=course, user=account.user).role == STUDENT
    page = client.get(course.get_absolute_url())
    assert page.status_code == 200 and b'id="role">student' in page.content
    # The page's websocket token names the same user.
    token = parse_qs(urlparse(response["Location"]).query)["ws_token"][0]
    assert wstoken.user_from_token(token) == account.user


@pytest.mark.parametrize(
    "roles, role", [([LTI_INSTRUCTOR], INSTRUCTOR), ([LTI_INSTRUCTOR, LTI_TA], TA)]
)
def test_instructors_and_tas_get_their_role(
    platform: FakePlatform, roles: list[str], role: str
) -> None:
    response, _ = launch(Client(), platform, roles, sub="staff-1")
    assert response.status_code == 302
    assert Membership.objects.get().role == role


def test_the_lms_is_the_authority_on_roles_and_accounts_are_reused(
    platform: FakePlatform,
) -> None:
    launch(Client(), platform, [LEARNER])
    launch(Client(), platform, [LTI_INSTRUCTOR])
    assert User.objects.count() == 1 and Membership.objects.get().role == INSTRUCTOR
    launch(Client(), platform, [LEARNER], context="course-8")
    assert Course.objects.count() == 2


def test_a_launch_to_a_quiz_opens_it_and_records_the_line_item(platform: FakePlatform) -> None:
    quiz = Quiz.objects.create(slug="lti-quiz", title="LTI quiz")
    QuizItem.objects.create(quiz=quiz, position=1, exercise="ch-what-if", points=10)
    client = Client()
    extra = {
        "https://purl.imsglobal.org/spec/lti/claim/custom": {"target": "quiz:lti-quiz"},
        "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
            "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"],
            "lineitem": "https://lms.example.edu/api/lti/courses/7/line_items/3",
        },
    }
    response, _ = launch(client, platform, [LEARNER], extra=extra)
    assert response.status_code == 302 and response["Location"].startswith("/quizzes/lti-quiz/")
    assert client.get("/quizzes/lti-quiz/").status_code == 200
    assert quiz.line_items.get().url.endswith("/line_items/3")


def refusal(response: object, words: str) -> None:
    status = getattr(response, "status_code", 0)
    content = getattr(response, "content", b"").decode()
    assert status in (400, 403), status
    assert 'id="refusal"' in content and words in content, content


def test_a_bad_signature_is_refused_and_nothing_is_created(platform: FakePlatform) -> None:
    before = counts()
    response, _ = launch(Client(), platform, [LEARNER], key=new_key())
    refusal(response, "signed id_token is not valid")
    assert counts() == before


def test_an_expired_launch_is_refused(platform: FakePlatform) -> None:
    before = counts()
    response, _ = launch(Client(), platform, [LEARNER], exp=int(time.time()) - 60)
    refusal(response, "expired")
    assert counts() == before


def test_a_replayed_launch_is_refused(platform: FakePlatform) -> None:
    client = Client()
    response, form = launch(client, platform, [LEARNER])
    assert response.status_code == 302
    before = counts()
    again = client.post("/lti/launch/", form)
    refusal(again, "already used")
    assert counts() == before


def test_a_launch_whose_login_expired_is_refused(platform: FakePlatform) -> None:
    from django.core.cache import cache

    client = Client()
    state, nonce = oidc_login(client)
    cache.clear()  # the login's nonce and state outlived their time in the cache
    token = platform.id_token(nonce, [LEARNER])
    before = counts()
    refusal(
        client.post("/lti/launch/", {"id_token": token, "state": state}),
        "start it again from the LMS",
    )
    assert counts() == before


def test_a_nonce_the_tool_never_issued_is_refused(platform: FakePlatform) -> None:
    client = Client()
    state, _ = oidc_login(client)
    token = platform.id_token("made-up-nonce", [LEARNER])
    refusal(
        client.post("/lti/launch/", {"id_token": token, "state": state}),
        "start it again from the LMS",
    )
    assert Course.objects.count() == 0


def test_an_unknown_platform_or_deployment_is_refused(platform: FakePlatform) -> None:
    before = counts()
    response, _ = launch(Client(), platform, [LEARNER], deployment="deployment-unknown")
    refusal(response, "deployment")
    assert counts() == before
    assert not LtiDeployment.objects.filter(deployment_id="deployment-unknown").exists()
    LtiDeployment.objects.update(is_active=False)
    response, _ = launch(Client(), platform, [LEARNER])
    refusal(response, "deployment")
    client = Client()
    login = client.get(
        "/lti/login/",
        {
            "iss": "https://unknown.example",
            "client_id": "x",
            "login_hint": "u",
            "target_link_uri": "https://paperlabs.example/lti/launch/",
        },
    )
    refusal(login, "not registered")
    assert counts() == before


@pytest.mark.parametrize(
    "roles",
    [[], ["http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"], ["Guest"]],
)
def test_a_role_the_course_does_not_grant_is_refused(
    platform: FakePlatform, roles: list[str]
) -> None:
    before = counts()
    response, _ = launch(Client(), platform, roles)
    refusal(response, "role")
    assert counts() == before


def test_a_launch_to_another_courses_quiz_is_refused(platform: FakePlatform) -> None:
    other = Course.objects.create(slug="other", title="Other")
    Quiz.objects.create(slug="theirs", title="Theirs", course=other)
    extra = {"https://purl.imsglobal.org/spec/lti/claim/custom": {"target": "quiz:theirs"}}
    client = Client()
    response, _ = launch(client, platform, [LEARNER], extra=extra)
    refusal(response, "another course")
    assert client.get("/quizzes/theirs/").status_code in (302, 404)


def test_a_garbage_or_missing_token_is_refused() -> None:
    client = Client()
    refusal(client.post("/lti/launch/", {"id_token": "a.b.c", "state": "s"}), "refused")
    refusal(client.post("/lti/launch/", {}), "refused")


def test_the_tool_publishes_its_public_keys(platform: FakePlatform) -> None:
    keys = Client().get("/lti/jwks.json").json()["keys"]
    assert len(keys) == 1 and keys[0]["kty"] == "RSA" and keys[0]["kid"]
    assert "d" not in keys[0]  # never the private half
