"""Run every benchmark: ``python -m tests.bench [name ...]``.

Imports each ``tests/bench/bench_*.py`` module in name order (or only those named, e.g.
``python -m tests.bench bench_player``) and calls its ``main()``. Each benchmark checks
its figures against their targets with :func:`tests.bench.targets.check`. A benchmark
that raises prints its traceback and the others still run. At the end a summary table
lists every figure with its target; the exit status is non-zero if any target was
missed or any benchmark failed to run.
"""

from __future__ import annotations

import importlib
import os
import sys
import time
import traceback
from pathlib import Path

from tests.bench import targets


def _load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def main(argv: list[str]) -> int:
    here = Path(__file__).resolve().parent
    names = sorted(p.stem for p in here.glob("bench_*.py"))
    if argv:
        unknown = [a for a in argv if a not in names]
        if unknown:
            print(f"no such benchmark: {', '.join(unknown)} (have {', '.join(names)})")
            return 2
        names = [n for n in names if n in argv]
    errors: dict[str, str] = {}
    began, load = time.perf_counter(), _load()
    for name in names:
        print(f"== {name} ==", flush=True)
        start = time.perf_counter()
        targets.start(name)
        try:
            module = importlib.import_module(f"{__package__ or 'tests.bench'}.{name}")
            module.main()
        except Exception as err:
            traceback.print_exc()
            errors[name] = f"{type(err).__name__}: {err}".splitlines()[0][:120]
        print(f"({name} took {time.perf_counter() - start:.0f} s)\n", flush=True)
    # Wall-clock figures depend on what else the machine runs: say how busy it was.
    print(
        f"{len(names)} benchmarks in {time.perf_counter() - began:.0f} s on {os.cpu_count()} "
        f"CPUs; load average {load} before, {_load()} after\n"
    )
    return targets.summary(errors)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
