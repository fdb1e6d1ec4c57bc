"""A live lecture in one Chromium: the instructor's page and two students' pages."""

from __future__ import annotations

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

    csv = teacher.context.request.get(f"{live_server_url}/classroom/{code}/results.csv").text()
    assert "Ann" in csv and "<i>Bob</i>" in csv and "Node E" in csv

    teacher.on("dialog", lambda d: d.accept())
    teacher.click("#btn-end-session")
    bob.wait_for_function("window.classroom.ended === true")
    teacher.wait_for_url(f"**/classroom/{code}/results/")
    assert "Answers per option: 1, 1" in teacher.content()
