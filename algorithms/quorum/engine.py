"""The quorum lab's engine: a Dynamo cluster whose every request leg is a kernel message.

DeCandia et al., "Dynamo: Amazon's Highly Available Key-value Store", SOSP 2007
(§4.5-4.8), and Bailis et al., "Probabilistically Bounded Staleness for Practical
Partial Quorums", VLDB 2012. The student puts and gets keys through any node, crashes
and restarts nodes, partitions and heals the network, drops or delays messages, and
runs Merkle anti-entropy between two replicas; :meth:`QuorumEngine.state` gives the
space-time view of every leg, who holds which version (and which copies are hints),
each request, the live staleness measurements and the PBS curve for ``(N, R, W)``.

Examples
--------
>>> engine = QuorumEngine(QuorumParams(latency="constant"), seed=1)
>>> _ = engine.apply({"action": "crash", "node": engine.home("cart")[0]})
>>> _ = engine.apply({"action": "put", "key": "cart", "value": "milk"})
>>> _ = engine.apply({"action": "run"})
>>> [h["hint_for"] is not None for h in engine.state()["keys"][0]["holders"]].count(True)
1
>>> _ = engine.apply({"action": "restart", "node": engine.home("cart")[0]})
>>> _ = engine.apply({"action": "run"})
>>> [h["hint_for"] for h in engine.state()["keys"][0]["holders"]]
[None, None, None]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from algorithms.engine import (
    CommandError,
    Event,
    check_bool,
    check_choice,
    check_fields,
    check_float,
    check_name,
    move,
)
from algorithms.quorum.base import (
    MAX_KEYS,
    MAX_LEGS,
    MAX_REQUESTS,
    MAX_TICK_MS,
    MAX_VALUE,
    node_names,
)
from algorithms.quorum.faults import QuorumFaults
from algorithms.quorum.lookups import QuorumLookUps
from algorithms.quorum.messages import CLIENTS
from algorithms.quorum.params import QuorumParams  # noqa: F401  (the examples use it)
from algorithms.quorum.view import state_json

__all__ = ["MAX_KEYS", "MAX_LEGS", "MAX_REQUESTS", "QuorumEngine", "node_names"]


class QuorumEngine(QuorumFaults, QuorumLookUps):
    """A Dynamo cluster of ``nodes`` servers with ``(N, R, W)`` quorums on the kernel.

    The commands are declared here (requests and time), in
    :class:`~algorithms.quorum.faults.QuorumFaults` and in
    :class:`~algorithms.quorum.lookups.QuorumLookUps`.

    Commands
    --------
    Moves: ``put`` {key, value, coordinator?, client?, blind?}; ``get`` {key,
    coordinator?, client?}; ``reconcile`` {key, value, client?}; ``next_event``; ``tick``
    {ms}; ``run``; ``crash`` / ``restart`` {node}; ``partition`` {nodes}; ``heal``;
    ``drop`` {message}; ``delay`` {message, ms}; ``anti_entropy`` {a, b, depth?}.
    Look-ups: ``which_nodes`` {key}; ``p_consistent`` {t, trials?}; ``measure`` {t,
    pairs?} (PBS's experiment on a copy of the live cluster).
    A put carries the client's context (the versions its last get of the key returned)
    unless ``blind``; the coordinator defaults to the first reachable home node.

    Examples
    --------
    >>> e = QuorumEngine(QuorumParams(n=3, r=2, w=2, latency="exponential"), seed=4)
    >>> _ = e.apply({"action": "put", "key": "k", "value": "v1"})
    >>> _ = e.apply({"action": "run"})
    >>> _ = e.apply({"action": "get", "key": "k"}); _ = e.apply({"action": "run"})
    >>> [v["value"] for v in e.state()["requests"][-1]["result"]]
    ['v1']
    """

    # -- client requests ---------------------------------------------------------------

    def _put(
        self, command: Mapping[str, Any], key: str, value: str, client: str, blind: bool
    ) -> list[Event]:
        coordinator = self._coordinator(command, key, client)
        self._room(4 * len(self.cluster.nodes))
        context = () if blind else self.contexts.get((client, key), ())
        self._use_key(key)
        req = self.cluster.put(client, key, value, coordinator, tuple(context))
        ctx = (
            f"with the context of its last get ({len(context)} version(s))"
            if context
            else ("with no context")
        )
        return [
            Event(
                "put",
                f"{client} sends put #{req.id} ({key} = {value!r}) to {coordinator} {ctx}.",
                {"request": req.id},
            ),
            *self._events(),
        ]

    @move("put")
    def do_put(self, command: Mapping[str, Any]) -> list[Event]:
        """``put`` {key, value, coordinator?, client?, blind?}: a client writes."""
        check_fields(command, ("key", "value"), ("coordinator", "client", "blind"))
        key = self._key(command["key"])
        value = check_name("value", command["value"], MAX_VALUE)
        client = check_choice("client", command.get("client", "C1"), CLIENTS)
        blind = check_bool("blind", command.get("blind", False))
        return self._put(command, key, value, client, blind)

    @move("reconcile")
    def do_reconcile(self, command: Mapping[str, Any]) -> list[Event]:
        """``reconcile`` {key, value, client?}: the client merges the siblings it read."""
        check_fields(command, ("key", "value"), ("client",))
        key = self._key(command["key"], new=False)
        value = check_name("value", command["value"], MAX_VALUE)
        client = check_choice("client", command.get("client", "C1"), CLIENTS)
        read = self.contexts.get((client, key), ())
        if len(read) < 2:
            raise CommandError(
                "key",
                key,
                f"must have siblings in {client}'s last get (it read {len(read)} version(s))",
            )
        return self._put(command, key, value, client, False)

    @move("get")
    def do_get(self, command: Mapping[str, Any]) -> list[Event]:
        """``get`` {key, coordinator?, client?}: a client reads every current version."""
        check_fields(command, ("key",), ("coordinator", "client"))
        key = self._key(command["key"])
        client = check_choice("client", command.get("client", "C1"), CLIENTS)
        coordinator = self._coordinator(command, key, client)
        self._room(4 * len(self.cluster.nodes))
        self._use_key(key)
        req = self.cluster.get(client, key, coordinator)
        return [
            Event(
                "get",
                f"{client} sends get #{req.id} of {key} to {coordinator}.",
                {"request": req.id},
            ),
            *self._events(),
        ]

    # -- time --------------------------------------------------------------------------

    def _after(self, events: list[Event]) -> list[Event]:
        for req in self.cluster.requests:
            if req.kind == "get" and req.status == "ok":
                self.contexts[(req.client, req.key)] = req.result
        return events

    def step(self) -> list[Event]:
        """Run the next event (a message arriving or a timeout); ``[]`` if none is left."""
        if self.cluster.net.peek() is None:
            return []
        return self.do_next_event({"action": "next_event"})

    @move("next_event")
    def do_next_event(self, command: Mapping[str, Any]) -> list[Event]:
        """``next_event``: the next message arrives (or a timeout fires)."""
        check_fields(command, ())
        event = self.cluster.step()
        if event is None:
            return [Event("idle", "Nothing is in flight.", {})]
        head = Event("time", f"Time {self.cluster.now:.3f} ms.", {"now": self.cluster.now})
        return self._after([head, *self._events()])

    @move("tick")
    def do_tick(self, command: Mapping[str, Any]) -> list[Event]:
        """``tick`` {ms}: every event due in the next ``ms`` runs."""
        check_fields(command, ("ms",))
        ms = check_float("ms", command["ms"], 0.001, MAX_TICK_MS)
        until = self.cluster.now + ms
        while self.cluster.step(until) is not None:
            pass
        self.cluster.net.run_until(until)
        self.cluster.start_handoffs()
        head = Event("time", f"Time advances to {until:.3f} ms.", {"now": until})
        return self._after([head, *self._events()])

    @move("run")
    def do_run(self, command: Mapping[str, Any]) -> list[Event]:
        """``run``: every event runs until nothing is in flight."""
        check_fields(command, ())
        ran = self.cluster.run_until_quiet()
        head = Event(
            "time",
            f"{ran} event(s) run; time {self.cluster.now:.3f} ms.",
            {"now": self.cluster.now},
        )
        return self._after([head, *self._events()])

    # -- view --------------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """Nodes, legs, requests, keys with their holders, staleness and the PBS curve."""
        # Costly (every key's holders, every leg): drawn once per version, then copied.
        return self.memo("state", self._draw)

    def _draw(self) -> dict[str, Any]:
        shown = None
        if self.selected is not None:
            order = self.cluster.preference_list(self.selected)
            shown = {
                "key": self.selected,
                "preference_list": order,
                "home": order[: self.params.n],
                "holders": self.cluster.holders(self.selected),
            }
        extra = {
            "selected": shown,
            "pbs": self._pbs,
            "measured": self.measured,
            "anti_entropy": self.anti_entropy,
            "answer": self.answer,
        }
        return state_json(self.cluster, self.params, self.keys, extra)
