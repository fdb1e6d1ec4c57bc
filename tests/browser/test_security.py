"""Every page under the Content-Security-Policy: no violation, no console error, and
each lab still draws its charts (Plotly, WebGL traces included).

The pages: the catalog, every lab, the replay list and every sample replay, the
import page, the exercise list and every practice exercise, a quiz, a quiz item with
its live lab, the login page and the admin.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from labs.registry import LABS
from tests.browser.conftest import manage
from tests.browser.helpers import wait_ready

pytestmark = pytest.mark.browser

# Installed before any page script; CDP-injected, so the policy does not block it.
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`);
});
"""

SETUP = """
from django.contrib.auth.models import User
from labs.teaching.models import Quiz, QuizItem
from labs.models import Replay
root, _ = User.objects.get_or_create(username="csp-admin", defaults={"is_staff": True, "is_superuser": True})
root.set_password("pw-csp-admin"); root.save()
student, _ = User.objects.get_or_create(username="csp-student")
student.set_password("pw-csp-student"); student.save()
quiz, _ = Quiz.objects.get_or_create(slug="csp-quiz", defaults={"title": "CSP quiz", "max_attempts": 1})
QuizItem.objects.get_or_create(quiz=quiz, position=1, exercise="ch-what-if")
for replay in Replay.objects.filter(source="sample").order_by("id"):
    print("replay", replay.pk)
"""


@pytest.fixture(scope="module")
def site(live_server_url: str, server_env: dict[str, str]) -> dict[str, list[str]]:
    manage(server_env, "load_content")
    out = manage(server_env, "shell", "-c", SETUP)
    replays = [line.split()[1] for line in out.splitlines() if line.startswith("replay ")]
    assert replays
    return {"replays": replays}


def visit(page: Any, url: str, plotly: bool = False) -> None:
    """Open ``url``: its response carries the policy (eval only where Plotly runs)."""
    response = page.goto(url, timeout=60_000)  # the first Plotly page, on a busy machine
    assert response is not None and response.status == 200, url
    directives = dict(
        (d.split()[0], d.split()[1:])
        for d in response.headers.get("content-security-policy", "").split(";")
        if d.strip()
    )
    scripts = ["'self'", "'unsafe-eval'"] if plotly else ["'self'"]
    assert directives["script-src"] == scripts, url
    assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"]
    host = url.split("/")[2]
    assert directives["connect-src"] == ["'self'", f"ws://{host}"]


def assert_clean(page: Any, where: str) -> None:
    violations = page.evaluate("window.__cspViolations")
    assert violations == [], f"{where}: {violations}"


def assert_charts_drawn(page: Any, where: str) -> None:
    """At least one chart holds data and Plotly rendered it (SVG, or WebGL canvas)."""
    drawn = page.evaluate(
        """() => [...document.querySelectorAll('.js-plotly-plot')]
              .filter(p => (p.data || []).length > 0 && p.querySelector('.main-svg'))
              .map(p => p.id)"""
    )
    assert drawn, f"{where}: no chart drawn"


def log_in(page: Any, base: str, name: str, then: str) -> None:
    page.goto(f"{base}/accounts/login/?next={then}")
    page.fill("#id_username", name)
    page.fill("#id_password", f"pw-{name}")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{then}")


def test_every_page_runs_under_the_policy(
    page: Any, live_server_url: str, site: dict[str, list[str]]
) -> None:
    base = live_server_url
    page.add_init_script(LISTEN)

    for url in ("/", "/replays/", "/replays/import/", "/exercises/", "/accounts/login/"):
        visit(page, base + url)
        assert_clean(page, url)

    for lab in LABS:
        url = f"/labs/{lab.slug}/"
        visit(page, base + url, plotly=True)
        wait_ready(page)
        page.wait_for_function("window.paperlabs.frames >= 1")
        assert_charts_drawn(page, url)
        assert_clean(page, url)

    for replay in site["replays"]:
        url = f"/replays/{replay}/"
        visit(page, base + url, plotly=True)
        wait_ready(page)
        assert_charts_drawn(page, url)
        assert_clean(page, url)

    visit(page, base + "/exercises/")
    links = page.eval_on_selector_all(
        "main a[href^='/exercises/']", "links => links.map(a => a.getAttribute('href'))"
    )
    exercises = sorted({re.sub(r"\?.*", "", h) for h in links if h.count("/") == 3})
    assert exercises
    for url in exercises:
        visit(page, base + url + ("?variant=1" if "what-if" in url else ""), plotly=True)
        wait_ready(page)
        assert_charts_drawn(page, url)
        assert_clean(page, url)

    log_in(page, base, "csp-student", "/quizzes/csp-quiz/")
    assert_clean(page, "/quizzes/csp-quiz/")
    page.click("#start")
    page.wait_for_url(re.compile(r".*/attempts/\d+/$"))
    wait_ready(page)
    assert_charts_drawn(page, "quiz item")
    assert_clean(page, "quiz item")


def test_the_admin_runs_under_the_policy(
    browser: Any, live_server_url: str, site: dict[str, list[str]]
) -> None:
    # Its own page: the admin has no favicon link, so Chromium's /favicon.ico is a 404,
    # which is no concern of the policy's.
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console",
        lambda m: (
            errors.append(f"{m.text} ({m.location.get('url')})")
            if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico")
            else None
        ),
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    base = live_server_url
    page.add_init_script(LISTEN)
    log_in(page, base, "csp-admin", "/admin/")
    assert_clean(page, "/admin/")
    for url in ("/admin/teaching/quiz/", "/admin/teaching/quiz/add/", "/admin/teaching/attempt/"):
        visit(page, base + url)
        assert_clean(page, url)
    context.close()
    assert errors == []
