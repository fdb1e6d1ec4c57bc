"""A student crashes a key's first home node, writes the key, sees a stand-in keep a
hint naming the owner, restarts the owner and sees the hint handed off and deleted
(Dynamo, SOSP 2007, §4.6); then opens the narrated (3, 2, 2) replay."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from algorithms.quorum import QuorumEngine
from algorithms.quorum.params import QuorumParams
from tests.browser.helpers import trace_names, wait_ready

pytestmark = pytest.mark.browser


def act(page: Any, button: str) -> None:
    before = page.evaluate("window.paperlabs.length")
    page.click(button)
    page.wait_for_function(f"window.paperlabs.length === {before + 1}")


def test_crash_write_restart_and_the_hint_is_delivered(
    page: Any, live_server_url: str, artifacts: Path
) -> None:
    order = QuorumEngine(QuorumParams(), seed=1).cluster.preference_list("cart")
    owner, stand_in = order[0], order[3]
    page.goto(f"{live_server_url}/labs/quorum/")
    wait_ready(page)
    page.fill("#q-key", "cart")
    page.fill("#q-value", "milk")
    act(page, "#q-put")
    act(page, "#q-run")
    page.select_option("#q-node", owner)
    act(page, "#q-crash")
    page.fill("#q-value", "eggs")
    act(page, "#q-put")
    act(page, "#q-run")
    holders = page.inner_text("#q-holders")
    assert f"hint for {owner}" in holders
    assert f"{stand_in}\thint for {owner}" in holders
    assert "committed" in page.inner_text("#q-requests")
    assert "writes and acks (W, A)" in trace_names(page, "q-diagram")

    page.select_option("#q-node", owner)
    act(page, "#q-restart")
    act(page, "#q-run")
    holders = page.inner_text("#q-holders")
    assert "hint for" not in holders
    owner_row = next(line for line in holders.splitlines() if line.startswith(f"cart\t{owner}\t"))
    assert "eggs" in owner_row
    assert "hinted handoff" in trace_names(page, "q-diagram")
    assert "deletes its hint" in page.inner_text("#event-log")
    assert "P(consistent)" in page.inner_text("#q-pbs-desc")
    # A look-up: which nodes hold cart, without recording a step.
    length = page.evaluate("window.paperlabs.length")
    page.click("#q-which")
    page.wait_for_function(
        "document.getElementById('q-selected').textContent.includes('home replicas')"
    )
    assert f"preference list {', '.join(order)}" in page.inner_text("#q-selected")
    assert page.evaluate("window.paperlabs.length") == length
    page.screenshot(path=str(artifacts / "quorum-lab.png"), full_page=True)


def test_a_read_quorum_past_n_is_refused_in_the_words_of_its_label(
    page: Any, live_server_url: str
) -> None:
    page.goto(f"{live_server_url}/labs/quorum/")
    wait_ready(page)
    page.fill("#q-r", "5")
    page.click("#q-apply")
    error = page.locator("#q-r-error")
    error.wait_for()
    assert "must be an integer between 1 and N=3, got 5" in error.inner_text()


def test_the_dynamo_replay_ends_with_the_hint_handed_off(page: Any, live_server_url: str) -> None:
    page.goto(f"{live_server_url}/replays/dynamo-hinted-handoff/")
    wait_ready(page)
    assert "(3, 2, 2)" in page.inner_text("#caption") or "3, 2, 2" in page.inner_text("body")
    page.keyboard.press("End")
    page.wait_for_function("window.paperlabs.step === window.paperlabs.length")
    assert "hint for" not in page.inner_text("#q-holders")
    assert "a single version" in page.inner_text("#caption")
    last = page.locator("#q-requests tbody tr").last.inner_text()
    assert "get cart" in last and "milk+eggs" in last and "✓ latest" in last
