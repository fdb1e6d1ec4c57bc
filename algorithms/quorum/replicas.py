"""Dynamo's replicas on the kernel: the ring, the stores, the hints and their handoff.

DeCandia et al., "Dynamo: Amazon's Highly Available Key-value Store", SOSP 2007:
§4.3 (each key's preference list on the ring), §4.6 (sloppy quorum: a node past the
first ``N`` stands in for a skipped one and keeps the write as a *hint* naming that
owner, then hands it off once the owner is reachable; on the owner's ``handoff_ack``
it deletes the hint). Stores and hints are durable: a crash loses only what is in
flight. :class:`~algorithms.quorum.cluster.Cluster` adds the coordinators on top.

Examples
--------
>>> from algorithms.quorum.latency import latency_model
>>> r = Replicas(("A", "B", "C", "D"), 3, 2, 2, latency_model("constant", 1.0), seed=1)
>>> order = r.preference_list("cart")
>>> _ = r.net.crash(order[0]); [(node, owner) for node, owner in r.targets("cart", order[1], True)]
[('B', None), ('A', None), ('C', 'D')]
"""

from __future__ import annotations

import random
from typing import Any

from algorithms._ring import HashRing
from algorithms.kernel import Network
from algorithms.quorum.latency import WARSModel
from algorithms.quorum.messages import CLIENTS, WARS_LEG, Leg, LegDelay, LegRecord
from algorithms.quorum.versions import Version, covers, merge_versions

__all__ = ["VNODES", "Replicas"]

VNODES = 8
"""Tokens per node on the ring."""


