"""Bounds on heavy work: a CPU budget per job, cancellation, and a per-process limit.

Heavy work is anything that re-runs a recording (imports, seeks, branch switches,
opening a replay at a step) or computes many graphs (the Figure 2 sweep, the gossip
comparison). It never runs on the event loop. Each job runs under a :class:`Budget`
checked before every step it re-runs: past its CPU time, or once its client has gone,
it stops where it is. :data:`HEAVY` limits how many such jobs one server process runs
at once, so one client can never take every core.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from django.conf import settings

from algorithms.engine import CommandError

__all__ = ["HEAVY", "Budget", "HeavyWork", "WorkCancelled", "warm_up"]


class WorkCancelled(Exception):
    """The client that asked for the work has gone; nobody waits for the result."""


class Budget:
    """A step check (see ``algorithms.recording.StepCheck``) with a CPU-time budget.

    The CPU time is that of the worker thread running the job, counted from the first
    check, so time spent waiting for the GIL or a free slot is not charged.

    Parameters
    ----------
    what : str
        What the work is, as the refusal names it ("import", "seek").
    cpu_seconds : float
        The budget.
    cancelled : threading.Event, optional
        Set when the client leaves; the job stops at its next step.
    field : str
        The field the refusal names.
    """

    def __init__(
        self,
        what: str,
        cpu_seconds: float,
        cancelled: threading.Event | None = None,
        field: str = "step",
    ) -> None:
        self.what = what
        self.cpu_seconds = cpu_seconds
        self.cancelled = cancelled or threading.Event()
        self.field = field
        self._start: float | None = None

    def __call__(self, index: int) -> None:
        if self.cancelled.is_set():
            raise WorkCancelled(self.what)
        now = time.thread_time()
        if self._start is None:
            self._start = now
        elif now - self._start > self.cpu_seconds:
            verb = "replay" if self.field == "file" else "be reached"
            raise CommandError(
                self.field,
                f"more than {self.cpu_seconds:g} CPU seconds by step {index:,}",
                f"must {verb} within the {self.what} budget of {self.cpu_seconds:g} CPU seconds",
            )


class HeavyWork:
    """At most ``slots()`` heavy jobs at once in this process, shared by every socket.

    Long jobs (imports, sweeps, comparisons) take a slot at once or are refused; short
    ones (seeks) may wait up to ``wait`` seconds for one. Plain counters on the event
    loop's thread: no loop-bound primitive, so it serves every loop a test creates.
    """

    def __init__(self) -> None:
        self.running: dict[str, int] = {}

    @staticmethod
    def slots() -> int:
        return int(settings.PAPERLABS_HEAVY_SLOTS)

    @property
    def busy(self) -> int:
        return sum(self.running.values())

    def _refusal(self, what: str) -> CommandError:
        doing = ", ".join(f"{n} {kind}" for kind, n in sorted(self.running.items()))
        return CommandError(
            "action",
            what,
            f"must wait: this server is running its {self.slots()} heavy jobs at once "
            f"({doing}); try again in a moment",
        )

    @asynccontextmanager
    async def slot(self, what: str, wait: float = 0.0) -> AsyncIterator[None]:
        deadline = time.monotonic() + wait
        while self.busy >= self.slots():
            if time.monotonic() >= deadline:
                raise self._refusal(what)
            await asyncio.sleep(0.02)
        self.running[what] = self.running.get(what, 0) + 1
        try:
            yield
        finally:
            self.running[what] -= 1
            if not self.running[what]:
                del self.running[what]

    def check_free(self, what: str) -> None:
        """Refuse ``what`` now if no slot is free (before telling the client it started)."""
        if self.busy >= self.slots():
            raise self._refusal(what)

    def take(self, what: str) -> None:
        """Take a slot for a job that outlives this call; :meth:`give_back` it after."""
        self.check_free(what)
        self.running[what] = self.running.get(what, 0) + 1

    def give_back(self, what: str) -> None:
        self.running[what] -= 1
        if not self.running[what]:
            del self.running[what]


HEAVY = HeavyWork()
"""The one limiter of this server process."""


def warm_up() -> None:
    """Import every lab's engine and build its opening state once, as the server starts.

    Otherwise the first visit of each lab after a restart waits for the imports
    (networkx, numpy) and for what an engine keeps once per process (Dynamo's Figure 8
    of the consistent-hashing lab) before its first chart. A lab that fails here is
    logged and fails again, with its error, for its visitors; the others still serve.
    """
    from algorithms.recording import Timeline
    from labs.registry import LABS

    for lab in LABS:
        try:
            timeline = Timeline(
                lab.engine_class(), lab.slug, {}, lab.default_seed, lab.checkpoint_every
            )
            timeline.engine.state()
        except Exception:
            logging.getLogger(__name__).exception("lab %s: warming up failed", lab.slug)
