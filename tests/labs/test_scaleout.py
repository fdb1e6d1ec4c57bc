"""Classroom scale: PostgreSQL and the Redis channel layer, two Daphne processes.

A replay saved through one process opens, identical, through the other. Skipped
with the reason printed when PostgreSQL or Redis is not reachable on this machine.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.servers import ROOT, daphne, reachable

PG = os.environ.get("PAPERLABS_TEST_PG", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("PAPERLABS_TEST_REDIS", "redis://127.0.0.1:6379/5")
DB_NAME = "paperlabs_scaleout_test"

pytestmark = pytest.mark.scaleout


@pytest.fixture(scope="module")
def servers() -> Iterator[list[str]]:
    if not reachable("127.0.0.1", 5432):
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    if not reachable("127.0.0.1", 6379):
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    import psycopg

    try:
        with psycopg.connect(PG.replace("postgres://", "postgresql://"), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
            conn.execute(f"CREATE DATABASE {DB_NAME}")
    except psycopg.Error as err:
        pytest.skip(f"PostgreSQL refused the test database: {err}")
    env = {
        **os.environ,
        "DATABASE_URL": PG.rsplit("/", 1)[0] + "/" + DB_NAME,
        "REDIS_URL": REDIS,
        "DJANGO_SETTINGS_MODULE": "labs.settings",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    with daphne(env) as a, daphne(env) as b:
        yield [a, b]


async def _talk(url: str, path: str, messages: list[dict], want: list[str]) -> list[dict]:
    import websockets

    got: list[dict] = []
    state: dict = {}
    async with websockets.connect(f"ws://{url}{path}", origin=f"http://{url}") as ws:
        for message in [None, *messages]:
            if message is not None:
                await ws.send(json.dumps(message))
            while True:
                reply = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
                if reply["type"] == "frame":
                    state = {**state, **reply["state"]}
                    reply["state"] = state
                if reply["type"] in ("frame", "saved", "error"):
                    got.append(reply)
                    break
    assert [g["type"] for g in got] == want, got
    return got


def test_a_replay_saved_on_one_process_opens_on_the_other(servers: list[str]) -> None:
    a, b = servers
    path = "/ws/labs/consistent-hashing/"
    got = asyncio.run(
        _talk(
            a,
            path,
            [{"action": "add_node", "name": "E"}, {"action": "save", "title": "across processes"}],
            ["frame", "frame", "saved"],
        )
    )
    state, saved = got[1]["state"], got[2]
    again = asyncio.run(_talk(b, f"{path}?replay={saved['id']}&step=1", [], ["frame"]))
    assert again[0]["state"] == state


def test_the_redis_channel_layer_reaches_across_processes() -> None:
    if not reachable("127.0.0.1", 6379):
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    from channels_redis.core import RedisChannelLayer

    async def round_trip() -> dict:
        sender, receiver = RedisChannelLayer(hosts=[REDIS]), RedisChannelLayer(hosts=[REDIS])
        channel = await receiver.new_channel()
        await sender.send(channel, {"type": "frame.notice", "text": "hello"})
        message: dict = await asyncio.wait_for(receiver.receive(channel), timeout=5)
        await sender.flush()
        return message

    assert asyncio.run(round_trip())["text"] == "hello"
