"""Deployment settings and the Content-Security-Policy of every page.

The browser test (tests/browser/test_security.py) checks that the pages still work
under the policy; these check the headers, that no template runs inline script, and
that ``manage.py check --deploy`` is clean with the settings the README describes.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client, RequestFactory

from labs.models import Replay
from labs.registry import LABS
from labs.security import WEBSOCKET_SELF, policy_for
from labs.teaching import services
from labs.teaching.models import Quiz, QuizItem

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


class ScriptFinder(HTMLParser):
    """Collects what a policy without 'unsafe-inline' would refuse to run."""

    def __init__(self) -> None:
        super().__init__()
        self.inline: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.inline.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action") and (value or "").lower().startswith(
                "javascript:"
            ):
                self.inline.append(f"<{tag} {name}={value!r}>")
        runs = named.get("type") not in ("application/json", "importmap")
        if tag == "script" and not named.get("src") and runs:
            self.inline.append(f"<script {named}>")


def inline_scripts(html: str) -> list[str]:
    finder = ScriptFinder()
    finder.feed(html)
    return finder.inline


def directives(header: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in header.split(";") if d.strip()}


@pytest.fixture
def pages(db: None) -> list[str]:
    """Every kind of page: catalog, labs, replays, exercises, a quiz and an attempt."""
    call_command("load_samples", verbosity=0)
    student = User.objects.create_user("student", password="pw")
    quiz = Quiz.objects.create(slug="q-csp", title="Quiz")
    QuizItem.objects.create(quiz=quiz, position=1, exercise="ch-what-if")
    attempt = services.start_attempt(quiz, student)
    replay = Replay.objects.filter(source="sample").first()
    assert replay is not None
    return [
        "/",
        *(f"/labs/{lab.slug}/" for lab in LABS),
        "/replays/",
        replay.get_absolute_url(),
        "/replays/import/",
        "/exercises/",
        "/exercises/ch-join-basics/",
        "/exercises/ch-what-if/?variant=3",
        "/quizzes/",
        "/quizzes/q-csp/",
        attempt.get_absolute_url(),
        "/accounts/login/",
        "/admin/login/",
    ]


def test_every_page_has_the_policy_and_no_inline_script(pages: list[str]) -> None:
    client = Client()
    client.force_login(User.objects.get(username="student"))
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        policy = directives(response["Content-Security-Policy"])
        assert policy["default-src"] == ["'self'"]
        assert "'unsafe-inline'" not in policy["script-src"], url
        assert policy["connect-src"] == ["'self'", "ws://testserver"], url
        assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        html = response.content.decode()
        assert inline_scripts(html) == [], url
        # Eval only where Plotly draws (its WebGL traces compile code at run time).
        plotly = "vendor/plotly.min." in html
        assert ("'unsafe-eval'" in policy["script-src"]) == plotly, url


def test_a_missing_page_has_the_policy_too(client: Client) -> None:
    response = client.get("/labs/no-such-lab/")
    assert response.status_code == 404
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_no_template_holds_inline_script() -> None:
    for path in (ROOT / "templates").rglob("*.html"):
        text = re.sub(r"{%.*?%}|{{.*?}}", "x", path.read_text(), flags=re.S)
        assert inline_scripts(text) == [], path


def test_the_websocket_source_follows_the_request_scheme_and_host() -> None:
    policy = {"connect-src": ["'self'", WEBSOCKET_SELF]}
    plain = RequestFactory().get("/", HTTP_HOST="127.0.0.1:8000")
    secure = RequestFactory().get("/", secure=True, HTTP_HOST="localhost:8443")
    assert policy_for(plain, policy) == "connect-src 'self' ws://127.0.0.1:8000"
    assert policy_for(secure, policy) == "connect-src 'self' wss://localhost:8443"
    forged = RequestFactory().get("/", HTTP_HOST="evil.example.com")
    assert policy_for(forged, policy) == "connect-src 'self'"


def production_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "PAPERLABS_HTTPS", "PAPERLABS_BEHIND_PROXY", "SECRET_KEY")
        # The test suite's own relaxation, never set in a deployment.
        and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "labs.settings",
            "ALLOWED_HOSTS": "labs.example.org",
            "SECRET_KEY": "k" * 20 + "-a-long-random-production-secret-key-0123456789",
        }
    )
    env.update(extra)
    return env


def run_manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_https_switch() -> None:
    done = run_manage(
        production_env(PAPERLABS_HTTPS="1"), "check", "--deploy", "--fail-level", "WARNING"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout
    # Without it, the same check names what is missing.
    done = run_manage(production_env(), "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode != 0
    for check in ("W004", "W008", "W012", "W016"):
        assert f"security.{check}" in done.stderr + done.stdout


SHOW = """
import django
django.setup()
from django.conf import settings as s
print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,
      s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER)
"""


def test_the_proxy_header_is_trusted_only_when_asked() -> None:
    def shown(**extra: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", SHOW],
            cwd=ROOT,
            env=production_env(**extra),
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return done.stdout.strip()

    assert shown() == "False False False 0 None"
    assert shown(PAPERLABS_HTTPS="1") == "True True True 31536000 None"
    assert shown(PAPERLABS_HTTPS="1", PAPERLABS_BEHIND_PROXY="1") == (
        "True True True 31536000 ('HTTP_X_FORWARDED_PROTO', 'https')"
    )
