"""The vector-clocks and small-world labs over the websocket: their own actions and refusals."""

from __future__ import annotations

import asyncio
import gc
import logging

import pytest

from algorithms.shiviz import GOVECTOR_REGEX
from tests.labs.wsclient import LabSocket

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

VC = "/ws/labs/vector-clocks/"
SW = "/ws/labs/small-world/"


async def until(sock: LabSocket, *types: str) -> dict:
    while True:
        message = await sock.recv(timeout=30)
        if message["type"] in types:
            return message


async def test_vector_clocks_run_select_and_export_shiviz() -> None:
    sock = LabSocket(VC)
    await sock.open()
    await sock.ask({"action": "send", "from": "P1", "to": "P2"})
    await sock.ask({"action": "local", "process": "P3"})
    frame = await sock.ask({"action": "deliver", "message": 0})
    receive = frame["state"]["events"][-1]
    assert receive["kind"] == "receive" and receive["vc"] == {"P1": 1, "P2": 1}
    frame = await sock.ask({"action": "select_event", "event": receive["id"]})
    assert frame["state"]["selected"]["past"] == [0]
    assert frame["state"]["selected"]["concurrent"] == [1]
    shiviz = await sock.ask({"action": "export_shiviz"}, want="shiviz")
    assert shiviz["text"].splitlines()[0] == GOVECTOR_REGEX
    await sock.close()


async def test_vector_clocks_refusals() -> None:
    sock = LabSocket(VC)
    await sock.open()
    err = await sock.ask({"action": "send", "from": "P1", "to": "P1"})
    assert err["type"] == "error" and err["field"] == "to"
    err = await sock.ask({"action": "local", "process": "P99"})
    assert err["type"] == "error" and err["field"] == "process"
    err = await sock.ask({"action": "export_shiviz"})
    assert err["type"] == "error" and err["field"] == "events"
    bad_log = GOVECTOR_REGEX + '\n\na {"a":1}\nfirst\nb {"a":1}\nsecond\n'
    err = await sock.ask({"action": "import_shiviz", "text": bad_log})
    assert err["type"] == "error" and err["field"] == "text"
    assert err["problems"][0]["line"] == 5
    assert "missing from its own clock" in err["problems"][0]["reason"]
    frame = await sock.ask({"action": "seek", "step": 0})
    assert frame["state"]["events"] == []
    await sock.close()


async def test_vector_clocks_imports_a_shiviz_log() -> None:
    sock = LabSocket(VC)
    await sock.open()
    log = (
        GOVECTOR_REGEX
        + '\n\nclient {"client":1}\nsend request\nserver {"client":1, "server":1}\nreceive request\n'
    )
    frame = await sock.ask({"action": "import_shiviz", "text": log})
    assert [e["process"] for e in frame["state"]["events"]] == ["client", "server"]
    await sock.close()


async def test_small_world_sweep_streams_rows_and_finishes() -> None:
    sock = LabSocket(SW)
    await sock.open()
    await sock.send({"action": "sweep", "n": 60, "k": 4, "points": 4, "realizations": 2})
    started = await until(sock, "sweep_started")
    assert len(started["ps"]) == 4 and started["ps"][0] == pytest.approx(1e-4)
    rows = []
    while True:
        message = await until(sock, "progress", "sweep_done")
        if message["type"] == "sweep_done":
            break
        rows.append(message["row"])
    assert [r["p"] for r in rows] == pytest.approx(started["ps"])
    assert message["rows"] == rows
    assert rows[0]["C_norm"] > rows[-1]["C_norm"]
    await sock.close()


