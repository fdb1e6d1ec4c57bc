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
