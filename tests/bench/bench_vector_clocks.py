"""Vector-clocks benchmark: parse and index a 10,000-event ShiViz log, then query it.

A seeded run of 10,000 events on 8 processes (local, send and receive events with
random delays, built with :class:`algorithms.causality.Process`) is exported with
``to_shiviz``. The benchmark times ``parse_shiviz`` (every check included), building
the :class:`CausalIndex`, and 100,000 happens-before queries on random pairs; target
under 1 s in total. It also times the Lamport clocks computed from the index, and
checks a sample of answers against the clocks' element-wise comparison.
"""

from __future__ import annotations

import random
import time

from algorithms.causality import CausalIndex, Process, Stamp
from algorithms.shiviz import ShiVizEvent, parse_shiviz, to_shiviz
from tests.bench.targets import check, exit_after

EVENTS = 10_000
PROCESSES = 8
QUERIES = 100_000


def generate(events: int, processes: int, seed: int) -> list[ShiVizEvent]:
    """A seeded run: each tick delivers due messages, else a local event or a send."""
    rng = random.Random(seed)
    procs = [Process(f"P{i}") for i in range(1, processes + 1)]
    flying: list[tuple[int, int, int, Stamp]] = []  # (due, order, receiver, stamp)
    out: list[ShiVizEvent] = []
    now = order = 0
    while len(out) < events:
        now += 1
        due = sorted(m for m in flying if m[0] <= now)
        if due:
            flying = [m for m in flying if m[0] > now]
            for _, _, receiver, stamp in due[: events - len(out)]:
                s = procs[receiver].receive_event(stamp)
                out.append(ShiVizEvent(procs[receiver].name, s.vector, "receive", 0))
            continue
        p = rng.randrange(processes)
        if rng.random() < 0.4:
            s = procs[p].local_event()
            out.append(ShiVizEvent(procs[p].name, s.vector, "local", 0))
        else:
            s = procs[p].send_event()
            q = rng.choice([i for i in range(processes) if i != p])
            order += 1
            flying.append((now + rng.randint(1, 5), order, q, s))
            out.append(ShiVizEvent(procs[p].name, s.vector, f"send to P{q + 1}", 0))
    return out


def main() -> None:
    log = to_shiviz(generate(EVENTS, PROCESSES, seed=2024))
    print(f"log: {EVENTS:,} events on {PROCESSES} processes, {len(log.encode()):,} bytes")

    start = time.perf_counter()
    events = parse_shiviz(log)
    parse_s = time.perf_counter() - start

    start = time.perf_counter()
    index = CausalIndex(events)
    index_s = time.perf_counter() - start

    rng = random.Random(7)
    pairs = [(rng.randrange(EVENTS), rng.randrange(EVENTS)) for _ in range(QUERIES)]
    start = time.perf_counter()
    hb = index.happens_before
    answers = [hb(a, b) for a, b in pairs]
    query_s = time.perf_counter() - start

    for (a, b), answer in list(zip(pairs, answers, strict=True))[:2_000]:
        assert answer == (events[a].clock < events[b].clock), (a, b)

    start = time.perf_counter()
    lamport = index.lamport
    lamport_s = time.perf_counter() - start
    assert all(lamport[a] < lamport[b] for (a, b), ok in zip(pairs, answers, strict=True) if ok)

    total = parse_s + index_s + query_s
    print(f"parse_shiviz (all checks): {parse_s * 1000:7.1f} ms")
    print(f"CausalIndex build:         {index_s * 1000:7.1f} ms")
    print(
        f"{QUERIES:,} happens-before:  {query_s * 1000:7.1f} ms "
        f"({query_s / QUERIES * 1e9:.0f} ns per query; {sum(answers):,} true)"
    )
    print(f"total:                     {total * 1000:7.1f} ms (target < 1000 ms)")
    print(f"Lamport clocks from the index (extra): {lamport_s * 1000:.1f} ms")
    print(f"ratio total/target: {total:.2f}")
    check(f"parse + index + {QUERIES:,} queries, {EVENTS:,} events", total * 1000, "<", 1000, " ms")


if __name__ == "__main__":
    exit_after(main)
