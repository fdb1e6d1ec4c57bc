"""The live protocol over a real websocket (Channels' WebsocketCommunicator)."""

from __future__ import annotations

import asyncio
import json

import pytest
from channels.db import database_sync_to_async

from labs.models import Replay
from tests.labs.wsclient import LabSocket

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

CH = "/ws/labs/consistent-hashing/"


async def opened(path: str = CH) -> tuple[LabSocket, dict]:
    sock = LabSocket(path)
    frame = await sock.open()
    return sock, frame


async def test_connect_sends_hello_then_frame() -> None:
    sock, frame = await opened()
    assert sock.hello is not None
    assert sock.hello["lab"] == "consistent-hashing"
    assert sock.hello["limits"]["max_message_bytes"] == 65536
    assert frame["step"] == 0 and frame["length"] == 0
    assert frame["log"] == []
    assert frame["state"]["mode"] == "ring"
    await sock.close()


async def test_add_node_then_back_then_branch() -> None:
    sock, frame = await opened()
    nodes_before = len(frame["state"]["nodes"])
    frame = await sock.ask({"action": "add_node", "name": "Z"})
    assert frame["step"] == 1 and frame["length"] == 1
    assert len(frame["state"]["nodes"]) == nodes_before + 1
    assert any("Z" in e["text"] for e in frame["events"])
    frame = await sock.ask({"action": "add_keys", "count": 10})
    assert frame["step"] == 2
    frame = await sock.ask({"action": "back"})
    assert frame["step"] == 1 and frame["length"] == 2
    assert [s for s, _ in frame["log"]] == [1] * len(frame["log"])
    frame = await sock.ask({"action": "seek", "step": 0})
    assert len(frame["state"]["nodes"]) == nodes_before
    # Acting after stepping back starts a new branch; the old future is kept as one.
    frame = await sock.ask({"action": "add_node", "name": "Y"})
    assert frame["step"] == 1 and frame["length"] == 1
    assert "Y" in [n["name"] for n in frame["state"]["nodes"]]
    assert "Z" not in [n["name"] for n in frame["state"]["nodes"]]
    assert "kept" in frame["notice"]
    assert [(b["id"], b["fork"], b["length"], b["current"]) for b in frame["branches"]] == [
        (1, 0, 2, False),
        (2, 0, 1, True),
    ]
    exported = (await sock.ask({"action": "export"}, want="export"))["replay"]
    assert [c["name"] for _, c in exported["commands"]] == ["Y"]
    frame = await sock.ask({"action": "switch_branch", "branch": 1})
    assert (frame["step"], frame["length"], frame["branch"]) == (1, 2, 1)
    assert "Z" in [n["name"] for n in frame["state"]["nodes"]]
    exported = (await sock.ask({"action": "export"}, want="export"))["replay"]
    assert [c["action"] for _, c in exported["commands"]] == ["add_node", "add_keys"]
    error = await sock.ask({"action": "switch_branch", "branch": 9})
    assert error["type"] == "error" and error["field"] == "branch"
    assert error["action"] == "switch_branch"
    await sock.close()


async def test_seek_equals_running_from_start() -> None:
    sock, _ = await opened()
    for name in ("P", "Q", "R"):
        await sock.ask({"action": "add_node", "name": name})
    end = await sock.ask({"action": "add_keys", "count": 50})
    await sock.ask({"action": "seek", "step": 1})
    again = await sock.ask({"action": "seek", "step": 4})
    assert again["state"] == end["state"]
    await sock.close()


async def expect_error(sock: LabSocket, field: str) -> dict:
    message = await sock.recv()
    assert message["type"] == "error", message
    assert message["field"] == field, message
    assert message["message"] and message["rule"]
    return message


async def still_usable(sock: LabSocket, step: int = 0) -> None:
    frame = await sock.ask({"action": "seek", "step": step})
    assert frame["type"] == "frame" and frame["step"] == step


