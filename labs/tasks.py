"""Heavy lab actions that run off the event loop and stream progress frames.

``LAB_TASKS[slug][action]`` is an async handler ``(consumer, message)`` and the fields
the action takes (others are refused before the handler runs). Labs whose
engines answer quickly need none; the small-world sweep is one.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from algorithms.engine import CommandError, check_choice, check_int
from algorithms.small_world import SweepCancelled, gossip_comparison, sweep
from algorithms.theory import figure2_theory

if TYPE_CHECKING:
    from labs.consumers import LabConsumer

Handler = Callable[["LabConsumer", dict[str, Any]], Awaitable[None]]

LAB_TASKS: dict[str, dict[str, tuple[Handler, tuple[str, ...]]]] = {}


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


LAB_TASKS["vector-clocks"] = {"export_shiviz": (export_shiviz, ())}


# -- small-world: the Figure 2 sweep and the gossip comparison ---------------------------

SWEEP_MAX_N = 2000
SWEEP_MAX_POINTS = 30
SWEEP_MAX_REALIZATIONS = 50
MAX_CONCURRENT_SWEEPS = 2
"""Sweeps use both cores: more at once in one process would only queue, so refuse them."""

_running_sweeps: set[asyncio.Task[None]] = set()


def _busy(consumer: LabConsumer, name: str) -> None:

    task = consumer.lab_tasks.get(name)
    if task is not None and not task.done():
        raise CommandError(
            "action", name, f"must wait: a {name} is already running (cancel it first)"
        )


async def run_sweep(consumer: LabConsumer, message: dict[str, Any]) -> None:
    """Start the Figure 2 sweep in a worker thread; stream each row as a progress frame.

    Refused at once (before anything runs) when a value is out of range. The sweep
    never blocks the event loop, can be cancelled, and is cancelled when the client
    leaves.
    """

    _busy(consumer, "sweep")
    if len(_running_sweeps) >= MAX_CONCURRENT_SWEEPS:
        raise CommandError(
            "action",
            "sweep",
            f"must wait: this server already runs {len(_running_sweeps)} sweeps "
            f"(at most {MAX_CONCURRENT_SWEEPS} at once); try again when one finishes",
        )
    n = check_int("n", message.get("n", 1000), 20, SWEEP_MAX_N)
    k = check_int("k", message.get("k", 10), 4, 50)

    if k % 2 or k >= n:
        raise CommandError("k", k, f"must be even and less than n = {n}")
    points = check_int("points", message.get("points", 14), 2, SWEEP_MAX_POINTS)
    realizations = check_int(
        "realizations", message.get("realizations", 20), 1, SWEEP_MAX_REALIZATIONS
    )
    timeline = consumer.timeline
    assert timeline is not None
    seed = timeline.seed
    ps = [10 ** (-4 + 4 * i / (points - 1)) for i in range(points)]
    stop = threading.Event()
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    def progress(row: dict[str, Any]) -> None:
        loop.call_soon_threadsafe(queue.put_nowait, row)

    def work() -> tuple[str, list[dict[str, Any]]]:
        try:
            rows = sweep(
                n, k, ps, realizations, seed, workers=2, progress=progress, cancel=stop.is_set
            )
            return "done", rows
        except SweepCancelled as err:
            return "cancelled", list(err.rows)

    async def drive() -> None:
        job = asyncio.ensure_future(asyncio.to_thread(work))
        done = 0
        try:
            while not job.done() or not queue.empty():
                getter = asyncio.ensure_future(queue.get())
                finished, _ = await asyncio.wait({getter, job}, return_when=asyncio.FIRST_COMPLETED)
                if getter in finished:
                    done += 1
                    row = getter.result()
                    await consumer.send_json(
                        {
                            "type": "progress",
                            "task": "sweep",
                            "done": done,
                            "total": points,
                            "row": row,
                        }
                    )
                else:
                    getter.cancel()
            outcome, rows = await job
            await consumer.send_json({"type": "sweep_" + outcome, "rows": rows, "total": points})
        finally:
            stop.set()

    await consumer.send_json(
        {
            "type": "sweep_started",
            "n": n,
            "k": k,
            "ps": ps,
            "realizations": realizations,
            "seed": seed,
            # Barrat-Weigt and Newman-Watts curves to draw beside the measured points
            "theory": figure2_theory(k),
        }
    )
    task = asyncio.create_task(drive())
    _running_sweeps.add(task)
    task.add_done_callback(_running_sweeps.discard)
    consumer.lab_tasks["sweep"] = task
    consumer.lab_cancels["sweep"] = stop.set


async def cancel_sweep(consumer: LabConsumer, message: dict[str, Any]) -> None:

    cancel = consumer.lab_cancels.get("sweep")
    task = consumer.lab_tasks.get("sweep")
    if cancel is None or task is None or task.done():
        raise CommandError("action", "cancel_sweep", "needs a running sweep")
    cancel()


async def compare_gossip(consumer: LabConsumer, message: dict[str, Any]) -> None:
    """Rounds until all know, on the lattice, a small world and a random graph."""

    timeline = consumer.timeline
    assert timeline is not None
    params: Any = timeline.params
    mode = check_choice("mode", message.get("mode", "push-pull"), ("push", "pull", "push-pull"))
    p = params.p if 0 < params.p <= 1 else 0.05
    rows = await asyncio.to_thread(
        gossip_comparison, params.n, max(2, params.k), p, 10, timeline.seed, [mode]
    )
    await consumer.send_json({"type": "gossip_comparison", "mode": mode, "p": p, "rows": rows})


LAB_TASKS["small-world"] = {
    "sweep": (run_sweep, ("n", "k", "points", "realizations")),
    "cancel_sweep": (cancel_sweep, ()),
    "compare_gossip": (compare_gossip, ("mode",)),
}
