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
work is part of every figure. It is kept as cheap as it can be: each student socket is
a bare asyncio protocol (the handshake, then websocket frames parsed where the bytes
arrive, timed there, with no task, queue or wake-up per message); only the instructor
uses the websockets library. It still takes its share of the two cores while 300
students' frames arrive. Skipped (printed) without PostgreSQL, Redis or nginx.
"""

from __future__ import annotations

import asyncio
import base64
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
SEQ = re.compile(rb'^\{"seq":(\d+),')


class Student(asyncio.Protocol):
    """One student socket, as little as the load needs: frames are parsed and timed in
    ``data_received``; other messages wait in ``inbox`` for :meth:`next_of`."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.inbox: list[dict[str, Any]] = []
        self.arrived = asyncio.Event()
        self.partial = bytearray()
        # While timing: seq -> the instructor's send time, and the latencies seen.
        self.sent: dict[int, float] | None = None
        self.got: list[float] = []
        self.seen_types: list[str] = []

    @classmethod
    async def open(cls, address: str, path: str, cookie: str) -> Student:
        host, port = address.rsplit(":", 1)
        _, sock = await asyncio.get_running_loop().create_connection(cls, host, int(port))
        key = base64.b64encode(os.urandom(16)).decode()
        assert sock.transport is not None
        sock.transport.write(
            (
                f"GET {path} HTTP/1.1\r\nHost: {address}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                f"Sec-WebSocket-Version: 13\r\nOrigin: http://{address}\r\n"
                f"Cookie: {cookie}\r\n\r\n"
            ).encode()
        )
        await asyncio.wait_for(sock.opened, 60)
        return sock

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(ConnectionError("closed during the handshake"))

    def data_received(self, data: bytes) -> None:
        now = time.perf_counter()
        buffer = self.buffer
        buffer += data
        if not self.opened.done():
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(buffer[:end])
            del buffer[: end + 4]
            if not head.startswith(b"HTTP/1.1 101"):
                self.opened.set_exception(ConnectionError(head[:200].decode(errors="replace")))
                return
            self.opened.set_result(None)
        while len(buffer) >= 2:
            size, start = buffer[1] & 0x7F, 2
            if size == 126:
                size, start = int.from_bytes(buffer[2:4]), 4
            elif size == 127:
                size, start = int.from_bytes(buffer[2:10]), 10
            if len(buffer) < start + size:
                return
            fin, opcode = buffer[0] & 0x80, buffer[0] & 0x0F
            payload = bytes(buffer[start : start + size])
            del buffer[: start + size]
            if opcode in (0, 1):
                self.partial += payload
                if fin:
                    self._message(bytes(self.partial), now)
                    self.partial.clear()
            elif opcode == 9:
                self._write(0xA, payload)
            elif opcode == 8:
                self.seen_types.append(f"close {int.from_bytes(payload[:2]) if payload else ''}")

    def _message(self, payload: bytes, now: float) -> None:
        if self.sent is not None and (m := SEQ.match(payload)):
            seq = int(m.group(1))
            if seq in self.sent:
                self.got.append(now - self.sent[seq])
            return
        message = json.loads(payload)
        self.seen_types.append(message.get("type", "?"))
        self.inbox.append(message)
        self.arrived.set()

    def _write(self, opcode: int, payload: bytes) -> None:
        mask = os.urandom(4)
        size = len(payload)
        head = bytes([0x80 | opcode])
        if size < 126:
            head += bytes([0x80 | size])
        elif size < 65536:
            head += bytes([0x80 | 126]) + size.to_bytes(2)
        else:
            head += bytes([0x80 | 127]) + size.to_bytes(8)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        assert self.transport is not None
        self.transport.write(head + mask + masked)

    async def send(self, text: str) -> None:
        self._write(0x1, text.encode())

    async def next_of(self, kind: str, timeout: float = 10) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            for n, message in enumerate(self.inbox):
                if message.get("type") == kind:
                    del self.inbox[: n + 1]
                    return message
            self.inbox.clear()
            self.arrived.clear()
            await asyncio.wait_for(self.arrived.wait(), max(0.001, deadline - time.monotonic()))

    async def close(self) -> None:
        if self.transport is not None:
            self._write(0x8, (1000).to_bytes(2))
            self.transport.close()


def _join_all(address: str, code: str, count: int) -> list[HttpClient]:
    def one(n: int) -> HttpClient:
        client = HttpClient(f"http://{address}")
        client.join(code, f"load {n}")
        return client

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(one, range(count)))


async def _measure(
    address: str, code: str, teacher: HttpClient, students: list[HttpClient]
) -> dict[str, float]:
    t = await connect(address, f"/ws/classroom/{code}/teach/", teacher)
    await next_of(t, "presence")
    path = f"/ws/classroom/{code}/follow/"
    socks: list[Student] = []
    for i in range(0, len(students), 50):
        socks += await asyncio.gather(
            *(Student.open(address, path, c.cookie_header()) for c in students[i : i + 50])
        )
    base = {(await ws.next_of("frame", timeout=60))["seq"] for ws in socks}
    assert len(base) == 1, f"students joined at different frames: {sorted(base)}"
    first = base.pop()
    sent: dict[int, float] = {}
    for ws in socks:
        ws.sent = sent
    # Frames are numbered one per instructor move, after the one every student has.
    for n in range(ACTIONS):
        sent[first + n + 1] = time.perf_counter()
        await t.send(json.dumps({"action": "step"}))
        await next_of(t, "frame", timeout=30)
        await asyncio.sleep(GAP)
    deadline = time.monotonic() + 10
    while sum(len(ws.got) for ws in socks) < ACTIONS * len(socks) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    got = [x for ws in socks for x in ws.got]
    for ws in socks:
        ws.sent = None
    latencies = sorted(x * 1000 for x in got)
    received = len(got) / (ACTIONS * len(socks))

    # Every student answers at once.
    for ws in socks:
        ws.inbox.clear()  # the last run's poll, sent on connect, is closed
    await t.send(json.dumps({"action": "poll_open", "prompt": "Next?", "options": ["a", "b"]}))
    poll = await socks[0].next_of("poll", timeout=30)
    while not poll["poll"]["open"]:
        poll = await socks[0].next_of("poll", timeout=30)
    start = time.perf_counter()
    for n, ws in enumerate(socks):
        await ws.send(json.dumps({"action": "answer", "poll": poll["poll"]["id"], "choice": n % 2}))
    acks = await asyncio.gather(
        *(ws.next_of("ack", timeout=60) for ws in socks), return_exceptions=True
    )
    answer_s = time.perf_counter() - start
    if missing := [n for n, a in enumerate(acks) if isinstance(a, BaseException)]:
        seen = socks[missing[0]].seen_types
        raise AssertionError(
            f"{len(missing)} of {len(socks)} answers not acknowledged in 60 s; "
            f"student {missing[0]} received {seen}"
        )
    # Counted once each: the instructor's count reaches exactly the number of students.
    while (await next_of(t, "presence", timeout=30)).get("answered") != len(socks):
        pass
    await t.close()
    for ws in socks:
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
