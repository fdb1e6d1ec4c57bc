"""The quorum lab's faults and anti-entropy: crash, restart, partition, heal, drop, delay.

DeCandia et al., "Dynamo", SOSP 2007: §4.6 (a crashed node's writes go to a stand-in
as hints, handed off when it is back), §4.7 (Merkle-tree anti-entropy between two
replicas). Every fault is a move on the timeline, applied to the kernel's network.

Examples
--------
>>> from algorithms.quorum import QuorumEngine
>>> from algorithms.quorum.params import QuorumParams
>>> engine = QuorumEngine(QuorumParams(latency="constant"), seed=1)
>>> print(engine.apply({"action": "partition", "nodes": ["A"]})[0].text)
The network splits: A are cut off from the clients and the other nodes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from algorithms.engine import CommandError, Event, check_fields, check_float, check_int, move
from algorithms.quorum.base import MAX_TICK_MS, QuorumBase
from algorithms.quorum.view import anti_entropy_round

__all__ = ["QuorumFaults"]


class QuorumFaults(QuorumBase):
    """The fault moves and anti-entropy of :class:`~algorithms.quorum.QuorumEngine`."""

    @move("crash")
    def do_crash(self, command: Mapping[str, Any]) -> list[Event]:
        """``crash`` {node}: it stops; what arrives is lost; its store survives."""
        check_fields(command, ("node",))
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
        check_fields(command, ("node",))
        node = self._node("node", command["node"])
        if self.cluster.up(node):
            raise CommandError("node", node, "must have crashed to restart")
        self.cluster.net.restart(node)
        self.cluster.start_handoffs()
        return [Event("restart", f"{node} restarts.", {"node": node}), *self._events()]

    @move("partition")
    def do_partition(self, command: Mapping[str, Any]) -> list[Event]:
        """``partition`` {nodes}: cut these nodes off from the rest (clients stay outside)."""
        check_fields(command, ("nodes",))
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
        check_fields(command, ())
        self.cluster.net.heal()
        self.cluster.start_handoffs()
        return [Event("heal", "The partition heals.", {}), *self._events()]

    @move("drop")
    def do_drop(self, command: Mapping[str, Any]) -> list[Event]:
        """``drop`` {message}: the network loses one message in flight."""
        check_fields(command, ("message",))
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
        check_fields(command, ("message", "ms"))
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
        check_fields(command, ("a", "b"), ("depth",))
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
