"""A course in a real browser: the instructor enrols from a CSV and opens the join link,
a student joins through it and takes the course's quiz, an outsider gets a 404, and the
gradebook shows the per-question chart."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import manage
from tests.browser.helpers import wait_ready
from tests.servers import daphne

pytestmark = pytest.mark.browser

TIMEOUT = 60_000

QUIZ = """id: course-quiz
title: "Course quiz"
attempts: 2
reveal: immediately
course: dist-101
instructors: [prof]
exercises:
  - {exercise: ch-what-if, points: 10}
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("content")
    (folder / "course-quiz.yaml").write_text(QUIZ)
    db = tmp_path_factory.mktemp("db") / "courses.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "DJANGO_SETTINGS_MODULE": "labs.settings",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PAPERLABS_CONTENT_DIRS": str(folder),
        "DEBUG": "0",
    }
    env.pop("REDIS_URL", None)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(
        env,
        "shell",
        "-c",
        "from django.contrib.auth.models import User; "
        "[User.objects.create_user(n, password='pw-' + n) for n in ('prof', 'sue', 'tom', 'eve')]",
    )
    manage(env, "load_content")
    log = tmp_path_factory.mktemp("log") / "daphne.log"
    with open(log, "wb") as out, daphne(env, out) as address:
        yield {"url": f"http://{address}", "folder": folder}


def log_in(page: Any, base: str, name: str, then: str) -> None:
    page.set_default_timeout(TIMEOUT)
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/?next={then}")
    page.fill("#id_username", name)
    page.fill("#id_password", f"pw-{name}")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{then}")


@pytest.fixture
def lenient_page(browser: Any) -> Iterator[Any]:
    """The refusal pages are the point here: their 404s may be logged by the console."""
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    yield page
    context.close()


def test_enrol_join_take_and_read_the_statistics(
    lenient_page: Any, site: dict[str, Any], tmp_path: Path, artifacts: Path
) -> None:
    page, base = lenient_page, site["url"]
    # The quiz file's instructor is the course's instructor: enrol sue from a CSV.
    log_in(page, base, "prof", "/courses/dist-101/")
    assert page.locator("#role").inner_text() == "instructor"
    roster = tmp_path / "roster.csv"
    roster.write_text("username,role\nsue,student\n")
    page.set_input_files("#csv-file", str(roster))
    page.click("#enrol")
    page.wait_for_selector("text=Enrolled 1 new members")
    assert "sue" in page.locator("#members").inner_text()
    page.click("#open-join")
    join_url = page.locator("#join-url").inner_text()
    assert "/courses/dist-101/join/" in join_url

    # eve is in no course: the course and its quiz do not exist for her.
    log_in(page, base, "eve", "/courses/")
    assert page.goto(f"{base}/quizzes/course-quiz/").status == 404
    assert page.goto(f"{base}/courses/dist-101/").status == 404

    # tom joins through the link and starts the quiz; the lab of the attempt connects.
    log_in(page, base, "tom", "/courses/")
    page.goto(join_url)
    page.click("#join")
    page.wait_for_url(f"{base}/courses/dist-101/")
    page.click("text=Course quiz")
    page.click("#start")
    page.wait_for_url("**/attempts/**")
    wait_ready(page)
    page.click("#btn-submit")
    page.click("#btn-submit-anyway")
    page.wait_for_selector("text=Submitted and saved")

    # The instructor's gradebook has tom's row and the per-question chart.
    log_in(page, base, "prof", "/quizzes/course-quiz/gradebook/")
    assert "tom" in page.locator("#gradebook").inner_text()
    assert page.locator("#stats-chart rect").count() >= 1
    # tom left every question blank: each row counts one blank answer.
    rows = page.locator("#question-stats tbody tr")
    assert rows.count() >= 1 and rows.first.locator("td").nth(4).inner_text() == "1"
    page.screenshot(path=str(artifacts / "course-gradebook.png"), full_page=True)
