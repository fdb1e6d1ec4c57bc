"""The heaviest move of every lab runs off the event loop: other sockets are served
while it runs. Walks the registry, so a lab added later is covered by declaring its
heaviest move on its registry entry."""

from __future__ import annotations

import asyncio
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
async def test_the_heaviest_move_leaves_the_loop_free_for_another_socket(lab: Lab) -> None:
    params, command = lab.heaviest
    heavy = LabSocket(f"/ws/labs/{lab.slug}/")
    other = LabSocket(f"/ws/labs/{lab.slug}/")
    await heavy.open()
    await other.open()
    frame = await heavy.ask({"action": "set_params", "params": dict(params)}, timeout=120)
    assert frame["type"] == "frame", frame

    order: list[str] = []

    async def heavy_move() -> dict[str, Any]:
        reply = await heavy.ask(dict(command), timeout=120)
        order.append("heavy")
        return reply

    async def light_moves() -> None:
        for _ in range(3):
            reply = await other.ask({"action": "speed", "fps": 5}, want="frame")
            assert reply["type"] == "frame", reply
            order.append("light")

    move = asyncio.create_task(heavy_move())
    await asyncio.sleep(0)  # the heavy message is on its way first
    await light_moves()
    reply = await asyncio.wait_for(move, timeout=120)
    assert reply["type"] == "frame", reply
    # Served while the heavy move ran: had it run on the loop, the light replies
    # would all have waited for it.
    assert order.index("heavy") > 0, order
    await heavy.close()
    await other.close()
