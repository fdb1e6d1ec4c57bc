"""A lab page's first visit in Chromium: bytes on the wire and time to the first chart.

Issue 14's targets: at most 1.6 MB, and the first chart drawn in under 1 s on loopback,
for every lab, each in a fresh browser context (nothing cached). The time is from the
start of navigation to the first chart with data on screen (``window.paperlabsFirstChart``,
set by ``static/charts.js``).
"""

from __future__ import annotations

from pathlib import Path

from labs.registry import LABS
from tests.bench.served import served
from tests.bench.targets import check
from tests.browser.conftest import CHROMIUM, FLAGS
from tests.browser.pages import PAGE_WEIGHT_LIMIT, count_wire_bytes, wait_first_chart

FIRST_CHART_MS = 1000


def main() -> None:
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing (make chromium)")
    from playwright.sync_api import sync_playwright

    with (
        served(
            "from django.core.management import call_command; call_command('load_samples')"
        ) as address,
        sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        # A first page load warms the server (imports, first template render).
        warm = browser.new_page()
        warm.goto(f"http://{address}/")
        warm.close()
        for lab in LABS:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            wire = count_wire_bytes(page)
            page.goto(f"http://{address}/labs/{lab.slug}/")
            first = wait_first_chart(page)
            page.wait_for_load_state("networkidle")
            total = sum(wire.values())
            print(
                f"{lab.slug}: {total:,} bytes on the wire in {len(wire)} responses; first chart at {first:.0f} ms"
            )
            check(
                f"{lab.slug}: first visit, bytes on the wire", total, "<=", PAGE_WEIGHT_LIMIT, "B"
            )
            check(f"{lab.slug}: time to the first chart", first, "<", FIRST_CHART_MS, "ms")
            context.close()
        browser.close()
