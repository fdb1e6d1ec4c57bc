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

from collections.abc import Mapping, Sequence
from typing import Any

from algorithms.engine import (
    CommandError,
    Event,
    LabEngine,
    check_bool,
    check_choice,
    check_float,
    check_int,
    check_name,
    look_up,
    move,
)
from algorithms.quorum.cluster import Cluster
from algorithms.quorum.limits import MAX_T_MS, check_trials
from algorithms.quorum.messages import CLIENTS
from algorithms.quorum.params import QuorumParams
from algorithms.quorum.staleness import measure_visibility, pbs_curve
from algorithms.quorum.view import anti_entropy_round, state_json
from algorithms.quorum.wars import t_visibility

__all__ = ["MAX_KEYS", "MAX_LEGS", "MAX_REQUESTS", "QuorumEngine"]

MAX_REQUESTS = 300
"""The most client requests in one run."""

MAX_LEGS = 5_000
"""The most messages in one run."""

MAX_KEYS = 50
"""The most distinct keys in one run."""

MAX_VALUE = 40
"""The longest value text."""

MAX_TICK_MS = 100_000.0
"""The longest single tick."""

MAX_LOOKUP_TRIALS = 200_000
"""The most Monte Carlo trials one ``p_consistent`` look-up runs."""

MAX_MEASURE_PAIRS = 200
"""The most write-then-read pairs one ``measure`` look-up runs on a copy of the cluster."""


def node_names(count: int) -> tuple[str, ...]:
    """``A``, ``B``, ... ``Z``, then ``N27``, ``N28``, ...

    Examples
    --------
    >>> node_names(3), node_names(28)[-1]
    (('A', 'B', 'C'), 'N28')
    """
    return tuple(chr(65 + i) if i < 26 else f"N{i + 1}" for i in range(count))


