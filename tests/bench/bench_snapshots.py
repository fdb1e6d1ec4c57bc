"""Snapshot benchmark: 100,000 messages and 100 overlapping snapshots on 16 processes.

Issue 10's figure: a complete graph of 16 processes (240 FIFO channels), 100,000
application messages and 100 Chandy–Lamport snapshots started while the tokens move,
several running at once (each has its own markers: 24,000 markers in all). The
events file is written as text and read back with ``load_events``; ``run`` applies it
with seeded delays and runs until every snapshot has completed. Target: ``run`` under
2 s, measured as the process's CPU time, best of 3 runs (the machine is shared: wall
time is printed too, and grows with the load of others); the peak memory of the run is measured with tracemalloc in a second run. Every
snapshot must conserve the tokens and be consistent, and the second run must record
the same snapshots (same seed, same run).
"""

from __future__ import annotations

import time
import tracemalloc

from algorithms.snapshots import (
    complete_topology,
    conserves,
    dump_events,
    is_consistent,
    load_events,
    random_events,
    run,
)

PROCESSES = 16
MESSAGES = 100_000
SNAPSHOTS = 100
PER_TICK = 5_000
TARGET_S = 2.0
REPEATS = 3


def reference_cpu_s() -> float:
    """CPU time of a fixed pure-Python loop, printed to show how loaded the machine is."""
    start = time.process_time()
    sum(i * i for i in range(3_000_000))
    return time.process_time() - start


def main() -> None:
    print(f"reference loop (sum of 3,000,000 squares): {reference_cpu_s():.3f} s of CPU")
    topology = complete_topology(PROCESSES, tokens=1_000)
    text = dump_events(random_events(topology, 2024, MESSAGES, SNAPSHOTS, PER_TICK))
    start = time.perf_counter()
    events = load_events(text)
    load_s = time.perf_counter() - start
    sends = sum(1 for e in events if type(e).__name__ == "Send")
    print(
        f"{PROCESSES} processes, {len(topology.links)} channels, {sends:,} messages, "
        f"{SNAPSHOTS} snapshots; load_events of {len(text):,} characters: {load_s:.3f} s"
    )

    walls, cpus = [], []
    for _ in range(REPEATS):
        start, cpu = time.perf_counter(), time.process_time()
        snapshots = run(topology, events, seed=7)
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    run_s, cpu_s = min(walls), min(cpus)

    assert sends == MESSAGES and len(snapshots) == SNAPSHOTS
    assert all(conserves(s, topology.total) and is_consistent(s) for s in snapshots)
    spans = [(s.started_at, s.completed_at) for s in snapshots]
    overlap = max(sum(1 for a, b in spans if a <= t < b) for t, _ in spans)
    recorded = sum(len(v) for s in snapshots for v in s.channels.values())
    print(
        f"run (best of {REPEATS}): {cpu_s:.3f} s of CPU, {run_s:.3f} s wall "
        f"(target {TARGET_S} s of CPU, "
        f"ratio {cpu_s / TARGET_S:.2f}); "
        f"up to {overlap} snapshots running at once; {recorded:,} messages recorded in channels"
    )

    tracemalloc.start()
    again = run(topology, events, seed=7)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert again == snapshots
    print(f"peak memory of run (tracemalloc): {peak / 2**20:.1f} MiB")
    if cpu_s > TARGET_S:
        raise AssertionError(f"run took {cpu_s:.3f} s of CPU, target {TARGET_S} s")


if __name__ == "__main__":
    main()
