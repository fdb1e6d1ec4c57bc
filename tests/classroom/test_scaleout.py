"""A lecture across two Daphne processes sharing PostgreSQL and the Redis channel layer.

The instructor is on one process; students on both see the same frames in the same
order, and an answer sent through either process is counted once. Skipped with the
reason printed when PostgreSQL or Redis is not reachable on this machine.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.classroom.scale import HttpClient, connect, daphnes, next_of, scale_env, unreachable

pytestmark = pytest.mark.scaleout


@pytest.fixture(scope="module")
def servers() -> Iterator[list[str]]:
    if reason := unreachable():
        pytest.skip(reason)
    with daphnes(scale_env("paperlabs_classroom_test"), 2) as addresses:
        yield addresses


async def _frames(ws: Any, count: int) -> list[tuple[int, int, dict[str, Any]]]:
    got = []
    while len(got) < count:
        frame = await next_of(ws, "frame")
        got.append((frame["seq"], frame["step"], frame["state"]))
    return got


def test_students_on_either_process_see_the_same_frames_in_order(servers: list[str]) -> None:
    a, b = servers
    teacher = HttpClient(f"http://{a}")
    code = teacher.start()
    students = []
    for n in range(4):
        client = HttpClient(f"http://{(a, b)[n % 2]}")
        client.join(code, f"student {n}")
        students.append(client)

    async def lecture() -> None:
        t = await connect(a, f"/ws/classroom/{code}/teach/", teacher)
        await next_of(t, "presence")
        socks = []
        for n, client in enumerate(students):
            ws = await connect((a, b)[n % 2], f"/ws/classroom/{code}/follow/", client)
            first = await next_of(ws, "frame")
            socks.append((ws, first["seq"]))
        assert len({seq for _, seq in socks}) == 1
        actions = [
            {"action": "add_node", "name": "E"},
            {"action": "add_keys", "count": 50},
            {"action": "back"},
            {"action": "add_node", "name": "F"},
            {"action": "seek", "step": 0},
        ]
        for action in actions:
            await t.send(json.dumps(action))
            await next_of(t, "frame")
        seen = [await _frames(ws, len(actions)) for ws, _ in socks]
        for got in seen[1:]:
            assert got == seen[0]
        seqs = [seq for seq, _, _ in seen[0]]
        assert seqs == list(range(seqs[0], seqs[0] + len(actions)))
        assert [step for _, step, _ in seen[0]] == [1, 2, 1, 2, 0]
        for ws, _ in socks:
            await ws.close()
        await t.close()

    asyncio.run(lecture())


def test_an_answer_through_either_process_counts_once(servers: list[str]) -> None:
    a, b = servers
    teacher = HttpClient(f"http://{a}")
    code = teacher.start()
    student = HttpClient(f"http://{b}")
    student.join(code, "twice")
    other = HttpClient(f"http://{a}")
    other.join(code, "once")

    async def poll() -> None:
        t = await connect(a, f"/ws/classroom/{code}/teach/", teacher)
        await next_of(t, "presence")
        on_b = await connect(b, f"/ws/classroom/{code}/follow/", student)
        on_a = await connect(a, f"/ws/classroom/{code}/follow/", student)
        third = await connect(a, f"/ws/classroom/{code}/follow/", other)
        await t.send(json.dumps({"action": "poll_open", "prompt": "Next?", "options": ["x", "y"]}))
        poll_id = (await next_of(on_b, "poll"))["poll"]["id"]
        await next_of(on_a, "poll")
        for ws, choice in ((on_b, 0), (on_a, 1), (third, 1)):
            await ws.send(json.dumps({"action": "answer", "poll": poll_id, "choice": choice}))
            assert (await next_of(ws, "ack"))["choice"] == choice
        while (presence := await next_of(t, "presence")).get("answered") != 2:
            pass
        assert presence["poll"]["counts"] == [0, 2]
        assert presence["students"] == 2 and presence["joined"] == 2
        await t.send(json.dumps({"action": "poll_close"}))
        await next_of(on_b, "poll")
        await on_b.send(json.dumps({"action": "answer", "poll": poll_id, "choice": 0}))
        refused = await next_of(on_b, "error")
        assert "closed" in refused["rule"]
        for ws in (t, on_a, on_b, third):
            await ws.close()
        status, _, text = teacher.get(f"/classroom/{code}/results.csv")
        assert status == 200 and text.count("\n") == 3  # header and two answers

    asyncio.run(poll())


def test_a_lab_sent_through_either_process_counts_once(servers: list[str]) -> None:
    a, b = servers
    teacher = HttpClient(f"http://{a}")
    code = teacher.start()
    student = HttpClient(f"http://{b}")
    student.join(code, "builder")

    async def construct() -> None:
        t = await connect(a, f"/ws/classroom/{code}/teach/", teacher)
        await next_of(t, "presence")
        on_b = await connect(b, f"/ws/classroom/{code}/follow/", student)
        on_a = await connect(a, f"/ws/classroom/{code}/follow/", student)
        await t.send(
            json.dumps({"action": "poll_question", "question": "ch-construct/make-it-move"})
        )
        poll = (await next_of(on_b, "poll"))["poll"]
        assert poll["kind"] == "construct"
        await next_of(on_a, "poll")
        for ws, name in ((on_b, "P"), (on_a, "Q")):
            await ws.send(json.dumps({"action": "explore"}))
            await next_of(ws, "frame")
            await ws.send(json.dumps({"action": "add_node", "name": name}))
            await next_of(ws, "frame")
            await ws.send(json.dumps({"action": "submit_lab", "poll": poll["id"]}))
            ack = await next_of(ws, "ack")
            # The verdict waits for the reveal; the count below says it was judged.
            assert ack["choice"] == {"actions": 1}
        while (presence := await next_of(t, "presence")).get("answered") != 1:
            pass
        assert [r["label"] for r in presence["poll"]["rows"]] == ["goal reached", "not yet"]
        assert sum(r["count"] for r in presence["poll"]["rows"]) == 1
        for ws in (t, on_a, on_b):
            await ws.close()
        status, _, text = teacher.get(f"/classroom/{code}/results.csv")
        assert status == 200 and text.count("\n") == 2 and ",construct," in text

    asyncio.run(construct())
