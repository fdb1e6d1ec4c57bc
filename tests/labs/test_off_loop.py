"""The heaviest move of every lab runs off the event loop: other sockets are served
while it runs. Walks the registry, so a lab added later is covered by declaring its
heaviest move on its registry entry."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace
from typing import Any

import pytest

from labs.registry import LABS, Lab
from tests.labs.wsclient import LabSocket

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def test_every_lab_declares_its_heaviest_move() -> None:
    for lab in LABS:
        params, command = lab.heaviest
        assert command.get("action") in lab.engine_class().COMMANDS, lab.slug
        lab.engine_class().Params.from_dict(dict(params))  # legal parameters


@pytest.mark.parametrize("lab", list(LABS), ids=lambda lab: lab.slug)
async def test_the_heaviest_move_leaves_the_loop_free_for_another_socket(
    lab: Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    params, command = lab.heaviest
    engine_class = lab.engine_class()
    spec = engine_class.COMMANDS[command["action"]]
    gate = threading.Event()

    def held(engine: Any, cmd: Any) -> Any:
        # The move waits until the other socket has been served: were it run on the
        # event loop, nothing could be served and the gate would never open.
        gate.wait(timeout=30)
        return spec.handler(engine, cmd)

    heavy = LabSocket(f"/ws/labs/{lab.slug}/")
    other = LabSocket(f"/ws/labs/{lab.slug}/")
    await heavy.open()
    await other.open()
    frame = await heavy.ask({"action": "set_params", "params": dict(params)}, timeout=120)
    assert frame["type"] == "frame", frame
    monkeypatch.setitem(engine_class.COMMANDS, spec.action, replace(spec, handler=held))

    move = asyncio.create_task(heavy.ask(dict(command), timeout=120))
    await asyncio.sleep(0.05)  # the heavy message is being handled first
    for _ in range(3):
        reply = await other.ask({"action": "speed", "fps": 5}, want="frame")
        assert reply["type"] == "frame", reply
    assert not move.done()
    gate.set()
    reply = await asyncio.wait_for(move, timeout=120)
    assert reply["type"] == "frame", reply
    await heavy.close()
    await other.close()