async def test_small_world_sweep_refusals_and_busy() -> None:
    sock = LabSocket(SW)
    await sock.open()
    for bad, field in (
        ({"k": 5}, "k"),
        ({"n": 10**6}, "n"),
        ({"realizations": 1000}, "realizations"),
        ({"points": 1}, "points"),
        ({"n": 30, "k": 30}, "k"),
    ):
        err = await sock.ask({"action": "sweep", **bad})
        assert err["type"] == "error" and err["field"] == field, (bad, err)
    err = await sock.ask({"action": "cancel_sweep"})
    assert err["type"] == "error" and err["field"] == "action"
    err = await sock.ask({"action": "set_params", "params": {"k": 3}})
    assert err["type"] == "error" and err["field"] == "k"
    err = await sock.ask({"action": "set_params", "params": {"p": 1.5}})
    assert err["type"] == "error" and err["field"] == "p"
    await sock.close()


async def test_a_running_sweep_can_be_cancelled_and_never_blocks_others() -> None:
    sweeper = LabSocket(SW)
    await sweeper.open()
    await sweeper.send({"action": "sweep", "n": 1000, "k": 10, "points": 20, "realizations": 40})
    await until(sweeper, "sweep_started")
    err = await sweeper.ask({"action": "sweep", "n": 100, "k": 4})
    assert err["type"] == "error" and "already running" in err["rule"]

    # Another client is served promptly while the sweep runs.
    other = LabSocket("/ws/labs/consistent-hashing/")
    loop = asyncio.get_running_loop()
    start = loop.time()
    await other.open()
    frame = await other.ask({"action": "add_node", "name": "Q"})
    assert frame["step"] == 1
    assert loop.time() - start < 5
    await other.close()

    await sweeper.send({"action": "cancel_sweep"})
    message = await until(sweeper, "sweep_cancelled", "sweep_done")
    assert message["type"] == "sweep_cancelled"
    assert len(message["rows"]) < 20
    await sweeper.close()


async def test_leaving_cancels_the_sweep() -> None:
    sock = LabSocket(SW)
    await sock.open()
    await sock.send({"action": "sweep", "n": 1000, "k": 10, "points": 20, "realizations": 40})
    await until(sock, "sweep_started")
    consumer_tasks = [t for t in asyncio.all_tasks() if "stream" in repr(t.get_coro())]
    assert consumer_tasks
    await sock.close()
    await asyncio.wait_for(asyncio.gather(*consumer_tasks, return_exceptions=True), timeout=20)
    assert all(t.done() for t in consumer_tasks)


async def test_the_server_refuses_sweeps_past_its_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    from labs.lablets.small_world import tasks

    monkeypatch.setattr(tasks, "MAX_CONCURRENT_SWEEPS", 0)
    sock = LabSocket(SW)
    await sock.open()
    err = await sock.ask({"action": "sweep", "n": 60, "k": 4, "points": 2, "realizations": 1})
    assert err["type"] == "error" and err["field"] == "action"
    assert "at most 0 at once" in err["rule"]
    await sock.close()


async def test_leaving_mid_sweep_leaves_no_task_pending(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="asyncio")
    before = asyncio.all_tasks()
    sock = LabSocket(SW)
    await sock.open()
    await sock.send({"action": "sweep", "n": 1000, "k": 10, "points": 20, "realizations": 40})
    await until(sock, "progress")  # the sweep is streaming: a row is being waited for
    await sock.close()
    # Wait until the sweep's streaming task and its worker thread have ended.
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while loop.time() < deadline and any(
        "stream" in repr(t.get_coro()) or "to_thread" in repr(t.get_coro())
        for t in asyncio.all_tasks() - before
    ):
        await asyncio.sleep(0.05)
    # Whatever the sweep left behind is now garbage: collecting it logs any task that
    # was dropped while still pending.
    for _ in range(3):
        gc.collect()
        await asyncio.sleep(0.01)
    destroyed = [r.getMessage() for r in caplog.records if "destroyed" in r.getMessage()]
    assert destroyed == []
    never_retrieved = [
        r.getMessage() for r in caplog.records if "never retrieved" in r.getMessage()
    ]
    assert never_retrieved == []
