"""Waiting on the flags the player sets, never on sleeps."""

from __future__ import annotations

from typing import Any


def wait_ready(page: Any) -> None:
    page.wait_for_function("window.paperlabs && window.paperlabs.ready === true")


def wait_step(page: Any, step: int, length: int | None = None) -> None:
    condition = f"window.paperlabs.step === {step}"
    if length is not None:
        condition += f" && window.paperlabs.length === {length}"
    page.wait_for_function(condition)


def trace_names(page: Any, chart: str) -> list[str]:
    names: list[str] = page.evaluate(
        f"document.getElementById('{chart}').data.map(t => t.name || '')"
    )
    return names


def bar_x(page: Any, chart: str) -> list[str]:
    values: list[str] = page.evaluate(f"document.getElementById('{chart}').data[0].x")
    return values