async def test_refusals_name_field_value_rule_and_keep_the_socket() -> None:
    sock, frame = await opened()
    before = frame["state"]

    await sock.comm.send_to(text_data="this is not json")
    await expect_error(sock, "message")
    await still_usable(sock)

    await sock.comm.send_to(bytes_data=b"\x00\x01")
    err = await expect_error(sock, "message")
    assert "binary" in err["value"]

    await sock.comm.send_to(text_data=json.dumps({"action": "add_keys", "pad": "x" * 70_000}))
    err = await expect_error(sock, "message")
    assert "65536" in err["rule"]

    await sock.send([1, 2, 3])
    await expect_error(sock, "message")

    await sock.send({"action": 7})
    await expect_error(sock, "action")

    await sock.send({"action": "launch_rockets"})
    err = await expect_error(sock, "action")
    assert err["value"] == "launch_rockets"
    assert "add_node" in err["rule"]

    await sock.send({"action": "set_vnodes", "vnodes": "8"})
    err = await expect_error(sock, "vnodes")
    assert err["value"] == "8"

    await sock.send({"action": "set_vnodes", "vnodes": 0})
    err = await expect_error(sock, "vnodes")
    assert err["value"] == 0

    await sock.send({"action": "set_vnodes", "vnodes": 10_000_000})
    err = await expect_error(sock, "vnodes")
    assert "256" in err["rule"]

    await sock.send({"action": "add_keys", "count": 1_000_000_000})
    err = await expect_error(sock, "count")
    assert err["value"] == 1_000_000_000

    await sock.send({"action": "seek", "step": 99})
    await expect_error(sock, "step")

    await sock.send({"action": "seek", "step": "3"})
    await expect_error(sock, "step")

    await sock.send({"action": "play", "fps": 1000})
    await expect_error(sock, "fps")

    await sock.send({"action": "set_params", "params": {"vnodes": -1}})
    await expect_error(sock, "vnodes")

    await sock.send({"action": "set_params", "params": {"colour": "red"}})
    await expect_error(sock, "params")

    await sock.send({"action": "set_params", "seed": -5})
    await expect_error(sock, "seed")

    await sock.send({"action": "save", "title": "t" * 500})
    await expect_error(sock, "title")

    frame = await sock.ask({"action": "seek", "step": 0})
    assert frame["state"] == before and frame["length"] == 0
    await sock.close()


async def test_rate_limit_refuses_floods_then_recovers() -> None:
    sock, _ = await opened()
    loop = asyncio.get_running_loop()
    start = loop.time()
    for _ in range(100):
        await sock.send({"action": "seek", "step": 0})
    errors = frames = 0
    for _ in range(100):
        message = await sock.recv()
        if message["type"] == "error":
            assert message["field"] == "rate"
            assert "20 messages a second" in message["rule"]
            errors += 1
        else:
            frames += 1
    elapsed = loop.time() - start
    # A burst of 40, then 20 a second: everything past that was refused.
    assert errors > 0
    assert frames <= 40 + 20 * elapsed + 1
    await asyncio.sleep(1.0)
    await still_usable(sock)
    await sock.close()


async def test_save_and_export_and_open_replay_read_only() -> None:
    sock, _ = await opened()
    await sock.ask({"action": "add_node", "name": "E"})
    last = await sock.ask({"action": "add_keys", "count": 20})
    saved = await sock.ask({"action": "save", "title": "Two steps"}, want="saved")
    exported = await sock.ask({"action": "export"}, want="export")
    await sock.close()
    replay = await database_sync_to_async(Replay.objects.get)(pk=saved["id"])
    assert replay.title == "Two steps" and replay.length == 2
    assert exported["replay"]["commands"] == replay.commands

    viewer = LabSocket(f"{CH}?replay={saved['id']}&step=2")
    frame = await viewer.open()
    assert viewer.hello is not None and viewer.hello["read_only"] is True
    assert frame["step"] == 2 and frame["state"] == last["state"]
    await viewer.send({"action": "add_node"})
    err = await expect_error(viewer, "action")
    assert "read-only" in err["rule"]
    frame = await viewer.ask({"action": "seek", "step": 1})
    assert frame["step"] == 1
    await viewer.close()


