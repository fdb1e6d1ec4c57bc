"""The small-world lab's heavy actions: the Figure 2 sweep and the gossip comparison.

Both run in a worker thread, one of each per socket, holding a heavy-work slot,
cancellable, and cancelled when the client leaves (labs/live/tasks.py).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from algorithms.engine import CommandError, LabParams, check_choice, check_float, check_int
from algorithms.smallworld import SweepCancelled, gossip_comparison, sweep
from algorithms.smallworld.limits import ENGINE_MAX_K, ENGINE_MAX_NODES, SWEEP_MAX_REALIZATIONS
from algorithms.theory import figure2_theory
from labs.live.tasks import Task, canceller, refuse_if_running, start, stream
from labs.runtime import HEAVY

if TYPE_CHECKING:
    from labs.consumers import LabConsumer

MAX_CONCURRENT_SWEEPS = 2
"""Sweeps use both cores: more at once in one process would only queue, so refuse them."""

_running_sweeps: set[asyncio.Task[None]] = set()


@dataclass(frozen=True)
class SweepRequest(LabParams):
    """What a student may ask the Figure 2 sweep for; the lab's form shows these bounds.

    ``n`` and ``k`` are bounded as the lab's own graph is (the engine's limits), so a
    sweep never builds a graph the lab could not show; the number of values of p and
    of realizations bound the CPU one request takes.
    """

    n: int = 1000
    k: int = 10
    points: int = 14
    realizations: int = 20

    LIMITS: ClassVar[dict[str, tuple[int, int]]] = {
        "n": (20, ENGINE_MAX_NODES),
        "k": (4, ENGINE_MAX_K),
        "points": (2, 30),
        "realizations": (1, min(50, SWEEP_MAX_REALIZATIONS)),
    }

    def __post_init__(self) -> None:
        for name, (lo, hi) in self.LIMITS.items():
            check_int(name, getattr(self, name), lo, hi)
        if self.k % 2 or self.k >= self.n:
            raise CommandError("k", self.k, f"must be even and less than n = {self.n}")


async def run_sweep(consumer: LabConsumer, message: dict[str, Any]) -> None:
    """Start the Figure 2 sweep in a worker thread; stream each row as a progress frame.

    Refused at once (before anything runs) when a value is out of range. The sweep
    never blocks the event loop, can be cancelled, and is cancelled when the client
    leaves.
    """
    refuse_if_running(consumer, "sweep", "compare_gossip")
    if len(_running_sweeps) >= MAX_CONCURRENT_SWEEPS:
        raise CommandError(
            "action",
            "sweep",
            f"must wait: this server already runs {len(_running_sweeps)} sweeps "
            f"(at most {MAX_CONCURRENT_SWEEPS} at once); try again when one finishes",
        )
    request = SweepRequest.from_dict({k: v for k, v in message.items() if k != "action"})
    timeline = consumer.timeline
    assert timeline is not None
    seed = timeline.seed
    HEAVY.check_free("sweep")
    points = request.points
    ps = [10 ** (-4 + 4 * i / (points - 1)) for i in range(points)]

    def work(
        progress: Callable[[dict[str, Any]], None], stop: threading.Event
    ) -> tuple[str, list[dict[str, Any]]]:
        try:
            rows = sweep(
                request.n,
                request.k,
                ps,
                request.realizations,
                seed,
                workers=2,
                progress=progress,
                cancel=stop.is_set,
            )
            return "done", rows
        except SweepCancelled as err:
            return "cancelled", list(err.rows)

    await consumer.send_json(
        {
            "type": "sweep_started",
            "n": request.n,
            "k": request.k,
            "ps": ps,
            "realizations": request.realizations,
            "seed": seed,
            # Barrat-Weigt and Newman-Watts curves to draw beside the measured points
            "theory": figure2_theory(request.k),
        }
    )
    stop = threading.Event()
    task = start(consumer, "sweep", stream(consumer, "sweep", points, work, stop), stop)
    _running_sweeps.add(task)
    task.add_done_callback(_running_sweeps.discard)


async def compare_gossip(consumer: LabConsumer, message: dict[str, Any]) -> None:
    """Rounds until all know, on the lattice, a small world and a random graph.

    Runs like the sweep. The small world is drawn with the ``p`` given (the lab's own p
    by default); a p of 0 is refused, never replaced behind the student's back.
    """
    refuse_if_running(consumer, "compare_gossip", "sweep")
    timeline = consumer.timeline
    assert timeline is not None
    params: Any = timeline.params
    mode = check_choice("mode", message.get("mode", "push-pull"), ("push", "pull", "push-pull"))
    p = check_float("p", message.get("p", params.p), 0.0, 1.0)
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

    async def drive() -> None:
        def work() -> list[dict[str, Any]] | None:
            try:
                return gossip_comparison(n, k, p, 10, seed, [mode], cancel=stop.is_set)
            except SweepCancelled:
                return None

        rows = await asyncio.to_thread(work)
        if rows is None:
            await consumer.send_json({"type": "gossip_comparison_cancelled", "mode": mode})
            return
        await consumer.send_json(
            {"type": "gossip_comparison", "mode": mode, "p": p, "n": n, "k": k, "rows": rows}
        )

    start(consumer, "compare_gossip", drive(), stop)
    await consumer.send_json(
        {"type": "gossip_comparison_started", "mode": mode, "p": p, "n": n, "k": k}
    )


TASKS = {
    "sweep": Task(run_sweep, tuple(SweepRequest.LIMITS)),
    "cancel_sweep": canceller("sweep", "cancel_sweep", "a running sweep"),
    "compare_gossip": Task(compare_gossip, ("mode", "p")),
    "cancel_compare": canceller("compare_gossip", "cancel_compare", "a running gossip comparison"),
}
