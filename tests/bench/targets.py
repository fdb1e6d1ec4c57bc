"""Targets the benchmarks check: each figure against its target, met or missed.

A benchmark calls :func:`check` once per target; the runner (``python -m tests.bench``)
prints every check in a summary table at the end and exits non-zero if one was missed.
A benchmark that runs in a child process hands its checks back through a JSON file
(:func:`save` in the child, :func:`load` in the parent).
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

OPERATORS = {
    "<": lambda measured, target: measured < target,
    "<=": lambda measured, target: measured <= target,
    ">=": lambda measured, target: measured >= target,
}


@dataclass(frozen=True)
class Check:
    """One figure against its target: ``measured <op> target``."""

    benchmark: str
    figure: str
    measured: float
    op: str
    target: float
    unit: str = ""

    @property
    def met(self) -> bool:
        return bool(OPERATORS[self.op](self.measured, self.target))

    def text(self) -> str:
        if self.measured != self.measured:
            return "none measured"
        return f"{_number(self.measured)}{self.unit}"

    def target_text(self) -> str:
        return f"{self.op} {_number(self.target)}{self.unit}"


def _number(x: float) -> str:
    if x == int(x) and abs(x) < 1e15:
        return f"{int(x):,}"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 1:
        return f"{x:.2f}"
    return f"{x:.3g}"


CHECKS: list[Check] = []
_benchmark = ["benchmark"]


def start(benchmark: str) -> None:
    """Name the benchmark whose checks follow."""
    _benchmark[0] = benchmark


def check(figure: str, measured: float, op: str, target: float, unit: str = "") -> bool:
    """Record and print ``figure``: ``measured op target``; return whether it was met."""
    if op not in OPERATORS:
        raise ValueError(f"op must be one of {', '.join(OPERATORS)}, got {op!r}")
    c = Check(_benchmark[0], figure, float(measured), op, float(target), unit)
    CHECKS.append(c)
    verdict = "met" if c.met else "MISSED"
    print(f"  target {verdict}: {figure}: {c.text()} (target {c.target_text()})", flush=True)
    return c.met


def save(path: str) -> None:
    """Write this process's checks to ``path`` (a child benchmark's hand-back)."""
    Path(path).write_text(json.dumps([asdict(c) for c in CHECKS]))


def load(path: str) -> None:
    """Add the checks a child process saved to ``path`` (they were printed there)."""
    for row in json.loads(Path(path).read_text()):
        CHECKS.append(Check(**row))


def missed(checks: list[Check] | None = None) -> list[Check]:
    return [c for c in (CHECKS if checks is None else checks) if not c.met]


def summary(errors: dict[str, str] | None = None) -> int:
    """Print every check (and every benchmark that failed to run) as a table; 0 if all met."""
    errors = errors or {}
    rows = [("benchmark", "figure", "measured", "target", "result")]
    rows += [
        (c.benchmark, c.figure, c.text(), c.target_text(), "met" if c.met else "MISSED")
        for c in CHECKS
    ]
    rows += [
        (name, f"did not run to the end: {why}", "-", "-", "FAILED") for name, why in errors.items()
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    print("== summary ==")
    for i, r in enumerate(rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    bad = missed()
    if bad or errors:
        names = [f"{c.benchmark}: {c.figure}" for c in bad] + list(errors)
        print(f"{len(bad)} of {len(CHECKS)} targets missed, {len(errors)} benchmarks failed:")
        for name in names:
            print(f"  - {name}")
        return 1
    print(f"all {len(CHECKS)} targets met")
    return 0


def exit_after(main: object) -> None:
    """Run one benchmark module's ``main`` on its own and exit as the runner would."""
    start(Path(sys.argv[0]).stem)
    main()  # type: ignore[operator]
    sys.exit(summary())