async def test_unknown_replay_is_refused_and_closed() -> None:
    sock = LabSocket(f"{CH}?replay=nope")
    connected, _ = await sock.comm.connect()
    assert connected
    message = await sock.recv()
    assert message["type"] == "error" and message["field"] == "replay"
    out = await sock.comm.receive_output(timeout=2)
    assert out["type"] == "websocket.close" and out["code"] == 4404


async def test_unknown_lab_is_refused_and_closed() -> None:
    sock = LabSocket("/ws/labs/no-such-lab/")
    connected, _ = await sock.comm.connect()
    assert connected
    message = await sock.recv()
    assert message["type"] == "error" and message["field"] == "lab"
    assert message["value"] == "no-such-lab" and "consistent-hashing" in message["rule"]
    out = await sock.comm.receive_output(timeout=2)
    assert out["type"] == "websocket.close" and out["code"] == 4404


async def test_huge_integers_unknown_fields_and_odd_steps_are_refused() -> None:
    sock, _ = await opened()
    await sock.comm.send_to(text_data='{"action": "add_keys", "count": ' + "1" * 5000 + "}")
    err = await expect_error(sock, "message")
    assert "JSON" in err["rule"]
    await sock.send({"action": "seek", "step": 0, "zzz": [1]})
    err = await expect_error(sock, "zzz")
    assert "is not a field of seek (it takes step)" in err["rule"]
    await sock.send({"action": "save", "title": "a\u0000b"})
    err = await expect_error(sock, "title")
    assert "printable" in err["rule"]
    await still_usable(sock)
    await sock.close()
    for step in ("%C2%B2", "9" * 5000, "-1", "abc"):
        odd = LabSocket(f"{CH}?step={step}")
        connected, _ = await odd.comm.connect()
        assert connected
        err = await odd.recv()
        assert err["type"] == "error" and err["field"] == "step", step
        hello = await odd.recv()
        assert hello["type"] == "hello"
        frame = await odd.recv()
        assert frame["type"] == "frame" and frame["step"] == 0
        await odd.close()


async def test_a_failing_handler_keeps_the_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    from algorithms.recording import Timeline

    sock, _ = await opened()

    def broken(self: Timeline) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(Timeline, "forward", broken)
    await sock.send({"action": "step"})
    err = await expect_error(sock, "message")
    assert "logged" in err["message"]
    monkeypatch.undo()
    await still_usable(sock)
    await sock.close()


async def test_play_is_paced_and_stops_at_the_end_of_a_replay() -> None:
    sock, _ = await opened()
    for name in ("P", "Q", "R"):
        await sock.ask({"action": "add_node", "name": name})
    await sock.ask({"action": "seek", "step": 0})
    await sock.send({"action": "play", "fps": 30})
    steps = []
    loop = asyncio.get_running_loop()
    start = loop.time()
    while True:
        message = await sock.recv()
        if message["type"] == "frame":
            steps.append(message["step"])
        if message["type"] == "notice":
            break
    assert steps[-1] == 3 and sorted(set(steps)) == [0, 1, 2, 3]
    assert loop.time() - start >= 2 / 30
    await sock.close()


async def test_frames_send_only_the_state_keys_that_changed() -> None:
    sock, first = await opened()
    assert first["unchanged"] == [] and "nodes" in first["state"]
    await sock.send({"action": "select_key", "key": "key-3"})
    raw = json.loads(await sock.comm.receive_from(timeout=5))
    assert {"nodes", "tokens", "keys"} <= set(raw["unchanged"])
    assert "selected" in raw["state"] and "nodes" not in raw["state"]
    await sock.send({"action": "add_node", "name": "Z"})
    raw = json.loads(await sock.comm.receive_from(timeout=5))
    assert "Z" in [n["name"] for n in raw["state"]["nodes"]]
    await sock.close()
