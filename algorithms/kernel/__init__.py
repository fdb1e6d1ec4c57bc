"""The message-passing kernel: processes, channels, delays, timers and faults.

Every lab whose subject is processes exchanging messages (vector clocks, Chandy–Lamport
snapshots, Dynamo quorums, failure domains) runs on this one deterministic
discrete-event kernel. It follows the model of Chandy & Lamport, "Distributed
Snapshots: Determining Global States of Distributed Systems", ACM TOCS 3(1), 1985, §2
(processes joined by directed channels, each message delayed arbitrarily but finitely)
and orders its events as SimPy's core does: a heap keyed by ``(time, priority,
sequence number)``, the sequence number being an insertion counter, so ties are broken
by the order of scheduling and every run is reproducible from its seed.

The model is plain data (:class:`Message`, :class:`Timer`); the rules are the methods
of :class:`Network`:

- ``send(src, dst, payload)`` puts a message in flight; its delay is drawn from the
  network's delay model with the network's own ``random.Random``.
- On a FIFO channel a message is never overtaken: its delivery time is
  ``max(its own, the previous in-flight message's on that channel)``, and delaying a
  message pushes the later ones on its channel back with it (§2: "deliver messages in
  the order sent"). On an unordered channel each message keeps its own time.
- ``next_event()`` pops the earliest event (a delivery or a timer), advancing ``now``
  (``next_event(until=t)`` only if it is due by ``t``, so the caller can react to
  each event at its own time); ``run_until(t)`` pops every event due by ``t``; ``deliver_next(src, dst)`` and
  ``deliver(msg_id)`` deliver a message at once (the student's "deliver" button).
- Faults: ``crash(p)`` / ``restart(p)``, ``partition(group)`` / ``heal()``,
  ``drop(msg_id)``, ``delay(msg_id, extra)``. A message is *lost* (not held) when, at
  its delivery time, its receiver is crashed or sender and receiver are on different
  sides of a partition, as a real network loses the packets of a broken link;
  :meth:`Network.next_event` returns it with status ``"lost"`` so the engine can tell
  the student. A crash cancels the crashed process's timers (volatile state is gone).

A network is bounded (:data:`MAX_PROCESSES`, :data:`MAX_IN_FLIGHT`, :data:`MAX_TIMERS`)
and holds only what is pending: delivered messages are forgotten, so engines keep their
own history. It is deep-copyable (the player's checkpoints use ``copy.deepcopy``) and
a copy shares nothing mutable with the original, as long as payloads are immutable or
themselves deep-copyable.

Examples
--------
>>> import random
>>> net = Network(["p", "q"], fifo=True, delay=ConstantDelay(2.0), rng=random.Random(1))
>>> m0 = net.send("p", "q", "M")
>>> m1 = net.send("p", "q", "M2")
>>> net.delay(m0.id, 3.0)  # m1 may not overtake m0 on the FIFO channel
>>> [(m.payload, m.due) for m in net.in_flight("p", "q")]
[('M', 5.0), ('M2', 5.0)]
>>> event = net.next_event()
>>> event.payload, event.status, net.now
('M', 'delivered', 5.0)
"""

from __future__ import annotations

from algorithms.kernel.delays import ConstantDelay, DelayModel, ExponentialDelay, UniformDelay
from algorithms.kernel.messages import (
    MAX_IN_FLIGHT,
    MAX_PROCESSES,
    MAX_TIME,
    MAX_TIMERS,
    PRIORITY_MESSAGE,
    PRIORITY_TIMER,
    Message,
    Timer,
)
from algorithms.kernel.network import Network

__all__ = [
    "MAX_IN_FLIGHT",
    "MAX_PROCESSES",
    "MAX_TIME",
    "MAX_TIMERS",
    "PRIORITY_MESSAGE",
    "PRIORITY_TIMER",
    "ConstantDelay",
    "DelayModel",
    "ExponentialDelay",
    "Message",
    "Network",
    "Timer",
    "UniformDelay",
]
