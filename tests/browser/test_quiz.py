"""A student takes the shipped quiz in a real browser; the instructor downloads the CSV.

The quiz (labs/content/quizzes/ring-quiz.yaml) has two per-student exercises. The test
computes the student's right answers in this process from the same content files and
the same variant seed the server derives, then answers through the page: typed
numbers, radio buttons, and a construct task done in the live lab (one node joins so
that the student's key moves), saved with "Use this recording for this question".
"""

from __future__ import annotations

import copy
import csv
import io
from pathlib import Path
from typing import Any

import pytest

from labs.teaching import content
from labs.teaching.content import quiz_variant_seed
from labs.teaching.grading import Prepared, prepare
from tests.browser.conftest import manage
from tests.browser.helpers import wait_ready, wait_step

pytestmark = pytest.mark.browser

USERS = """
from django.contrib.auth.models import User
for name in ("alice", "bob", "instructor"):
    user, _ = User.objects.get_or_create(username=name)
    user.set_password("pw-" + name)
    user.save()
    print("account", name, user.pk)
"""


@pytest.fixture(scope="module")
def accounts(live_server_url: str, server_env: dict[str, str]) -> dict[str, int]:
    out = manage(server_env, "shell", "-c", USERS)
    lines = [line.split() for line in out.splitlines() if line.startswith("account ")]
    ids = {name: int(pk) for _, name, pk in lines}
    manage(server_env, "load_content")
    return ids


def log_in(page: Any, base: str, name: str, then: str) -> None:
    page.goto(f"{base}/accounts/login/?next={then}")
    page.fill("#id_username", name)
    page.fill("#id_password", f"pw-{name}")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{then}")


def prepared(exercise_id: str, user_id: int) -> Prepared:
    exercise = content.exercise(exercise_id)
    assert exercise is not None
    return prepare(exercise, exercise.variant(quiz_variant_seed("ring-quiz", exercise_id, user_id)))


def mover(p: Prepared, key: str) -> str:
    base = p.scenario.timeline().engine
    for i in range(400):
        name = f"N{i}"
        probe = copy.deepcopy(base)
        probe.apply({"action": "add_node", "name": name})
        probe.apply({"action": "select_key", "key": key})
        if probe.state()["selected"]["node"] == name:
            return name
    raise AssertionError("no name moves the key")


def answer(page: Any, exercise: str, qid: str, value: Any, qtype: str) -> None:
    name = f"a-{exercise}-{qid}"
    if qtype == "numeric":
        page.fill(f"input[name='{name}']", str(value))
    else:
        page.check(f"input[name='{name}'][value='{value}']")


def test_student_takes_the_quiz_and_instructor_downloads_the_csv(
    page: Any, browser: Any, live_server_url: str, accounts: dict[str, int], artifacts: Path
) -> None:
    base = live_server_url
    log_in(page, base, "alice", "/quizzes/ring-quiz/")
    page.click("#start")
    page.wait_for_url("**/attempts/*/")
    wait_ready(page)

    # Exercise 1: read the lab, answer four questions.
    first = prepared("ch-what-if", accounts["alice"])
    assert first.variant.values["joiner"] in page.inner_text("#prompt-moved-if")
    html = page.content()
    for q in first.exercise.questions:
        assert first.expected[q.id].why not in html
        answer(page, "ch-what-if", q.id, first.expected[q.id].value, q.type)
    page.click("button[name=go][value='2']")
    page.wait_for_url("**/attempts/*/?item=2")
    wait_ready(page)

    # Exercise 2: a question, then the construct task in the live lab.
    second = prepared("ch-construct", accounts["alice"])
    answer(page, "ch-construct", "owner-now", second.expected["owner-now"].value, "single")
    answer(page, "ch-construct", "nodes", second.expected["nodes"].value, "numeric")
    key = second.variant.values["key"]
    assert key in page.inner_text("#prompt-make-it-move")
    page.fill("#ch-node-name", mover(second, key))
    page.click("#ch-add-node")
    wait_step(page, 1, 1)
    page.click("[data-use-recording='make-it-move']")
    page.wait_for_function("window.paperlabs.teaching.recordings['make-it-move']")
    assert "Recording saved" in page.inner_text("#rec-status-make-it-move")
    page.screenshot(path=str(artifacts / "quiz-construct.png"), full_page=True)
    page.click("#btn-submit")
    page.wait_for_selector("#score")
    assert "Score: 20 / 20" in page.inner_text("#score")
    assert page.locator(".feedback[data-status=correct]").count() == 7
    page.screenshot(path=str(artifacts / "quiz-result.png"), full_page=True)

    # The instructor: gradebook and CSV.
    context = browser.new_context(accept_downloads=True)
    teacher = context.new_page()
    teacher.set_default_timeout(15_000)
    log_in(teacher, base, "instructor", "/quizzes/ring-quiz/gradebook/")
    row = teacher.locator("#gradebook tbody tr", has_text="alice")
    assert row.locator("td.total").inner_text() == "20"
    with teacher.expect_download() as info:
        teacher.click("#csv-link")
    text = Path(info.value.path()).read_text()
    rows = list(csv.DictReader(io.StringIO(text)))
    alice = next(r for r in rows if r["username"] == "alice")
    assert float(alice["score"]) == 20 and float(alice["max"]) == 20
    assert alice["2.make-it-move"] == "3.0"
    context.close()


