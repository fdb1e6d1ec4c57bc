"""Deep Linking: an instructor picks a lab, a replay or a quiz from inside the LMS."""

from __future__ import annotations

import re

import jwt
import pytest
from django.test import Client
from lti_tool.models import Key

from labs.teaching.models import Course, Quiz, QuizItem
from tests.lti.conftest import CLIENT_ID, INSTRUCTOR, ISSUER, LEARNER, FakePlatform, launch

pytestmark = pytest.mark.django_db

RETURN_URL = ISSUER + "/deep_links/return"
DL = {
    "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings": {
        "deep_link_return_url": RETURN_URL,
        "accept_types": ["ltiResourceLink"],
        "accept_presentation_document_targets": ["iframe", "window"],
        "data": "opaque-123",
    }
}


def picker(client: Client, platform: FakePlatform, roles: list[str]) -> object:
    response, _ = launch(client, platform, roles, message_type="LtiDeepLinkingRequest", extra=DL)
    return response


def test_an_instructor_picks_a_lab_and_a_quiz_and_returns_a_signed_response(
    platform: FakePlatform,
) -> None:
    quiz = Quiz.objects.create(slug="pick-me", title="Pick me")
    QuizItem.objects.create(quiz=quiz, position=1, exercise="ch-what-if", points=10)
    client = Client()
    page = picker(client, platform, [INSTRUCTOR])
    html = page.content.decode()  # type: ignore[attr-defined]
    assert 'value="lab:consistent-hashing"' in html and 'value="quiz:pick-me"' in html
    state = re.search(r'name="state" value="([^"]+)"', html)
    assert state is not None
    response = client.post(
        "/lti/deep-link/",
        {"state": state.group(1), "pick": ["lab:consistent-hashing", "quiz:pick-me"]},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert f'action="{RETURN_URL}"' in body
    # The browser may send that form to the platform (and to nowhere else).
    policy = dict(p.split(" ", 1) for p in response["Content-Security-Policy"].split("; "))
    assert policy["form-action"] == "'self' https://lms.example.edu"
    token = re.search(r'name="JWT" value="([^"]+)"', body)
    assert token is not None
    # The platform checks the response with the tool's public key.
    key = Key.objects.active().latest()
    claims = jwt.decode(
        token.group(1),
        key.public_key,
        algorithms=["RS256"],
        audience=ISSUER,
    )
    assert claims["iss"] == CLIENT_ID
    assert claims["https://purl.imsglobal.org/spec/lti/claim/message_type"] == (
        "LtiDeepLinkingResponse"
    )
    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque-123"
    items = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert [i["custom"]["target"] for i in items] == ["lab:consistent-hashing", "quiz:pick-me"]
    assert items[1]["lineItem"]["scoreMaximum"] == 10
    # Picking a quiz with no course publishes it to the LMS course.
    quiz.refresh_from_db()
    assert quiz.course == Course.objects.get()


def test_a_learner_cannot_deep_link(platform: FakePlatform) -> None:
    response = picker(Client(), platform, [LEARNER])
    assert response.status_code == 403  # type: ignore[attr-defined]
    assert b'id="refusal"' in response.content  # type: ignore[attr-defined]


def test_an_altered_choice_or_another_courses_quiz_is_refused(platform: FakePlatform) -> None:
    other = Course.objects.create(slug="other", title="Other")
    Quiz.objects.create(slug="theirs", title="Theirs", course=other)
    client = Client()
    html = picker(client, platform, [INSTRUCTOR]).content.decode()  # type: ignore[attr-defined]
    assert "quiz:theirs" not in html
    state = re.search(r'name="state" value="([^"]+)"', html)
    assert state is not None
    forged = client.post("/lti/deep-link/", {"state": state.group(1) + "x", "pick": "lab:x"})
    assert forged.status_code == 400
    theirs = client.post("/lti/deep-link/", {"state": state.group(1), "pick": "quiz:theirs"})
    assert theirs.status_code == 400
    assert Quiz.objects.get(slug="theirs").course == other
