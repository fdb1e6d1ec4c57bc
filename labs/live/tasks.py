"""Heavy lab actions: off the event loop, one of each per socket, cancellable.

A lab declares its heavy actions on its registry entry (``Lab.tasks``): each action
name maps to a :class:`Task`, an async handler ``(consumer, message)`` and the fields
the action takes (others are refused before the handler runs). Labs whose engines
answer quickly declare none.

A long job runs as the socket's named task (:func:`start`): it holds a heavy-work slot
of the process (labs/runtime.py) until it ends, stops when its cancel action is sent
(:func:`canceller`) and when the client leaves. :func:`stream` runs a job that yields
rows in a worker thread and sends each as a ``progress`` frame.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from algorithms.engine import CommandError
from labs.runtime import HEAVY

if TYPE_CHECKING:
    from labs.consumers import LabConsumer

__all__ = ["Handler", "Task", "canceller", "refuse_if_running", "start", "stream"]

Handler = Callable[["LabConsumer", dict[str, Any]], Awaitable[None]]
Row = dict[str, Any]


@dataclass(frozen=True)
class Task:
    """A lab action the consumer runs with the socket in hand, not through the engine."""

    run: Handler
    fields: tuple[str, ...] = ()


def refuse_if_running(consumer: LabConsumer, *names: str) -> None:
    """Refuse a job while one of the socket's ``names`` jobs still runs."""
    for name in names:
        task = consumer.lab_tasks.get(name)
        if task is not None and not task.done():
            raise CommandError(
                "action", name, f"must wait: a {name} is already running (cancel it first)"
            )


def start(
    consumer: LabConsumer, name: str, job: Coroutine[Any, Any, None], stop: threading.Event
) -> asyncio.Task[None]:
    """Run a long job as the socket's task ``name``, holding a heavy-work slot until done.

    The slot is taken before anything starts (refused when the server is busy) and
    given back however the task ends, even cancelled before it ran; the job stops when
    cancelled or when the client leaves.
    """
    HEAVY.take(name)
    task = asyncio.create_task(job)

    def finished(_: asyncio.Task[None]) -> None:
        stop.set()
        HEAVY.give_back(name)

    task.add_done_callback(finished)
    consumer.lab_tasks[name] = task
    consumer.lab_cancels[name] = stop.set
    return task


def canceller(name: str, action: str, needs: str) -> Task:
    """The action that stops the socket's running ``name`` job (``needs`` says what)."""

    async def cancel(consumer: LabConsumer, message: dict[str, Any]) -> None:
        stop = consumer.lab_cancels.get(name)
        task = consumer.lab_tasks.get(name)
        if stop is None or task is None or task.done():
            raise CommandError("action", action, f"needs {needs}")
        stop()

    return Task(cancel)


async def stream(
    consumer: LabConsumer,
    name: str,
    total: int,
    work: Callable[[Callable[[Row], None], threading.Event], tuple[str, list[Row]]],
    stop: threading.Event,
) -> None:
    """Run ``work(progress, stop)`` in a worker thread; send each row it reports.

    Every row goes out as ``{"type": "progress", "task": name, ...}``; at the end
    ``{"type": name + "_" + outcome, "rows": ..., "total": total}`` with the outcome
    ``work`` returns (``"done"``, ``"cancelled"``).
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Row] = asyncio.Queue()

    def progress(row: Row) -> None:
        loop.call_soon_threadsafe(queue.put_nowait, row)

    job = asyncio.ensure_future(asyncio.to_thread(work, progress, stop))
    getter: asyncio.Future[Row] | None = None
    done = 0
    try:
        while not job.done() or not queue.empty():
            getter = asyncio.ensure_future(queue.get())
            finished, _ = await asyncio.wait({getter, job}, return_when=asyncio.FIRST_COMPLETED)
            if getter in finished:
                done += 1
                await consumer.send_json(
                    {
                        "type": "progress",
                        "task": name,
                        "done": done,
                        "total": total,
                        "row": getter.result(),
                    }
                )
            else:
                getter.cancel()
        outcome, rows = await job
        await consumer.send_json({"type": f"{name}_{outcome}", "rows": rows, "total": total})
    finally:
        stop.set()
        # Leaving mid-job cancels this task while it waits for a row: cancel that wait
        # too, and let the worker stop, so no task is dropped while pending.
        if getter is not None:
            getter.cancel()
        if not job.done():
            await asyncio.wait({job})
        if not job.cancelled():
            job.exception()  # retrieved: an error after leaving is not logged again
