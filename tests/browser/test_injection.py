"""User text in Plotly's labels is shown as written: never a link, never a style.

Plotly renders a subset of HTML in every label (trace names, tick text, hover text,
titles). Each lab whose pictures carry user text gets a name made of HTML and the
chart's SVG is checked for links and styled spans. The small-world lab draws no user
text (nodes are numbers, models and modes are fixed choices). Last, the player joins
frames the server sends in parts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from algorithms.shiviz import GOVECTOR_REGEX
from tests.browser.helpers import wait_ready, wait_step

pytestmark = pytest.mark.browser

LINK = '<a href="https://evil.example/">PWN</a>'
STYLE = '<span style="font-size:80px;color:red">BIG</span>'


def injected(page: Any, chart: str) -> dict[str, int]:
    """Links, styled spans and bold text Plotly drew from markup in ``chart``'s SVG."""
    counts: dict[str, int] = page.evaluate(
        """(id) => {
            const el = document.getElementById(id);
            return {
              links: el.querySelectorAll('svg a, svg [href*="evil"]').length,
              styled: [...el.querySelectorAll('svg tspan[style]')]
                .filter((t) => /80px|red|bold/.test(t.getAttribute('style'))).length,
            };
        }""",
        chart,
    )
    return counts


def svg_text(page: Any, chart: str) -> str:
    text: str = page.evaluate(
        "(id) => [...document.getElementById(id).querySelectorAll('svg text')]"
        ".map((t) => t.textContent).join(' | ')",
        chart,
    )
    return text


def test_consistent_hashing_shows_html_node_and_key_names_as_text(
    page: Any, live_server_url: str
) -> None:
    page.goto(f"{live_server_url}/labs/consistent-hashing/")
    wait_ready(page)
    page.fill("#ch-node-name", LINK)
    page.click("#ch-add-node")
    wait_step(page, 1, 1)
    page.fill("#ch-key-names", STYLE.replace(" ", "\u00a0"))
    page.click("#ch-add-named-keys")
    wait_step(page, 2, 2)
    for chart in ("ch-ring", "ch-load", "ch-moves"):
        assert injected(page, chart) == {"links": 0, "styled": 0}, chart
    # The name is shown as written: in the bar chart's axis and the ring's legend.
    assert LINK in svg_text(page, "ch-load")
    assert LINK in svg_text(page, "ch-ring")


def test_vector_clocks_shows_html_shiviz_hosts_as_text(
    page: Any, live_server_url: str, tmp_path: Path
) -> None:
    host = "<b>PWN</b>"
    log = tmp_path / "evil.log"
    log.write_text(
        GOVECTOR_REGEX
        + "\n\n"
        + f'{host} {{"{host}":1}}\n{LINK}\n'
        + f'server {{"{host}":1, "server":1}}\n{STYLE}\n'
    )
    page.goto(f"{live_server_url}/labs/vector-clocks/")
    wait_ready(page)
    page.set_input_files("#vc-shiviz-file", str(log))
    wait_step(page, 1)
    assert injected(page, "vc-diagram") == {"links": 0, "styled": 0}
    assert host in svg_text(page, "vc-diagram")
    # Hover text: what Plotly would draw on hover is escaped too.
    hovers: list[str] = page.evaluate(
        "document.getElementById('vc-diagram').data.flatMap((t) => t.hovertext || [])"
    )
    assert hovers and all("<a " not in h and "<span" not in h for h in hovers)


def test_the_player_joins_frames_sent_in_parts(
    page: Any, server_env: dict[str, str], tmp_path: Path
) -> None:
    """A server whose frames are all larger than its frame size: the lab still works."""
    from tests.browser.conftest import manage
    from tests.servers import daphne

    env = {**server_env, "DATABASE_URL": f"sqlite:///{tmp_path / 'parts.sqlite3'}"}
    env["PAPERLABS_MAX_FRAME_BYTES"] = "4000"
    manage(env, "migrate", "--noinput", "-v", "0")
    with daphne(env) as address:
        page.goto(f"http://{address}/labs/consistent-hashing/")
        wait_ready(page)
        page.fill("#ch-node-name", "E")
        page.click("#ch-add-node")
        wait_step(page, 1, 1)
        names = page.evaluate("document.getElementById('ch-load').data[0].x")
        assert names == ["A", "B", "C", "D", "E"]


def test_snapshots_refuses_html_process_names_next_to_the_field(
    page: Any, live_server_url: str
) -> None:
    # Process ids are letters, digits and a few marks: markup never reaches a chart.
    page.goto(f"{live_server_url}/labs/snapshots/")
    wait_ready(page)
    bold = "<b>p</b>"
    page.fill("#cl-topology-text", f"2\n{bold} 1\nq 0\n{bold} q\nq {bold}\n")
    page.click("#cl-import-topology")
    error = page.locator("#cl-topology-text-error")
    error.wait_for()
    assert error.inner_text().startswith("Topology text, line 2: process must be")
    assert page.evaluate("window.paperlabs.length") == 0
    assert injected(page, "cl-diagram") == {"links": 0, "styled": 0}
