"""The player as a student uses it: play and pause, look things up in the past, branch,
mistype, and take a replay back into the lab."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import wait_ready, wait_step

pytestmark = pytest.mark.browser

# Seconds of watching a paused player: at 30 steps a second, a player that had not
# paused would move many steps in this window.
WATCH = 0.8


def step_of(page: Any) -> int:
    value: int = page.evaluate("window.paperlabs.step")
    return value


def wait_paused(page: Any) -> None:
    page.wait_for_function(
        "document.getElementById('btn-play').getAttribute('aria-label') === 'Play'"
    )


def wait_playing(page: Any, past: int) -> None:
    page.wait_for_function(f"window.paperlabs.step > {past}")


def test_play_pause_speed_and_step_stop_the_player(page: Any, live_server_url: str) -> None:
    page.goto(f"{live_server_url}/labs/small-world/")
    wait_ready(page)
    # 1,000 rewiring decisions: far more than this test plays, however slow the machine.
    page.fill("#sw-n", "500")
    page.click("#sw-apply")
    page.wait_for_function("window.paperlabs.hello.params.n === 500")
    page.select_option("#speed", "30")
    page.click("#btn-play")
    wait_playing(page, 3)
    page.click("#btn-play")  # pause, by the button
    wait_paused(page)
    paused_at = step_of(page)
    page.wait_for_timeout(WATCH * 1000)
    assert step_of(page) == paused_at
    assert not page.evaluate("window.paperlabs.errors.length"), page.evaluate(
        "window.paperlabs.errors"
    )

    # Space plays and pauses too.
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press(" ")
    wait_playing(page, paused_at + 3)
    page.keyboard.press(" ")
    wait_paused(page)
    paused_at = step_of(page)
    page.wait_for_timeout(WATCH * 1000)
    assert step_of(page) == paused_at

    # Changing the speed while paused does not start playing.
    page.select_option("#speed", "10")
    page.wait_for_timeout(WATCH * 1000)
    assert step_of(page) == paused_at

    # ▶| while playing stops the player after one step.
    page.click("#btn-play")
    wait_playing(page, paused_at + 2)
    page.click("#btn-step")
    wait_paused(page)
    stopped = step_of(page)
    page.wait_for_timeout(WATCH * 1000)
    assert step_of(page) == stopped
    assert not page.evaluate("window.paperlabs.errors.length")


def test_look_up_in_the_past_then_branch_and_switch_back(page: Any, live_server_url: str) -> None:
    page.goto(f"{live_server_url}/labs/consistent-hashing/")
    wait_ready(page)
    page.fill("#ch-node-name", "E")
    page.click("#ch-add-node")
    wait_step(page, 1, 1)
    page.fill("#ch-key-count", "20")
    page.click("#ch-add-keys")
    wait_step(page, 2, 2)
    page.fill("#ch-node-name", "F")
    page.click("#ch-add-node")
    wait_step(page, 3, 3)

    # Step back, then ask where a key lives: answered at step 1, the future kept.
    page.click("#btn-back")
    wait_step(page, 2, 3)
    page.click("#btn-back")
    wait_step(page, 1, 3)
    page.fill("#ch-key", "key-7")
    page.click("#ch-select-key")
    page.wait_for_function("!document.getElementById('answer').hidden")
    assert "key-7" in page.inner_text("#answer")
    assert page.evaluate("window.paperlabs.length") == 3
    page.keyboard.press("End")
    wait_step(page, 3, 3)
    assert "key-7" in page.inner_text("#ch-selected")  # the look-up follows the steps

    # Act in the past: a what-if branch; the old future is listed and reachable.
    page.click("#btn-start")
    wait_step(page, 0, 3)
    page.click("#btn-step")
    wait_step(page, 1, 3)
    page.fill("#ch-node-name", "Z")
    page.click("#ch-add-node")
    wait_step(page, 2, 2)
    page.wait_for_function("!document.getElementById('branches').hidden")
    assert "kept" in page.inner_text("#status")
    items = page.locator("#branch-list button")
    assert items.count() == 2
    assert "(watching)" in items.nth(1).inner_text()
    items.nth(0).click()
    wait_step(page, 2, 3)
    assert page.evaluate("window.paperlabs.branch") == 1
    page.keyboard.press("End")
    wait_step(page, 3, 3)
    log = page.inner_text("#event-log")
    assert "F joins" in log and "Z joins" not in log
    page.locator("#branch-list button").nth(1).click()
    wait_step(page, 2, 2)
    assert "Z joins" in page.inner_text("#event-log")


def test_refusals_appear_beside_the_field_in_the_words_of_the_page(
    page: Any, live_server_url: str
) -> None:
    page.goto(f"{live_server_url}/labs/consistent-hashing/")
    wait_ready(page)
    frames = page.evaluate("window.paperlabs.frames")

    # Blank: refused as required, nothing sent.
    page.fill("#ch-nodes", "")
    page.click("#ch-apply")
    error = page.locator("#ch-nodes-error")
    error.wait_for()
    assert error.inner_text() == "Initial nodes is required."
    assert page.get_attribute("#ch-nodes", "aria-invalid") == "true"
    assert error.get_attribute("role") == "alert"

    # Out of range: the server's rule, with the page's label.
    page.fill("#ch-nodes", "500")
    page.click("#ch-apply")
    page.wait_for_function("window.paperlabs.errors.length === 1")
    error.wait_for()
    text = error.inner_text()
    assert text.startswith("Initial nodes must be an integer between 0 and 64"), text
    assert "500" in text and "nodes must" not in text.replace("Initial nodes", "")
    assert page.evaluate("window.paperlabs.frames") == frames  # nothing changed

    # A command field: the refusal sits in the fieldset that sent it.
    page.fill("#ch-nodes", "4")
    page.fill("#ch-vnodes", "9999")
    page.click("#ch-set-vnodes")
    page.wait_for_function("window.paperlabs.errors.length === 2")
    vnodes_error = page.locator("#ch-vnodes-error")
    vnodes_error.wait_for()
    assert vnodes_error.inner_text().startswith("Virtual nodes per node (T) must be")
    assert not page.locator("#ch-nodes-error").count()  # the old refusal is gone


def test_slots_set_up_fields_show_at_once_and_apply_on_first_start_over(
    page: Any, live_server_url: str
) -> None:
    page.goto(f"{live_server_url}/labs/consistent-hashing/")
    wait_ready(page)
    assert not page.locator("#ch-kpt").is_visible()
    page.select_option("#ch-mode", "slots")
    assert page.locator("#ch-kpt").is_visible() and page.locator("#ch-migration").is_visible()
    page.select_option("#ch-migration", "key")
    page.fill("#ch-kpt", "7")
    page.click("#ch-apply")
    page.wait_for_function("document.getElementById('lab').classList.contains('mode-slots')")
    params = page.evaluate("window.paperlabs.hello.params")
    assert (params["mode"], params["migration"], params["keys_per_tick"]) == ("slots", "key", 7)


def test_open_a_replay_at_a_step_in_the_lab_and_export_keeps_the_title(
    page: Any, live_server_url: str, artifacts: Path
) -> None:
    page.goto(f"{live_server_url}/labs/consistent-hashing/")
    wait_ready(page)
    for name in ("E", "F", "G"):
        page.fill("#ch-node-name", name)
        page.click("#ch-add-node")
        page.wait_for_function(f"window.paperlabs.length === {'EFG'.index(name) + 1}")
    page.fill("#save-title", "Three joins")
    page.click("#btn-save")
    page.wait_for_function("window.paperlabs.saved")
    url = page.get_attribute("#share-link", "href")
    with page.expect_download() as download:
        page.click("#btn-export")
    exported = json.loads(Path(download.value.path()).read_text())
    assert exported["title"] == "Three joins"

    # Import the export: the same steps, the same title.
    file = artifacts / "three-joins.json"
    file.write_text(json.dumps(exported))
    page.goto(f"{live_server_url}/replays/import/")
    page.set_input_files("#import-file", str(file))
    page.click("form[enctype='multipart/form-data'] button[type=submit]")
    page.wait_for_url("**/replays/*/")
    wait_step(page, 0, 3)
    assert page.inner_text("h1") == "Three joins"
    page.keyboard.press("End")
    wait_step(page, 3, 3)
    assert "G joins" in page.inner_text("#event-log")

    replay_url = url.split("?")[0] + "?step=1"
    page.goto(replay_url)
    wait_step(page, 1, 3)
    page.click("#fork-link")
    page.wait_for_url("**/labs/consistent-hashing/?fork=*")
    wait_step(page, 1, 3)
    assert page.evaluate("window.paperlabs.hello.read_only") is False
    page.fill("#ch-node-name", "W")
    page.click("#ch-add-node")
    wait_step(page, 2, 2)
