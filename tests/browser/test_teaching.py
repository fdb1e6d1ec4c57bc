"""Instructors and students, walked in a real browser on a server set up as ``make run`` does.

The server of this module has its own database and one extra content folder, and is
set up in the README's order: migrate, load_samples, load_content, serve; only then is
the instructor account named by the shipped quiz file created (in the admin, by the
superuser). DEBUG is off, as in production, so the forbidden and not-found pages are
the site's own.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from labs.teaching import content
from labs.teaching.content import variant_seed
from labs.teaching.grading import prepare
from tests.browser.conftest import ROOT, manage
from tests.browser.helpers import wait_ready
from tests.servers import daphne
from tests.teaching.test_one_pass import EXPECTED, FIVE_MISTAKES

pytestmark = pytest.mark.browser

SLOTS_EXERCISE = """---
id: t-slots
title: "Redis Cluster: keys and slots"
lab: consistent-hashing
practice: false
scenario:
  params: {mode: slots, nodes: 3, keys: 200}
  seed: 4
questions:
  - id: shards
    type: numeric
    prompt: "How many shards serve the 16,384 slots?"
    query: node_count
  - id: owner
    type: single
    prompt: "Which shard serves `user:42`?"
    query: {name: owner_of_key, args: {key: "user:42"}}
---
A cluster of three shards.
"""

RING_SLOT_EXERCISE = """---
id: t-ring-slot
title: "A ring, and a question about slots"
lab: consistent-hashing
practice: false
scenario:
  params: {nodes: 4, keys: 100, vnodes: 4}
  seed: 2
questions:
  - id: nodes
    type: numeric
    prompt: "How many nodes are on the ring?"
    query: node_count
  - id: slot
    type: numeric
    prompt: "Which hash slot does `user:42` map to in Redis Cluster?"
    query: {name: slot_of_key, args: {key: "user:42"}}
---
"""

QUIZ = """id: slots-quiz
title: "Slots and rings"
attempts: 2
reveal: immediately
instructors: [instructor]
exercises:
  - {exercise: t-slots, points: 10}
  - {exercise: t-ring-slot, points: 10}
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A server set up in the README's order, with no account but the superuser."""
    folder = tmp_path_factory.mktemp("content")
    (folder / "t-slots.md").write_text(SLOTS_EXERCISE)
    (folder / "t-ring-slot.md").write_text(RING_SLOT_EXERCISE)
    (folder / "slots-quiz.yaml").write_text(QUIZ)
    # A file with a problem from the start: the server logs it as it starts.
    (folder / "at-start.md").write_text(
        SLOTS_EXERCISE.replace("id: t-slots", "id: t-at-start").replace("nodes: 3", "nodes: 99")
    )
    db = tmp_path_factory.mktemp("db") / "teaching.sqlite3"
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
    manage(env, "load_samples")
    loaded = manage(env, "load_content")
    assert "instructor 'instructor' has no account yet" in loaded
    manage(
        env,
        "shell",
        "-c",
        "from django.contrib.auth.models import User; "
        "User.objects.create_superuser('root', password='pw-root'); "
        "User.objects.create_user('student', password='pw-student')",
    )
    log = tmp_path_factory.mktemp("log") / "daphne.log"
    with open(log, "wb") as out, daphne(env, out) as address:
        yield {"url": f"http://{address}", "env": env, "folder": folder, "log": log}


def log_in(page: Any, base: str, name: str, then: str) -> None:
    page.context.set_default_timeout(TIMEOUT)
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{base}/accounts/login/?next={then}")
    page.fill("#id_username", name)
    page.fill("#id_password", f"pw-{name}")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{then}")


# The machine running these tests may be shared and busy: allow slow page loads.
TIMEOUT = 60_000


