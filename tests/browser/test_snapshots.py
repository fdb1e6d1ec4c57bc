"""A student starts two overlapping snapshots, steps until both complete, and reads
both cuts and the recorded table; then opens the paper's Example 2.2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import trace_names, wait_ready

pytestmark = pytest.mark.browser


def test_two_overlapping_snapshots_draw_two_cuts_and_conserve(
    page: Any, live_server_url: str, artifacts: Path
) -> None:
    page.goto(f"{live_server_url}/labs/snapshots/")
    wait_ready(page)
    for frm, to, k in (("P1", "P2", 2), ("P2", "P3", 1), ("P3", "P1", 3)):
        page.select_option("#cl-from", frm)
        page.select_option("#cl-to", to)
        page.fill("#cl-amount", str(k))
        before = page.evaluate("window.paperlabs.length")
        page.click("#cl-send")
        page.wait_for_function(f"window.paperlabs.length === {before + 1}")
    page.select_option("#cl-initiator", "P1")
    page.click("#cl-snapshot")
    page.wait_for_function("window.paperlabs.length === 4")
    page.select_option("#cl-initiator", "P2")
    page.click("#cl-snapshot")
    page.wait_for_function("window.paperlabs.length === 5")
    rows = page.locator("#cl-snapshots tbody tr")
    assert rows.count() == 2 and "not yet" in page.inner_text("#cl-snapshots")

    # Step until both complete (each step is one unit of time).
    for _ in range(20):
        if "not yet" not in page.inner_text("#cl-snapshots"):
            break
        step = page.evaluate("window.paperlabs.step")
        page.click("#btn-step")
        page.wait_for_function(f"window.paperlabs.step === {step + 1}")
    table = page.inner_text("#cl-snapshots")
    assert "not yet" not in table
    assert table.count("✓ conserved") == 2 and "✗" not in table
    names = trace_names(page, "cl-diagram")
    assert "cut of S1" in names and "cut of S2" in names and "markers" in names
    recorded = page.inner_text("#cl-recorded-table")
    assert "P1 → P2" in recorded and "its own state" in recorded
    assert "S1" in page.inner_text("#cl-diagram-desc") and "S2" in page.inner_text(
        "#cl-diagram-desc"
    )

    # A completed snapshot exports in the plain-text format.
    page.select_option("#cl-select", "S2")
    page.click("#cl-export")
    page.wait_for_function("window.paperlabs.snapshotText")
    text = page.evaluate("window.paperlabs.snapshotText")
    assert text.startswith("snapshot S2\nP1 ") and "P3 " in text

    # A look-up at an earlier step keeps every later step.
    length = page.evaluate("window.paperlabs.length")
    page.click("#btn-back")
    page.wait_for_function(f"window.paperlabs.step === {length - 1}")
    page.select_option("#cl-select", "S1")
    page.click("#cl-show")
    page.wait_for_function("document.getElementById('cl-recorded').textContent.includes('S1')")
    assert page.evaluate("window.paperlabs.length") == length
    page.screenshot(path=str(artifacts / "snapshots-lab.png"), full_page=True)


def test_refusals_name_the_field_as_the_page_does(page: Any, live_server_url: str) -> None:
    page.goto(f"{live_server_url}/labs/snapshots/")
    wait_ready(page)
    page.fill("#cl-amount", "500")
    page.click("#cl-send")
    error = page.locator("#cl-amount-error")
    error.wait_for()
    assert error.inner_text() == "Tokens to send must be an integer between 1 and 5, got 500."
    assert page.evaluate("window.paperlabs.length") == 0


def test_example_2_2_replay_shows_the_recorded_state_never_passed_through(
    page: Any, live_server_url: str
) -> None:
    page.goto(f"{live_server_url}/replays/chandy-lamport-example-2-2/")
    wait_ready(page)
    assert "Example 2.2" in page.inner_text("#caption")
    page.keyboard.press("End")
    page.wait_for_function("window.paperlabs.step === window.paperlabs.length")
    text = page.inner_text("#cl-recorded")
    assert "never passed through" in text and "reordering" in text.lower()


def test_aligned_barriers_record_no_channel_state(page: Any, live_server_url: str) -> None:
    page.goto(f"{live_server_url}/labs/snapshots/")
    wait_ready(page)
    page.select_option("#cl-mode", "aligned")
    page.click("#cl-apply")
    page.wait_for_function("window.paperlabs.hello.params.mode === 'aligned'")
    page.wait_for_function("document.getElementById('cl-from').options.length === 5")
    page.select_option("#cl-from", "src1")
    page.select_option("#cl-to", "map")
    page.click("#cl-send")
    page.wait_for_function("window.paperlabs.length === 1")
    page.select_option("#cl-initiator", "src1")
    page.click("#cl-snapshot")
    page.wait_for_function("window.paperlabs.length === 2")
    page.fill("#cl-units", "4")
    page.click("#cl-tick")
    page.wait_for_function("window.paperlabs.length === 3")
    assert "✓ conserved" in page.inner_text("#cl-snapshots")
    assert "empty" in page.inner_text("#cl-recorded-table")
    assert "token(" not in page.inner_text("#cl-recorded-table")
    comparison = page.inner_text("#cl-comparison")
    assert "Chandy–Lamport records" in comparison
    assert "aligned barriers record none and hold back" in comparison
