"""paperlabs inside an LMS's iframe, on another site, with third-party cookies blocked.

A fake LMS (tests/browser/fake_lms.py) on 127.0.0.2 embeds the tool (127.0.0.1) and
launches it with a signed id_token. The browser keeps no cookie of the tool, so the
student is signed in by the launch's tokens alone: the lab streams frames over a socket
signed in with the websocket token (a replay saved from it belongs to the student), a
link followed inside the frame keeps the student signed in, and a quiz launched from
the LMS is taken and submitted; its grade reaches the LMS's gradebook from the
background sender, once. An LMS not named in PAPERLABS_LMS_ORIGINS (127.0.0.3) cannot
frame the tool.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest

from tests.browser.conftest import manage
from tests.browser.fake_lms import FakeLms, serve
from tests.browser.helpers import wait_ready
from tests.servers import daphne

pytestmark = pytest.mark.browser

TIMEOUT = 60_000
QUIZ = """
from labs.teaching.models import Quiz, QuizItem
quiz, _ = Quiz.objects.get_or_create(slug="iframe-quiz", defaults={"title": "Iframe quiz", "max_attempts": 2})
QuizItem.objects.get_or_create(quiz=quiz, position=1, exercise="ch-what-if", defaults={"points": 10})
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    with serve("127.0.0.2") as lms, serve("127.0.0.3") as stranger:
        db = tmp_path_factory.mktemp("db") / "lti-iframe.sqlite3"
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{db}",
            "DJANGO_SETTINGS_MODULE": "labs.settings",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PAPERLABS_LMS_ORIGINS": lms.origin,
            "PAPERLABS_GRADE_SENDER": "1",
            "PAPERLABS_GRADE_POLL_SECONDS": "2",
            "DEBUG": "0",
        }
        env.pop("REDIS_URL", None)
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "load_content")
        manage(env, "shell", "-c", lms.registration_script() + QUIZ)
        log = tmp_path_factory.mktemp("log") / "daphne.log"
        with open(log, "wb") as out, daphne(env, out) as address:
            lms.tool = stranger.tool = f"http://{address}"
            yield {"lms": lms, "stranger": stranger, "env": env, "tool": lms.tool}


@pytest.fixture
def blocked(browser: Any, tmp_path: Any) -> Iterator[Any]:
    """A browser that blocks third-party cookies (as Safari, Firefox and many Chromes do)."""
    from playwright.sync_api import sync_playwright  # noqa: F401  (the session's Playwright)

    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    # Chromium's own setting, as a user turns it on: block third-party cookies.
    cdp = context.new_cdp_session(context.new_page())
    cdp.send("Network.enable")
    cdp.send(
        "Network.setCookieControls",
        {
            "enableThirdPartyCookieRestriction": True,
            "disableThirdPartyCookieMetadata": False,
            "disableThirdPartyCookieHeuristics": True,
        },
    )
    page = context.pages[0]
    page.set_default_timeout(TIMEOUT)
    yield page
    context.close()


def tool_frame(page: Any, path: str) -> Any:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for frame in page.frames:
            if frame != page.main_frame and path in frame.url:
                return frame
        page.wait_for_timeout(100)
    raise AssertionError(f"no frame at {path}: {[f.url for f in page.frames]}")


def shell(site: dict[str, Any], code: str) -> str:
    return manage(site["env"], "shell", "-c", code).strip().splitlines()[-1]


