"""Replays from a lab socket: opening a stored one, saving and exporting the session's."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from channels.db import database_sync_to_async

from algorithms.engine import CommandError
from algorithms.recording import Timeline
from labs.live.limits import SAVES
from labs.models import Replay
from labs.registry import Lab
from labs.replays import FORMAT, check_recording_size

__all__ = ["export", "open_replay", "save"]


@database_sync_to_async
def _load(replay_id: str) -> Replay | None:
    return Replay.objects.filter(pk=replay_id).first()


async def open_replay(lab: Lab, replay_id: str) -> tuple[Replay, Timeline]:
    """A saved replay of ``lab`` and its timeline, opened lazily.

    Stored replays were checked when saved or imported, so nothing runs yet: a viewer
    pays only for the steps they visit.
    """
    replay = await _load(replay_id[:64])
    if replay is None or replay.lab != lab.slug:
        raise CommandError("replay", replay_id, f"must name a saved {lab.slug} replay")
    timeline = Timeline.from_recording(
        lab.engine_class(), replay.recording(), lab.checkpoint_every, run=False
    )
    return replay, timeline


async def save(
    scope: Mapping[str, Any],
    client: str,
    timeline: Timeline,
    title: str,
    captions: Mapping[str, str],
    exercise: bool,
) -> Replay:
    """Store the session's recording, within its size limit and the client's save rate.

    An exercise's answer is reachable by its link only, never listed; otherwise only a
    signed-in user's saves are listed, and anyone's are reachable by link.
    """
    recording = timeline.recording()
    await asyncio.to_thread(check_recording_size, recording)
    SAVES.take(client, "save")
    user = scope.get("user")
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    replay = Replay.from_recording(
        recording,
        title=title,
        captions=dict(captions),
        source="exercise" if exercise else "user",
        listed=signed_in and not exercise,
        owner=user if signed_in else None,
    )
    await database_sync_to_async(replay.save)()
    return replay


def export(timeline: Timeline, title: str, captions: Mapping[str, str]) -> dict[str, Any]:
    """The session's recording in the export format, as ``replay_import`` reads it."""
    data = timeline.recording().to_json()
    data.update({"format": FORMAT, "title": title, "captions": dict(captions)})
    return data
