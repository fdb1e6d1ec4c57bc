"""Live classroom load: N student sockets through nginx on the scale deployment.

The deployment is ``make serve-scale``'s (labs/classroom/deployment.py): nginx in front
of one or two Daphne processes sharing PostgreSQL and the Redis channel layer, all on
loopback. One session of the small-world lab (its frames are about 2 KB, a typical
chart); BENCH_CLASSROOM_LAB=consistent-hashing measures 33 KB frames instead.

- Frame latency: the instructor sends ``step`` every 250 ms, ACTIONS times; the latency
  runs from the instructor's send to each student's receipt of that frame (seq), both on
  this process's clock. p50 and p99 for N = 100, 300 and 500 on one and two processes.
  Target: p99 under 100 ms for 300 students on two processes.
- Poll answers: every student answers at once; answers per second accepted (from the
  first send to the last acknowledgement), and each counted once.

The load client is one asyncio process on the same 2 cores as the servers, so its own
receive loop is part of every figure. Skipped (printed) without PostgreSQL, Redis or
nginx.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labs.settings")
django.setup()

from labs.classroom.deployment import Deployment, nginx_binary  # noqa: E402
from tests.bench.served import percentile  # noqa: E402
from tests.bench.targets import check  # noqa: E402
from tests.classroom.scale import HttpClient, connect, next_of, scale_env, unreachable  # noqa: E402

SIZES = [int(n) for n in os.environ.get("BENCH_CLASSROOM_SIZES", "100,300,500").split(",")]
WORKERS = [1, 2]
ACTIONS = 20
GAP = 0.25
LAB = os.environ.get("BENCH_CLASSROOM_LAB", "small-world")
SEQ = re.compile(r'^\{"seq":(\d+),')


def _join_all(address: str, code: str, count: int) -> list[HttpClient]:
    def one(n: int) -> HttpClient:
        client = HttpClient(f"http://{address}")
        client.join(code, f"load {n}")
        return client

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(one, range(count)))


async def _student(ws: Any, sent: dict[int, float], got: list[float], done: asyncio.Event) -> None:
    try:
        async for raw in ws:
            if isinstance(raw, str) and (m := SEQ.match(raw)):
                seq = int(m.group(1))
                if seq in sent:
                    got.append(time.perf_counter() - sent[seq])
            if done.is_set():
                return
    except Exception:
        return


async def _measure(
    address: str, code: str, teacher: HttpClient, students: list[HttpClient]
) -> dict[str, float]:
    t = await connect(address, f"/ws/classroom/{code}/teach/", teacher)
    await next_of(t, "presence")
    socks = []
    for i in range(0, len(students), 50):
        socks += await asyncio.gather(
            *(connect(address, f"/ws/classroom/{code}/follow/", c) for c in students[i : i + 50])
        )
    base = {(await next_of(ws, "frame", timeout=60))["seq"] for ws in socks}
    assert len(base) == 1, f"students joined at different frames: {sorted(base)}"
    first = base.pop()
    sent: dict[int, float] = {}
    got: list[float] = []
    done = asyncio.Event()
    readers = [asyncio.create_task(_student(ws, sent, got, done)) for ws in socks]
    # Frames are numbered one per instructor move, after the one every student has.
    for n in range(ACTIONS):
        sent[first + n + 1] = time.perf_counter()
        await t.send(json.dumps({"action": "step"}))
        await next_of(t, "frame", timeout=30)
        await asyncio.sleep(GAP)
    deadline = time.monotonic() + 10
    while len(got) < ACTIONS * len(socks) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    done.set()
    for task in readers:
        task.cancel()
    await asyncio.gather(*readers, return_exceptions=True)
    latencies = sorted(x * 1000 for x in got)
    received = len(got) / (ACTIONS * len(socks))

    # Every student answers at once.
    await t.send(json.dumps({"action": "poll_open", "prompt": "Next?", "options": ["a", "b"]}))
    poll = await next_of(socks[0], "poll", timeout=30)
    start = time.perf_counter()
    for n, ws in enumerate(socks):
        await ws.send(json.dumps({"action": "answer", "poll": poll["poll"]["id"], "choice": n % 2}))
    await asyncio.gather(*(next_of(ws, "ack", timeout=60) for ws in socks))
    answer_s = time.perf_counter() - start
    # Counted once each: the instructor's count reaches exactly the number of students.
    while (await next_of(t, "presence", timeout=30)).get("answered") != len(socks):
        pass
    for ws in (t, *socks):
        await ws.close()
    return {
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "received": received,
        "answers_per_s": len(socks) / answer_s,
    }


def main() -> None:
    if reason := unreachable():
        print(f"skipped: {reason}")
        return
    if nginx_binary() is None:
        print("skipped: nginx is not installed (make nginx)")
        return
    env = scale_env("paperlabs_classroom_bench")
    # make serve-scale's channel layer: Redis publish/subscribe (labs/settings.py).
    env["PAPERLABS_CHANNEL_LAYER"] = os.environ.get("PAPERLABS_CHANNEL_LAYER", "pubsub")
    print(
        f"channel layer {env['PAPERLABS_CHANNEL_LAYER'] or 'core'}; lab {LAB}; {ACTIONS} instructor steps {GAP * 1000:.0f} ms apart per run"
    )
    print(
        f"{'processes':>9} {'students':>8} {'p50 ms':>8} {'p99 ms':>8} {'received':>9} {'answers/s':>10}"
    )
    # One session, its students joined once: the second deployment shares the database.
    teacher: HttpClient | None = None
    code, students = "", []
    for workers in WORKERS:
        log = open(f"{tempfile.gettempdir()}/paperlabs-classroom-bench-{workers}.log", "wb")  # noqa: SIM115
        with log, Deployment(env, workers=workers, output=log) as deployment:
            address = deployment.address
            if teacher is None:
                teacher = HttpClient(f"http://{address}")
                code = teacher.start(LAB)
                began = time.perf_counter()
                students = _join_all(address, code, max(SIZES))
                print(f"({len(students)} joined in {time.perf_counter() - began:.1f} s)")
            for client in (teacher, *students):
                client.base = f"http://{address}"
            for size in SIZES:
                figures = asyncio.run(_measure(address, code, teacher, students[:size]))
                print(
                    f"{workers:>9} {size:>8} {figures['p50']:>8.1f} {figures['p99']:>8.1f} "
                    f"{figures['received']:>9.1%} {figures['answers_per_s']:>10.0f}",
                    flush=True,
                )
                if workers == 2 and size == 300:
                    check(
                        "classroom p99, 300 students, 2 processes", figures["p99"], "<", 100, " ms"
                    )
                check(
                    f"frames received, {size} students, {workers} processes",
                    figures["received"] * 100,
                    ">=",
                    99.9,
                    "%",
                )


if __name__ == "__main__":
    main()
