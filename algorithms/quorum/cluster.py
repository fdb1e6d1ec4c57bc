"""A Dynamo cluster on the message-passing kernel (DeCandia et al., SOSP 2007, §4.5-4.7).

Every leg of a request is a kernel message whose delay is drawn from the seed with the
chosen latency model (Bailis et al., VLDB 2012, §5: W, A, R and S legs):

- ``put``: client -> coordinator, coordinator -> each write target (``write``, the W
  leg), each target -> coordinator (``write_ack``, the A leg), coordinator -> client
  once ``W`` acknowledgements are in. The coordinator, when it is a target, writes
  locally and counts as one of the ``W`` (§4.5).
- ``get``: client -> coordinator, ``read`` (R leg) and ``read_reply`` (S leg) with every
  target, the answer to the client once ``R`` replies are in: every version no other
  descends from (§4.4). Replies arriving later, up to all targets, let the coordinator
  send a ``repair`` to each replica that answered with less (read repair, §5).
- The targets are the first ``N`` nodes of the key's *extended* preference list that are
  up and reachable from the coordinator (§4.6, sloppy quorum). A node past the first
  ``N`` stands in for a skipped one: it keeps the write as a *hint* naming that owner,
  and sends it on (``handoff``) once the owner is reachable; on the owner's
  ``handoff_ack`` it deletes the hint.

Stores and hints are durable: a crash loses only what is in flight and the requests
the crashed node coordinates.

Examples
--------
>>> from algorithms.quorum.latency import latency_model
>>> c = Cluster(("A", "B", "C", "D"), 3, 2, 2, latency_model("constant", 1.0), seed=1)
>>> put = c.put("C1", "cart", "milk", c.preference_list("cart")[0])
>>> _ = c.run_until_quiet()
>>> put.status, len(c.holders("cart"))
('ok', 3)
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from typing import Literal

from algorithms.engine import CommandError
from algorithms.kernel import Message, Timer
from algorithms.quorum.latency import WARSModel
from algorithms.quorum.messages import CLIENTS, Leg, LegRecord, Request
from algorithms.quorum.replicas import VNODES, Replicas
from algorithms.quorum.versions import Version, covers, merge_versions, new_version

__all__ = ["CLIENTS", "VNODES", "Cluster"]


class Cluster(Replicas):
    """Nodes on a ring, each key replicated on ``n`` of them, with coordinators, on the kernel.

    The ring, the stores and hinted handoff are those of :class:`~.replicas.Replicas`,
    whose parameters it takes; this adds the clients' requests and the coordinators'
    quorums.
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
        super().__init__(nodes, n, r, w, model, seed, timeout_ms)
        self.requests: list[Request] = []
        self.writes = 0
        self.committed: dict[str, list[tuple[float, Version]]] = {}

    # -- reading ---------------------------------------------------------------------

    def latest_committed(self, key: str, at: float) -> tuple[float, Version] | None:
        """The last write of ``key`` committed (W acks in) by time ``at``."""
        done = [c for c in self.committed.get(key, []) if c[0] <= at]
        return max(done, key=lambda c: (c[0], c[1].write)) if done else None

    # -- client requests ---------------------------------------------------------------

    def put(
        self, client: str, key: str, value: str, coordinator: str, context: tuple[Version, ...] = ()
    ) -> Request:
        """The client sends a put to ``coordinator``."""
        return self._request("put", client, key, value, coordinator, context)

    def get(self, client: str, key: str, coordinator: str) -> Request:
        """The client sends a get to ``coordinator``."""
        return self._request("get", client, key, None, coordinator, ())

    def probe_get(self, key: str, coordinator: str) -> Request:
        """A get that starts at ``coordinator`` now (its client sits beside it): PBS's
        read, started a chosen time after a commit."""
        req = Request(
            len(self.requests) + 1, "get", CLIENTS[1], coordinator, key, None, (), self.now
        )
        self.requests.append(req)
        self._on_get(CLIENTS[1], coordinator, Leg("get", req.id, key))
        return req

    def _request(
        self,
        kind: Literal["put", "get"],
        client: str,
        key: str,
        value: str | None,
        coordinator: str,
        context: tuple[Version, ...],
    ) -> Request:
        req = Request(
            len(self.requests) + 1, kind, client, coordinator, key, value, context, self.now
        )
        self.requests.append(req)
        self._send(client, coordinator, Leg(kind, req.id, key), 0)
        return req

    # -- the kernel --------------------------------------------------------------------

    def step(self, until: float | None = None) -> Message[Leg] | Timer[Leg] | None:
        """Run the next event (due by ``until``), then start any handoff now possible."""
        event = self.net.next_event(until)
        if isinstance(event, Message):
            self._on_message(event)
        elif isinstance(event, Timer):
            self._on_timeout(event.payload.request)
        if event is not None:
            self.start_handoffs()
        return event

    def run_until_quiet(self, limit: int = 5_000) -> int:
        """Run events until none is left (at most ``limit``); return how many ran."""
        ran = 0
        while ran < limit and self.step() is not None:
            ran += 1
        return ran

    def _on_message(self, m: Message[Leg]) -> None:
        record = self.legs[m.id]
        record.status, record.received_at = m.status, m.delivered_at
        leg = m.payload
        if m.status != "delivered":
            self._lost(m)
            return
        _LEG_HANDLERS[leg.kind](self, m.src, m.dst, leg)

    def _lost(self, m: Message[Leg]) -> None:
        leg = m.payload
        if m.id in self._pending_handoff:
            self._handing.discard(self._pending_handoff.pop(m.id))
        elif leg.kind == "handoff_ack":
            self._handing.discard((m.dst, leg.owner or "", leg.key))
        elif leg.kind in ("put", "get"):
            req = self.requests[leg.request - 1]
            req.status, req.done_at = "failed", self.now
            req.reason = "it never reached its coordinator"
        self._note(
            "lost",
            f"The {leg.kind.replace('_', ' ')} from {m.src} to {m.dst} is lost "
            f"({m.dst} is down or cut off).",
            message=m.id,
        )

    # -- coordinator -------------------------------------------------------------------

    def _on_put(self, client: str, coord: str, leg: Leg) -> None:
        req = self.requests[leg.request - 1]
        req.status, req.started_at = "coordinating", self.now
        self.writes += 1
        req.version = new_version(req.context, coord, req.value or "", self.writes)
        req.targets = self.targets(req.key, coord, sloppy=True)
        req.timer = self.net.schedule_timer(
            coord, self.now + self.timeout_ms, Leg("put", req.id, req.key)
        ).id
        versions = (req.version,)
        for node, owner in req.targets:
            if node == coord:  # the coordinator writes locally and counts as one of the W
                self._keep(node, req.key, versions, owner)
                req.acks.append(node)
            else:
                self._send(
                    coord,
                    node,
                    Leg("write", req.id, req.key, versions, owner),
                    self._rank(req.key, node),
                )
        self._note(
            "coordinate",
            f"{coord} coordinates put #{req.id} of {req.key}: version "
            f"{req.version.label}, sent to "
            + ", ".join(n + (f" (hint for {o})" if o else "") for n, o in req.targets)
            + ".",
            request=req.id,
        )
        self._check_put(req)

    def _check_put(self, req: Request) -> None:
        if req.status == "coordinating" and len(req.acks) >= self.w and req.version:
            req.status, req.committed_at = "ok", self.now
            self.committed.setdefault(req.key, []).append((self.now, req.version))
            self._note(
                "commit",
                f"Put #{req.id} commits at {req.coordinator} with {len(req.acks)} "
                f"of W={self.w} acknowledgements ({', '.join(req.acks)}).",
                request=req.id,
            )
            self._send(req.coordinator, req.client, Leg("put_ok", req.id, req.key), 0)
            self._stop_timer(req)

    def _stop_timer(self, req: Request) -> None:
        # A finished request needs no timeout: the run goes quiet when its legs are in.
        if req.timer is not None and req.coordinator not in self.net.crashed:
            with contextlib.suppress(CommandError):
                self.net.cancel_timer(req.timer)
        req.timer = None

    def _on_write_ack(self, node: str, coord: str, leg: Leg) -> None:
        req = self.requests[leg.request - 1]
        if node not in req.acks:
            req.acks.append(node)
        self._check_put(req)

    def _on_get(self, client: str, coord: str, leg: Leg) -> None:
        req = self.requests[leg.request - 1]
        req.status, req.started_at = "coordinating", self.now
        req.targets = self.targets(req.key, coord, sloppy=True)
        req.timer = self.net.schedule_timer(
            coord, self.now + self.timeout_ms, Leg("get", req.id, req.key)
        ).id
        for node, _ in req.targets:
            if node == coord:
                req.replies[node] = self.held(node, req.key)
            else:
                self._send(coord, node, Leg("read", req.id, req.key), self._rank(req.key, node))
        self._note(
            "coordinate",
            f"{coord} coordinates get #{req.id} of {req.key}: reads from "
            f"{', '.join(n for n, _ in req.targets)}.",
            request=req.id,
        )
        self._check_get(req)

    def _on_read_reply(self, node: str, coord: str, leg: Leg) -> None:
        req = self.requests[leg.request - 1]
        req.replies[node] = leg.versions
        self._check_get(req)

    def _check_get(self, req: Request) -> None:
        if req.status == "coordinating" and len(req.replies) >= self.r:
            req.status, req.done_at = "ok", self.now
            req.result = merge_versions(*req.replies.values())
            start = req.started_at if req.started_at is not None else self.now
            last = self.latest_committed(req.key, start)
            if last is not None:
                req.since_commit = start - last[0]
                req.stale = not covers(req.result, last[1])
            self._note(
                "answer",
                f"Get #{req.id} has {len(req.replies)} of R={self.r} replies: "
                f"{len(req.result)} version(s), "
                + ", ".join(v.label for v in req.result)
                + (" (STALE: the latest committed write is missing)." if req.stale else "."),
                request=req.id,
            )
            self._send(req.coordinator, req.client, Leg("get_ok", req.id, req.key, req.result), 0)
        if req.status == "ok" and len(req.replies) == len(req.targets) and not req.repaired:
            self._read_repair(req)

    def _read_repair(self, req: Request) -> None:
        self._stop_timer(req)
        merged = merge_versions(*req.replies.values())
        stand_ins = {node for node, owner in req.targets if owner is not None}
        for node, versions in sorted(req.replies.items()):
            # A stand-in's copy is a hint for its owner: repair the home replicas only.
            if node not in stand_ins and set(versions) != set(merged):
                req.repaired.append(node)
                if node == req.coordinator:
                    self._keep(node, req.key, merged, None)
                else:
                    self._send(
                        req.coordinator,
                        node,
                        Leg("repair", req.id, req.key, merged),
                        self._rank(req.key, node),
                    )
        if req.repaired:
            self._note(
                "read_repair",
                f"Read repair: {req.coordinator} sends "
                f"{', '.join(v.label for v in merged)} to the stale "
                f"{', '.join(req.repaired)}.",
                request=req.id,
            )
        else:
            req.repaired.append("")  # every reply was current: nothing to repair

    def _on_timeout(self, request: int) -> None:
        req = self.requests[request - 1]
        if req.status == "coordinating":
            req.status, req.done_at = "failed", self.now
            got = len(req.acks) if req.kind == "put" else len(req.replies)
            need = self.w if req.kind == "put" else self.r
            req.reason = f"only {got} of {need} answers within {self.timeout_ms:g} ms"
            self._note(
                "fail",
                f"{req.kind.capitalize()} #{req.id} fails at {req.coordinator}: {req.reason}.",
                request=req.id,
            )
        elif req.kind == "get" and req.status == "ok" and not req.repaired:
            self._read_repair(req)

    def _on_put_ok(self, coord: str, client: str, leg: Leg) -> None:
        self.requests[leg.request - 1].done_at = self.now

    def _on_get_ok(self, coord: str, client: str, leg: Leg) -> None:
        pass  # the client's context is read by the engine from the request's result

    # -- faults ------------------------------------------------------------------------

    def crash(self, node: str) -> None:
        """``node`` crashes: requests it coordinates fail; its store and hints survive."""
        self.net.crash(node)
        for req in self.requests:
            if req.coordinator == node and req.status in ("sent", "coordinating"):
                req.status, req.done_at, req.reason = "failed", self.now, "its coordinator crashed"

    def pending(self) -> Iterable[LegRecord]:
        """The legs still in flight."""
        return (self.legs[m.id] for m in self.net.in_flight())


# What a node does when a leg of each kind reaches it: (cluster, src, dst, leg).
_LEG_HANDLERS: dict[str, Callable[[Cluster, str, str, Leg], None]] = {
    "put": Cluster._on_put,
    "write": Cluster._on_write,
    "write_ack": Cluster._on_write_ack,
    "put_ok": Cluster._on_put_ok,
    "get": Cluster._on_get,
    "read": Cluster._on_read,
    "read_reply": Cluster._on_read_reply,
    "get_ok": Cluster._on_get_ok,
    "repair": Cluster._on_repair,
    "handoff": Cluster._on_handoff,
    "handoff_ack": Cluster._on_handoff_ack,
}
