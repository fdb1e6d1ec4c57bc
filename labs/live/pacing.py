"""Playing, paced on the server: one frame per ``1/fps`` seconds, never faster."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

__all__ = ["MAX_FPS", "pace"]

MAX_FPS = 30


async def pace(tick: Callable[[], Awaitable[bool]], fps: Callable[[], int]) -> None:
    """Call ``tick`` at ``fps()`` ticks a second until it returns False or is cancelled.

    The deadline advances by one period per tick, but never lags behind now: a slow
    tick is not followed by a burst of catch-up ticks.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time()
    try:
        while await tick():
            deadline = max(deadline + 1 / fps(), loop.time())
            await asyncio.sleep(deadline - loop.time())
    except asyncio.CancelledError:
        pass
