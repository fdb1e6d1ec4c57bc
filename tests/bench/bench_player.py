"""Player benchmarks: seeking in a long recording, and streaming to many clients.

- Seek to step 100,000 of a recording (target under 50 ms), against replaying the
  same recording from zero; prints both and the ratio.
- 200 concurrent websocket clients on one Daphne process, each playing a replay at
  10 frames a second: p50/p99 frame latency (server send to client receipt; target
  p99 under 50 ms) and the frame rate each client actually got.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from algorithms.consistent_hashing import ConsistentHashingEngine
from algorithms.recording import Timeline
from tests.servers import ROOT, daphne

STEPS = 100_000
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "200"))
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


async def _client(
    url: str,
    origin: str,
    delay: float,
    window: tuple[float, float],
    latencies: list[float],
    counts: list[int],
) -> None:
    import websockets

    await asyncio.sleep(
        delay
    )  # a gentle ramp: the figure is the steady state, not the connect storm
    async with websockets.connect(url, origin=origin, max_size=2**22) as ws:  # type: ignore[arg-type]
        await ws.send(json.dumps({"action": "play", "fps": FPS}))
        got = 0
        while True:
            now = time.time()
            if now > window[1]:
                break
            try:
                raw = await asyncio.wait_for(ws.recv(), timeout=max(0.01, window[1] - now))
            except TimeoutError:
                break
            arrived = time.time()
            message = json.loads(raw)
            if message.get("type") == "frame" and message.get("playing") and arrived >= window[0]:
                latencies.append(arrived * 1000 - message["t"])
                got += 1
        counts.append(got)


async def _stream(url: str, origin: str) -> tuple[list[float], list[int], float]:
    latencies: list[float] = []
    counts: list[int] = []
    ramp = 0.01 * CLIENTS
    # Opening a replay runs it once; measure after every client has settled.
    start = time.time() + ramp + 3.0
    window = (start, start + SECONDS)
    tasks = [
        asyncio.create_task(_client(url, origin, i * 0.01, window, latencies, counts))
        for i in range(CLIENTS)
    ]
    await asyncio.gather(*tasks)
    return latencies, counts, SECONDS


def bench_streaming() -> None:
    try:
        import websockets  # noqa: F401
    except ImportError:
        print("streaming: skipped (the websockets package is not installed)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            "DJANGO_SETTINGS_MODULE": "labs.settings",
        }
        env.pop("REDIS_URL", None)
        py = sys.executable
        subprocess.run([py, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        make = (
            "from algorithms.recording import Timeline;"
            "from algorithms.consistent_hashing import ConsistentHashingEngine as E;"
            "from labs.models import Replay;"
            "t=Timeline(E,'consistent-hashing',{'nodes':4,'keys':40},1);"
            f"[t.act({{'action':'select_key','key':f'k{{i}}'}}) for i in range({int(FPS * (SECONDS + 25))})];"
            "r=Replay.from_recording(t.recording(),title='bench');r.id='bench';r.save()"
        )
        subprocess.run([py, "manage.py", "shell", "-c", make], cwd=ROOT, env=env, check=True)
        with daphne(env) as address:
            url = f"ws://{address}/ws/labs/consistent-hashing/?replay=bench"
            latencies, counts, seconds = asyncio.run(_stream(url, f"http://{address}"))
    latencies.sort()
    p50 = statistics.median(latencies)
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    rate = statistics.mean(counts) / seconds
    print(f"streaming: {CLIENTS} clients on one Daphne process asking for {FPS} frames/s each")
    print(
        f"  frames received: {len(latencies):,}; mean per client {rate:.1f} frames/s (asked {FPS})"
    )
    print(
        f"  frame latency p50 {p50:.1f} ms, p99 {p99:.1f} ms (target p99 < 50 ms), max {latencies[-1]:.1f} ms"
    )


def main() -> None:
    bench_seek()
    bench_streaming()


if __name__ == "__main__":
    main()
