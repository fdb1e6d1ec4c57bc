"""Accessibility of every page, in a real Chromium:

- axe-core finds no serious or critical violation on any page (labs, replays, the
  import page, exercises, quizzes and a quiz item, the gradebook, log-in);
- at 390 px wide no lab page scrolls sideways;
- by keyboard alone every control of a lab page is reached, the player's before any
  chart's, and no Plotly mode-bar button is in the way;
- every chart offers PNG and CSV downloads and a table of the data it draws.

axe-core comes from the npm registry at set-up (``make assets``), never from a CDN.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest

from labs.registry import LABS
from tests.browser.conftest import ROOT, manage
from tests.browser.helpers import wait_ready

pytestmark = pytest.mark.browser

AXE = ROOT / "assets" / "node_modules" / "axe-core" / "axe.min.js"

SETUP = """
from django.contrib.auth.models import User
from labs.teaching.models import Quiz, QuizItem
from labs.models import Replay
teacher, _ = User.objects.get_or_create(username="a11y-teacher", defaults={"is_staff": True, "is_superuser": True})
teacher.set_password("pw-a11y-teacher"); teacher.save()
quiz, _ = Quiz.objects.get_or_create(slug="a11y-quiz", defaults={"title": "A11y quiz", "max_attempts": 3})
QuizItem.objects.get_or_create(quiz=quiz, position=1, exercise="ch-what-if")
for replay in Replay.objects.filter(source="sample").order_by("id"):
    print("replay", replay.pk)
"""


@pytest.fixture(scope="module")
def site(live_server_url: str, server_env: dict[str, str]) -> dict[str, list[str]]:
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: run `make assets`")
    manage(server_env, "load_content")
    out = manage(server_env, "shell", "-c", SETUP)
    replays = [line.split()[1] for line in out.splitlines() if line.startswith("replay ")]
    assert replays
    return {"replays": replays}


def axe_problems(page: Any) -> list[str]:
    """The serious and critical axe-core violations of the page as it is now."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "axe.run(document, { resultTypes: ['violations'] }).then(r => r.violations"
        ".filter(v => ['serious', 'critical'].includes(v.impact))"
        ".map(v => `${v.impact} ${v.id}: ${v.help} -> ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`))"
    )
    problems: list[str] = result
    return problems


def open_page(page: Any, url: str, live: bool) -> None:
    response = page.goto(url, timeout=60_000)
    assert response is not None and response.status == 200, url
    if live:
        wait_ready(page)
        page.wait_for_function(
            "window.paperlabsFirstChart !== undefined || [...document.querySelectorAll"
            "('.js-plotly-plot')].some(p => (p.data || []).length > 0)",
            timeout=60_000,
        )


def log_in(page: Any, base: str, name: str, then: str) -> None:
    page.goto(f"{base}/accounts/login/?next={then}")
    page.fill("#id_username", name)
    page.fill("#id_password", f"pw-{name}")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{then}")


def test_axe_finds_nothing_serious_on_any_page(
    browser: Any, live_server_url: str, site: dict[str, list[str]]
) -> None:
    # axe is injected as a script of its own: only the test's page skips the policy.
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    base = live_server_url
    found: dict[str, list[str]] = {}

    def check(url: str, live: bool = False) -> None:
        open_page(page, base + url, live)
        if problems := axe_problems(page):
            found[url] = problems

    for url in ("/", "/replays/", "/replays/import/", "/exercises/", "/accounts/login/"):
        check(url)
    for lab in LABS:
        check(f"/labs/{lab.slug}/", live=True)
    for replay in site["replays"]:
        check(f"/replays/{replay}/", live=True)
    page.goto(base + "/exercises/")
    links = page.eval_on_selector_all(
        "main a[href^='/exercises/']", "links => links.map(a => a.getAttribute('href'))"
    )
    exercises = sorted({re.sub(r"\?.*", "", h) for h in links if h.count("/") == 3})
    assert exercises
    for url in exercises:
        check(url + ("?variant=1" if "what-if" in url else ""), live=True)

    log_in(page, base, "a11y-teacher", "/quizzes/")
    check("/quizzes/")
    check("/quizzes/a11y-quiz/")
    page.click("#start")
    page.wait_for_url(re.compile(r".*/attempts/\d+/$"))
    check(page.url.removeprefix(base), live=True)
    check("/quizzes/a11y-quiz/gradebook/")
    context.close()
    assert found == {}, "\n".join(f"{u}: {p}" for u, ps in found.items() for p in ps)


