"""Serve plotly.js from the plotly wheel as ``vendor/plotly.min.js`` (never a CDN).

Only that one file is exposed: the wheel's whole package_data folder holds tens of
megabytes of widget bundles the app does not need.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
PUBLIC_PATH = "vendor/plotly.min.js"


class _OneFileStorage(FileSystemStorage):
    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        return [], [PLOTLY_JS.name] if path in ("", ".") else []


class PlotlyFinder(BaseFinder):
    """A staticfiles finder that knows one file: the plotly.js bundle."""

    def check(self, **kwargs: Any) -> list[Any]:
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        if path == PUBLIC_PATH and PLOTLY_JS.exists():
            return [str(PLOTLY_JS)] if (find_all or kwargs.get("all")) else str(PLOTLY_JS)
        return [] if (find_all or kwargs.get("all")) else None

    def list(self, ignore_patterns: Any) -> Any:
        storage = _OneFileStorage(location=str(PLOTLY_JS.parent))
        storage.prefix = "vendor"  # type: ignore[attr-defined]
        yield PLOTLY_JS.name, storage
