"""A student builds a run with a message, clicks an event, and imports a ShiViz log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from algorithms.shiviz import GOVECTOR_REGEX
from tests.browser.helpers import wait_ready, wait_step

pytestmark = pytest.mark.browser


def click_event(page: Any, event_id: int) -> None:
    # Click the marker of an event on the Plotly diagram, where the student would.
    page.locator("#vc-diagram").scroll_into_view_if_needed()
    box = page.evaluate(
        """(id) => {
            const gd = document.getElementById('vc-diagram');
            const trace = gd._fullData.findIndex(t => t.name === 'events');
            const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
            const data = gd.data[trace];
            const i = data.customdata.indexOf(id);
            const rect = gd.querySelector('.nsewdrag').getBoundingClientRect();
            return {x: rect.left + xa.l2p(data.x[i]), y: rect.top + ya.l2p(data.y[i])};
        }""",
        event_id,
    )
    page.mouse.click(box["x"], box["y"])


def test_build_a_run_click_an_event_see_its_past(
    page: Any, live_server_url: str, artifacts: Path
) -> None:
    page.goto(f"{live_server_url}/labs/vector-clocks/")
    wait_ready(page)
    page.select_option("#vc-process", "P1")
    page.select_option("#vc-to", "P2")
    page.click("#vc-send")
    wait_step(page, 1)
    page.select_option("#vc-process", "P3")
    page.click("#vc-local")
    wait_step(page, 2)
    page.click("#vc-deliver")
    wait_step(page, 3)
    click_event(page, 2)
    # A look-up: answered at step 3, not recorded.
    page.wait_for_function(
        "document.getElementById('vc-selected').textContent.includes('causal past')"
    )
    assert page.evaluate("window.paperlabs.length") == 3
    text = page.inner_text("#vc-selected")
    assert "causal past, 1): e0" in text
    assert "Concurrent with it (1): e1" in text
    colours = page.evaluate(
        "(() => { const gd = document.getElementById('vc-diagram');"
        " return gd.data.find(t => t.name === 'events').marker.color; })()"
    )
    assert colours[0] == "#e6550d" and colours[2] == "#000"
    assert "P2 receives" in page.inner_text("#event-log")
    page.screenshot(path=str(artifacts / "vector-clocks-lab.png"), full_page=True)


def test_import_a_shiviz_log_through_the_page(
    page: Any, live_server_url: str, tmp_path: Path
) -> None:
    good = tmp_path / "run.log"
    good.write_text(
        GOVECTOR_REGEX
        + "\n\n"
        + 'client {"client":1}\nsend request\n'
        + 'server {"client":1, "server":1}\nreceive request\n'
        + 'server {"client":1, "server":2}\nsend reply\n'
        + 'client {"client":2, "server":2}\nreceive reply\n'
    )
    bad = tmp_path / "bad.log"
    bad.write_text(
        GOVECTOR_REGEX + '\n\nclient {"client":1}\nx\nserver {"client": 1, "server": 0}\ny\n'
    )
    page.goto(f"{live_server_url}/labs/vector-clocks/")
    wait_ready(page)
    page.set_input_files("#vc-shiviz-file", str(bad))
    page.wait_for_selector("#vc-problems:not([hidden])")
    assert "line 5" in page.inner_text("#vc-problems")
    page.set_input_files("#vc-shiviz-file", str(good))
    wait_step(page, 1)
    hosts = page.evaluate("document.getElementById('vc-diagram')._fullLayout.yaxis.ticktext")
    assert sorted(hosts) == ["client", "server"]
    assert "4 events" in page.inner_text("#vc-diagram-desc")
