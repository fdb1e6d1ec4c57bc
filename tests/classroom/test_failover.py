"""Killing one Daphne process behind nginx in the middle of a lecture.

Students on it reconnect through the proxy to the other process and carry on at the
current step; every answer acknowledged before the kill is still counted (answers are
committed before they are acknowledged). A student of the killed process who does not
come back drops out of the instructor's connected count once the dead process's
heartbeats age out. Skipped, with the reason, without PostgreSQL,
Redis or nginx.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest

from labs.classroom.deployment import Deployment, nginx_binary
from tests.classroom.scale import HttpClient, connect, next_of, scale_env, unreachable

pytestmark = pytest.mark.scaleout

STUDENTS = 8


@pytest.fixture(scope="module")
def deployment() -> Iterator[Deployment]:
    if reason := unreachable():
        pytest.skip(reason)
    if nginx_binary() is None:
        pytest.skip("nginx is not installed (make nginx)")
    env = scale_env("paperlabs_failover_test")
    env["PAPERLABS_CLASSROOM_HEARTBEAT"] = "0.5"  # a dead process's students count 1.5 s
    with Deployment(env, workers=2) as running:
        yield running


async def _reconnecting(address: str, path: str, client: HttpClient) -> Any:
    """Reconnect as the page does: retry until a process answers through the proxy."""
    for _ in range(50):
        try:
            return await connect(address, path, client)
        except OSError:
            await asyncio.sleep(0.2)
        except Exception as err:  # the proxy's 502 while it notices the dead process
            if "502" not in str(err):
                raise
            await asyncio.sleep(0.2)
    raise AssertionError("could not reconnect through the proxy")


def test_killing_a_process_loses_no_acknowledged_answer(deployment: Deployment) -> None:
    import websockets

    address = deployment.address
    teacher = HttpClient(f"http://{address}")
    code = teacher.start()
    clients = []
    for n in range(STUDENTS):
        client = HttpClient(f"http://{address}")
        client.join(code, f"student {n}")
        clients.append(client)
    follow, teach = f"/ws/classroom/{code}/follow/", f"/ws/classroom/{code}/teach/"

    async def lecture() -> None:
        t = await connect(address, teach, teacher)
        await next_of(t, "presence")
        socks = [await connect(address, follow, c) for c in clients]
        for ws in socks:
            await next_of(ws, "frame")
        await t.send(json.dumps({"action": "add_node", "name": "E"}))
        await t.send(
            json.dumps({"action": "poll_open", "prompt": "Next?", "options": ["a", "b", "c"]})
        )
        poll_id = None
        for n, ws in enumerate(socks):
            poll_id = (await next_of(ws, "poll"))["poll"]["id"]
            await ws.send(json.dumps({"action": "answer", "poll": poll_id, "choice": n % 3}))
            assert (await next_of(ws, "ack"))["choice"] == n % 3

        deployment.kill(1)

        # Sockets on the killed process are closed; the page reconnects them.
        dropped = []
        for n, ws in enumerate(socks):
            try:
                await asyncio.wait_for(ws.recv(), 1.0)
                while True:
                    await asyncio.wait_for(ws.recv(), 0.05)
            except TimeoutError:
                continue
            except websockets.ConnectionClosed:
                dropped.append(n)
        assert dropped, "no student was on the killed process"
        # The last of them closed the laptop: only the others come back.
        gone = dropped.pop()
        for n in dropped:
            socks[n] = await _reconnecting(address, follow, clients[n])
        try:
            await t.send(json.dumps({"action": "add_keys", "count": 10}))
            await next_of(t, "frame")
        except websockets.ConnectionClosed:
            t = await _reconnecting(address, teach, teacher)
            await next_of(t, "frame")
            await t.send(json.dumps({"action": "add_keys", "count": 10}))
        # Everyone carries on at the current step, their answer intact.
        for n, ws in enumerate(socks):
            if n == gone:
                continue
            step, mine = None, None
            while step != 2 or (n in dropped and mine is None):
                got = json.loads(await asyncio.wait_for(ws.recv(), 10))
                if got["type"] == "frame":
                    step = got["step"]
                elif got["type"] == "poll":
                    mine = got["poll"]["mine"]
            if n in dropped:
                assert mine == n % 3
        await t.send(json.dumps({"action": "poll_close"}))
        while (presence := await next_of(t, "presence")).get("poll", {}).get("open", True):
            pass
        assert presence["poll"]["counts"] == [
            sum(1 for n in range(STUDENTS) if n % 3 == k) for k in range(3)
        ]
        # Connected: everyone but the student who did not come back.
        deadline = asyncio.get_running_loop().time() + 15
        while presence["students"] != STUDENTS - 1:
            assert asyncio.get_running_loop().time() < deadline, presence
            presence = await next_of(t, "presence", timeout=15)
        for n, ws in enumerate(socks):
            if n != gone:
                await ws.close()
        await t.close()

    asyncio.run(lecture())