def test_lab_and_quiz_inside_the_lms_iframe_without_cookies(
    blocked: Any, site: dict[str, Any], artifacts: Any
) -> None:
    page, lms, tool = blocked, site["lms"], site["tool"]
    assert isinstance(lms, FakeLms)
    sockets: list[Any] = []

    def through(ws: Any) -> None:
        sockets.append(ws)
        ws.connect_to_server()

    page.route_web_socket(re.compile(r".*/ws/labs/consistent-hashing/.*"), through)
    # The lab, launched from the LMS's course page.
    page.goto(lms.course_url("lab:consistent-hashing"))
    frame = tool_frame(page, "/labs/consistent-hashing/")
    wait_ready(frame)
    frame.wait_for_function("window.paperlabs.frames > 0")
    # No cookie of the tool was kept: everything below rides on the launch's tokens.
    assert [c["name"] for c in page.context.cookies(tool)] == []
    # The socket is the student's: a replay saved from it is theirs.
    frame.fill("#save-title", "Saved inside the LMS")
    frame.locator("#save-form button[type=submit]").click()
    frame.wait_for_function("window.paperlabs.saved !== undefined")
    owner = shell(
        site,
        "from labs.models import Replay; "
        "print(Replay.objects.get(title='Saved inside the LMS').owner.username)",
    )
    assert owner.startswith("lti-")
    # A page left open longer than its socket token lives: the connection drops and the
    # page reconnects with a fresh token asked for with its frame session, still signed in.
    saved = frame.evaluate("window.paperlabs.saved.id")
    frame.evaluate(
        """() => { const root = document.getElementById('lab');
        const query = new URLSearchParams(root.dataset.wsQuery);
        query.set('ws_token', 'expired'); root.dataset.wsQuery = '?' + query; }"""
    )
    sockets[0].close(code=1001)
    for _ in range(100):
        if len(sockets) == 2:
            break
        page.wait_for_timeout(100)
    assert len(sockets) == 2 and "ws_token=" in sockets[1].url
    assert "ws_token=expired" not in sockets[1].url
    frame.wait_for_function("window.paperlabs.connected === true")
    frame.fill("#save-title", "Saved after reconnecting")
    frame.locator("#save-form button[type=submit]").click()
    frame.wait_for_function(f"window.paperlabs.saved.id !== {json.dumps(saved)}")
    again = shell(
        site,
        "from labs.models import Replay; "
        "print(Replay.objects.get(title='Saved after reconnecting').owner.username)",
    )
    assert again == owner
    # A link followed inside the frame keeps the student signed in.
    assert frame.locator("header .who").inner_text() == owner
    frame.get_by_role("link", name="Quizzes", exact=True).click()
    frame.wait_for_url(re.compile(r".*/quizzes/\?.*frame_session="))
    assert frame.locator("header .who").inner_text() == owner
    assert frame.get_by_role("link", name="Iframe quiz").count() == 1

    # The quiz, launched from the LMS with its gradebook column.
    page.goto(lms.course_url("quiz:iframe-quiz"))
    frame = tool_frame(page, "/quizzes/iframe-quiz/")
    frame.wait_for_selector("#start")
    frame.click("#start")
    frame.wait_for_url(re.compile(r".*/attempts/\d+/.*"))
    frame = tool_frame(page, "/attempts/")
    wait_ready(frame)  # the attempt's lab streams over a token-signed socket too
    frame.click("#btn-submit")
    frame.click("#btn-submit-anyway")
    frame.wait_for_selector("#score")
    assert [c["name"] for c in page.context.cookies(tool)] == []
    page.screenshot(path=str(artifacts / "lti-iframe-quiz.png"), full_page=True)
    status = shell(
        site,
        "from labs.teaching.models import Attempt; a = Attempt.objects.get(); "
        "print(a.status, a.user.username)",
    )
    assert status.split() == ["submitted", owner]
    # The grade reaches the LMS from the background sender, once.
    deadline = time.monotonic() + 60
    while not lms.scores and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert len(lms.scores) == 1 and lms.scores[0]["userId"] == "stu-1"
    page.wait_for_timeout(5000)  # two more polls of the sender: nothing sent again
    assert len(lms.scores) == 1


def test_only_the_configured_lms_may_frame_the_tool(blocked: Any, site: dict[str, Any]) -> None:
    page, lms, stranger = blocked, site["lms"], site["stranger"]
    response = page.request.get(site["tool"] + "/labs/consistent-hashing/")
    policy = response.headers["content-security-policy"]
    ancestors = next(p for p in policy.split("; ") if p.startswith("frame-ancestors"))
    assert ancestors.split()[1:] == ["'self'", lms.origin]
    assert "x-frame-options" not in response.headers
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "frame-ancestors" in m.text else None)
    page.goto(stranger.course_url("lab:consistent-hashing"))
    page.wait_for_function("document.readyState === 'complete'")
    deadline = time.monotonic() + 20
    while not refused and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert refused, "the tool was framed by an LMS it does not know"
    tool_frames = [f for f in page.frames if f != page.main_frame and "/labs/" in f.url]
    for frame in tool_frames:
        assert frame.evaluate("typeof window.paperlabs") == "undefined"


def test_an_instructor_adds_a_lab_from_inside_the_lms(blocked: Any, site: dict[str, Any]) -> None:
    page, lms = blocked, site["lms"]
    page.goto(lms.course_url("", role="instructor", sub="prof-1", message="deep-linking"))
    frame = tool_frame(page, "/lti/launch/")
    frame.check("#pick-lab-snapshots")
    frame.check("#pick-quiz-iframe-quiz")
    frame.click("#add-picks")
    frame.wait_for_selector("#return-to-lms")
    # The page's form posts the signed response to the LMS (its origin is allowed).
    frame.click("#return-to-lms")
    deadline = time.monotonic() + 30
    while not lms.deep_links and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert len(lms.deep_links) == 1
    body = jwt.decode(lms.deep_links[0], options={"verify_signature": False})
    items = body["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert [i["custom"]["target"] for i in items] == ["lab:snapshots", "quiz:iframe-quiz"]
    assert body["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "lms-opaque"
