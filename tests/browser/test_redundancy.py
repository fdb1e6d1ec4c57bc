"""A student watches the array fail and rebuild, sweeps G against Patterson's closed form,
fails a zone and reads the items it lost, and sends a bad request to cells and shuffle
shards; then opens the zone-failure replay."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from algorithms.redundancy import RedundancyEngine, RedundancyParams
from tests.browser.helpers import trace_names, wait_ready

pytestmark = pytest.mark.browser


def act(page: Any, button: str) -> None:
    before = page.evaluate("window.paperlabs.length")
    page.click(button)
    page.wait_for_function(f"window.paperlabs.length === {before + 1}")


def test_a_zone_fails_and_the_page_lists_the_items_it_lost(
    page: Any, live_server_url: str, artifacts: Path
) -> None:
    page.goto(f"{live_server_url}/labs/redundancy/")
    wait_ready(page)
    for step in range(1, 4):
        page.click("#btn-step")
        page.wait_for_function(f"window.paperlabs.step === {step}")
    assert {"rebuild windows", "failures", "data loss"} <= set(trace_names(page, "rb-timeline"))
    assert "simulated" in page.inner_text("#rb-timeline-desc")
    # A rebuild window lasts about MTTR = 1 h: zooming in shows it on the axis of years.
    page.click("#rb-zoom")
    width = page.evaluate(
        "(() => { const r = document.getElementById('rb-timeline').layout.xaxis.range;"
        " return r[1] - r[0]; })()"
    )
    assert 0 < width < 0.01

    # Replicas on random hosts, then zone R1a fails: the page lists what the engine loses.
    page.select_option("#rb-strategy", "random")
    act(page, "#rb-place")
    page.select_option("#rb-level", "zone")
    page.select_option("#rb-domain", "R1a")
    act(page, "#rb-fail-domain")
    engine = RedundancyEngine(RedundancyParams(), seed=1)
    for _ in range(3):
        engine.step()
    engine.apply({"action": "place", "strategy": "random"})
    lost = engine.apply({"action": "fail_domain", "level": "zone", "name": "R1a"})[0].data
    assert lost["lost"] > 0
    text = page.inner_text("#rb-lost")
    assert f"{lost['lost']} items lost every replica" in text
    shown = [int(x) for x in re.findall(r"\d+", page.inner_text("#rb-lost-items"))]
    assert shown == lost["lost_items"]

    # A look-up shows where a lost item's replicas were, and records nothing.
    length = page.evaluate("window.paperlabs.length")
    page.fill("#rb-item", str(lost["lost_items"][0]))
    page.click("#rb-inspect-item")
    page.wait_for_function("document.getElementById('rb-inspect').textContent.includes('(down)')")
    assert page.inner_text("#rb-inspect").count("(down)") == 3
    assert page.evaluate("window.paperlabs.length") == length

    # Measured MTTDL beside the closed form, and the blast radius of one bad request.
    page.fill("#rb-trials", "200")
    act(page, "#rb-sweep")
    names = trace_names(page, "rb-sweep-chart")
    assert "measured" in names and "closed form (Patterson et al.)" in names
    act(page, "#rb-blast")
    assert trace_names(page, "rb-blast-chart") == ["simulated", "combinatorial value"]
    assert "shuffle sharding (2 of 8)" in page.inner_text("#rb-blast-desc")
    page.screenshot(path=str(artifacts / "redundancy-lab.png"), full_page=True)


def test_refusals_name_the_field_as_the_page_does(page: Any, live_server_url: str) -> None:
    page.goto(f"{live_server_url}/labs/redundancy/")
    wait_ready(page)
    page.fill("#rb-cells", "3")
    page.click("#rb-blast")
    error = page.locator("#rb-cells-error")
    error.wait_for()
    assert error.inner_text() == "Cells must divide workers=8 (cells of equal size), got 3."
    assert page.evaluate("window.paperlabs.length") == 0


def test_the_zone_replay_ends_with_nothing_lost_on_copysets(
    page: Any, live_server_url: str
) -> None:
    page.goto(f"{live_server_url}/replays/one-zone-three-placements/")
    wait_ready(page)
    page.keyboard.press("End")
    page.wait_for_function("window.paperlabs.step === window.paperlabs.length")
    assert "copysets" in page.inner_text("#rb-domains")
    assert "Every host is up" in page.inner_text("#rb-domains")


def test_pattersons_replay_narrates_the_arithmetic_then_months_of_the_array(
    page: Any, live_server_url: str
) -> None:
    page.goto(f"{live_server_url}/replays/patterson-100-disks/")
    wait_ready(page)
    page.keyboard.press("ArrowRight")
    page.wait_for_function("window.paperlabs.step === 1")
    assert "300 hours" in page.inner_text("#caption")
    page.keyboard.press("End")
    page.wait_for_function("window.paperlabs.step === window.paperlabs.length")
    assert "Month 7" in page.inner_text("#caption")
    assert "10 groups of 10 + 1 disks" in page.evaluate(
        "document.getElementById('rb-timeline').layout.title.text"
    )