class Replicas:
    """Nodes on a ring, each key replicated on ``n`` of them; what each node stores.

    Parameters
    ----------
    nodes : tuple of str
        The servers' names, placed on an MD5 ring with 8 tokens each.
    n, r, w : int
        Replicas per key, read and write quorums (validated by the caller).
    model : WARSModel
        Draws each leg's delay in ms.
    seed : int
        Seeds the kernel's ``random.Random``.
    timeout_ms : float
        How long a coordinator waits for its quorum before the request fails.
    """

    def __init__(
        self,
        nodes: tuple[str, ...],
        n: int,
        r: int,
        w: int,
        model: WARSModel,
        seed: int,
        timeout_ms: float = 1_000.0,
    ) -> None:
        self.nodes, self.n, self.r, self.w, self.model = nodes, n, r, w, model
        self.timeout_ms = timeout_ms
        self.ring = HashRing(vnodes=VNODES, nodes=nodes)
        self.net: Network[Leg] = Network((*CLIENTS, *nodes), fifo=False, rng=random.Random(seed))
        self.store: dict[str, dict[str, tuple[Version, ...]]] = {x: {} for x in nodes}
        self.hints: dict[str, dict[tuple[str, str], tuple[Version, ...]]] = {x: {} for x in nodes}
        self.legs: dict[int, LegRecord] = {}
        self.hints_made: list[tuple[str, str, str, Version]] = []  # holder, owner, key, version
        self.handoffs_done: list[tuple[str, str, str, float]] = []
        self._pending_handoff: dict[int, tuple[str, str, str]] = {}
        self._handing: set[tuple[str, str, str]] = set()
        self.log: list[tuple[str, str, dict[str, Any]]] = []

    # -- reading ---------------------------------------------------------------------

    @property
    def now(self) -> float:
        """The kernel's clock, in ms."""
        return self.net.now

    def preference_list(self, key: str) -> list[str]:
        """Every node, in the key's preference-list order (§4.3); the first ``n`` are home."""
        return self.ring.preference_list(key, len(self.nodes))

    def up(self, node: str) -> bool:
        """Whether ``node`` has not crashed."""
        return node not in self.net.crashed

    def reachable(self, a: str, b: str) -> bool:
        """Whether ``b`` is up and on ``a``'s side of every partition."""
        return self.up(b) and self.net.connected(a, b)

    def targets(self, key: str, coordinator: str, sloppy: bool) -> list[tuple[str, str | None]]:
        """The first ``n`` reachable nodes of the extended preference list, each with the
        home node it stands in for (``None`` for a home node)."""
        order = self.preference_list(key)
        home, rest = order[: self.n], order[self.n :]
        chosen: list[tuple[str, str | None]] = []
        skipped: list[str] = []
        for node in home:
            if self.reachable(coordinator, node):
                chosen.append((node, None))
            else:
                skipped.append(node)
        if sloppy:
            for node in rest:
                if not skipped:
                    break
                if self.reachable(coordinator, node):
                    chosen.append((node, skipped.pop(0)))
        return chosen

    def holders(self, key: str) -> list[dict[str, Any]]:
        """Who holds which versions of ``key``: home copies and hinted ones."""
        out: list[dict[str, Any]] = []
        for node in self.preference_list(key):
            held = self.store[node].get(key)
            if held:
                out.append(
                    {"node": node, "versions": [v.to_json() for v in held], "hint_for": None}
                )
            for (k, owner), versions in sorted(self.hints[node].items()):
                if k == key:
                    out.append(
                        {
                            "node": node,
                            "versions": [v.to_json() for v in versions],
                            "hint_for": owner,
                        }
                    )
        return out

    def held(self, node: str, key: str) -> tuple[Version, ...]:
        """What ``node`` answers a read of ``key`` with: its copy and any hinted ones."""
        hinted = [v for (k, _), vs in self.hints[node].items() if k == key for v in vs]
        return merge_versions(self.store[node].get(key, ()), hinted)

    # -- the kernel --------------------------------------------------------------------

    def _send(self, src: str, dst: str, leg: Leg, replica: int) -> None:
        self.net.delay_model = LegDelay(self.model, WARS_LEG[leg.kind], replica)
        m = self.net.send(src, dst, leg)
        self.legs[m.id] = LegRecord(
            m.id, leg.kind, src, dst, leg.request, leg.key, m.sent_at, m.due, owner=leg.owner
        )

    def _rank(self, key: str, node: str) -> int:
        return self.preference_list(key).index(node)

    def _note(self, kind: str, text: str, **data: Any) -> None:
        self.log.append((kind, text, data))

    # -- replicas ----------------------------------------------------------------------

    def _keep(self, node: str, key: str, versions: tuple[Version, ...], owner: str | None) -> None:
        if owner is None:
            self.store[node][key] = merge_versions(self.store[node].get(key, ()), versions)
        else:
            slot = (key, owner)
            self.hints[node][slot] = merge_versions(self.hints[node].get(slot, ()), versions)
            for v in versions:
                self.hints_made.append((node, owner, key, v))

    def _on_write(self, coord: str, node: str, leg: Leg) -> None:
        self._keep(node, leg.key, leg.versions, leg.owner)
        self._send(node, coord, Leg("write_ack", leg.request, leg.key), self._rank(leg.key, node))

    def _on_read(self, coord: str, node: str, leg: Leg) -> None:
        self._send(
            node,
            coord,
            Leg("read_reply", leg.request, leg.key, self.held(node, leg.key)),
            self._rank(leg.key, node),
        )

    def _on_repair(self, coord: str, node: str, leg: Leg) -> None:
        self._keep(node, leg.key, leg.versions, None)

    # -- hinted handoff (§4.6) ---------------------------------------------------------

    def start_handoffs(self) -> None:
        """Every holder sends each hint whose owner it can reach and is not sending yet."""
        for holder in self.nodes:
            if not self.up(holder):
                continue
            for (key, owner), versions in sorted(self.hints[holder].items()):
                slot = (holder, owner, key)
                if slot in self._handing or not self.reachable(holder, owner):
                    continue
                self._handing.add(slot)
                self._send(
                    holder, owner, Leg("handoff", 0, key, versions, owner), self._rank(key, owner)
                )
                self._pending_handoff[max(self.legs)] = slot
                self._note(
                    "handoff",
                    f"{owner} is reachable again: {holder} hands off its hint "
                    f"of {key} ({', '.join(v.label for v in versions)}).",
                    holder=holder,
                )

    def _on_handoff(self, holder: str, owner: str, leg: Leg) -> None:
        self._keep(owner, leg.key, leg.versions, None)
        self._send(
            owner,
            holder,
            Leg("handoff_ack", 0, leg.key, leg.versions, owner),
            self._rank(leg.key, owner),
        )

    def _on_handoff_ack(self, owner: str, holder: str, leg: Leg) -> None:
        slot = (leg.key, owner)
        for mid, pending in list(self._pending_handoff.items()):
            if pending == (holder, owner, leg.key):
                del self._pending_handoff[mid]
        self._handing.discard((holder, owner, leg.key))
        left = tuple(v for v in self.hints[holder].get(slot, ()) if not covers(leg.versions, v))
        if left:
            self.hints[holder][slot] = left
        else:
            self.hints[holder].pop(slot, None)
        self.handoffs_done.append((holder, owner, leg.key, self.now))
        self._note(
            "handoff_done",
            f"{owner} has the hinted {leg.key}: {holder} deletes its hint.",
            holder=holder,
        )

    def forget_leg(self, msg_id: int) -> None:
        """A message was dropped by the student: a handoff in progress may be retried."""
        if msg_id in self._pending_handoff:
            self._handing.discard(self._pending_handoff.pop(msg_id))
        leg = self.legs[msg_id]
        if leg.kind == "handoff_ack":
            self._handing.discard((leg.dst, leg.owner or "", leg.key))