@pytest.fixture
def lenient_page(browser: Any) -> Iterator[Any]:
    """A page whose console may log failed loads: the admin's pages ask for
    /favicon.ico (a 404), and the forbidden and not-found pages are the point."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    yield page
    context.close()


def test_an_instructor_created_after_load_content_sees_the_gradebook_at_once(
    page: Any, lenient_page: Any, site: dict[str, Any], artifacts: Path
) -> None:
    base = site["url"]
    # The superuser adds the account the shipped quiz file names, in the admin.
    admin = lenient_page
    log_in(admin, base, "root", "/admin/auth/user/add/")
    admin.fill("#id_username", "instructor")
    usable = admin.locator("input[name=usable_password][value=true]")
    if usable.count():
        usable.check()
    admin.fill("#id_password1", "Lattice-Walk-93")
    admin.fill("#id_password2", "Lattice-Walk-93")
    admin.click("input[name=_save]")
    admin.wait_for_url("**/change/")

    page.goto(f"{base}/accounts/login/?next=/quizzes/ring-quiz/gradebook/")
    page.fill("#id_username", "instructor")
    page.fill("#id_password", "Lattice-Walk-93")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/quizzes/ring-quiz/gradebook/")
    assert page.locator("#gradebook").count() == 1
    page.goto(f"{base}/quizzes/")
    assert page.locator("a[href='/quizzes/ring-quiz/gradebook/']").count() >= 1
    page.screenshot(path=str(artifacts / "teaching-gradebook.png"), full_page=True)


def test_five_mistakes_are_named_in_one_run_logged_and_listed_in_the_admin(
    lenient_page: Any, site: dict[str, Any]
) -> None:
    page = lenient_page
    path = Path(site["folder"]) / "five.md"
    path.write_text(FIVE_MISTAKES)
    done = subprocess.run(
        [sys.executable, "manage.py", "check_exercises", str(path)],
        cwd=ROOT,
        env=site["env"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert lines[-1] == "Checked 1 file: 5 problems."
    for (line, key, message), printed in zip(EXPECTED, lines, strict=False):
        assert printed.startswith(f"{path}:{line}: {key}: ") and message in printed, printed

    # A file broken before the server started was logged at start-up, unasked.
    deadline = time.monotonic() + 60
    while "at-start.md:7: scenario.params.nodes" not in Path(site["log"]).read_text():
        assert time.monotonic() < deadline, Path(site["log"]).read_text()
        time.sleep(0.2)

    # Dropped into a served folder: the running server logs it and the admin lists it.
    base = site["url"]
    log_in(page, base, "root", "/admin/teaching/quiz/")
    warning = page.locator("ul.messagelist li.warning")
    assert "content files have problems and are not served" in warning.inner_text()
    warning.locator("a").click()
    page.wait_for_url("**/admin/teaching/quiz/content/")
    row = page.locator("#content-files tr.not-served", has_text="five.md")
    text = row.inner_text()
    for line, key, _ in EXPECTED:
        assert f"{line}: {key}" in text
    logged = Path(site["log"]).read_text()
    assert "content file not served" in logged and "five.md:7: scenario.params.nodes" in logged
    path.unlink()


def test_a_student_is_asked_before_submitting_a_blank_question(
    page: Any, browser: Any, site: dict[str, Any], artifacts: Path
) -> None:
    base = site["url"]
    out = manage(
        site["env"],
        "shell",
        "-c",
        "from django.contrib.auth.models import User; "
        "print('student', User.objects.get(username='student').pk)",
    )
    student = int(next(x for x in out.splitlines() if x.startswith("student ")).split()[1])
    log_in(page, base, "student", "/quizzes/slots-quiz/")
    page.click("#start")
    page.wait_for_url("**/attempts/*/")
    wait_ready(page)
    attempt_url = page.url

    # A slots-mode scenario opens the lab in slots mode.
    page.wait_for_function("document.getElementById('lab').classList.contains('mode-slots')")
    assert page.input_value("#ch-mode") == "slots"
    # The lab shows the answer: type the key into the lab's look-up and read it.
    shards = page.evaluate("document.getElementById('ch-load').data[0].x.length")
    page.fill("#in-shards", str(shards))
    page.click("button[name=go][value='2']")
    page.wait_for_url("**/attempts/*/?item=2")
    wait_ready(page)

    # A ring exercise: its slot question opens the lab in slots mode in a new tab.
    page.wait_for_function("document.getElementById('lab').classList.contains('mode-ring')")
    with page.context.expect_page() as opened:
        page.click("#setting-slot")
    slots_tab = opened.value
    slots_tab.wait_for_function("window.paperlabs && window.paperlabs.ready === true")
    slots_tab.wait_for_function("document.getElementById('lab').classList.contains('mode-slots')")
    slots_tab.close()
    nodes = page.evaluate("document.getElementById('ch-load').data[0].x.length")
    page.fill("#in-nodes", str(nodes))

    # A second tab on the same attempt, opened before submitting.
    other = page.context.new_page()
    other.goto(attempt_url + "?item=2")

    # Exercise 1's "owner" and exercise 2's "slot" are blank: asked first.
    page.click("#btn-submit")
    page.wait_for_selector("#confirm-unanswered")
    listed = page.locator("#confirm-list li")
    assert listed.count() == 2
    assert "Exercise 1, question 2" in listed.nth(0).inner_text()
    assert "Exercise 2, question 2" in listed.nth(1).inner_text()
    assert page.evaluate("document.activeElement.id") == "confirm-unanswered"
    page.screenshot(path=str(artifacts / "teaching-confirm.png"), full_page=True)
    assert page.input_value("#in-nodes") == str(nodes)  # nothing lost
    page.click("#btn-submit-anyway")
    page.wait_for_selector("#score")
    assert "Score: 20 / 20" not in page.inner_text("#score")
    score = page.inner_text("#score")

    # The result matches the lab: the answered questions are right, the blank ones
    # are not, and the slot's expected answer is the one the lab shows in slots mode.
    exercise = _exercise(site, "t-ring-slot")
    prepared = prepare(
        exercise, exercise.variant(variant_seed("slots-quiz", "t-ring-slot", student))
    )
    slot = prepared.expected["slot"].value
    statuses = page.eval_on_selector_all(".feedback", "els => els.map(e => e.dataset.status)")
    assert statuses.count("correct") == 2, statuses
    slot_feedback = page.locator(".feedback").nth(3)
    assert str(slot) in slot_feedback.inner_text()
    with page.expect_navigation():
        slot_feedback.locator("a.replay-link").click()
    wait_ready(page)
    page.wait_for_function("document.getElementById('lab').classList.contains('mode-slots')")
    page.wait_for_function("document.getElementById('ch-selected').textContent.includes('user:42')")
    assert f"to slot {slot}," in page.inner_text("#ch-selected")

    # Submitting again from the other tab changes nothing.
    other.click("#btn-submit")
    other.wait_for_selector("#score")
    assert "already submitted" in other.inner_text("main")
    assert other.inner_text("#score") == score
    attempts = manage(
        site["env"],
        "shell",
        "-c",
        "from labs.teaching.models import Attempt; "
        "print([(a.status, a.score) for a in Attempt.objects.filter(quiz__slug='slots-quiz')])",
    )
    assert attempts.count("submitted") == 1 and "open" not in attempts
    other.close()


def _exercise(site: dict[str, Any], exercise_id: str) -> Any:
    loaded = content.load([Path(site["folder"])])
    return loaded.exercises[exercise_id]


def test_forbidden_and_not_found_pages_use_the_layout_and_say_what_to_do(
    lenient_page: Any, site: dict[str, Any], artifacts: Path
) -> None:
    page = lenient_page
    base = site["url"]
    log_in(page, base, "student", "/quizzes/")
    response = page.goto(f"{base}/quizzes/ring-quiz/gradebook/")
    assert response.status == 403
    assert page.locator("header.site nav a[href='/exercises/']").count() == 1
    assert "Only the instructors of the quiz" in page.inner_text("#problem-reason")
    assert "logged in as student" in page.inner_text("#forbidden")
    page.screenshot(path=str(artifacts / "teaching-403.png"), full_page=True)
    page.click("#login-other")
    page.wait_for_url("**/accounts/login/?next=/quizzes/ring-quiz/gradebook/")

    response = page.goto(f"{base}/labs/no-such-lab/")
    assert response.status == 404
    assert page.locator("header.site nav a[href='/replays/']").count() == 1
    assert "/labs/no-such-lab/" in page.inner_text("#not-found")
    assert "What you can do" in page.inner_text("#not-found")
    page.screenshot(path=str(artifacts / "teaching-404.png"), full_page=True)
