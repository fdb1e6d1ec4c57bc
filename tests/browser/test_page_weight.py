"""A first visit to each lab page stays light: its bytes on the wire, counted by
Chromium, are at most 1.6 MB, and the static files come compressed with hashed names
and a long-lived cache. (The time to the first chart is measured by ``make bench``.)"""

from __future__ import annotations

from typing import Any

import pytest

from labs.registry import LABS
from tests.browser.helpers import wait_ready
from tests.browser.pages import PAGE_WEIGHT_LIMIT, count_wire_bytes, wait_first_chart

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("slug", [lab.slug for lab in LABS])
def test_first_visit_of_a_lab_page_is_light(browser: Any, live_server_url: str, slug: str) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    wire = count_wire_bytes(page)
    statics: list[Any] = []
    page.on("response", lambda r: statics.append(r) if "/static/" in r.url else None)
    page.goto(f"{live_server_url}/labs/{slug}/")
    wait_ready(page)
    wait_first_chart(page)
    page.wait_for_load_state("networkidle")
    total = sum(wire.values())
    print(f"{slug}: {total:,} bytes on the wire in {len(wire)} responses")
    assert 0 < total <= PAGE_WEIGHT_LIMIT, sorted(wire.items(), key=lambda kv: -kv[1])[:5]
    assert statics
    for response in statics:
        headers = response.headers
        assert response.status == 200, response.url
        assert "immutable" in headers.get("cache-control", ""), response.url
        if response.url.endswith((".js", ".css")):
            assert headers.get("content-encoding") in {"gzip", "br"}, response.url
    context.close()
