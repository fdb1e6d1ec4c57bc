"""A student in a real browser: add a node, watch the ring, step back, scrub, share."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import bar_x, trace_names, wait_ready, wait_step

pytestmark = pytest.mark.browser


def ring_nodes(page: Any) -> list[str]:
    return [n.split(" ")[0] for n in trace_names(page, "ch-ring") if "(" in n]


def test_add_node_step_back_scrub_save_and_open_the_link(
    page: Any, live_server_url: str, artifacts: Path
) -> None:
    page.goto(f"{live_server_url}/labs/consistent-hashing/")
    wait_ready(page)
    assert ring_nodes(page) == ["A", "B", "C", "D"]
    assert bar_x(page, "ch-load") == ["A", "B", "C", "D"]

    page.fill("#ch-node-name", "E")
    page.click("#ch-add-node")
    wait_step(page, 1, 1)
    assert ring_nodes(page) == ["A", "B", "C", "D", "E"]
    assert bar_x(page, "ch-load") == ["A", "B", "C", "D", "E"]
    log = page.inner_text("#event-log")
    assert "Step 1:" in log and "E joins" in log
    assert "keys move" in page.inner_text("#ch-moves-desc") or "moved" in page.inner_text(
        "#ch-moves-desc"
    )

    page.fill("#ch-key-count", "50")
    page.click("#ch-add-keys")
    wait_step(page, 2, 2)

    # Step back with the keyboard: exact, rebuilt on the server.
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("ArrowLeft")
    wait_step(page, 1, 2)
    page.keyboard.press("Home")
    wait_step(page, 0, 2)
    assert ring_nodes(page) == ["A", "B", "C", "D"]
    assert page.inner_text("#event-log").strip() == ""

    # Scrub to step 1 with the slider.
    page.eval_on_selector(
        "#scrub", "el => { el.value = 1; el.dispatchEvent(new Event('change')); }"
    )
    wait_step(page, 1, 2)
    assert "E" in ring_nodes(page)
    page.keyboard.press("End")
    wait_step(page, 2, 2)

    page.fill("#save-title", "E joins the ring")
    page.click("#btn-save")
    link = page.wait_for_selector("#share-link")
    href = link.get_attribute("href")
    assert href is not None and "/replays/" in href and "step=2" in href
    page.screenshot(path=str(artifacts / "consistent-hashing-lab.png"), full_page=True)

    page.goto(href.replace("step=2", "step=1"))
    wait_ready(page)
    wait_step(page, 1, 2)
    assert ring_nodes(page) == ["A", "B", "C", "D", "E"]
    assert page.is_hidden("#ch-add-node")
    page.keyboard.press("ArrowRight")
    wait_step(page, 2, 2)
    page.screenshot(path=str(artifacts / "consistent-hashing-replay.png"), full_page=True)


def test_selecting_a_key_shows_its_preference_list(page: Any, live_server_url: str) -> None:
    page.goto(f"{live_server_url}/labs/consistent-hashing/")
    wait_ready(page)
    page.fill("#ch-key", "key-7")
    page.keyboard.press("Enter")
    # A look-up: answered at step 0, nothing recorded.
    page.wait_for_function("document.getElementById('ch-selected').textContent.includes('key-7')")
    assert page.evaluate("window.paperlabs.length") == 0
    text = page.inner_text("#ch-selected")
    assert "preference list (N = 3)" in text
    names = text.split("is ")[1].split(";")[0].split(", ")
    assert len(set(names)) == 3


def test_narrated_replay_shows_captions(page: Any, live_server_url: str) -> None:
    page.goto(f"{live_server_url}/")
    page.click("text=Dynamo Figure 2")
    wait_ready(page)
    assert page.is_visible("#caption")
    first = page.inner_text("#caption")
    assert "Dynamo" in first
    page.click("#btn-step")
    wait_step(page, 1)
    page.keyboard.press("End")
    page.wait_for_function(
        "window.paperlabs.step > 1 && window.paperlabs.step === window.paperlabs.length"
    )
    page.wait_for_function(f"document.getElementById('caption').textContent !== {first!r}")
    assert "H joins" in page.inner_text("#caption")


def test_refusal_is_shown_and_the_page_keeps_working(page: Any, live_server_url: str) -> None:
    page.goto(f"{live_server_url}/labs/consistent-hashing/")
    wait_ready(page)
    page.fill("#ch-vnodes", "0")
    page.click("#ch-set-vnodes")
    page.wait_for_function("window.paperlabs.errors.length === 1")
    assert "Virtual nodes per node (T) must be" in page.inner_text("#status")
    assert "between 1 and 256" in page.inner_text("#ch-vnodes-error")
    page.fill("#ch-vnodes", "16")
    page.click("#ch-set-vnodes")
    wait_step(page, 1)


def slot_rows(page: Any) -> dict[str, list[str]]:
    """The slot chart's rows: each y category with the shards drawn on it."""
    rows: dict[str, list[str]] = page.evaluate(
        """() => {
          const rows = {};
          for (const t of document.getElementById('ch-ring').data) {
            if (t.type !== 'bar') continue;
            for (const y of t.y) (rows[y] = rows[y] || []).push(t.name.split(' ')[0]);
          }
          return rows;
        }"""
    )
    return rows