@pytest.mark.parametrize("slug", [lab.slug for lab in LABS])
def test_no_sideways_scrolling_at_390_px(browser: Any, live_server_url: str, slug: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1)
    page = context.new_page()
    open_page(page, f"{live_server_url}/labs/{slug}/", live=True)
    wide = page.evaluate(
        """() => [...document.querySelectorAll('main *')]
            .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1
                          && !el.closest('figure, .chart-table, .log ol, table'))
            .slice(0, 5).map(el => `${el.tagName}#${el.id}.${el.className}`)"""
    )
    width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    context.close()
    assert width[0] <= width[1], (width, wide)


FOCUSABLE = """() => [...document.querySelectorAll('main a[href], main button, main input, main select, main summary, main textarea')]
  .filter(el => !el.disabled && el.offsetParent !== null && el.tabIndex >= 0 && !el.closest('[hidden], details:not([open]) > :not(summary)'))
  .map(el => el.id || el.textContent.trim().slice(0, 30))"""


def test_keyboard_reaches_every_control_player_first(page: Any, live_server_url: str) -> None:
    open_page(page, f"{live_server_url}/labs/consistent-hashing/", live=True)
    wanted = page.evaluate(FOCUSABLE)
    order: list[str] = []
    in_chart: list[str] = []
    for _ in range(len(wanted) + 20):
        page.keyboard.press("Tab")
        seen = page.evaluate(
            """() => { const el = document.activeElement;
                 return [el.id || el.textContent.trim().slice(0, 30), !!el.closest('.js-plotly-plot'),
                         !!el.closest('main')]; }"""
        )
        if not seen[2]:
            continue
        order.append(seen[0])
        if seen[1]:
            in_chart.append(seen[0])
    assert in_chart == [], "Plotly's own buttons are in the tab order"
    missing = [w for w in wanted if w not in order]
    assert missing == [], missing
    assert order.index("btn-play") < order.index("Download PNG")
    assert order.index("btn-play") < order.index("ch-mode")


def test_charts_offer_png_csv_and_a_table(page: Any, live_server_url: str) -> None:
    open_page(page, f"{live_server_url}/labs/consistent-hashing/", live=True)
    figure = page.locator("figure", has=page.locator("#ch-load"))
    with page.expect_download() as png:
        figure.get_by_role("button", name="Download PNG").click()
    assert png.value.suggested_filename.endswith(".png")
    with page.expect_download() as got:
        figure.get_by_role("button", name="Download CSV").click()
    rows = list(csv.reader(io.StringIO(Path(got.value.path()).read_text())))
    drawn = page.evaluate(
        "document.getElementById('ch-load').data.reduce((n, t) => n + t.x.length, 0)"
    )
    assert rows[0][0] == "series" and len(rows) - 1 == drawn
    toggle = figure.locator(".chart-tools button").nth(2)
    assert toggle.text_content() == "Show the data as a table"
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    table = figure.locator("table.data-table")
    assert table.locator("tbody tr").count() == drawn
    # The table follows the chart: a new node, a new bar.
    page.fill("#ch-node-name", "Z")
    page.click("#ch-add-node")
    page.wait_for_function("document.getElementById('ch-load').data[0].x.includes('Z')")
    page.wait_for_function(
        "[...document.querySelectorAll('#ch-load-table td')].some(td => td.textContent === 'Z')"
    )


COURSE_SETUP = """
from django.contrib.auth.models import User
from labs.lti.models import GradeSend, LineItem
from labs.teaching import services
from labs.teaching.models import Course, Membership, Quiz, QuizItem
from lti_tool.models import LtiRegistration
users = {}
for name in ("a11y-prof", "a11y-student", "a11y-outsider"):
    users[name], _ = User.objects.get_or_create(username=name)
    users[name].set_password("pw-" + name); users[name].save()
course, _ = Course.objects.get_or_create(slug="a11y-course", defaults={"title": "A11y course", "join_open": True})
Membership.objects.get_or_create(course=course, user=users["a11y-prof"], defaults={"role": "instructor"})
Membership.objects.get_or_create(course=course, user=users["a11y-student"], defaults={"role": "student"})
quiz, _ = Quiz.objects.get_or_create(slug="a11y-course-quiz", defaults={"title": "Course quiz", "course": course, "max_attempts": 3})
QuizItem.objects.get_or_create(quiz=quiz, position=1, exercise="ch-what-if")
if not quiz.attempts.exists():
    attempt = services.start_attempt(quiz, users["a11y-student"])
    services.submit(attempt, attempt.token, {})
registration = LtiRegistration.objects.filter(client_id="paperlabs-browser").first()
if registration is not None:
    item, _ = LineItem.objects.get_or_create(registration=registration, url="http://127.0.0.2/lineitems/9", defaults={"course": course, "quiz": quiz})
    GradeSend.objects.get_or_create(line_item=item, user=users["a11y-student"], defaults={"score": 0, "max_score": 1, "status": "failed", "tries": 2, "last_error": "the platform answered 503: gradebook is down"})
print("join", course.join_token)
"""


