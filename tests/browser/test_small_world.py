"""A student rewires a lattice, runs a short Figure 2 sweep, and cancels one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import wait_ready, wait_step

pytestmark = pytest.mark.browser


def test_rewire_then_sweep_then_cancel(page: Any, live_server_url: str, artifacts: Path) -> None:
    page.goto(f"{live_server_url}/labs/small-world/")
    wait_ready(page)
    page.click("#sw-rewire-next")
    wait_step(page, 1)
    assert "Lap 1" in page.inner_text("#event-log")
    page.click("#sw-rewire-all")
    wait_step(page, 2)

    page.fill("#sw-sweep-n", "100")
    page.fill("#sw-sweep-points", "6")
    page.fill("#sw-sweep-reps", "2")
    page.click("#sw-sweep")
    page.wait_for_function("window.paperlabs.sweep && window.paperlabs.sweep.points >= 1")
    page.wait_for_function("window.paperlabs.sweep.state === 'done'")
    points = page.evaluate("document.getElementById('sw-fig2').data[0].x.length")
    assert points == 6
    assert "p = 0.00010" in page.inner_text("#sw-fig2-desc")
    page.screenshot(path=str(artifacts / "small-world-lab.png"), full_page=True)

    page.fill("#sw-sweep-n", "2000")
    page.fill("#sw-sweep-k", "20")
    page.fill("#sw-sweep-points", "30")
    page.fill("#sw-sweep-reps", "50")
    page.click("#sw-sweep")
    page.wait_for_function("window.paperlabs.sweep && window.paperlabs.sweep.state === 'running'")
    page.click("#sw-cancel")
    page.wait_for_function("window.paperlabs.sweep.state === 'cancelled'")
    assert "Cancelled after" in page.inner_text("#sw-sweep-status")
