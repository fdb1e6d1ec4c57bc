"""Bounded sockets, storage and frames (issue 15): every bound holds and says so."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import User
from django.test import Client

from algorithms.engine import CommandError
from algorithms.shiviz import GOVECTOR_REGEX
from labs.live.frames import DeltaEncoder
from labs.live.limits import SAVES, SOCKETS
from labs.models import Replay
from labs.replays import parse_replay
from tests.labs.wsclient import LabSocket

CH = "/ws/labs/consistent-hashing/"
MIB = 1024 * 1024


@pytest.fixture(autouse=True)
def fresh_limits() -> Iterator[None]:
    SAVES.reset()
    yield
    SAVES.reset()


# -- frames -------------------------------------------------------------------------------


def test_a_frame_never_delivered_is_not_a_delta_base() -> None:
    enc = DeltaEncoder()
    enc.encode({"type": "frame"}, {"big": [1, 2, 3], "n": 1})
    # The transport refused that frame: the next one must carry the whole state.
    enc.forget()
    frame = json.loads(enc.encode({"type": "frame"}, {"big": [1, 2, 3], "n": 2}))
    assert frame["unchanged"] == [] and frame["state"] == {"big": [1, 2, 3], "n": 2}


def test_a_frame_encoded_but_not_confirmed_does_not_count_as_sent() -> None:
    enc = DeltaEncoder()
    enc.encode({"type": "frame"}, {"big": [1, 2, 3]})
    # Encoded, never handed to the transport (no delivered()): not the client's picture.
    frame = json.loads(enc.encode({"type": "frame"}, {"big": [1, 2, 3]}))
    assert frame["unchanged"] == [] and frame["state"] == {"big": [1, 2, 3]}
    enc.delivered()
    frame = json.loads(enc.encode({"type": "frame"}, {"big": [1, 2, 3]}))
    assert frame["unchanged"] == ["big"]


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_the_largest_legal_ring_reaches_the_client_within_the_transport_limit() -> None:
    sock = LabSocket(CH)
    await sock.open()
    params = {"nodes": 64, "vnodes": 256, "keys": 100_000, "replication": 7}
    await sock.send({"action": "set_params", "params": params})
    hello = await sock.recv(timeout=60)
    assert hello["type"] == "hello", hello
    frame = await sock.recv(timeout=60)
    assert frame["type"] == "frame", frame
    # Every websocket message fits under Daphne's 1 MiB; the whole picture arrived.
    assert sock.received_bytes < MIB
    assert sock.parts_joined >= 1
    assert len(sock.state["nodes"]) == 64
    assert sock.state["key_count"] == 100_000
    # The next frame's delta is against what was delivered: nothing is missing.
    frame = await sock.ask({"action": "select_key", "key": "key-7"})
    assert frame["type"] == "frame", frame
    assert set(frame["unchanged"]) <= set(sock.state)
    assert len(sock.state["tokens"]) == len(frame["state"].get("tokens", sock.state["tokens"]))
    await sock.close()


# -- sockets ------------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_sockets_per_client_are_capped_and_the_refusal_names_the_cap(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PAPERLABS_MAX_SOCKETS_PER_CLIENT = 2
    first, second = LabSocket(CH), LabSocket(CH)
    await first.open()
    await second.open()
    third = LabSocket(CH)
    connected, _ = await third.comm.connect()
    assert connected
    refusal = json.loads(await third.comm.receive_from())
    assert refusal["type"] == "error" and refusal["field"] == "connection"
    assert "PAPERLABS_MAX_SOCKETS_PER_CLIENT" in refusal["message"]
    closed = await third.comm.receive_output()
    assert closed == {"type": "websocket.close", "code": 4429}
    # Closing one frees its place.
    await first.close()
    fourth = LabSocket(CH)
    assert (await fourth.open())["type"] == "frame"
    await fourth.close()
    await second.close()
    assert SOCKETS.total == 0


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_sockets_per_process_are_capped(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PAPERLABS_MAX_SOCKETS = 1
    first = LabSocket(CH)
    await first.open()
    second = LabSocket(CH)
    await second.comm.connect()
    refusal = json.loads(await second.comm.receive_from())
    assert refusal["field"] == "connection" and "PAPERLABS_MAX_SOCKETS" in refusal["message"]
    await second.comm.wait()
    await first.close()


# -- storage ------------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_recording_may_not_grow_past_its_byte_limit(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PAPERLABS_MAX_RECORDING_BYTES = 3_000
    sock = LabSocket("/ws/labs/vector-clocks/")
    await sock.open()
    # The attack: the same ShiViz import again and again, then save.
    log = (
        GOVECTOR_REGEX
        + "\n\n"
        + "".join(f'client {{"client":{i}}}\nstep {i} {"x" * 40}\n' for i in range(1, 9))
    )
    refused = None
    for _ in range(20):
        answer = await sock.ask({"action": "import_shiviz", "text": log})
        if answer["type"] == "error":
            refused = answer
            break
    assert refused is not None and refused["field"] == "recording"
    assert "PAPERLABS_MAX_RECORDING_BYTES" in refused["message"]
    export = (await sock.ask({"action": "export"}, want="export"))["replay"]
    stored = {k: export[k] for k in ("lab", "params", "seed", "length", "commands")}
    assert len(json.dumps(stored, separators=(",", ":"))) <= 3_000
    await sock.close()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_reset_recording_starts_its_size_again(settings) -> None:  # type: ignore[no-untyped-def]
    """The size counted towards the limit is the new recording's, not the one reset."""
    settings.PAPERLABS_MAX_RECORDING_BYTES = 600
    sock = LabSocket("/ws/labs/vector-clocks/")
    await sock.open()
    refused = None
    for _ in range(100):
        answer = await sock.ask({"action": "local", "process": "P1"})
        if answer["type"] == "error":
            refused = answer
            break
    assert refused is not None and refused["field"] == "recording"
    frame = await sock.ask({"action": "reset"})
    assert frame["type"] == "frame" and frame["length"] == 0
    frame = await sock.ask({"action": "local", "process": "P1"})
    assert frame["type"] == "frame" and frame["step"] == 1, frame
    await sock.close()


