"""The corrected statements, as a student sees them: replica moves, Figure 8, the lost
update, and the theory drawn beside the measurements."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import trace_names, wait_ready, wait_step

pytestmark = pytest.mark.browser


def test_figure_2_replay_shows_replica_moves_and_figure_8(
    page: Any, live_server_url: str, artifacts: Path
) -> None:
    page.goto(f"{live_server_url}/")
    page.click("text=Dynamo Figure 2")
    wait_ready(page)
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("End")
    page.wait_for_function(
        "window.paperlabs.step > 1 && window.paperlabs.step === window.paperlabs.length"
    )
    page.wait_for_function(
        "document.getElementById('ch-moves-desc').textContent.includes('Replicas')"
    )
    names = trace_names(page, "ch-moves")
    assert "replica keys copied in (N = 3)" in names and "coordinator keys arriving" in names
    copied = page.evaluate(
        "document.getElementById('ch-moves').data.find(t => t.name.startsWith('replica keys copied')).x"
    )
    dropped = page.evaluate(
        "document.getElementById('ch-moves').data.find(t => t.name.startsWith('replica keys dropped')).x"
    )
    assert copied == ["H"] and sorted(dropped) == ["C", "D", "E"]
    assert trace_names(page, "ch-fig8") == ["strategy 1", "strategy 2", "strategy 3"]
    assert "strategy 3 best and strategy 2 worst" in page.inner_text("#ch-fig8-desc")
    title = page.evaluate("document.getElementById('ch-eff').layout.title.text")
    assert "not Figure 8" in title
    assert "H_S" in page.inner_text("#ch-load-theory")
    page.screenshot(path=str(artifacts / "consistent-hashing-figure-8.png"), full_page=True)


def test_a_write_without_a_read_through_the_same_coordinator_is_shown_lost(
    page: Any, live_server_url: str
) -> None:
    page.goto(f"{live_server_url}/labs/vector-clocks/")
    wait_ready(page)
    assert page.is_hidden("#vc-lost")
    for step, value in ((1, "book"), (2, "pen")):
        page.fill("#vc-coordinator", "Sx")
        page.fill("#vc-value", value)
        page.fill("#vc-context", "none")
        page.click("#vc-put")
        wait_step(page, step)
    page.wait_for_selector("#vc-lost", state="visible")
    assert "Lost update: D1" in page.inner_text("#vc-lost")
    assert "lost update" in page.inner_text("#vc-version-table")
    assert "Lost update" in page.inner_text("#event-log")


def test_small_world_theory_beside_the_measurements(
    page: Any, live_server_url: str, artifacts: Path
) -> None:
    page.goto(f"{live_server_url}/labs/small-world/")
    wait_ready(page)
    table = page.inner_text("#sw-table1")
    assert "ln n / ln k" in table and "Your graph" in table and "2.99" in table
    assert "Barrat–Weigt predicts" in page.inner_text("#sw-theory")
    page.fill("#sw-sweep-n", "100")
    page.fill("#sw-sweep-points", "3")
    page.fill("#sw-sweep-reps", "1")
    page.click("#sw-sweep")
    page.wait_for_function("window.paperlabs.sweep && window.paperlabs.sweep.state === 'done'")
    names = trace_names(page, "sw-fig2")
    assert any(n.startswith("Barrat–Weigt") for n in names)
    assert any(n.startswith("Newman–Watts") for n in names)
    page.screenshot(path=str(artifacts / "small-world-theory.png"), full_page=True)
