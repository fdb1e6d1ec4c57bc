"""The benchmark runner's verdicts: a missed target is named and fails the run."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bench import targets


@pytest.fixture(autouse=True)
def fresh_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(targets, "CHECKS", [])
    targets.start("bench_example")


def test_all_met_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert targets.check("latency p99", 12.5, "<", 50, " ms")
    assert targets.check("ratio", 100, ">=", 100, "x")
    assert targets.summary() == 0
    out = capsys.readouterr().out
    assert "all 2 targets met" in out
    assert "bench_example  latency p99  12.50 ms  < 50 ms" in out


def test_a_missed_target_is_named_with_its_figure_and_target(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert not targets.check("latency p99", 75, "<", 50, " ms")
    assert targets.check("ratio", 3, ">=", 1, "x")
    assert targets.summary() == 1
    out = capsys.readouterr().out
    assert "target MISSED: latency p99: 75 ms (target < 50 ms)" in out
    row = next(line for line in out.splitlines() if line.startswith("bench_example  latency"))
    assert row.split() == ["bench_example", "latency", "p99", "75", "ms", "<", "50", "ms", "MISSED"]
    assert "1 of 2 targets missed" in out
    assert "  - bench_example: latency p99" in out


def test_nothing_measured_is_a_miss_and_a_failed_benchmark_fails_the_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert not targets.check("worst latency", float("nan"), "<", 50, " ms")
    assert targets.summary() == 1
    targets.CHECKS.clear()
    assert targets.summary({"bench_other": "RuntimeError: daphne did not start"}) == 1
    assert "did not run to the end: RuntimeError: daphne did not start" in capsys.readouterr().out


def test_checks_survive_the_trip_from_a_child_process(tmp_path: Path) -> None:
    targets.check("gradebook page", 1200, "<", 1000, " ms")
    path = str(tmp_path / "checks.json")
    targets.save(path)
    saved = list(targets.CHECKS)
    targets.CHECKS.clear()
    targets.load(path)
    assert saved == targets.CHECKS
    assert not targets.CHECKS[0].met


def test_unknown_operator_is_refused() -> None:
    with pytest.raises(ValueError, match="op must be one of"):
        targets.check("x", 1, "==", 1)
