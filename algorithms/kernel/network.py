"""The kernel's network: processes, channels, the event heap, and the faults.

The model (messages, timers, the bounds) is plain data in :mod:`.messages`; the
rules are the methods of :class:`Network`.

See :mod:`algorithms.kernel` for the model and the rules.
"""

from __future__ import annotations

import copy
import heapq
import math
import random
from collections import deque
from collections.abc import Iterable
from typing import Any, Generic, TypeVar

from algorithms.engine import CommandError, check_float
from algorithms.kernel.delays import ConstantDelay, DelayModel
from algorithms.kernel.messages import (
    MAX_IN_FLIGHT,
    MAX_PROCESSES,
    MAX_TIME,
    MAX_TIMERS,
    PRIORITY_MESSAGE,
    PRIORITY_TIMER,
    Message,
    Timer,
    copy_message,
)

__all__ = [
    "MAX_IN_FLIGHT",
    "MAX_PROCESSES",
    "MAX_TIME",
    "MAX_TIMERS",
    "PRIORITY_MESSAGE",
    "PRIORITY_TIMER",
    "Message",
    "Network",
    "Timer",
]

P = TypeVar("P")

_MSG, _TIMER = 0, 1


class Network(Generic[P]):
    """Processes joined by directed channels, with a deterministic event order.

    Parameters
    ----------
    processes : iterable of str
        Process names, 1 to :data:`MAX_PROCESSES`, distinct.
    links : iterable of (str, str), optional
        The directed channels; default every ordered pair (a complete graph).
    fifo : bool
        FIFO channels (Chandy–Lamport's assumption) or unordered ones.
    delay : DelayModel
        Draws each message's delay; default :class:`ConstantDelay` (1).
    rng : random.Random
        The engine's seeded generator; the network keeps and advances it.

    Examples
    --------
    >>> net = Network(["a", "b", "c"], links=[("a", "b"), ("b", "c")], rng=random.Random(0))
    >>> net.send("a", "c", 1)
    Traceback (most recent call last):
    ...
    algorithms.engine.CommandError: dst must be the end of a channel from a (b), got 'c'
    >>> t = net.schedule_timer("b", 0.5, "tick")
    >>> m = net.send("a", "b", "hello")
    >>> for e in net.run_until(2.0):
    ...     print(type(e).__name__, e.payload)
    Timer tick
    Message hello
    >>> net.now
    2.0

    Faults are commands on the same timeline:

    >>> lost = net.send("a", "b", "into the partition")
    >>> net.partition(["a"])
    >>> net.next_event().status
    'lost'
    >>> net.heal(); _ = net.crash("c")
    >>> net.send("b", "c", "to a crashed process").due, net.next_event().status
    (4.0, 'lost')
    >>> net.restart("c"); m = net.send("b", "c", "late")
    >>> net.drop(m.id).status, net.next_event() is None
    ('dropped', True)
    """

    def __init__(
        self,
        processes: Iterable[str],
        links: Iterable[tuple[str, str]] | None = None,
        *,
        fifo: bool = True,
        delay: DelayModel | None = None,
        rng: random.Random | None = None,
    ) -> None:
        names = list(processes)
        if not 1 <= len(names) <= MAX_PROCESSES:
            raise CommandError(
                "processes", len(names), f"must number between 1 and {MAX_PROCESSES}"
            )
        if len(set(names)) != len(names):
            raise CommandError("processes", names, "must be distinct names")
        self.processes: tuple[str, ...] = tuple(names)
        known = set(names)
        if links is None:
            pairs = [(a, b) for a in names for b in names if a != b]
        else:
            pairs = []
            for src, dst in links:
                for field, value in (("src", src), ("dst", dst)):
                    if value not in known:
                        raise CommandError(field, value, "must be one of the processes")
                if src == dst:
                    raise CommandError("dst", dst, f"must differ from src ({src})")
                if (src, dst) not in pairs:
                    pairs.append((src, dst))
        self.links: tuple[tuple[str, str], ...] = tuple(pairs)
        self.fifo = fifo
        self.delay_model: DelayModel = delay if delay is not None else ConstantDelay(1.0)
        self.rng = rng if rng is not None else random.Random(0)
        self.now = 0.0
        self._out: dict[str, list[str]] = {p: [] for p in names}
        for src, dst in pairs:
            self._out[src].append(dst)
        self._channels: dict[tuple[str, str], deque[int]] = {pair: deque() for pair in pairs}
        self._flight: dict[int, Message[P]] = {}
        self._timers: dict[int, Timer[P]] = {}
        self._heap: list[tuple[float, int, int, int, int]] = []
        self._seq = 0
        self._next_message = 0
        self._next_timer = 0
        self.crashed: set[str] = set()
        self._side: dict[str, int] = {}
        self._sides = 0

    def __deepcopy__(self, memo: dict[int, Any]) -> Network[P]:
        """A copy sharing nothing mutable, faster than the generic one (checkpoints).

        Heap entries and channel queues hold only numbers, so they are copied flat; a
        message another object already copied (in ``memo``) is reused.
        """
        new: Network[P] = type(self).__new__(type(self))
        memo[id(self)] = new
        for name, value in self.__dict__.items():
            if name == "_flight":
                value = {mid: copy_message(m, memo) for mid, m in value.items()}
            elif name == "_heap":
                value = list(value)
            elif name == "_channels":
                value = {pair: deque(queue) for pair, queue in value.items()}
            elif name == "_out":
                value = {p: list(ends) for p, ends in value.items()}
            else:
                value = copy.deepcopy(value, memo)
            new.__dict__[name] = value
        return new

    # -- reading -----------------------------------------------------------------------

    def outgoing(self, process: str) -> list[str]:
        """The ends of ``process``'s outgoing channels, in link order."""
        return list(self._out[self._check_process("process", process)])

    def in_flight(self, src: str | None = None, dst: str | None = None) -> list[Message[P]]:
        """Messages in flight (on one channel if ``src`` and ``dst`` are given).

        On a channel they come in send order; overall in order of id.

        Examples
        --------
        >>> net = Network(["p", "q"], delay=ConstantDelay(1.0))
        >>> _ = net.send("p", "q", "M"); _ = net.send("q", "p", "M'")
        >>> [m.payload for m in net.in_flight()], [m.payload for m in net.in_flight("q", "p")]
        (['M', "M'"], ["M'"])
        """
        if src is not None and dst is not None:
            channel = self._check_channel(src, dst)
            return [self._flight[i] for i in self._channels[channel]]
        return [self._flight[i] for i in sorted(self._flight)]

    def message(self, msg_id: int) -> Message[P]:
        """The message in flight with this id (``CommandError`` if none)."""
        found = self._flight.get(msg_id) if isinstance(msg_id, int) else None
        if found is None:
            raise CommandError("message", msg_id, "must be the id of a message in flight")
        return found

    def peek(self) -> float | None:
        """The time of the next event, or ``None`` if nothing is scheduled."""
        self._discard_stale()
        return self._heap[0][0] if self._heap else None

    def connected(self, a: str, b: str) -> bool:
        """Whether ``a`` and ``b`` are on the same side of every partition."""
        return self._side.get(a, 0) == self._side.get(b, 0)

    # -- the rules ---------------------------------------------------------------------

    def send(self, src: str, dst: str, payload: P) -> Message[P]:
        """Put a message in flight from ``src`` to ``dst``; its delay comes from the seed.

        Raises ``CommandError`` if there is no such channel, the sender is crashed, or
        :data:`MAX_IN_FLIGHT` messages are already in flight.
        """
        queue = self._channels.get((src, dst))
        if queue is None:
            self._check_channel(src, dst)  # raises, naming the missing end
            raise AssertionError  # pragma: no cover
        if self.crashed and src in self.crashed:
            raise CommandError("src", src, "must be a process that is up (it has crashed)")
        flight = self._flight
        if len(flight) >= MAX_IN_FLIGHT:
            raise CommandError(
                "messages", len(flight), f"must stay within {MAX_IN_FLIGHT:,} in flight"
            )
        now = self.now
        due = now + self.delay_model.sample(self.rng, src, dst)
        if self.fifo and queue:
            last = flight[queue[-1]].due
            if last > due:
                due = last
        if not due <= MAX_TIME:
            self._check_time(due)
        mid = self._next_message
        self._next_message = mid + 1
        seq = self._seq
        self._seq = seq + 1
        message = Message(mid, src, dst, payload, now, due, "in_flight", None, seq)
        flight[mid] = message
        queue.append(mid)
        heapq.heappush(self._heap, (due, PRIORITY_MESSAGE, seq, _MSG, mid))
        return message

    def schedule_timer(
        self, process: str, at: float, payload: P, priority: int = PRIORITY_TIMER
    ) -> Timer[P]:
        """Schedule a timer of ``process`` at time ``at`` (not in the past).

        Examples
        --------
        >>> net = Network(["p", "q"])
        >>> t = net.schedule_timer("p", 2.5, "retry")
        >>> net.next_event() is t, t.status, net.now
        (True, 'fired', 2.5)
        """
        self._check_process("process", process)
        at = check_float("at", at, self.now, MAX_TIME)
        if process in self.crashed:
            raise CommandError("process", process, "must be up to set a timer")
        if len(self._timers) >= MAX_TIMERS:
            raise CommandError(
                "timers", len(self._timers), f"must stay within {MAX_TIMERS:,} pending"
            )
        timer = Timer(self._next_timer, process, at, payload, priority)
        self._next_timer += 1
        self._timers[timer.id] = timer
        heapq.heappush(self._heap, (at, priority, self._seq, _TIMER, timer.id))
        self._seq += 1
        return timer

    def cancel_timer(self, timer_id: int) -> Timer[P]:
        """Cancel a pending timer."""
        timer = self._timers.pop(timer_id, None) if isinstance(timer_id, int) else None
        if timer is None:
            raise CommandError("timer", timer_id, "must be the id of a pending timer")
        timer.status = "cancelled"
        return timer

    def next_event(self, until: float | None = None) -> Message[P] | Timer[P] | None:
        """Pop the next event in ``(time, priority, sequence)`` order and advance ``now``.

        Returns the delivered (or lost) message, the fired timer, or ``None`` when
        nothing is scheduled (or, with ``until``, nothing is due by then).
        """
        heap, flight = self._heap, self._flight
        while heap:
            at, _, seq, kind, ref = heap[0]
            if until is not None and at > until:
                return None  # a stale entry here only hides later ones
            heapq.heappop(heap)
            if kind == _MSG:
                message = flight.get(ref)
                if message is None or message.seq != seq:
                    continue  # dropped, delivered early, or delayed since
                if at > self.now:
                    self.now = at
                return self._take(message)
            timer = self._timers.pop(ref, None)
            if timer is None:
                continue  # cancelled
            if at > self.now:
                self.now = at
            timer.status = "fired"
            return timer
        return None

    def run_until(self, until: float) -> list[Message[P] | Timer[P]]:
        """Pop every event due by ``until``, then set ``now`` to ``until``."""
        until = check_float("until", until, self.now, MAX_TIME)
        out: list[Message[P] | Timer[P]] = []
        while (event := self.next_event(until)) is not None:
            out.append(event)
        self.now = until
        return out

    def deliver_next(self, src: str, dst: str) -> Message[P]:
        """Deliver the oldest message in flight on channel ``(src, dst)`` now.

        Examples
        --------
        >>> net = Network(["p", "q"], delay=ConstantDelay(5.0))
        >>> _ = net.send("p", "q", "first"); _ = net.send("p", "q", "second")
        >>> net.deliver_next("p", "q").payload, net.now
        ('first', 0.0)
        """
        channel = self._check_channel(src, dst)
        queue = self._channels[channel]
        if not queue:
            raise CommandError("channel", f"{src}->{dst}", "must have a message in flight")
        return self._take(self._flight[queue[0]])

    def deliver(self, msg_id: int) -> Message[P]:
        """Deliver one message now; on a FIFO channel only its oldest may go."""
        message = self.message(msg_id)
        queue = self._channels[(message.src, message.dst)]
        if self.fifo and queue[0] != message.id:
            raise CommandError(
                "message",
                msg_id,
                f"must be the oldest in flight on the FIFO channel {message.src}->"
                f"{message.dst} (m{queue[0]})",
            )
        return self._take(message)

    # -- faults ------------------------------------------------------------------------

    def crash(self, process: str) -> list[Timer[P]]:
        """Crash ``process``: it sends nothing, loses what arrives, its timers go."""
        self._check_process("process", process)
        if process in self.crashed:
            raise CommandError("process", process, "must be up to crash")
        self.crashed.add(process)
        gone = [t for t in self._timers.values() if t.process == process]
        for timer in gone:
            self.cancel_timer(timer.id)
        return gone

    def restart(self, process: str) -> None:
        """Bring a crashed process back up (its state is the engine's business)."""
        self._check_process("process", process)
        if process not in self.crashed:
            raise CommandError("process", process, "must have crashed to restart")
        self.crashed.discard(process)

    def partition(self, group: Iterable[str]) -> None:
        """Cut ``group`` off from every other process until :meth:`heal`."""
        members = [self._check_process("group", p) for p in group]
        if not members or len(members) >= len(self.processes):
            raise CommandError("group", members, "must hold at least one process and leave one out")
        self._sides += 1
        for p in members:
            self._side[p] = self._sides

    def heal(self) -> None:
        """Remove every partition."""
        self._side.clear()

    def drop(self, msg_id: int) -> Message[P]:
        """The network loses one message in flight."""
        message = self.message(msg_id)
        self._channels[(message.src, message.dst)].remove(message.id)
        del self._flight[message.id]
        message.status = "dropped"
        message.delivered_at = self.now
        return message

    def delay(self, msg_id: int, extra: float) -> None:
        """Hold a message in flight ``extra`` time units longer.

        On a FIFO channel the later messages on the same channel are pushed back so
        that none overtakes it.
        """
        message = self.message(msg_id)
        extra = check_float("extra", extra, 0.0, 1e6)
        message.due = self._check_time(message.due + extra)
        self._push_message(message)
        if not self.fifo:
            return
        queue = self._channels[(message.src, message.dst)]
        previous = message
        for later_id in list(queue)[queue.index(message.id) + 1 :]:
            later = self._flight[later_id]
            if later.due > previous.due:
                break
            # Ties too are pushed again: a fresh sequence number keeps the send order.
            later.due = previous.due
            self._push_message(later)
            previous = later

    # -- internals ---------------------------------------------------------------------

    def _take(self, message: Message[P]) -> Message[P]:
        mid = message.id
        queue = self._channels[(message.src, message.dst)]
        if queue[0] == mid:
            queue.popleft()
        else:
            queue.remove(mid)
        del self._flight[mid]
        message.delivered_at = self.now
        if (self.crashed or self._side) and (
            message.dst in self.crashed or not self.connected(message.src, message.dst)
        ):
            message.status = "lost"
        else:
            message.status = "delivered"
        return message

    def _push_message(self, message: Message[P]) -> None:
        message.seq = self._seq
        heapq.heappush(self._heap, (message.due, PRIORITY_MESSAGE, self._seq, _MSG, message.id))
        self._seq += 1

    def _discard_stale(self) -> None:
        heap = self._heap
        while heap:
            _, _, seq, kind, ref = heap[0]
            if kind == _MSG:
                m = self._flight.get(ref)
                if m is not None and m.seq == seq:
                    return
            elif ref in self._timers:
                return
            heapq.heappop(heap)

    def _check_process(self, field: str, value: object) -> str:
        if not isinstance(value, str) or value not in self._out:
            raise CommandError(field, value, "must be one of the processes")
        return value

    def _check_channel(self, src: str, dst: str) -> tuple[str, str]:
        self._check_process("src", src)
        self._check_process("dst", dst)
        if (src, dst) not in self._channels:
            ends = ", ".join(self._out[src]) or "none"
            raise CommandError("dst", dst, f"must be the end of a channel from {src} ({ends})")
        return (src, dst)

    @staticmethod
    def _check_time(t: float) -> float:
        if not math.isfinite(t) or t > MAX_TIME:
            raise CommandError("time", t, f"must stay within {MAX_TIME:g}")
        return t