def split_marks(page: Any) -> dict[str, list[int]]:
    marks: dict[str, list[int]] = page.evaluate(
        """() => {
          const out = {};
          for (const t of document.getElementById('ch-ring').data) {
            if (t.legendgroup === 'split') for (let i = 0; i < t.x.length; i++) {
              (out[t.y[i]] = out[t.y[i]] || []).push(t.x[i]);
            }
          }
          return out;
        }"""
    )
    return marks


def test_slots_mode_shows_both_migration_styles_side_by_side(
    page: Any, live_server_url: str, artifacts: Path
) -> None:
    page.goto(f"{live_server_url}/labs/consistent-hashing/")
    wait_ready(page)
    page.select_option("#ch-mode", "slots")
    page.fill("#ch-nodes", "3")
    page.fill("#ch-keys", "0")
    page.click("#ch-apply")  # migration "slot" and 1 key per tick are the defaults
    page.wait_for_function(
        "document.getElementById('ch-ring').data.some(t => t.type === 'bar' && t.orientation)"
    )
    assert page.input_value("#ch-migration") == "slot"
    assert page.input_value("#ch-kpt") == "1"
    slot_row, key_row = "slot at a time (ElastiCache)", "key by key (ASK)"
    rows = slot_rows(page)
    assert rows[slot_row] == rows[key_row] == ["shard-A", "shard-B", "shard-C"]

    # Four keys with one hash tag: all in slot 1009, which the new shard takes first.
    page.fill("#ch-key-names", "{user23}:cart {user23}:profile {user23}:orders {user23}:wishlist")
    page.click("#ch-add-named-keys")
    wait_step(page, 1, 1)
    page.fill("#ch-node-name", "shard-D")
    page.click("#ch-add-node")
    wait_step(page, 2, 2)
    page.click("#btn-step")
    wait_step(page, 3, 3)
    page.click("#btn-step")
    wait_step(page, 4, 4)

    rows = slot_rows(page)
    assert set(rows) == {slot_row, key_row}
    assert "shard-D" in rows[slot_row] and "shard-D" in rows[key_row]
    # Two of the four keys have moved: key by key the slot is split, a slot at a time not.
    assert split_marks(page) == {key_row: [1009]}
    desc = page.inner_text("#ch-ring-desc")
    assert "a slot at a time" in desc and "key by key" in desc
    assert "key by key, slot 1009 is split: 2 of its 4 keys already answer from shard-D" in desc
    assert "shard-A still serves all 4 keys of slot 1009" in desc
    log = page.inner_text("#event-log")
    assert "Meanwhile, key by key: slot 1009 is split; shard-A answers ASK shard-D for 2" in log

    page.fill("#ch-key", "{user23}:cart")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "document.getElementById('ch-selected').textContent.includes('{user23}:cart')"
    )
    assert page.evaluate("window.paperlabs.length") == 4  # a look-up records nothing
    selected = page.inner_text("#ch-selected")
    assert "Slot at a time: served by shard-A; key by key: ASK shard-D." in selected
    page.screenshot(path=str(artifacts / "consistent-hashing-slots-compared.png"), full_page=True)

    # Two more steps: the last key moves and the slot flips whole in both styles.
    page.click("#btn-step")
    wait_step(page, 5, 5)
    page.click("#btn-step")
    wait_step(page, 6, 6)
    assert split_marks(page) == {}
    assert "Slot at a time: served by shard-D; key by key: served by shard-D." in page.inner_text(
        "#ch-selected"
    )