class QuorumEngine(LabEngine[QuorumParams]):
    """A Dynamo cluster of ``nodes`` servers with ``(N, R, W)`` quorums on the kernel.

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

    def __init__(self, params: QuorumParams, seed: int) -> None:
        super().__init__(params, seed)
        names = node_names(params.nodes)
        timeout = (
            1_000.0
            if params.latency not in ("constant", "exponential")
            else (20 * params.latency_ms)
        )
        self.cluster = Cluster(
            names, params.n, params.r, params.w, params.model(), seed, timeout_ms=timeout
        )
        self.keys: list[str] = []
        self.contexts: dict[tuple[str, str], tuple[Any, ...]] = {}
        self.selected: str | None = None
        self.anti_entropy: dict[str, Any] | None = None
        self.answer: dict[str, Any] | None = None
        self.measured: list[dict[str, Any]] = []
        self._logged = 0
        self._pbs = pbs_curve(params, seed)

    # -- helpers -----------------------------------------------------------------------

    def home(self, key: str) -> list[str]:
        """The key's first ``N`` nodes in preference-list order (its home replicas)."""
        return self.cluster.preference_list(key)[: self.params.n]

    @staticmethod
    def _fields(
        command: Mapping[str, Any], required: Sequence[str], optional: Sequence[str] = ()
    ) -> None:
        allowed = {"action", *required, *optional}
        for key in command:
            if key not in allowed:
                takes = ", ".join([*required, *optional]) or "no fields"
                raise CommandError(
                    str(key),
                    command[key],
                    f"is not a field of {command['action']} (it takes {takes})",
                )
        for key in required:
            if key not in command:
                raise CommandError(key, None, f"is required by {command['action']}")

    def _node(self, field: str, value: object) -> str:
        if value not in self.cluster.nodes:
            raise CommandError(
                field, value, f"must be one of the nodes {', '.join(self.cluster.nodes)}"
            )
        return str(value)

    def _key(self, value: object, new: bool = True) -> str:
        key = check_name("key", value, 20)
        if key not in self.keys and new and len(self.keys) >= MAX_KEYS:
            raise CommandError("key", key, f"must be one of the {MAX_KEYS} keys in use")
        return key

    def _room(self, legs: int) -> None:
        if len(self.cluster.requests) >= MAX_REQUESTS:
            raise CommandError(
                "requests", len(self.cluster.requests), f"must stay within {MAX_REQUESTS} in a run"
            )
        if len(self.cluster.legs) + legs > MAX_LEGS:
            raise CommandError(
                "messages", len(self.cluster.legs), f"must stay within {MAX_LEGS:,} in a run"
            )

    def _coordinator(self, command: Mapping[str, Any], key: str, client: str) -> str:
        if command.get("coordinator") is not None:
            node = self._node("coordinator", command["coordinator"])
            if not self.cluster.reachable(client, node):
                raise CommandError("coordinator", node, f"must be up and reachable from {client}")
            return node
        for node in self.cluster.preference_list(key):
            if self.cluster.reachable(client, node):
                return node
        raise CommandError("key", key, "needs at least one reachable node to coordinate")

    def _events(self) -> list[Event]:
        log = self.cluster.log
        out = [Event(kind, text, data) for kind, text, data in log[self._logged :]]
        self._logged = len(log)
        return out

    def _use_key(self, key: str) -> None:
        if key not in self.keys:
            self.keys.append(key)
        self.selected = key

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
        self._fields(command, ("key", "value"), ("coordinator", "client", "blind"))
        key = self._key(command["key"])
        value = check_name("value", command["value"], MAX_VALUE)
        client = check_choice("client", command.get("client", "C1"), CLIENTS)
        blind = check_bool("blind", command.get("blind", False))
        return self._put(command, key, value, client, blind)

    @move("reconcile")
    def do_reconcile(self, command: Mapping[str, Any]) -> list[Event]:
        """``reconcile`` {key, value, client?}: the client merges the siblings it read."""
        self._fields(command, ("key", "value"), ("client",))
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
        self._fields(command, ("key",), ("coordinator", "client"))
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
        self._fields(command, ())
        event = self.cluster.step()
        if event is None:
            return [Event("idle", "Nothing is in flight.", {})]
        head = Event("time", f"Time {self.cluster.now:.3f} ms.", {"now": self.cluster.now})
        return self._after([head, *self._events()])

    @move("tick")
    def do_tick(self, command: Mapping[str, Any]) -> list[Event]:
        """``tick`` {ms}: every event due in the next ``ms`` runs."""
        self._fields(command, ("ms",))
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
        self._fields(command, ())
        ran = self.cluster.run_until_quiet()
        head = Event(
            "time",
            f"{ran} event(s) run; time {self.cluster.now:.3f} ms.",
            {"now": self.cluster.now},
        )
        return self._after([head, *self._events()])

    # -- faults ------------------------------------------------------------------------

    @move("crash")
    def do_crash(self, command: Mapping[str, Any]) -> list[Event]:
        """``crash`` {node}: it stops; what arrives is lost; its store survives."""
        self._fields(command, ("node",))
        node = self._node("node", command["node"])
        if not self.cluster.up(node):
            raise CommandError("node", node, "must be up to crash")
        self.cluster.crash(node)
        return [
            Event(
                "crash",
                f"{node} crashes: messages to it are lost until it restarts; "
                "its stored versions and hints survive on disk.",
                {"node": node},
            )
        ]

    @move("restart")
    def do_restart(self, command: Mapping[str, Any]) -> list[Event]:
        """``restart`` {node}: it comes back; holders of its hints hand them off."""
        self._fields(command, ("node",))
        node = self._node("node", command["node"])
        if self.cluster.up(node):
            raise CommandError("node", node, "must have crashed to restart")
        self.cluster.net.restart(node)
        self.cluster.start_handoffs()
        return [Event("restart", f"{node} restarts.", {"node": node}), *self._events()]

    @move("partition")
    def do_partition(self, command: Mapping[str, Any]) -> list[Event]:
        """``partition`` {nodes}: cut these nodes off from the rest (clients stay outside)."""
        self._fields(command, ("nodes",))
        group = command["nodes"]
        if not isinstance(group, list) or not group:
            raise CommandError("nodes", group, "must be a non-empty list of nodes")
        members = [self._node("nodes", x) for x in group]
        if len(set(members)) == len(self.cluster.nodes):
            raise CommandError("nodes", group, "must leave at least one node outside")
        self.cluster.net.partition(members)
        return [
            Event(
                "partition",
                f"The network splits: {', '.join(members)} are cut off from "
                "the clients and the other nodes.",
                {"nodes": members},
            )
        ]

    @move("heal")
    def do_heal(self, command: Mapping[str, Any]) -> list[Event]:
        """``heal``: every partition ends."""
        self._fields(command, ())
        self.cluster.net.heal()
        self.cluster.start_handoffs()
        return [Event("heal", "The partition heals.", {}), *self._events()]

    @move("drop")
    def do_drop(self, command: Mapping[str, Any]) -> list[Event]:
        """``drop`` {message}: the network loses one message in flight."""
        self._fields(command, ("message",))
        m = self.cluster.net.drop(command["message"])
        record = self.cluster.legs[m.id]
        record.status, record.received_at = "dropped", self.cluster.now
        self.cluster.forget_leg(m.id)
        return [
            Event(
                "drop",
                f"The {record.kind.replace('_', ' ')} m{m.id} from {m.src} to {m.dst} is dropped.",
                {"message": m.id},
            )
        ]

    @move("delay")
    def do_delay(self, command: Mapping[str, Any]) -> list[Event]:
        """``delay`` {message, ms}: hold one message in flight longer."""
        self._fields(command, ("message", "ms"))
        ms = check_float("ms", command["ms"], 0.0, MAX_TICK_MS)
        m = self.cluster.net.message(command["message"])
        self.cluster.net.delay(m.id, ms)
        self.cluster.legs[m.id].due = m.due
        return [
            Event(
                "delay",
                f"m{m.id} ({m.src} to {m.dst}) is held {ms:g} ms longer; it is "
                f"now due at {m.due:.3f} ms.",
                {"message": m.id},
            )
        ]

    # -- anti-entropy (§4.7) -----------------------------------------------------------

    @move("anti_entropy")
    def do_anti_entropy(self, command: Mapping[str, Any]) -> list[Event]:
        """``anti_entropy`` {a, b, depth?}: compare Merkle trees of the keys both host."""
        self._fields(command, ("a", "b"), ("depth",))
        a, b = self._node("a", command["a"]), self._node("b", command["b"])
        if a == b:
            raise CommandError("b", b, "must differ from a")
        depth = check_int("depth", command.get("depth", 3), 0, 10)
        for field, x in (("a", a), ("b", b)):
            if not self.cluster.up(x):
                raise CommandError(field, x, "must be a node that is up (it has crashed)")
        if not self.cluster.net.connected(a, b):
            raise CommandError("b", b, f"must be on {a}'s side of the partition")
        shared = [k for k in self.keys if a in self.home(k) and b in self.home(k)]
        self.anti_entropy = anti_entropy_round(self.cluster, a, b, shared, depth)
        diff = self.anti_entropy
        text = (
            f"Anti-entropy between {a} and {b}: one Merkle tree per key range both replicate "
            f"({diff['ranges']} ranges, {len(shared)} keys): "
            f"{diff['hashes_exchanged']} hashes exchanged against {diff['full_comparison']} "
            "for a full comparison; "
            + (
                f"out of sync: {', '.join(diff['differing_keys'])}, now merged on both."
                if diff["differing_keys"]
                else "the roots agree, nothing to repair."
            )
        )
        return [Event("anti_entropy", text, dict(self.anti_entropy))]

    # -- look-ups ----------------------------------------------------------------------

    @look_up("which_nodes", example={"action": "which_nodes", "key": "cart"})
    def do_which_nodes(self, command: Mapping[str, Any]) -> list[Event]:
        """``which_nodes`` {key}: show the key's preference list and who holds it."""
        self._fields(command, ("key",))
        key = check_name("key", command["key"], 20)
        self.selected = key
        order = self.cluster.preference_list(key)
        held = (
            ", ".join(
                h["node"] + (f" (hint for {h['hint_for']})" if h["hint_for"] else "")
                for h in self.cluster.holders(key)
            )
            or "no node yet"
        )
        return [
            Event(
                "which_nodes",
                f"{key}: home replicas {', '.join(order[: self.params.n])}, "
                f"then {', '.join(order[self.params.n :]) or 'none'}; held by {held}.",
                {"key": key},
            )
        ]

    @look_up("p_consistent", example={"action": "p_consistent", "t": 1.0})
    def do_p_consistent(self, command: Mapping[str, Any]) -> list[Event]:
        """``p_consistent`` {t, trials?}: PBS t-visibility for these N, R, W and latency."""
        self._fields(command, ("t",), ("trials",))
        t = check_float("t", command["t"], 0.0, MAX_T_MS)
        trials = check_int("trials", command.get("trials", 20_000), 1, MAX_LOOKUP_TRIALS)
        check_trials(trials, self.params.n)
        p = self.params
        value = t_visibility(p.n, p.r, p.w, p.model(), t, trials=trials, seed=self.seed)
        self.answer = {"t": t, "trials": trials, "p_consistent": value}
        return [
            Event(
                "p_consistent",
                f"P(a read {t:g} ms after a write commits sees it) = "
                f"{value:.4f} by {trials:,} Monte Carlo trials (N={p.n}, R={p.r}, W={p.w}, "
                f"{p.latency}).",
                dict(self.answer),
            )
        ]

    @look_up("measure", example={"action": "measure", "t": 0.5, "pairs": 20})
    def do_measure(self, command: Mapping[str, Any]) -> list[Event]:
        """``measure`` {t, pairs?}: write-then-read pairs on a copy of this cluster."""
        self._fields(command, ("t",), ("pairs",))
        t = check_float("t", command["t"], 0.0, MAX_T_MS)
        pairs = check_int("pairs", command.get("pairs", 50), 1, MAX_MEASURE_PAIRS)
        found = measure_visibility(self.cluster, t, pairs)
        if found["pairs"] == 0:
            raise CommandError("t", t, "needs a write that can commit on the cluster as it is")
        self.measured = [*[m for m in self.measured if m["t"] != t][-19:], found]
        return [
            Event(
                "measure",
                f"On a copy of this cluster, {found['consistent']} of {found['pairs']} reads "
                f"started {t:g} ms after their write committed saw it "
                f"(P(consistent) = {found['p_consistent']:.3f}).",
                dict(found),
            )
        ]

    # -- view --------------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """Nodes, legs, requests, keys with their holders, staleness and the PBS curve."""
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
