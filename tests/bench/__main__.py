"""Run every benchmark: ``python -m tests.bench``.

Imports each ``tests/bench/bench_*.py`` module in name order and calls its ``main()``.
A benchmark that fails prints its traceback and the others still run; the exit status
is non-zero if any failed.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from pathlib import Path


def main() -> int:
    here = Path(__file__).resolve().parent
    failed: list[str] = []
    names = sorted(p.stem for p in here.glob("bench_*.py"))
    for name in names:
        print(f"== {name} ==", flush=True)
        try:
            module = importlib.import_module(f"{__package__ or 'tests.bench'}.{name}")
            module.main()
        except Exception:
            traceback.print_exc()
            failed.append(name)
        print(flush=True)
    if failed:
        print(f"{len(failed)} of {len(names)} benchmarks failed: {', '.join(failed)}")
        return 1
    print(f"all {len(names)} benchmarks ran")
    return 0


if __name__ == "__main__":
    sys.exit(main())
