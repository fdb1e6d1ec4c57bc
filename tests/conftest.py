"""Shared fixtures: the ASGI app, a websocket helper, paths for artifacts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"

# Playwright's sync API runs its own event loop; Django's async-unsafe check would
# otherwise refuse the live server's database set-up in the browser run.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