def test_pick_a_node_in_a_chart_in_practice(page: Any, live_server_url: str) -> None:
    page.goto(f"{live_server_url}/exercises/ch-join-basics/")
    wait_ready(page)
    exercise = content.exercise("ch-join-basics")
    assert exercise is not None
    biggest = prepare(exercise, exercise.variant(0)).expected["biggest"].value[0]
    page.click("[data-pick='biggest']")
    names = page.evaluate("document.getElementById('ch-load').data[0].x")
    bar = (
        page.locator("#ch-load .barlayer .trace").first.locator(".point").nth(names.index(biggest))
    )
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] - 3)
    page.wait_for_function("window.paperlabs.teaching.picks.biggest")
    assert page.input_value("#pick-biggest") == biggest
    page.click("#btn-check")
    page.wait_for_selector("#score")
    assert page.locator("#question-biggest .feedback").get_attribute("data-status") == "correct"


# Every point of a chart as (series, x, y), the way the CSV and the table write them.
CHART_POINTS = """id => document.getElementById(id).data.flatMap((t, i) =>
  t.x.map((x, j) => [t.name || `series ${i + 1}`, String(x), String(t.y[j])]))"""


def test_exercise_charts_download_png_and_csv_and_show_a_table(
    page: Any, live_server_url: str
) -> None:
    """The chart tools of a lab page, on an exercise page, worked from the keyboard."""
    page.goto(f"{live_server_url}/exercises/ch-join-basics/")
    wait_ready(page)
    # The scenario's set-up steps: the files are named for the step they show.
    name = f"consistent-hashing-ch-load-step-{page.evaluate('window.paperlabs.step')}"
    figure = page.locator("figure", has=page.locator("#ch-load"))
    png_button = figure.get_by_role("button", name="Download PNG")
    png_button.focus()
    with page.expect_download() as png:
        page.keyboard.press("Enter")
    assert png.value.suggested_filename == f"{name}.png"
    assert Path(png.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    figure.get_by_role("button", name="Download CSV").focus()
    with page.expect_download() as got:
        page.keyboard.press("Enter")
    assert got.value.suggested_filename == f"{name}.csv"
    rows = list(csv.reader(io.StringIO(Path(got.value.path()).read_text())))
    drawn = page.evaluate(CHART_POINTS, "ch-load")
    assert drawn and rows[0][0] == "series" and len(rows[0]) == 4
    assert [r[:3] for r in rows[1:]] == drawn

    toggle = figure.locator(".chart-tools button").nth(2)
    assert toggle.text_content() == "Show the data as a table"
    toggle.focus()
    page.keyboard.press("Space")
    assert toggle.get_attribute("aria-expanded") == "true"
    cells = figure.locator("table.data-table tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.cells].slice(0, 3).map(c => c.textContent))"
    )
    assert [c[:2] for c in cells] == [[name, x] for name, x, _ in drawn]
    assert [float(c[2]) for c in cells] == pytest.approx([float(y) for _, _, y in drawn], rel=1e-5)


def test_every_chart_of_a_quiz_item_has_the_chart_tools(
    page: Any, live_server_url: str, accounts: dict[str, int]
) -> None:
    log_in(page, live_server_url, "bob", "/quizzes/ring-quiz/")
    page.click("#start")
    page.wait_for_url("**/attempts/*/")
    wait_ready(page)
    charts = page.locator("#lab .chart")
    assert charts.count() >= 4
    for i in range(charts.count()):
        tools = charts.nth(i).locator("xpath=following-sibling::div[1]")
        assert tools.get_attribute("class") == "chart-tools"
        assert tools.locator("button").all_text_contents() == [
            "Download PNG",
            "Download CSV",
            "Show the data as a table",
        ]
    with page.expect_download() as got:
        page.locator("figure", has=page.locator("#ch-load")).get_by_role(
            "button", name="Download CSV"
        ).click()
    assert got.value.suggested_filename.startswith("consistent-hashing-ch-load-step-")
    assert len(Path(got.value.path()).read_text().splitlines()) > 1
