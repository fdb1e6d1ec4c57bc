"""Every lab's look-ups, walked from the registry: a question never changes the recording.

A lab added later is covered here without a new test: its look-ups are found in its
engine's command declarations (each with an example), and its shipped narrated replay
gives a recording to step back into.
"""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async

from labs.models import Replay
from labs.registry import LABS
from labs.samples import all_samples
from tests.labs.wsclient import LabSocket

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


def look_up_cases() -> list[tuple[str, dict[str, Any]]]:
    cases = []
    for lab in LABS:
        engine_class = lab.engine_class()
        for action in engine_class.look_ups():
            example = engine_class.COMMANDS[action].example
            assert example is not None, f"{lab.slug}: look-up {action} declares no example"
            cases.append((lab.slug, dict(example)))
    return cases


async def test_every_lab_declares_at_least_one_look_up() -> None:
    assert {slug for slug, _ in look_up_cases()} == set(LABS.slugs())


@database_sync_to_async
def stored_sample(slug: str) -> Replay:
    sample = next(s for s in all_samples() if s.lab == slug)
    recording, captions = sample.build()
    replay = Replay.from_recording(recording, title=sample.title, captions=captions)
    replay.source = "sample"
    replay.save()
    return replay


@pytest.mark.parametrize(("slug", "command"), look_up_cases(), ids=lambda v: str(v)[:40])
async def test_a_look_up_while_stepped_back_keeps_every_later_step(
    slug: str, command: dict[str, Any]
) -> None:
    replay = await stored_sample(slug)
    length = replay.length
    assert length >= 2, f"{slug}: its sample replay is too short to step back in"
    sock = LabSocket(f"/ws/labs/{slug}/?replay={replay.pk}&fork=1")
    await sock.open()
    end = await sock.ask({"action": "seek", "step": length})
    end_events = end["events"]
    middle = length // 2
    frame = await sock.ask({"action": "seek", "step": middle})
    assert frame["step"] == middle and frame["length"] == length
    exported = (await sock.ask({"action": "export"}, want="export"))["replay"]

    answer = await sock.ask(command)
    assert answer["type"] == "frame", answer
    assert answer["step"] == middle and answer["length"] == length
    assert answer["answer"], f"{slug}: {command['action']} gave no answer sentence"
    assert len(answer["branches"]) == 1

    again = (await sock.ask({"action": "export"}, want="export"))["replay"]
    assert again["commands"] == exported["commands"] and again["length"] == length
    end = await sock.ask({"action": "seek", "step": length})
    assert end["step"] == length and end["events"] == end_events
    await sock.close()


@pytest.mark.parametrize(("slug", "command"), look_up_cases(), ids=lambda v: str(v)[:40])
async def test_a_look_up_is_allowed_on_a_read_only_replay(
    slug: str, command: dict[str, Any]
) -> None:
    replay = await stored_sample(slug)
    sock = LabSocket(f"/ws/labs/{slug}/?replay={replay.pk}")
    await sock.open()
    assert sock.hello is not None and sock.hello["read_only"]
    await sock.ask({"action": "seek", "step": 1})
    answer = await sock.ask(command)
    assert answer["type"] == "frame", answer
    assert answer["length"] == replay.length
    await sock.close()
