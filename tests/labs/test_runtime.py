"""Heavy work is bounded: CPU budgets for imports and seeks, one limit per process,
cancellation, and the gossip comparison's own checks."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import json
import logging
import threading
from collections.abc import Iterator

import pytest
from django.test import Client

from algorithms.engine import CommandError
from labs.models import Replay
from labs.registry import LABS, Lab, Registry
from labs.runtime import HEAVY, Budget, WorkCancelled, warm_up
from tests.labs.wsclient import LabSocket

SW = "/ws/labs/small-world/"


@pytest.fixture
def busy_server() -> Iterator[None]:
    """Every heavy-work slot taken, as if other clients were sweeping."""
    HEAVY.running["sweep"] = HEAVY.running.get("sweep", 0) + HEAVY.slots()
    yield
    HEAVY.running["sweep"] -= HEAVY.slots()
    if not HEAVY.running["sweep"]:
        del HEAVY.running["sweep"]


def export_of_many_steps(steps: int) -> bytes:
    data = {
        "format": "paperlabs-replay/1",
        "lab": "small-world",
        "params": {"model": "watts_strogatz", "n": 200, "k": 4, "p": 0.5, "m": 2},
        "seed": 1,
        "length": steps,
        "commands": [],
        "title": "Many rewirings",
        "captions": {},
    }
    return json.dumps(data).encode()


def post(client: Client, raw: bytes) -> object:
    upload = io.BytesIO(raw)
    upload.name = "replay.json"
    return client.post("/replays/import/", {"file": upload}, HTTP_ACCEPT="application/json")


def test_budget_stops_past_its_cpu_time_and_when_cancelled() -> None:
    budget = Budget("import", 0.0, field="file")
    budget(0)  # starts the clock
    sum(range(200_000))
    with pytest.raises(CommandError) as err:
        budget(1)
    assert err.value.field == "file" and "import budget of 0 CPU seconds" in str(err.value)
    gone = threading.Event()
    gone.set()
    with pytest.raises(WorkCancelled):
        Budget("seek", 60, gone)(0)


@pytest.mark.django_db
def test_an_import_past_its_budget_is_refused_naming_it_and_stores_nothing(
    client: Client, settings: object
) -> None:
    settings.PAPERLABS_IMPORT_CPU_SECONDS = 0.001  # type: ignore[attr-defined]
    response = post(client, export_of_many_steps(390))
    assert response.status_code == 400  # type: ignore[attr-defined]
    error = response.json()  # type: ignore[attr-defined]
    assert error["field"] == "file"
    assert "import budget of 0.001 CPU seconds" in error["message"]
    assert not Replay.objects.exists()
    assert HEAVY.busy == 0  # the slot is given back


@pytest.mark.django_db
def test_an_import_waits_for_no_one_when_the_server_is_busy(
    client: Client, busy_server: None
) -> None:
    response = post(client, export_of_many_steps(3))
    assert response.status_code == 400  # type: ignore[attr-defined]
    error = response.json()  # type: ignore[attr-defined]
    assert error["field"] == "action" and "heavy jobs at once" in error["message"]
    assert not Replay.objects.exists()


@pytest.mark.django_db
def test_an_import_within_budget_is_stored(client: Client) -> None:
    response = post(client, export_of_many_steps(20))
    assert response.status_code == 201, response.content  # type: ignore[attr-defined]
    assert Replay.objects.get().length == 20


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_seek_past_its_budget_stops_where_it_is_and_says_so(settings: object) -> None:
    sock = LabSocket(SW)
    await sock.open()
    for _ in range(30):  # within the socket's rate limit
        await sock.ask({"action": "step"})
    await sock.ask({"action": "seek", "step": 0})
    settings.PAPERLABS_SEEK_CPU_SECONDS = 0.0  # type: ignore[attr-defined]
    await sock.send({"action": "seek", "step": 30})
    frame = await sock.recv()
    error = await sock.recv()
    assert frame["type"] == "frame" and 0 < frame["step"] < 30 and frame["length"] == 30
    assert error["type"] == "error" and error["field"] == "step"
    assert "seek budget" in error["message"] and error["action"] == "seek"
    assert HEAVY.busy == 0
    await sock.close()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_seek_is_refused_when_every_heavy_slot_stays_busy(busy_server: None) -> None:
    import labs.consumers

    labs.consumers.SEEK_WAIT_SECONDS, wait = 0.1, labs.consumers.SEEK_WAIT_SECONDS
    try:
        sock = LabSocket(SW)
        await sock.open()
        await sock.ask({"action": "step"})
        error = await sock.ask({"action": "seek", "step": 0})
        assert error["type"] == "error" and "heavy jobs at once" in error["message"]
        await sock.close()
    finally:
        labs.consumers.SEEK_WAIT_SECONDS = wait


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_compare_gossip_uses_the_p_it_is_given_and_refuses_zero() -> None:
    sock = LabSocket(SW)
    await sock.open()
    # A graph large enough that the comparison still runs when the second one is asked.
    await sock.ask({"action": "set_params", "params": {"p": 0.0, "n": 1000, "k": 10}})
    # The lab's own p is 0: refused, never silently replaced.
    error = await sock.ask({"action": "compare_gossip", "mode": "push"})
    assert error["type"] == "error" and error["field"] == "p" and error["value"] == 0.0
    started = await sock.ask(
        {"action": "compare_gossip", "mode": "push", "p": 0.2}, want="gossip_comparison_started"
    )
    assert started["p"] == 0.2
    busy = await sock.ask({"action": "compare_gossip", "mode": "push", "p": 0.2})
    assert busy["type"] == "error" and "already running" in busy["message"]
    done = await sock.ask({"action": "speed", "fps": 4}, want="gossip_comparison", timeout=60)
    assert done["p"] == 0.2 and len(done["rows"]) == 3
    await sock.close()
    await slots_given_back()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_compare_gossip_can_be_cancelled_and_stops_when_the_client_leaves() -> None:
    sock = LabSocket(SW)
    await sock.open()
    await sock.ask({"action": "set_params", "params": {"n": 2000, "k": 50}}, timeout=60)
    await sock.ask(
        {"action": "compare_gossip", "mode": "push", "p": 0.1}, want="gossip_comparison_started"
    )
    cancelled = await sock.ask(
        {"action": "cancel_compare"}, want="gossip_comparison_cancelled", timeout=60
    )
    assert cancelled["type"] == "gossip_comparison_cancelled"
    await sock.ask(
        {"action": "compare_gossip", "mode": "push", "p": 0.1}, want="gossip_comparison_started"
    )
    assert HEAVY.busy == 1
    await sock.close()  # the client leaves: the comparison stops, its slot is free
    await slots_given_back()


async def slots_given_back() -> None:
    for _ in range(600):
        if HEAVY.busy == 0:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"heavy-work slots still taken: {HEAVY.running}")


def test_warm_up_builds_every_lab_and_a_broken_one_does_not_stop_the_others(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """As the server starts, every lab's opening state is built once; a lab whose engine
    cannot be imported is logged, and the labs after it are still built."""
    labs = Registry()
    broken = dataclasses.replace(next(iter(LABS)), slug="broken", engine="algorithms.nowhere:X")
    labs.register(broken)
    for lab in LABS:
        labs.register(lab)
    built: list[str] = []
    original = Lab.engine_class

    def engine_class(lab: Lab) -> type:
        engine = original(lab)
        built.append(lab.slug)
        return engine

    monkeypatch.setattr("labs.registry.LABS", labs)
    monkeypatch.setattr(Lab, "engine_class", engine_class)
    with caplog.at_level(logging.ERROR, logger="labs.runtime"):
        warm_up()
    assert built == [lab.slug for lab in LABS]
    assert "lab broken: warming up failed" in caplog.text
