"""Serve the plotly.js bundle built by ``make assets`` as ``vendor/plotly.min.js``.

The bundle (``assets/build/plotly.min.js``) holds only the trace types the labs draw:
scatter, bar and the strict flavour of scattergl (see ``assets/plotly-paperlabs.js``).
It is built from the npm registry's plotly.js package at set-up time, never fetched
from a CDN. Only that one file is exposed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.staticfiles.finders import BaseFinder
from django.core import checks
from django.core.files.storage import FileSystemStorage

PLOTLY_JS = Path(__file__).resolve().parent.parent / "assets" / "build" / "plotly.min.js"
PUBLIC_PATH = "vendor/plotly.min.js"


class _OneFileStorage(FileSystemStorage):
    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        return [], [PLOTLY_JS.name] if path in ("", ".") else []


class PlotlyFinder(BaseFinder):
    """A staticfiles finder that knows one file: the plotly.js bundle."""

    def check(self, **kwargs: Any) -> list[Any]:
        if PLOTLY_JS.exists():
            return []
        return [checks.Warning(f"{PLOTLY_JS} is missing", hint="run `make assets`", id="labs.W001")]

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        if path == PUBLIC_PATH and PLOTLY_JS.exists():
            return [str(PLOTLY_JS)] if (find_all or kwargs.get("all")) else str(PLOTLY_JS)
        return [] if (find_all or kwargs.get("all")) else None

    def list(self, ignore_patterns: Any) -> Any:
        if not PLOTLY_JS.exists():
            return
        storage = _OneFileStorage(location=str(PLOTLY_JS.parent))
        storage.prefix = "vendor"  # type: ignore[attr-defined]
        yield PLOTLY_JS.name, storage
