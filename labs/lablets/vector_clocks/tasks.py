"""The vector-clocks lab's heavy action: the run exported as a ShiViz log."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from algorithms.engine import CommandError
from labs.live.tasks import Task

if TYPE_CHECKING:
    from labs.consumers import LabConsumer


async def export_shiviz(consumer: LabConsumer, message: dict[str, Any]) -> None:
    """Send the current run as a ShiViz log (GoVector format)."""
    timeline = consumer.timeline
    assert timeline is not None
    engine: Any = timeline.engine
    try:
        text = await asyncio.to_thread(engine.export_shiviz)
    except ValueError as err:
        raise CommandError(
            "events", 0, "must hold at least one event to export a ShiViz log"
        ) from err
    await consumer.send_json({"type": "shiviz", "text": text})


TASKS = {"export_shiviz": Task(export_shiviz)}
