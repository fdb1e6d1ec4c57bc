"""The pages of the site and what a first visit costs: shared by the browser tests of
the pages and by ``make bench`` (``tests/bench/bench_pages.py``)."""

from __future__ import annotations

from typing import Any

# A lab page's first visit, on the wire (issue 14: at most 1.6 MB).
PAGE_WEIGHT_LIMIT = 1_600_000

# Every request's bytes on the wire (headers and compressed body), as Chromium counts them.
WIRE_BYTES = "window.__wire"


def count_wire_bytes(page: Any) -> dict[str, int]:
    """Start counting the bytes ``page`` receives; the returned dict maps URL -> bytes."""
    seen: dict[str, int] = {}
    urls: dict[str, str] = {}
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.on(
        "Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"])
    )
    cdp.on(
        "Network.loadingFinished",
        lambda e: seen.__setitem__(
            urls.get(e["requestId"], e["requestId"]), int(e["encodedDataLength"])
        ),
    )
    return seen


def wait_first_chart(page: Any) -> float:
    """Wait until a chart with data is drawn; return when it was (ms since navigation)."""
    page.wait_for_function("window.paperlabsFirstChart !== undefined", timeout=60_000)
    first: float = page.evaluate("window.paperlabsFirstChart")
    return first
