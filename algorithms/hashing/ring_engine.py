"""The ring engine: Dynamo's consistent hashing ring with virtual nodes.

Karger et al., "Consistent Hashing and Random Trees", STOC 1997, and DeCandia et al.,
"Dynamo: Amazon's Highly Available Key-value Store", SOSP 2007: the ring and its tokens
(§4.2), preference lists (§4.3) and the partitioning strategies 1-3 (§6.2).

Examples
--------
>>> engine = RingEngine(ConsistentHashingParams(nodes=4, keys=1000), seed=1)
>>> [e.kind for e in engine.apply({"action": "add_node"})]
['join']
>>> move = engine.state()["last_move"]
>>> move["node"], set(move["to"]), 0 < move["moved"] < 1000
('E', {'E'}, True)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from algorithms.engine import CommandError, Event, check_fields, check_int, json_copy, move
from algorithms.hashing.figure8 import lab_figure8
from algorithms.hashing.keys import JSON, KeyedEngine, required
from algorithms.hashing.memo import Memo
from algorithms.hashing.params import (
    MAX_PARTITIONS,
    MAX_REPLICATION,
    MAX_TOKENS,
    MAX_VNODES,
    ConsistentHashingParams,
    limits,
    node_label,
)
from algorithms.hashing.placement import KeyMoves, KeyPlacement
from algorithms.hashing.replicas import replica_moves
from algorithms.hashing.ring import (
    ArcMap,
    HashRing,
    fraction_to_position,
    key_position,
    position_to_fraction,
)
from algorithms.hashing.ring_text import (
    STRATEGY_WORDS,
    change_text,
    join_text,
    leave_text,
    replica_text,
)
from algorithms.hashing.ring_view import load_theory, ring_picture
from algorithms.hashing.strategies import (
    PartitionScheme,
    hand_off_partitions,
    load_balance_efficiency,
    steal_partitions,
    strategy_3,
)
from algorithms.hashing.words import number, plural

__all__ = ["RingEngine"]


class RingEngine(KeyedEngine):
    """The consistent hashing lab on Dynamo's ring (``mode="ring"``).

    Physical nodes hold MD5 tokens exactly as :class:`HashRing` places them (token
    ``i`` of node ``X`` at MD5 of ``f"{X}#{i}"``), so a notebook rebuilds the same ring
    from node names (Karger et al. 1997; Dynamo §4.2). Keys are placed by the current
    partitioning strategy (Dynamo §6.2: 1, 2 or 3) and replicated on a preference list
    of N distinct physical nodes (§4.3). Every membership change reports how many keys
    moved and between which nodes. The seed drives strategy 3 only: the random deal of
    partitions and which partitions a joining node steals or a leaving node hands out.

    Commands (``{"action": ..., fields}``; unknown fields are refused):

    - ``add_node`` {name?: str (default: next free letter), tokens?: list of 1..256
      fractions in [0, 1) (strategies 1 and 2)}
    - ``remove_node`` {name: str}
    - ``set_vnodes`` {vnodes: 1..256}, ``set_strategy`` {strategy: 1..3},
      ``set_partitions`` {partitions: 1..4096}, ``set_replication`` {n: 1..7}
    - ``add_keys`` {count: 1..100,000} or {names: list of 1..1,000 new key names}
    - ``select_key`` {key: str of 1..100 characters, or null to clear}

    Examples
    --------
    >>> e = RingEngine(ConsistentHashingParams(nodes=3, keys=0, replication=2), seed=1)
    >>> e.apply({"action": "select_key", "key": "key-1"})[0].data["preference_list"]
    ['A', 'C']
    """

    MODE = "ring"

    def __init__(self, params: ConsistentHashingParams, seed: int) -> None:
        super().__init__(params, seed)
        self._strategy = params.strategy
        self._vnodes = params.vnodes
        self._q = params.partitions
        self._n = params.replication
        self._explicit: dict[str, list[int]] = {}
        names = [node_label(i) for i in range(params.nodes)]
        self._ring = HashRing(params.vnodes, names)
        self._s3: list[str] = []
        if self._strategy == 3 and names:
            self._s3 = list(strategy_3(names, self._q, self.rng).partition_owners)
        self._key_pos: list[int] = []
        self._placement = KeyPlacement()
        self._scheme = self._make_scheme(self._strategy, self._ring, self._s3)
        # the ring's picture changes only with this version (membership, keys, settings)
        self._ring_version = 0
        self._picture: Memo[JSON] = Memo()
        self._store_keys(self._generated_names(params.keys))

    def _names(self) -> list[str]:
        return self._ring.nodes

    # -- schemes and refresh --------------------------------------------------------------

    def _make_scheme(
        self, strategy: int, ring: HashRing, s3: Sequence[str], q: int | None = None
    ) -> PartitionScheme:
        q = self._q if q is None else q
        names = ring.nodes
        if strategy == 3:
            if not names:
                return PartitionScheme(3, (), ArcMap(()), q, ())
            return PartitionScheme.from_owners(names, s3)
        return PartitionScheme.from_ring(strategy, names, ring.arc_map(), q)

    def _refresh(self) -> None:
        """Recompute the figures ``state()`` reports (never called by ``state``)."""
        self._ring_version += 1
        names = self._ring.nodes
        scheme = self._scheme
        self._counts = self._placement.counts(scheme.ownership, names)
        self._shares = scheme.load_shares()
        efficiency: dict[str, float | None] = {"1": None, "2": None, "3": None}
        if names:
            ring_map = self._ring.arc_map()
            for strategy, candidate in (
                (1, PartitionScheme.from_ring(1, names, ring_map)),
                (2, PartitionScheme.from_ring(2, names, ring_map, self._q)),
                (3, strategy_3(names, self._q)),
            ):
                efficiency[str(strategy)] = load_balance_efficiency(candidate.load_shares())
        self._efficiency = efficiency
        self._efficiency_keys: float | None = None
        if names and self._key_names:
            self._efficiency_keys = load_balance_efficiency(self._counts)

    def _rebuilt_ring(self, vnodes: int) -> HashRing:
        ring = HashRing(vnodes)
        for name in self._ring.nodes:
            try:
                ring.add_node(name, positions=self._explicit.get(name))
            except ValueError as err:
                raise CommandError(
                    "vnodes", vnodes, f"must not make two tokens collide ({err})"
                ) from err
        return ring

    def _commit(self, ring: HashRing, s3: list[str], scheme: PartitionScheme) -> KeyMoves:
        moves = self._placement.moves(self._scheme.ownership, scheme.ownership)
        self._ring, self._s3, self._scheme = ring, s3, scheme
        return moves

    def _move_record(self, kind: str, node: str | None, moves: KeyMoves) -> JSON:
        record: JSON = {
            "kind": kind,
            "node": node,
            "moved": moves.moved,
            "total": moves.total,
            "from": moves.by_source(),
            "to": moves.by_target(),
        }
        self._last_move = record
        return record

    def _record_replicas(
        self, record: JSON, old: PartitionScheme, new: PartitionScheme, order: Sequence[str]
    ) -> str:
        """Add the replicas' moves to a join/leave record; the sentence that tells them."""
        replicas = replica_moves(old, new, self._n, self._placement)
        record["replicas"] = replicas.to_json()
        return replica_text(self._n, replicas, order)

    @staticmethod
    def _changed_partitions(old: PartitionScheme, new: PartitionScheme) -> int:
        if old.q != new.q or not old.partition_owners or not new.partition_owners:
            return len(new.partition_owners)
        return sum(a != b for a, b in zip(old.partition_owners, new.partition_owners, strict=True))

    # -- membership -----------------------------------------------------------------------

    @move("add_node")
    def _add_node(self, command: Mapping[str, Any]) -> list[Event]:
        check_fields(command, optional=("name", "tokens"))
        self._check_room_for_node()
        names = self._ring.nodes
        name = self._new_name(command, "node")
        raw_tokens = command.get("tokens")
        positions: list[int] | None = None
        if raw_tokens is not None:
            positions = self._check_tokens(raw_tokens)
        ring = self._ring.copy()
        try:
            ring.add_node(name, positions=positions)
        except ValueError as err:
            raise CommandError(
                "tokens", raw_tokens, "must not land on another node's token"
            ) from err
        # validated: from here on the engine changes (and strategy 3 draws from the rng)
        s3 = self._s3
        if self._strategy == 3:
            s3 = steal_partitions(s3, names, name, self.rng) if names else [name] * self._q
        old = self._scheme
        scheme = self._make_scheme(self._strategy, ring, s3)
        moves = self._commit(ring, s3, scheme)
        if positions is not None:
            self._explicit[name] = positions
        record = self._move_record("join", name, moves)
        stolen = self._changed_partitions(old, scheme)
        record["partitions_moved"] = stolen if self._strategy != 1 else 0
        text = join_text(
            self._strategy, self._q, name, len(ring.tokens_of(name)), names, moves, stolen
        )
        text += self._record_replicas(record, old, scheme, [*names, name])
        self._refresh()
        return [Event("join", text, record)]

    def _check_tokens(self, raw: object) -> list[int]:
        rule = f"must be a list of 1 to {MAX_TOKENS} distinct fractions in [0, 1)"
        if self._strategy == 3:
            raise CommandError(
                "tokens",
                raw,
                "must be left out in strategy 3, where a node's tokens are its partitions' ends",
            )
        if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_TOKENS:
            raise CommandError("tokens", raw, rule)
        positions: list[int] = []
        for i, value in enumerate(raw):
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1:
                raise CommandError(f"tokens[{i}]", value, "must be a fraction in [0, 1)")
            positions.append(fraction_to_position(value))
        if len(set(positions)) != len(positions):
            raise CommandError("tokens", raw, rule)
        return positions

    @move("remove_node")
    def _remove_node(self, command: Mapping[str, Any]) -> list[Event]:
        check_fields(command, optional=("name",))
        names = self._ring.nodes
        name = self._current_name(command, "node")
        ring = self._ring.copy()
        ring.remove_node(name)
        s3 = self._s3
        if self._strategy == 3:
            s3 = hand_off_partitions(s3, names, name, self.rng)
        old = self._scheme
        held = old.partition_owners.count(name)
        scheme = self._make_scheme(self._strategy, ring, s3)
        moves = self._commit(ring, s3, scheme)
        self._explicit.pop(name, None)
        record = self._move_record("leave", name, moves)
        record["partitions_moved"] = held
        text = leave_text(self._strategy, name, names, moves, held)
        text += self._record_replicas(record, old, scheme, names)
        self._refresh()
        return [Event("leave", text, record)]

    # -- settings -------------------------------------------------------------------------

    @move("set_vnodes")
    def _set_vnodes(self, command: Mapping[str, Any]) -> list[Event]:
        check_fields(command, optional=("vnodes",))
        vnodes = check_int("vnodes", required(command, "vnodes"), 1, MAX_VNODES)
        old_vnodes = self._vnodes
        ring = self._rebuilt_ring(vnodes)
        scheme = self._make_scheme(self._strategy, ring, self._s3)
        moves = self._commit(ring, self._s3, scheme)
        self._vnodes = vnodes
        self._move_record("vnodes", None, moves)
        if self._strategy == 3:
            text = (
                f"T is now {plural(vnodes, 'token')} per node; strategy 3 places keys by "
                "partitions, not by these tokens, so no key moves."
            )
        else:
            kept = " (nodes with explicit tokens keep theirs)" if self._explicit else ""
            text = (
                f"Each node now has {plural(vnodes, 'token')} instead of {number(old_vnodes)}"
                f"{kept}; {change_text(moves)}."
            )
        self._refresh()
        return [Event("vnodes", text, dict(self._last_move or {}))]

    @move("set_strategy")
    def _set_strategy(self, command: Mapping[str, Any]) -> list[Event]:
        check_fields(command, optional=("strategy",))
        strategy = check_int("strategy", required(command, "strategy"), 1, 3)
        names = self._ring.nodes
        if strategy == self._strategy:
            return [Event("strategy", f"Strategy {strategy} is already in use; nothing moves.")]
        s3: list[str] = []
        if strategy == 3 and names:
            s3 = list(strategy_3(names, self._q, self.rng).partition_owners)
        scheme = self._make_scheme(strategy, self._ring, s3)
        moves = self._commit(self._ring, s3, scheme)
        self._strategy = strategy
        record = self._move_record("strategy", None, moves)
        text = f"Strategy {strategy} ({STRATEGY_WORDS[strategy]}) now places the keys; "
        text += f"{change_text(moves)}."
        self._refresh()
        return [Event("strategy", text, record)]

    @move("set_partitions")
    def _set_partitions(self, command: Mapping[str, Any]) -> list[Event]:
        check_fields(command, optional=("partitions",))
        q = check_int("partitions", required(command, "partitions"), 1, MAX_PARTITIONS)
        names = self._ring.nodes
        old_q = self._q
        s3 = self._s3
        if self._strategy == 3 and names:
            s3 = list(strategy_3(names, q, self.rng).partition_owners)
        scheme = self._make_scheme(self._strategy, self._ring, s3, q)
        moves = self._commit(self._ring, s3, scheme)
        self._q = q
        record = self._move_record("partitions", None, moves)
        head = f"Q is now {plural(q, 'equal-sized partition')} instead of {number(old_q)}"
        if self._strategy == 1:
            text = f"{head}; strategy 1 partitions by token value, so no key moves."
        else:
            text = f"{head}; {change_text(moves)}."
        self._refresh()
        return [Event("partitions", text, record)]

    @move("set_replication")
    def _set_replication(self, command: Mapping[str, Any]) -> list[Event]:
        check_fields(command, optional=("n",))
        n = check_int("n", required(command, "n"), 1, MAX_REPLICATION)
        self._n = n
        if n == 1:
            text = "N is now 1: each key is stored only on its coordinator."
        else:
            text = (
                f"N is now {n}: each key is stored on its coordinator and the next "
                f"{plural(n - 1, 'distinct physical node')} clockwise."
            )
        return [Event("replication", text, {"n": n})]

    # -- keys -----------------------------------------------------------------------------

    def _place_keys(self, names: list[str]) -> None:
        positions = [key_position(n) for n in names]
        self._key_pos.extend(positions)
        self._placement.add_positions(positions)
        self._refresh()

    def _where(self, name: str) -> str:
        node = self._scheme.node_at(key_position(name))
        return f"on node {node}" if node else "with no node to hold it"

    def _select_event(self, key: str) -> Event:
        info = self._selection(key)
        pref = info["preference_list"]
        where = f"position {info['pos']:.4f}"
        if info["partition"] is not None:
            where += f", in partition {info['partition']} of {number(self._q)}"
        if not pref:
            text = f"Key '{key}' hashes to {where}; there is no node to store it."
        else:
            text = (
                f"Key '{key}' hashes to {where}; its preference list for N = {self._n} "
                f"is {', '.join(pref)}, with {pref[0]} as coordinator."
            )
        return Event("select", text, info)

    def _selection(self, key: str) -> JSON:
        pos = key_position(key)
        scheme = self._scheme
        return {
            "key": key,
            "pos": position_to_fraction(pos),
            "node": scheme.node_at(pos),
            "partition": scheme.partition_at(pos),
            "preference_list": scheme.preference_list_at(pos, self._n),
        }

    # -- state ----------------------------------------------------------------------------

    def state(self) -> JSON:
        """The JSON-ready picture of the ring; it never changes the engine.

        At most :data:`~algorithms.hashing.params.MAX_LISTED_KEYS` keys are listed: the
        first ones stored, in insertion order; ``key_count`` gives the total. The
        nodes, tokens, partitions and keys are drawn once per change of the ring
        (frames while playing or selecting keys reuse them).

        Examples
        --------
        >>> e = RingEngine(ConsistentHashingParams(nodes=2, keys=10), seed=1)
        >>> s = e.state()
        >>> s["mode"], [n["name"] for n in s["nodes"]], s["key_count"], e.state() == s
        ('ring', ['A', 'B'], 10, True)
        """
        picture = self._picture.get(self._ring_version, self._draw)
        selected = None if self._selected is None else self._selection(self._selected)
        return {
            "mode": "ring",
            "strategy": self._strategy,
            "vnodes": self._vnodes,
            "q": self._q,
            "replication": self._n,
            "nodes": picture["nodes"],
            "tokens": picture["tokens"],
            "partitions": picture["partitions"],
            "keys": picture["keys"],
            "key_count": len(self._key_names),
            "efficiency": dict(self._efficiency),
            "efficiency_keys": self._efficiency_keys,
            "figure8": lab_figure8(),
            "theory": load_theory(self._shares, self._vnodes, self._strategy, bool(self._explicit)),
            "selected": selected,
            "last_move": json_copy(self._last_move),
            "limits": limits(),
        }

    def _draw(self) -> JSON:
        return ring_picture(
            self._scheme,
            self._ring.nodes,
            self._shares,
            self._counts,
            self._explicit,
            self._key_names,
            self._key_pos,
        )