def test_axe_on_course_classroom_and_lti_pages(
    browser: Any, live_server_url: str, server_env: dict[str, str], site: dict[str, list[str]]
) -> None:
    from tests.browser.fake_lms import serve

    base = live_server_url
    found: dict[str, list[str]] = {}

    def check(page: Any, name: str, frame: Any = None) -> None:
        target = frame or page
        target.add_script_tag(path=str(AXE))
        problems = target.evaluate(
            "axe.run(document, { resultTypes: ['violations'] }).then(r => r.violations"
            ".filter(v => ['serious', 'critical'].includes(v.impact))"
            ".map(v => `${v.impact} ${v.id}: ${v.help} -> ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`))"
        )
        if problems:
            found[name] = problems

    def visit(page: Any, url: str, status: int = 200) -> None:
        response = page.goto(base + url, timeout=60_000)
        assert response is not None and response.status == status, (
            url,
            response and response.status,
        )
        check(page, url)

    def context() -> Any:
        made = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
        page = made.new_page()
        page.set_default_timeout(60_000)
        return made, page

    with serve("127.0.0.2") as lms:
        lms.tool = base
        manage(server_env, "shell", "-c", lms.registration_script())
        out = manage(server_env, "shell", "-c", COURSE_SETUP)
        token = next(line.split()[1] for line in out.splitlines() if line.startswith("join "))

        # LTI: the refusal pages, a launch's landing pages, the Deep Linking picker.
        made, page = context()
        visit(page, "/lti/login/", status=400)
        visit(page, "/lti/login/?iss=https://unknown.example&target_link_uri=x", status=400)
        for target in ("", "lab:consistent-hashing", "quiz:a11y-quiz"):
            page.goto(lms.login_url({"target": target, "role": "learner", "sub": "a11y-lti"}))
            page.wait_for_url(re.compile(rf"{re.escape(base)}/(courses|labs|quizzes)/.*"))
            if target.startswith("lab:"):
                wait_ready(page)
            check(page, f"LTI landing {target or 'course'}")
        query = {"target": "", "role": "instructor", "sub": "a11y-lti-prof"}
        page.goto(lms.login_url({**query, "message": "deep-linking"}))
        page.wait_for_selector("#add-picks")
        check(page, "LTI Deep Linking picker")
        page.check("#pick-lab-snapshots")
        page.click("#add-picks")
        page.wait_for_selector("#return-to-lms")
        check(page, "LTI Deep Linking return")
        made.close()

        # The course's staff: list, course page (members, enrolment, join link), a
        # refused CSV, the gradebook with a failed grade send, the statistics.
        made, page = context()
        log_in(page, base, "a11y-prof", "/courses/")
        check(page, "/courses/ (instructor)")
        visit(page, "/courses/a11y-course/")
        page.set_input_files(
            "#csv-file",
            files=[{"name": "r.csv", "mimeType": "text/csv", "buffer": b"username,role\n,boss\n"}],
        )
        page.click("#enrol")
        page.wait_for_load_state()
        check(page, "/courses/a11y-course/ (refused CSV)")
        visit(page, "/quizzes/a11y-course-quiz/gradebook/")
        assert page.locator("#passback-failures").count() == 1
        visit(page, "/quizzes/a11y-course-quiz/statistics/")
        made.close()

        # A student of the course; someone joining by the link; a closed link.
        made, page = context()
        log_in(page, base, "a11y-student", "/courses/")
        check(page, "/courses/ (student)")
        visit(page, "/courses/a11y-course/")
        made.close()
        made, page = context()
        log_in(page, base, "a11y-outsider", "/courses/")
        visit(page, f"/courses/a11y-course/join/{token}/")
        visit(page, "/courses/a11y-course/join/not-the-token/", status=404)
        made.close()

        # A live classroom session: the instructor's page, a student's, the results.
        made, teacher = context()
        visit(teacher, "/classroom/")
        teacher.click('button[data-lab="consistent-hashing"]')
        wait_ready(teacher)
        code = teacher.inner_text("#join-code").strip()
        student_context, student = context()
        visit(student, f"/classroom/join/?code={code}")
        student.fill("#join-name", "Ann")
        student.click("#join-submit")
        wait_ready(student)
        teacher.fill("#poll-options-in", "Node A\nNode E")
        teacher.click("#poll-open")
        student.wait_for_selector("#poll:not([hidden])")
        check(teacher, "classroom: instructor")
        check(student, "classroom: student")
        teacher.on("dialog", lambda d: d.accept())
        teacher.click("#btn-end-session")
        teacher.wait_for_url(f"**/classroom/{code}/results/")
        check(teacher, "classroom: results")
        student_context.close()
        made.close()

    assert found == {}, "\n".join(f"{u}: {p}" for u, ps in found.items() for p in ps)
