"""A live lecture in one Chromium: the instructor's page and two students' pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.helpers import wait_ready, wait_step

pytestmark = pytest.mark.browser


@pytest.fixture
def pages(browser: Any) -> Iterator[tuple[list[Any], list[str]]]:
    """Three pages, each in its own context (its own cookies): teacher, Ann, Bob."""
    contexts = [browser.new_context(viewport={"width": 1200, "height": 900}) for _ in range(3)]
    console: list[str] = []
    made = []
    for n, context in enumerate(contexts):
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.on("console", lambda m, n=n: console.append(f"{n} {m.type}: {m.text}"))
        page.on("pageerror", lambda e, n=n: console.append(f"{n} pageerror: {e}"))
        made.append(page)
    yield made, console
    for context in contexts:
        context.close()
    assert not [c for c in console if "pageerror" in c], console


def test_an_instructor_and_two_students(
    pages: tuple[list[Any], list[str]], live_server_url: str
) -> None:
    (teacher, ann, bob), _ = pages
    teacher.goto(f"{live_server_url}/classroom/")
    teacher.click('button[data-lab="consistent-hashing"]')
    wait_ready(teacher)
    code = teacher.inner_text("#join-code").strip()
    assert teacher.locator(".qr svg").count() == 1

    for page, name in ((ann, "Ann"), (bob, "<i>Bob</i>")):
        page.goto(f"{live_server_url}/classroom/join/?code={code}")
        page.fill("#join-name", name)
        page.click("#join-submit")
        wait_ready(page)
    assert bob.inner_text("#me") == "<i>Bob</i>"
    teacher.wait_for_function("document.getElementById('presence').dataset.students === '2'")
    # Following: the lab's controls are the instructor's.
    assert ann.locator("#ch-add-node").is_disabled()

    teacher.fill("#ch-node-name", "E")
    teacher.click("#ch-add-node")
    for page in (teacher, ann, bob):
        wait_step(page, 1, 1)
    assert ann.evaluate("window.paperlabs.frames") >= 2

    teacher.fill("#poll-options-in", "Node A\nNode E")
    teacher.fill("#poll-correct-in", "2")
    teacher.click("#poll-open")
    for page, choice in ((ann, 1), (bob, 0)):
        page.wait_for_selector("#poll:not([hidden])")
        page.check(f'#poll-options input[value="{choice}"]')
        page.click("#poll-submit")
        page.wait_for_function("window.classroom.acks.length === 1")
    teacher.wait_for_function("document.getElementById('poll-answered').dataset.answered === '2'")
    counts = teacher.eval_on_selector_all("#histogram .count", "els => els.map(e => e.textContent)")
    assert counts == ["1", "1"]

    teacher.click("#poll-reveal")
    ann.wait_for_function("window.classroom.poll.revealed === true")
    assert "The answer: Node E" in ann.inner_text("#poll-status")
    assert ann.locator("#poll-submit").is_disabled()

    # Ann branches off privately; Bob keeps following; one click takes Ann back.
    ann.click("#btn-explore")
    ann.wait_for_function("window.classroom.following === false")
    ann.fill("#ch-node-name", "S")
    ann.click("#ch-add-node")
    wait_step(ann, 2, 2)
    teacher.fill("#ch-node-name", "F")
    teacher.click("#ch-add-node")
    wait_step(bob, 2, 2)
    ann.click("#btn-follow")
    ann.wait_for_function("window.classroom.following === true")
    wait_step(ann, 2, 2)
    assert ann.evaluate("window.paperlabs.frames") > 0

    # An exercise question of another kind: tick every node of a preference list.
    teacher.select_option("#poll-question-in", "ch-join-basics/pref")
    teacher.click("#poll-ask")
    teacher.wait_for_function("window.classroom.poll && window.classroom.poll.kind === 'multiple'")
    right = teacher.evaluate("window.classroom.poll.expected")
    for page, ticks in ((ann, right), (bob, [0])):
        page.wait_for_function("window.classroom.poll.kind === 'multiple'")
        for i in ticks:
            page.check(f'#poll-options input[type="checkbox"][value="{i}"]')
        page.click("#poll-submit")
        page.wait_for_function("window.classroom.acks.length === 2")
    teacher.wait_for_function("document.getElementById('poll-answered').dataset.answered === '2'")
    expected_right = 1 if sorted(right) != [0] else 2
    assert f"{expected_right} of 2 right" in teacher.inner_text("#poll-summary")
    ticked = teacher.eval_on_selector_all("#histogram .count", "els => els.map(e => e.textContent)")
    assert ticked[0] == str(1 + (0 in right))

    # A number: a refusal names the field by its label; then the answer counts.
    teacher.select_option("#poll-question-in", "ch-construct/nodes")
    teacher.click("#poll-ask")
    teacher.wait_for_function("window.classroom.poll && window.classroom.poll.kind === 'numeric'")
    nodes = teacher.evaluate("window.classroom.poll.expected.value")
    ann.wait_for_selector("#poll-number")
    ann.fill("#poll-number", "lots")
    ann.click("#poll-submit")
    ann.wait_for_selector(".field-error")
    assert 'Your answer (a number) must be a number like 42 or 0.25, got "lots"' in ann.inner_text(
        ".field-error"
    )
    ann.fill("#poll-number", f"{nodes:g}")
    ann.click("#poll-submit")
    ann.wait_for_function("window.classroom.acks.length === 3")
    teacher.wait_for_function("document.getElementById('poll-answered').dataset.answered === '1'")
    teacher.click("#poll-reveal")
    ann.wait_for_function("window.classroom.poll.revealed === true")
    assert f"The answer: {nodes:g}." in ann.inner_text("#poll-status")

    # A construct task: each student acts in a lab of their own and sends it.
    teacher.select_option("#poll-question-in", "ch-construct/make-it-move")
    teacher.click("#poll-ask")
    teacher.wait_for_function("window.classroom.poll && window.classroom.poll.kind === 'construct'")
    ann.wait_for_function("window.classroom.poll.kind === 'construct'")
    assert ann.inner_text("#poll-submit") == "Use my lab for this poll"
    ann.click("#poll-submit")
    ann.wait_for_selector(".field-error")
    assert "Your lab must be explored first" in ann.inner_text(".field-error")
    ann.click("#btn-explore")
    ann.wait_for_function("window.classroom.following === false")
    ann.fill("#ch-node-name", "Q")
    ann.click("#ch-add-node")
    wait_step(ann, 3, 3)
    ann.click("#poll-submit")
    ann.wait_for_function("window.classroom.acks.length === 4")
    assert "Your answer: your lab (1 action of yours)." in ann.inner_text("#poll-status")
    teacher.wait_for_function("document.getElementById('poll-answered').dataset.answered === '1'")
    reached = teacher.eval_on_selector_all(
        "#histogram tbody th", "els => els.map(e => e.textContent)"
    )
    assert reached == ["goal reached ✓", "not yet"]
    teacher.click("#poll-reveal")
    ann.wait_for_function("window.classroom.poll.revealed === true")
    assert "The answer: goal: Add exactly one node" in ann.inner_text("#poll-status")

    csv = teacher.context.request.get(f"{live_server_url}/classroom/{code}/results.csv").text()
    assert "Ann" in csv and "<i>Bob</i>" in csv and "Node E" in csv
    assert ",numeric," in csv and ",multiple," in csv and ",construct," in csv

    teacher.on("dialog", lambda d: d.accept())
    teacher.click("#btn-end-session")
    bob.wait_for_function("window.classroom.ended === true")
    teacher.wait_for_url(f"**/classroom/{code}/results/")
    assert "2 answers, 1 right; the answer: Node E." in teacher.content()
    # The session is over: the page says so and does not knock again.
    bob.wait_for_function("window.paperlabs.closeCode === 4410")
    bob.wait_for_timeout(2500)
    assert "This session has ended" in bob.inner_text("#status")
    assert bob.evaluate("window.paperlabs.connected") is False


def test_a_refused_student_page_stops_retrying(
    pages: tuple[list[Any], list[str]], live_server_url: str
) -> None:
    (teacher, carol, _), _ = pages
    teacher.goto(f"{live_server_url}/classroom/")
    teacher.click('button[data-lab="consistent-hashing"]')
    wait_ready(teacher)
    code = teacher.inner_text("#join-code").strip()
    sockets: list[Any] = []

    def through(ws: Any) -> None:
        sockets.append(ws)
        ws.connect_to_server()

    carol.route_web_socket(re.compile(r".*/ws/classroom/.*/follow/$"), through)
    carol.goto(f"{live_server_url}/classroom/join/?code={code}")
    carol.fill("#join-name", "Carol")
    carol.click("#join-submit")
    wait_ready(carol)
    # Carol's sign-in is gone (cookies cleared), then her connection drops: the page
    # reconnects once, the server refuses it (4403), and the page stops there.
    carol.context.clear_cookies()
    sockets[0].close(code=1001)
    carol.wait_for_function("window.paperlabs.closeCode === 4403")
    carol.wait_for_timeout(2500)
    assert len(sockets) == 2
    assert "The server refused this page" in carol.inner_text("#status")
    assert "must join the session first" in carol.inner_text("#status")
