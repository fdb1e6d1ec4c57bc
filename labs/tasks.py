"""Heavy lab actions that run off the event loop and stream progress frames.

``LAB_TASKS[slug][action]`` is an async handler ``(consumer, message)``. Labs whose
engines answer quickly need none; the small-world sweep is one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from labs.consumers import LabConsumer

Handler = Callable[["LabConsumer", dict[str, Any]], Awaitable[None]]

LAB_TASKS: dict[str, dict[str, Handler]] = {}


async def export_shiviz(consumer: LabConsumer, message: dict[str, Any]) -> None:
    """Send the current run as a ShiViz log (GoVector format)."""
    import asyncio

    from algorithms.engine import CommandError

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


LAB_TASKS["vector-clocks"] = {"export_shiviz": export_shiviz}