def test_an_import_past_the_recording_limit_is_refused(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PAPERLABS_MAX_RECORDING_BYTES = 500
    commands = [[i, {"action": "local", "process": "P1"}] for i in range(40)]
    data = {"lab": "vector-clocks", "params": {}, "seed": 1, "length": 40, "commands": commands}
    with pytest.raises(CommandError) as err:
        parse_replay(json.dumps(data))
    assert err.value.field == "recording"


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_saves_are_rate_limited_per_client_and_anonymous_saves_are_unlisted(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PAPERLABS_SAVES_PER_HOUR = 2
    sock = LabSocket(CH)
    await sock.open()
    await sock.ask({"action": "add_node"})
    ids = []
    for _ in range(2):
        saved = await sock.ask({"action": "save", "title": "mine"}, want="saved")
        assert saved["type"] == "saved", saved
        ids.append(saved["id"])
    refused = await sock.ask({"action": "save", "title": "one more"}, want="saved")
    assert refused["type"] == "error" and "PAPERLABS_SAVES_PER_HOUR" in refused["message"]
    # A second socket of the same client shares the rate.
    other = LabSocket(CH)
    await other.open()
    again = await other.ask({"action": "save", "title": "other"}, want="saved")
    assert again["type"] == "error"
    await other.close()
    await sock.close()
    assert await database_sync_to_async(Replay.objects.filter(source="user").count)() == 2

    listing = await database_sync_to_async(lambda: Client().get("/replays/").content.decode())()
    for replay_id in ids:
        assert replay_id not in listing


@pytest.mark.django_db
def test_imports_count_against_the_save_rate_and_only_signed_in_imports_are_listed(
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.PAPERLABS_SAVES_PER_HOUR = 2
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"lab": "vector-clocks", "params": {}, "seed": 1, "length": 1}
    data["commands"] = [[0, {"action": "local", "process": "P1"}]]

    def upload(client: Client) -> object:
        file = SimpleUploadedFile("r.json", json.dumps(data).encode(), "application/json")
        return client.post(
            "/replays/import/", {"file": file}, headers={"accept": "application/json"}
        )

    anonymous = Client()
    first = upload(anonymous)
    assert first.status_code == 201  # type: ignore[attr-defined]
    user = User.objects.create_user("ada", password="pw-for-tests")
    signed_in = Client()
    signed_in.force_login(user)
    second = upload(signed_in)
    assert second.status_code == 201  # type: ignore[attr-defined]
    listing = Client().get("/replays/").content.decode()
    assert first.json()["id"] not in listing  # type: ignore[attr-defined]
    assert second.json()["id"] in listing  # type: ignore[attr-defined]
    upload(anonymous)
    refused = upload(anonymous)
    assert refused.status_code == 429  # type: ignore[attr-defined]
    assert "PAPERLABS_SAVES_PER_HOUR" in refused.json()["message"]  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_the_practice_form_cannot_write_feedback_rows_without_limit(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PAPERLABS_SAVES_PER_HOUR = 3
    client = Client()
    for moved in range(12):
        data = {
            "a-ch-join-basics-moved": str(moved),
            "a-ch-join-basics-owner": "A",
            "a-ch-join-basics-pref": ["A", "B"],
        }
        response = client.post("/exercises/ch-join-basics/", data)
        assert response.status_code == 200
    # Five questions, five new rows: past the rate the answers are graded without them.
    assert Replay.objects.filter(source="feedback").count() <= 3


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_after_a_frame_fails_to_send_the_next_frame_is_whole(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from labs.consumers import LabConsumer

    send = LabConsumer.send
    failures = []

    async def flaky(self, text_data=None, bytes_data=None, close=False):  # type: ignore[no-untyped-def]
        if text_data and '"step":1,' in text_data and not failures:
            failures.append(text_data)
            raise OSError("the transport refused this frame")
        await send(self, text_data=text_data, bytes_data=bytes_data, close=close)

    monkeypatch.setattr(LabConsumer, "send", flaky)
    sock = LabSocket(CH)
    await sock.open()
    refused = await sock.ask({"action": "add_node", "name": "E"})
    assert refused["type"] == "error" and failures
    # The client never got step 1's frame: the next frame carries every key.
    frame = await sock.ask({"action": "add_node", "name": "F"})
    assert frame["type"] == "frame" and frame["unchanged"] == []
    assert [n["name"] for n in frame["state"]["nodes"]][-2:] == ["E", "F"]
    await sock.close()
