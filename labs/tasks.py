"""Heavy lab actions that run off the event loop and stream progress frames.

``LAB_TASKS[slug][action]`` is an async handler ``(consumer, message)`` and the fields
the action takes (others are refused before the handler runs). Labs whose
engines answer quickly need none; the small-world sweep is one.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any

from algorithms.engine import CommandError, check_choice, check_float, check_int
from algorithms.small_world import SweepCancelled, gossip_comparison, sweep
from algorithms.theory import figure2_theory
from labs.runtime import HEAVY

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


async def export_snapshot(consumer: LabConsumer, message: dict[str, Any]) -> None:
    """Send a completed snapshot in the plain-text export format (``snapshot ID``, then
    ``ID tokens`` per process, then ``SRC DST token(k)`` per recorded message)."""
    from algorithms.snapshots import dump_snapshot

    timeline = consumer.timeline
    assert timeline is not None
    engine: Any = timeline.engine
    sid = message.get("id")
    snapshot = engine.snapshot(sid)  # refuses an unknown id, naming the known ones
    record = engine.system.snapshots[sid]
    if record.completed_at is None:
        raise CommandError("id", sid, "must name a completed snapshot to export it")
    await consumer.send_json({"type": "snapshot_text", "id": sid, "text": dump_snapshot(snapshot)})


LAB_TASKS["snapshots"] = {"export_snapshot": (export_snapshot, ("id",))}


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
    _busy(consumer, "compare_gossip")
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
    HEAVY.check_free("sweep")
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
        getter: asyncio.Future[dict[str, Any]] | None = None
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
            # Leaving mid-sweep cancels this task while it waits for a row: cancel that
            # wait too, and let the worker stop, so no task is dropped while pending.
            if getter is not None:
                getter.cancel()
            if not job.done():
                await asyncio.wait({job})
            if not job.cancelled():
                job.exception()  # retrieved: an error after leaving is not logged again

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
    _start(consumer, "sweep", drive(), stop)
    _running_sweeps.add(consumer.lab_tasks["sweep"])
    consumer.lab_tasks["sweep"].add_done_callback(_running_sweeps.discard)


def _start(
    consumer: LabConsumer, name: str, job: Coroutine[Any, Any, None], stop: threading.Event
) -> None:
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


async def cancel_sweep(consumer: LabConsumer, message: dict[str, Any]) -> None:

    cancel = consumer.lab_cancels.get("sweep")
    task = consumer.lab_tasks.get("sweep")
    if cancel is None or task is None or task.done():
        raise CommandError("action", "cancel_sweep", "needs a running sweep")
    cancel()


async def compare_gossip(consumer: LabConsumer, message: dict[str, Any]) -> None:
    """Rounds until all know, on the lattice, a small world and a random graph.

    Runs like the sweep: in a worker thread, one per socket, holding a heavy-work
    slot, cancellable, and cancelled when the client leaves. The small world is drawn
    with the ``p`` given (the lab's own p by default); a p of 0 is refused, never
    replaced behind the student's back.
    """

    _busy(consumer, "compare_gossip")
    _busy(consumer, "sweep")
    timeline = consumer.timeline
    assert timeline is not None
    params: Any = timeline.params
    mode = check_choice("mode", message.get("mode", "push-pull"), ("push", "pull", "push-pull"))
    p = message.get("p", params.p)
    p = check_float("p", p, 0.0, 1.0)
    if p == 0:
        raise CommandError(
            "p",
            p,
            "must be above 0 for the comparison's small world (0 gives the lattice again); "
            "try 0.05",
        )
    n, k, seed = params.n, max(2, params.k), timeline.seed
    if k >= n or k % 2:
        raise CommandError("k", k, f"must be even and less than n = {n} for the comparison")
    stop = threading.Event()

    def work() -> list[dict[str, Any]] | None:
        try:
            return gossip_comparison(n, k, p, 10, seed, [mode], cancel=stop.is_set)
        except SweepCancelled:
            return None

    async def drive() -> None:
        rows = await asyncio.to_thread(work)
        if rows is None:
            await consumer.send_json({"type": "gossip_comparison_cancelled", "mode": mode})
            return
        await consumer.send_json(
            {"type": "gossip_comparison", "mode": mode, "p": p, "n": n, "k": k, "rows": rows}
        )

    _start(consumer, "compare_gossip", drive(), stop)
    await consumer.send_json(
        {"type": "gossip_comparison_started", "mode": mode, "p": p, "n": n, "k": k}
    )


async def cancel_compare(consumer: LabConsumer, message: dict[str, Any]) -> None:
    cancel = consumer.lab_cancels.get("compare_gossip")
    task = consumer.lab_tasks.get("compare_gossip")
    if cancel is None or task is None or task.done():
        raise CommandError("action", "cancel_compare", "needs a running gossip comparison")
    cancel()


LAB_TASKS["small-world"] = {
    "sweep": (run_sweep, ("n", "k", "points", "realizations")),
    "cancel_sweep": (cancel_sweep, ()),
    "compare_gossip": (compare_gossip, ("mode", "p")),
    "cancel_compare": (cancel_compare, ()),
}
