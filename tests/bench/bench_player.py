"""Player benchmarks: seeking in a long recording, and stepping through a replay.

- Seek to step 100,000 of a recording (target under 50 ms), against replaying the
  same recording from zero; prints both and the ratio.
- Stepping latency on one Daphne process: each client opens a consistent-hashing
  replay with 3,000 keys on 8 nodes (a join or a leave every fifth step re-sends the
  key picture, about 130 KB) and sends ``step`` 10 times a second; the latency of a
  step runs from the client's send to its receipt of the frame, both on the client's
  clock. One client alone, then ``BENCH_CLIENTS`` at once (default 50, a large class;
  ``BENCH_CLIENTS=200`` is the load docs/architecture.md quotes, about a minute more).
  Targets: p99 under 50 ms, and at least 90% of the planned steps answered (a client
  waits for each answer before its next step).
"""

from __future__ import annotations

import asyncio
import os
import time

from algorithms.consistent_hashing import ConsistentHashingEngine
from algorithms.recording import Timeline
from tests.bench.served import Client, percentile, served
from tests.bench.targets import check, exit_after

STEPS = 100_000
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "50"))
FPS = 10
SECONDS = 10.0


def _commands(count: int) -> list[dict[str, object]]:
    return [{"action": "select_key", "key": f"user:{i}"} for i in range(count)]


def bench_seek() -> None:
    params = {"nodes": 8, "keys": 200}
    timeline = Timeline(ConsistentHashingEngine, "consistent-hashing", params, 1)
    for command in _commands(STEPS):
        timeline.act(command)
    timeline.seek(0)
    start = time.perf_counter()
    timeline.seek(STEPS)
    seek_s = time.perf_counter() - start
    state = timeline.engine.state()

    start = time.perf_counter()
    engine = ConsistentHashingEngine(ConsistentHashingEngine.Params.from_dict(params), 1)
    for command in _commands(STEPS):
        engine.apply(command)
    replay_s = time.perf_counter() - start
    assert engine.state() == state, "seek and replay disagree"
    print(f"seek to step {STEPS:,} of a recording: {seek_s * 1000:.1f} ms (target < 50 ms)")
    print(f"replaying the same {STEPS:,} steps from zero: {replay_s * 1000:.0f} ms")
    print(f"ratio replay/seek: {replay_s / seek_s:.0f}x")
    check(f"seek to step {STEPS:,}", seek_s * 1000, "<", 50, " ms")


# The streamed replay: the consistent-hashing lab with a few thousand keys, stepped
# through as a student would: a join, look-ups, a leave, look-ups. Joins and leaves
# re-send the key picture (about 130 KB); look-ups change the selection only.
STREAM_PARAMS = {"nodes": 8, "keys": 3000}
STREAM_CYCLE: list[dict[str, object]] = [
    {"action": "add_node"},
    *({"action": "select_key", "key": f"key-{i}"} for i in range(4)),
    {"action": "remove_node", "name": "I"},
    *({"action": "select_key", "key": f"key-{i}"} for i in range(4, 8)),
]
SETTLE = 3.0  # after every client has opened the replay, before the measured window
GRACE = 5.0  # how long after the window a step's answer is still waited for


async def _stepper(
    client: Client, phase: float, window: tuple[float, float], latencies: list[float]
) -> tuple[int, int]:
    """Send ``step`` every 1/FPS s from ``phase`` on; note send-to-receipt of each frame.

    Both timestamps are the client's own (``time.perf_counter``). A step still
    unanswered ``GRACE`` seconds after the window closes counts as unanswered, with
    the time waited as its latency (a lower bound). Returns the steps asked for and the
    frames received.
    """
    asked = got = 0
    expected = 1  # the replay opens at step 0
    try:
        tick = window[0] + phase
        while tick < window[1] and asked < FPS * SECONDS:
            await asyncio.sleep(max(0.0, tick - time.perf_counter()))
            sent = time.perf_counter()
            await client.send({"action": "step"})
            asked += 1
            try:
                frame = await client.until("frame", timeout=max(1.0, window[1] + GRACE - sent))
            except TimeoutError:
                latencies.append((time.perf_counter() - sent) * 1000)
                break
            latencies.append((time.perf_counter() - sent) * 1000)
            got += 1
            assert frame["step"] == expected, (frame["step"], expected)
            expected += 1
            tick = max(tick + 1 / FPS, time.perf_counter())
    finally:
        await client.close()
    return asked, got


async def _stream(address: str, clients: int) -> tuple[list[float], int, int]:
    latencies: list[float] = []

    # Every client opens the replay first, a few at a time (the figure is the steady
    # state, not a connect storm); the measured window starts once all have.
    gate = asyncio.Semaphore(4)

    async def connect() -> Client:
        async with gate:
            return await Client.open(address, "/ws/labs/consistent-hashing/?replay=bench")

    opened = await asyncio.gather(*(connect() for _ in range(clients)))
    start = time.perf_counter() + SETTLE
    window = (start, start + SECONDS)
    results = await asyncio.gather(
        *(_stepper(c, i / clients / FPS, window, latencies) for i, c in enumerate(opened))
    )
    return latencies, sum(a for a, _ in results), sum(g for _, g in results)


def bench_streaming() -> None:
    steps = int(FPS * (SECONDS + 2)) + len(STREAM_CYCLE)
    commands = [STREAM_CYCLE[i % len(STREAM_CYCLE)] for i in range(steps)]
    make = (
        "from algorithms.recording import Timeline;"
        "from algorithms.consistent_hashing import ConsistentHashingEngine as E;"
        "from labs.models import Replay;"
        f"t=Timeline(E,'consistent-hashing',{STREAM_PARAMS!r},1);"
        f"[t.act(c) for c in {commands!r}];"
        "r=Replay.from_recording(t.recording(),title='bench');r.id='bench';r.save()"
    )
    # Every client comes from loopback, where the server would count them as one
    # client: they stand for CLIENTS students, so the per-client cap lets them all in.
    with served(make, {"PAPERLABS_MAX_SOCKETS_PER_CLIENT": str(CLIENTS + 1)}) as address:
        for clients in (1, CLIENTS):
            latencies, asked, got = asyncio.run(_stream(address, clients))
            latencies.sort()
            p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
            print(
                f"streaming: {clients} client{'s' if clients > 1 else ''} on one Daphne "
                f"process, each sending step {FPS} times a second for {SECONDS:.0f} s through "
                f"a consistent-hashing replay ({STREAM_PARAMS['keys']:,} keys, "
                f"{STREAM_PARAMS['nodes']} nodes; 1 step in 5 a join or leave)"
            )
            print(
                f"  latency from the client's send of step to its receipt of the frame "
                f"(client clock): p50 {p50:.1f} ms, p99 {p99:.1f} ms, max "
                f"{latencies[-1] if latencies else float('nan'):.1f} ms; "
                f"frames {got:,} of {asked:,} asked, {FPS * SECONDS * clients:,.0f} planned"
            )
            label = f"{clients} client{'s' if clients > 1 else ''} x {FPS} steps/s"
            check(f"step latency p99, {label}", p99, "<", 50, " ms")
            check(f"steps answered / planned, {label}", got / (FPS * SECONDS * clients), ">=", 0.9)


def main() -> None:
    bench_seek()
    bench_streaming()


if __name__ == "__main__":
    exit_after(main)
