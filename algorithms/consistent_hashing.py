"""Consistent hashing: Dynamo's ring with virtual nodes, and Redis Cluster's hash slots.

References
----------
- D. Karger, E. Lehman, T. Leighton, R. Panigrahy, M. Levine, D. Lewin, "Consistent
  Hashing and Random Trees: Distributed Caching Protocols for Relieving Hot Spots on
  the World Wide Web", STOC 1997.
- G. DeCandia et al., "Dynamo: Amazon's Highly Available Key-value Store", SOSP 2007,
  §4.2 (partitioning), §4.3 (replication, preference lists), §6.2 (ensuring uniform
  load distribution: partitioning strategies 1-3 and load-balancing efficiency).
- Redis Cluster specification: 16,384 hash slots, CRC16 (XMODEM) of the key or of its
  hash tag; resharding with MIGRATING/IMPORTING slots and ASK redirects.
- Amazon ElastiCache for Redis, online resharding: the source keeps ownership of a
  slot's keys until all of them have moved, then the whole slot changes owner.

The library part (all importable from here):

- :class:`HashRing` -- tokens from MD5, ``node_for``, ``preference_list``,
  ``load_shares``; :class:`KeyPlacement` finds the keys that move on a membership
  change in ``O(tokens log keys + moved)`` (``moves_on_join``, ``moves_on_leave``,
  ``moves``).
- Dynamo §6.2: :func:`strategy_1`, :func:`strategy_2`, :func:`strategy_3`
  (:class:`PartitionScheme`), :func:`steal_partitions`,
  :func:`hand_off_partitions`, :func:`load_balance_efficiency`,
  :func:`load_balance_efficiency_keys`.
- Redis Cluster: :data:`SLOTS`, :func:`key_slot`, :func:`hashed_part`,
  :func:`slot_table`, :func:`plan_reshard`, :class:`SlotCluster` (migration in the
  ``"slot"`` or ``"key"`` style).

The lab engine, :class:`ConsistentHashingEngine`, drives either a ring (``mode="ring"``)
or a slot table (``mode="slots"``). In slots mode it runs the same keys and the same
reshard plan through both migration styles side by side, so the view can show the source
keeping a slot whole (ElastiCache) next to a slot split between two shards (key by key).

Examples
--------
>>> engine = ConsistentHashingEngine(ConsistentHashingParams(nodes=4, keys=1000), seed=1)
>>> [e.kind for e in engine.apply({"action": "add_node"})]
['join']
>>> move = engine.state()["last_move"]
>>> move["node"], set(move["to"]), 0 < move["moved"] < 1000
('E', {'E'}, True)
>>> slots = ConsistentHashingEngine(ConsistentHashingParams(mode="slots", nodes=3), seed=1)
>>> [s["ranges"] for s in slots.state()["shards"]]
[[[0, 5460]], [[5461, 10922]], [[10923, 16383]]]
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from algorithms._dynamo import (
    PartitionScheme,
    hand_off_partitions,
    load_balance_efficiency,
    load_balance_efficiency_keys,
    md5_tokens,
    partition_end,
    partition_of,
    random_tokens,
    steal_partitions,
    strategy_1,
    strategy_2,
    strategy_3,
)
from algorithms._replicas import ReplicaMoves, replica_moves
from algorithms._ring import (
    HASH_SPACE,
    ArcMap,
    ArcMove,
    HashRing,
    KeyMoves,
    KeyPlacement,
    fraction_to_position,
    key_position,
    position_to_fraction,
    token_position,
)
from algorithms._slots import (
    MIGRATION_STYLES,
    SLOTS,
    MigrationRecord,
    SlotCluster,
    SlotLookup,
    SlotMove,
    all_slot_ranges,
    hashed_part,
    initial_slot_ranges,
    key_slot,
    plan_reshard,
    slot_ranges,
    slot_table,
)
from algorithms.dynamo_figure8 import lab_figure8
from algorithms.engine import (
    CommandError,
    Event,
    LabEngine,
    LabParams,
    check_choice,
    check_fields,
    check_int,
    check_name,
    check_names,
    check_seed,
    look_up,
    move,
)
from algorithms.theory import harmonic, ring_load_cv

__all__ = [
    "HASH_SPACE",
    "MAX_KEYS",
    "MAX_KEYS_PER_TICK",
    "MAX_LISTED_KEYS",
    "MAX_NAMED_KEYS",
    "MAX_NODES",
    "MAX_PARTITIONS",
    "MAX_REPLICATION",
    "MAX_TOKENS",
    "MAX_VNODES",
    "SLOTS",
    "ArcMap",
    "ArcMove",
    "CommandError",
    "ConsistentHashingEngine",
    "ConsistentHashingParams",
    "HashRing",
    "KeyMoves",
    "KeyPlacement",
    "MigrationRecord",
    "Params",
    "PartitionScheme",
    "SlotCluster",
    "SlotLookup",
    "SlotMove",
    "all_slot_ranges",
    "fraction_to_position",
    "hand_off_partitions",
    "hashed_part",
    "initial_slot_ranges",
    "key_position",
    "key_slot",
    "load_balance_efficiency",
    "load_balance_efficiency_keys",
    "md5_tokens",
    "node_label",
    "partition_end",
    "partition_of",
    "plan_reshard",
    "position_to_fraction",
    "random_tokens",
    "slot_ranges",
    "slot_table",
    "steal_partitions",
    "strategy_1",
    "strategy_2",
    "strategy_3",
    "token_position",
]

JSON = dict[str, Any]

MODES = ("ring", "slots")
MAX_VNODES = 256
"""Most tokens per node (T, strategies 1 and 2)."""
MAX_PARTITIONS = 4096
"""Most equal-sized partitions (Q, strategies 2 and 3)."""
MAX_REPLICATION = 7
"""Largest replication factor N (preference list length)."""
MAX_NODES = 64
"""Most physical nodes (ring mode) or shards (slots mode) at any time."""
MAX_KEYS = 100_000
"""Most stored keys at any time."""
MAX_KEYS_PER_TICK = 10_000
"""Most keys one migration step moves (slots mode)."""
MAX_NAMED_KEYS = 1000
"""Most keys one ``add_keys`` command may name."""
MAX_TOKENS = MAX_VNODES
"""Most explicit tokens a joining node may bring."""
MAX_LISTED_KEYS = 2000
"""Keys listed in ``state()["keys"]``: the first ones stored, in insertion order."""
KEY_NAME_MAX = 100
"""Longest key name, in characters."""
MAX_BREAKDOWN = 8
"""Nodes named in one event sentence's breakdown before "and N more"."""
MAX_TICK_EVENTS = 12
"""Most events one migration step reports; the rest are summed up in one sentence."""
MAX_LISTED_SPLITS = 50
"""Split slots listed in ``state()["split_slots"]``; ``split_count`` gives the total."""

STYLE_WORDS = {"slot": "slot at a time", "key": "key by key"}
"""How the event sentences name the two migration styles."""


def _other_style(style: str) -> str:
    return "key" if style == "slot" else "slot"


def _keys_left(migration: Mapping[str, object] | None) -> int:
    if migration is None:
        return 0
    total, moved = migration["total_keys"], migration["moved_keys"]
    assert isinstance(total, int) and isinstance(moved, int)
    return total - moved


STRATEGY_WORDS = {
    1: "T random tokens per node, partitions by token value",
    2: "T random tokens per node and Q equal-sized partitions",
    3: "Q/S tokens per node and equal-sized partitions",
}


def node_label(index: int) -> str:
    """Default node names: A, B, ..., Z, AA, AB, ... (spreadsheet columns).

    Examples
    --------
    >>> [node_label(i) for i in (0, 25, 26, 63)]
    ['A', 'Z', 'AA', 'BL']
    """
    label = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        label = chr(ord("A") + rest) + label
    return label


def _n(count: int) -> str:
    return f"{count:,}"


def _plural(count: int, word: str) -> str:
    return f"{_n(count)} {word}" if count == 1 else f"{_n(count)} {word}s"


def _listed(names: Sequence[str]) -> str:
    shown = list(names[:MAX_BREAKDOWN])
    if len(names) > MAX_BREAKDOWN:
        shown.append(f"{len(names) - MAX_BREAKDOWN} more")
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"


def _breakdown(counts: Mapping[str, int], order: Sequence[str]) -> str:
    ranked = [name for name in order if counts.get(name)]
    ranked += [name for name in counts if counts[name] and name not in ranked]
    parts = [f"{name}: {_n(counts[name])}" for name in ranked[:MAX_BREAKDOWN]]
    if len(ranked) > MAX_BREAKDOWN:
        parts.append(f"and {len(ranked) - MAX_BREAKDOWN} more")
    return ", ".join(parts)


@dataclass(frozen=True)
class ConsistentHashingParams(LabParams):
    """Parameters of the consistent hashing lab (each checked against its maximum).

    Parameters
    ----------
    mode : {"ring", "slots"}
        ``"ring"``: Dynamo's ring; ``"slots"``: Redis Cluster hash slots.
    strategy : int
        Dynamo §6.2 partitioning strategy, 1 to 3 (ring mode).
    vnodes : int
        T, tokens per node for strategies 1 and 2, 1 to 256 (:data:`MAX_VNODES`).
    partitions : int
        Q, equal-sized partitions for strategies 2 and 3, 1 to 4096
        (:data:`MAX_PARTITIONS`). In strategy 3 each of the S nodes holds
        ``floor(Q/S)`` or ``ceil(Q/S)`` partitions: Q/S is rounded down, and the
        ``Q mod S`` remaining partitions go one each to other nodes, so every
        partition has an owner.
    replication : int
        N, the preference list length, 1 to 7 (:data:`MAX_REPLICATION`).
    nodes : int
        Initial physical nodes A, B, C, ... (ring) or shards shard-A, ... (slots),
        0 to 64 (:data:`MAX_NODES`, also the most at any time).
    keys : int
        Initial keys ``key-0`` .. ``key-{keys-1}``, 0 to 100,000 (:data:`MAX_KEYS`,
        also the most at any time).
    migration : {"slot", "key"}
        Slots mode: ``"slot"`` migrates like ElastiCache (a slot flips whole),
        ``"key"`` like open-source Redis (key by key, ASK redirects).
    keys_per_tick : int
        Slots mode: keys one step migrates, 1 to 10,000 (:data:`MAX_KEYS_PER_TICK`).

    Examples
    --------
    >>> ConsistentHashingParams(vnodes=16).vnodes
    16
    >>> ConsistentHashingParams(vnodes=0)
    Traceback (most recent call last):
    ...
    algorithms.engine.CommandError: vnodes must be an integer between 1 and 256, got 0
    """

    mode: str = "ring"
    strategy: int = 1
    vnodes: int = 8
    partitions: int = 64
    replication: int = 3
    nodes: int = 4
    keys: int = 500
    migration: str = "slot"
    keys_per_tick: int = 1

    def __post_init__(self) -> None:
        check_choice("mode", self.mode, MODES)
        check_int("strategy", self.strategy, 1, 3)
        check_int("vnodes", self.vnodes, 1, MAX_VNODES)
        check_int("partitions", self.partitions, 1, MAX_PARTITIONS)
        check_int("replication", self.replication, 1, MAX_REPLICATION)
        check_int("nodes", self.nodes, 0, MAX_NODES)
        check_int("keys", self.keys, 0, MAX_KEYS)
        check_choice("migration", self.migration, MIGRATION_STYLES)
        check_int("keys_per_tick", self.keys_per_tick, 1, MAX_KEYS_PER_TICK)


Params = ConsistentHashingParams

RING_ACTIONS = frozenset(
    {
        "add_node",
        "remove_node",
        "set_vnodes",
        "set_strategy",
        "set_partitions",
        "set_replication",
        "add_keys",
        "select_key",
    }
)
SLOT_ACTIONS = frozenset(
    {"add_node", "remove_node", "add_keys", "select_key", "set_migration", "set_keys_per_tick"}
)


class ConsistentHashingEngine(LabEngine[ConsistentHashingParams]):
    """The consistent hashing lab: a Dynamo ring or a Redis Cluster slot table.

    Ring mode (Karger et al. 1997; Dynamo §4.2, §4.3, §6.2): physical nodes hold
    MD5 tokens exactly as :class:`HashRing` places them (token ``i`` of node ``X`` at
    MD5 of ``f"{X}#{i}"``), so a notebook rebuilds the same ring from node names.
    Keys are placed by the current strategy (1, 2 or 3). Every membership change
    reports how many keys moved and between which nodes. The seed drives strategy 3
    only: the random deal of partitions and which partitions a joining node steals or
    a leaving node hands out.

    Slots mode (Redis Cluster): shards own hash slots; adding or removing a shard plans
    a balanced reshard that moves the fewest slots, and :meth:`step` migrates
    ``keys_per_tick`` keys at a time in the ``"slot"`` or ``"key"`` style. A second
    :class:`SlotCluster` in the other style takes exactly the same commands and the same
    budget each step, for comparison (``state()["compare"]``): the plans are the same,
    and the two only drift apart when keys are written to a slot while it migrates (key
    by key they are created on the target; a slot at a time they must be copied too).
    A new reshard waits until both have finished.

    Commands (``{"action": ..., fields}``; unknown fields are refused):

    - ``add_node`` {name?: str (default: next free letter, or ``shard-<letter>``),
      tokens?: list of 1..256 fractions in [0, 1) (ring mode, strategies 1 and 2)}
    - ``remove_node`` {name: str}
    - ``set_vnodes`` {vnodes: 1..256}, ``set_strategy`` {strategy: 1..3},
      ``set_partitions`` {partitions: 1..4096}, ``set_replication`` {n: 1..7}
      (ring mode)
    - ``set_migration`` {style: "slot" | "key"}, ``set_keys_per_tick``
      {keys_per_tick: 1..10,000} (slots mode; the style only while no migration runs)
    - ``add_keys`` {count: 1..100,000} or {names: list of 1..1,000 new key names}
    - ``select_key`` {key: str of 1..100 characters, or null to clear}

    Examples
    --------
    >>> e = ConsistentHashingEngine(ConsistentHashingParams(mode="slots", nodes=2), seed=3)
    >>> events = e.apply({"action": "add_node"})
    >>> e.state()["migration"]["queue_slots"]
    5461
    >>> while e.step():
    ...     pass
    >>> [s["slots"] for s in e.state()["shards"]]
    [5462, 5461, 5461]
    """

    Params = ConsistentHashingParams

    def __init__(self, params: ConsistentHashingParams, seed: int) -> None:
        if not isinstance(params, ConsistentHashingParams):
            raise CommandError("params", params, "must be ConsistentHashingParams")
        self.params = params
        self.seed = check_seed(seed)
        self.rng = random.Random(seed)
        self.mode = params.mode
        self._key_names: list[str] = []
        self._key_set: set[str] = set()
        self._next_key = 0
        self._selected: str | None = None
        self._last_move: JSON | None = None
        # ring mode
        self._strategy = params.strategy
        self._vnodes = params.vnodes
        self._q = params.partitions
        self._n = params.replication
        self._explicit: dict[str, list[int]] = {}
        self._ring = HashRing(params.vnodes)
        self._s3: list[str] = []
        self._key_pos: list[int] = []
        self._placement = KeyPlacement()
        # slots mode
        self._keys_per_tick = params.keys_per_tick
        self._cluster = SlotCluster((), params.migration)
        self._other = SlotCluster((), _other_style(params.migration))
        names = [node_label(i) for i in range(params.nodes)]
        if self.mode == "ring":
            self._ring = HashRing(params.vnodes, names)
            if self._strategy == 3 and names:
                self._s3 = list(strategy_3(names, self._q, self.rng).partition_owners)
        else:
            shards = [f"shard-{n}" for n in names]
            self._cluster = SlotCluster(shards, params.migration)
            self._other = SlotCluster(shards, _other_style(params.migration))
        self._scheme = self._make_scheme(self._strategy, self._ring, self._s3)
        self._store_keys(self._generated_names(params.keys))
        self._refresh()

    # -- the command surface ----------------------------------------------------------

    def apply(self, command: Mapping[str, Any]) -> list[Event]:
        """Validate and run one command; commands of the other mode are refused."""
        if isinstance(command, Mapping):
            action = command.get("action")
            allowed = RING_ACTIONS if self.mode == "ring" else SLOT_ACTIONS
            if isinstance(action, str) and action in self.COMMANDS and action not in allowed:
                raise CommandError(
                    "action",
                    action,
                    f"must be one of {', '.join(sorted(allowed))} in {self.mode} mode",
                )
        return super().apply(command)

    @staticmethod
    def _required(command: Mapping[str, Any], field: str) -> Any:
        if field not in command:
            raise CommandError(field, None, f"is required by {command['action']}")
        return command[field]

    @property
    def _names(self) -> list[str]:
        return self._ring.nodes if self.mode == "ring" else list(self._cluster.shards)

    def _next_free_name(self) -> str:
        taken = set(self._names)
        prefix = "" if self.mode == "ring" else "shard-"
        for i in range(MAX_NODES + 1):
            name = prefix + node_label(i)
            if name not in taken:
                return name
        raise AssertionError("more names than MAX_NODES")  # pragma: no cover

    def _check_room_for_node(self) -> None:
        count = len(self._names)
        if count >= MAX_NODES:
            what = "physical nodes" if self.mode == "ring" else "shards"
            raise CommandError("nodes", count + 1, f"must stay at most {MAX_NODES} {what}")

    # -- ring mode: schemes and refresh -------------------------------------------------

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
        """Recompute the cached figures ``state()`` reports (never called by ``state``)."""
        if self.mode != "ring":
            return
        self._picture: JSON | None = None
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
        """Add the replicas' moves to a join/leave record; the sentence that tells them.

        The coordinators' moves (``from``/``to``) are only part of it: with N > 1 every
        key whose preference list changes is copied to the nodes that enter it (§4.9).
        """
        replicas = replica_moves(old, new, self._n, self._placement)
        record["replicas"] = replicas.to_json()
        return self._replica_text(replicas, order)

    def _replica_text(self, replicas: ReplicaMoves, order: Sequence[str]) -> str:
        gainers = [name for name in order if replicas.gained.get(name)]
        losers = [name for name in order if replicas.lost.get(name)]
        if self._n == 1 or not (gainers or losers):
            return ""
        parts = []
        if gainers:
            verb = "starts" if len(gainers) == 1 else "start"
            parts.append(
                f"{_listed(gainers)} {verb} storing keys ({_breakdown(replicas.gained, order)})"
            )
        if losers:
            verb = "stops" if len(losers) == 1 else "stop"
            parts.append(
                f"{_listed(losers)} {verb} storing keys ({_breakdown(replicas.lost, order)})"
            )
        return f" As replicas (N = {self._n}), {'; '.join(parts)}."

    def _changed_partitions(self, old: PartitionScheme, new: PartitionScheme) -> int:
        if old.q != new.q or not old.partition_owners or not new.partition_owners:
            return len(new.partition_owners)
        return sum(a != b for a, b in zip(old.partition_owners, new.partition_owners, strict=True))

    # -- membership ---------------------------------------------------------------------

    @move("add_node")
    def _add_node(self, command: Mapping[str, Any]) -> list[Event]:
        if self.mode == "slots":
            return self._add_shard(command)
        check_fields(command, optional=("name", "tokens"))
        self._check_room_for_node()
        names = self._ring.nodes
        raw_name = command.get("name")
        name = self._next_free_name() if raw_name is None else check_name("name", raw_name)
        if name in self._ring:
            raise CommandError("name", name, f"must not be a current node ({', '.join(names)})")
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
        text = self._join_text(name, len(ring.tokens_of(name)), names, moves, stolen)
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

    def _join_text(
        self, name: str, tokens: int, before: list[str], moves: KeyMoves, parts: int
    ) -> str:
        total, moved = moves.total, moves.moved
        if self._strategy == 3:
            s = len(before) + 1
            head = (
                f"Node {name} joins and steals {_plural(parts, 'partition')} of {_n(self._q)} "
                f"(Q/S = {_n(self._q)}/{s}, rounded down) from the nodes holding the most"
            )
            tail = f"{_n(moved)} of {_n(total)} keys move to {name}"
        else:
            head = f"Node {name} joins with {_plural(tokens, 'token')}"
            if self._strategy == 2:
                head += f" and takes {_n(parts)} of {_n(self._q)} partitions"
            tail = (
                f"{_n(moved)} of {_n(total)} keys move to {name}, all from its clockwise successors"
            )
        if total == 0:
            return f"{head}; there are no keys yet."
        if not before:
            return f"{head}; it is the only node, so all {_n(total)} keys are now on {name}."
        if moved == 0:
            return f"{head}; none of the {_n(total)} keys move."
        return f"{head}; {tail} ({_breakdown(moves.by_source(), before)})."

    @move("remove_node")
    def _remove_node(self, command: Mapping[str, Any]) -> list[Event]:
        if self.mode == "slots":
            return self._remove_shard(command)
        check_fields(command, optional=("name",))
        names = self._ring.nodes
        name = self._required(command, "name")
        if not isinstance(name, str) or name not in self._ring:
            shown = ", ".join(names) if names else "none"
            raise CommandError("name", name, f"must be a current node ({shown})")
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
        text = self._leave_text(name, names, moves, held)
        text += self._record_replicas(record, old, scheme, names)
        self._refresh()
        return [Event("leave", text, record)]

    def _leave_text(self, name: str, before: list[str], moves: KeyMoves, parts: int) -> str:
        moved = moves.moved
        if len(before) == 1:
            return (
                f"Node {name} leaves; no node is left, so its {_plural(moved, 'key')} "
                "have no owner."
            )
        if moved == 0 and self._strategy != 3:
            return f"Node {name} leaves; it held no keys, so none move."
        to = _breakdown(moves.by_target(), before)
        if self._strategy == 3:
            text = (
                f"Node {name} leaves; its {_plural(parts, 'partition')} go to the nodes "
                f"holding the fewest, and its {_plural(moved, 'key')} move with them"
            )
            return f"{text} ({to})." if moved else f"{text}."
        what = f"its {_plural(moved, 'key')}"
        if self._strategy == 2:
            what = f"its {_plural(parts, 'partition')} and {_plural(moved, 'key')}"
        return f"Node {name} leaves; {what} move to its clockwise successors ({to})."

    # -- ring settings --------------------------------------------------------------------

    def _change_text(self, moves: KeyMoves) -> str:
        if moves.total == 0:
            return "there are no keys to move"
        if moves.moved == 0:
            return f"none of the {_n(moves.total)} keys move"
        return f"{_n(moves.moved)} of {_n(moves.total)} keys change node"

    @move("set_vnodes")
    def _set_vnodes(self, command: Mapping[str, Any]) -> list[Event]:
        check_fields(command, optional=("vnodes",))
        vnodes = check_int("vnodes", self._required(command, "vnodes"), 1, MAX_VNODES)
        old_vnodes = self._vnodes
        ring = self._rebuilt_ring(vnodes)
        scheme = self._make_scheme(self._strategy, ring, self._s3)
        moves = self._commit(ring, self._s3, scheme)
        self._vnodes = vnodes
        self._move_record("vnodes", None, moves)
        if self._strategy == 3:
            text = (
                f"T is now {_plural(vnodes, 'token')} per node; strategy 3 places keys by "
                "partitions, not by these tokens, so no key moves."
            )
        else:
            kept = " (nodes with explicit tokens keep theirs)" if self._explicit else ""
            text = (
                f"Each node now has {_plural(vnodes, 'token')} instead of {_n(old_vnodes)}"
                f"{kept}; {self._change_text(moves)}."
            )
        self._refresh()
        return [Event("vnodes", text, dict(self._last_move or {}))]

    @move("set_strategy")
    def _set_strategy(self, command: Mapping[str, Any]) -> list[Event]:
        check_fields(command, optional=("strategy",))
        strategy = check_int("strategy", self._required(command, "strategy"), 1, 3)
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
        text += f"{self._change_text(moves)}."
        self._refresh()
        return [Event("strategy", text, record)]

    @move("set_partitions")
    def _set_partitions(self, command: Mapping[str, Any]) -> list[Event]:
        check_fields(command, optional=("partitions",))
        q = check_int("partitions", self._required(command, "partitions"), 1, MAX_PARTITIONS)
        names = self._ring.nodes
        old_q = self._q
        s3 = self._s3
        if self._strategy == 3 and names:
            s3 = list(strategy_3(names, q, self.rng).partition_owners)
        scheme = self._make_scheme(self._strategy, self._ring, s3, q)
        moves = self._commit(self._ring, s3, scheme)
        self._q = q
        record = self._move_record("partitions", None, moves)
        head = f"Q is now {_plural(q, 'equal-sized partition')} instead of {_n(old_q)}"
        if self._strategy == 1:
            text = f"{head}; strategy 1 partitions by token value, so no key moves."
        else:
            text = f"{head}; {self._change_text(moves)}."
        self._refresh()
        return [Event("partitions", text, record)]

    @move("set_replication")
    def _set_replication(self, command: Mapping[str, Any]) -> list[Event]:
        check_fields(command, optional=("n",))
        n = check_int("n", self._required(command, "n"), 1, MAX_REPLICATION)
        self._n = n
        if n == 1:
            text = "N is now 1: each key is stored only on its coordinator."
        else:
            text = (
                f"N is now {n}: each key is stored on its coordinator and the next "
                f"{_plural(n - 1, 'distinct physical node')} clockwise."
            )
        return [Event("replication", text, {"n": n})]

    # -- keys -----------------------------------------------------------------------------

    def _generated_names(self, count: int) -> list[str]:
        out: list[str] = []
        while len(out) < count:
            name = f"key-{self._next_key}"
            self._next_key += 1
            if name not in self._key_set:
                out.append(name)
        return out

    def _store_keys(self, names: list[str]) -> None:
        self._key_names.extend(names)
        self._key_set.update(names)
        if self.mode == "ring":
            positions = [key_position(n) for n in names]
            self._key_pos.extend(positions)
            self._placement.add_positions(positions)
        else:
            for name in names:
                self._cluster.add_key(name)
                self._other.add_key(name)

    @move("add_keys")
    def _add_keys(self, command: Mapping[str, Any]) -> list[Event]:
        check_fields(command, optional=("count", "names"))
        stored = len(self._key_names)
        if ("count" in command) == ("names" in command):
            raise CommandError(
                "count", command.get("count"), "must be given, or names, but not both"
            )
        if "count" in command:
            count = check_int("count", command["count"], 1, MAX_KEYS)
            if stored + count > MAX_KEYS:
                raise CommandError(
                    "count",
                    count,
                    f"must keep the stored keys at most {_n(MAX_KEYS)} (now {_n(stored)})",
                )
            names = self._generated_names(count)
        else:
            raw = command["names"]
            if not isinstance(raw, list) or not raw:
                raise CommandError("names", raw, f"must be a list of 1 to {MAX_NAMED_KEYS} names")
            names = check_names("names", raw, MAX_NAMED_KEYS, KEY_NAME_MAX)
            seen: set[str] = set()
            for i, name in enumerate(names):
                if name in self._key_set or name in seen:
                    raise CommandError(f"names[{i}]", name, "must not be a key already stored")
                seen.add(name)
            if stored + len(names) > MAX_KEYS:
                raise CommandError(
                    "names",
                    f"{len(names)} names",
                    f"must keep the stored keys at most {_n(MAX_KEYS)} (now {_n(stored)})",
                )
        self._store_keys(names)
        self._refresh()
        total = len(self._key_names)
        if len(names) == 1:
            where = self._where(names[0])
            text = f"Key '{names[0]}' is added {where}; {_plural(total, 'key')} in all."
        elif "count" in command:
            text = (
                f"{_n(len(names))} keys are added ({names[0]} to {names[-1]}); "
                f"{_plural(total, 'key')} in all."
            )
        else:
            shown = ", ".join(f"'{n}'" for n in names[:3])
            more = f" and {len(names) - 3} more" if len(names) > 3 else ""
            text = (
                f"{_n(len(names))} keys are added ({shown}{more}); {_plural(total, 'key')} in all."
            )
        return [Event("keys", text, {"added": len(names), "total": total})]

    def _where(self, name: str) -> str:
        if self.mode == "ring":
            node = self._scheme.node_at(key_position(name))
            return f"on node {node}" if node else "with no node to hold it"
        look = self._cluster.lookup(name)
        owner = look.served_by or "no shard"
        where = f"in slot {look.slot}, served by {owner}"
        other = self._other.lookup(name)
        if other.served_by != look.served_by:
            via = ", through ASK" if other.ask else ""
            where += f" ({STYLE_WORDS[self._other.style]}: by {other.served_by}{via})"
        return where

    @look_up("select_key", example={"action": "select_key", "key": "key-1"})
    def _select_key(self, command: Mapping[str, Any]) -> list[Event]:
        check_fields(command, optional=("key",))
        raw = self._required(command, "key")
        if raw is None:
            self._selected = None
            return [Event("select", "Selection cleared.")]
        key = check_name("key", raw, KEY_NAME_MAX)
        self._selected = key
        if self.mode == "ring":
            info = self._ring_selection(key)
            pref = info["preference_list"]
            where = f"position {info['pos']:.4f}"
            if info["partition"] is not None:
                where += f", in partition {info['partition']} of {_n(self._q)}"
            if not pref:
                text = f"Key '{key}' hashes to {where}; there is no node to store it."
            else:
                text = (
                    f"Key '{key}' hashes to {where}; its preference list for N = {self._n} "
                    f"is {', '.join(pref)}, with {pref[0]} as coordinator."
                )
            return [Event("select", text, info)]
        look = self._cluster.lookup(key)
        info = self._slot_selection(look)
        hashed = f"its hash tag '{look.hashed}'" if look.hashed != key else "the whole key"
        owner = look.owner or "no shard yet"
        text = f"Key '{key}' hashes {hashed} to slot {look.slot}, owned by {owner}"
        if look.ask:
            text += f"; {owner} answers ASK {look.ask}, where the key is now"
        other = self._other.lookup(key)
        if (other.served_by, other.ask) != (look.served_by, look.ask):
            words = STYLE_WORDS[self._other.style]
            if other.ask:
                text += f"; {words}, {other.owner} already answers ASK {other.ask}"
            else:
                text += f"; {words}, {other.served_by} still serves it"
        return [Event("select", text + ".", info)]

    def _ring_selection(self, key: str) -> JSON:
        pos = key_position(key)
        scheme = self._scheme
        return {
            "key": key,
            "pos": position_to_fraction(pos),
            "node": scheme.node_at(pos),
            "partition": scheme.partition_at(pos),
            "preference_list": scheme.preference_list_at(pos, self._n),
        }

    @staticmethod
    def _slot_selection(look: SlotLookup) -> JSON:
        return {
            "key": look.key,
            "slot": look.slot,
            "hashed": look.hashed,
            "shard": look.owner,
            "ask": look.ask,
            "served_by": look.served_by,
        }

    # -- slots mode -----------------------------------------------------------------------

    def _check_no_migration(self, action: str) -> None:
        mig = self._cluster.migration
        if mig is not None:
            left = len(mig.queue) - mig.index
            raise CommandError(
                "action",
                action,
                f"must wait until the resharding in progress has finished "
                f"({_plural(left, 'slot')} left; step to migrate)",
            )
        mig = self._other.migration
        if mig is not None:
            left = len(mig.queue) - mig.index
            raise CommandError(
                "action",
                action,
                f"must wait until the resharding shown beside it has finished "
                f"({STYLE_WORDS[self._other.style]}, {_plural(left, 'slot')} left; "
                "step to migrate)",
            )

    def _add_shard(self, command: Mapping[str, Any]) -> list[Event]:
        check_fields(command, optional=("name",))
        self._check_no_migration("add_node")
        self._check_room_for_node()
        raw_name = command.get("name")
        name = self._next_free_name() if raw_name is None else check_name("name", raw_name)
        if name in self._cluster.shards:
            raise CommandError(
                "name", name, f"must not be a current shard ({', '.join(self._cluster.shards)})"
            )
        before = list(self._cluster.shards)
        plan = self._cluster.add_shard(name)
        self._other.add_shard(name)
        record = self._plan_record("join", name, plan)
        total = len(self._key_names)
        if not before:
            text = (
                f"{name} joins an empty cluster and takes all {_n(SLOTS)} slots; "
                f"it now serves all {_plural(total, 'key')}."
            )
            self._last_move = record
            return [Event("reshard", text, record)]
        text = (
            f"{name} joins; the plan moves {_plural(len(plan), 'slot')} to it "
            f"({_breakdown(record['slots_from'], before)}), carrying {_n(record['moved'])} of "
            f"{_plural(total, 'key')}; {self._style_words()}"
        )
        self._last_move = record
        return [Event("reshard", text, record)]

    def _remove_shard(self, command: Mapping[str, Any]) -> list[Event]:
        check_fields(command, optional=("name",))
        self._check_no_migration("remove_node")
        shards = list(self._cluster.shards)
        name = self._required(command, "name")
        if not isinstance(name, str) or name not in shards:
            shown = ", ".join(shards) if shards else "none"
            raise CommandError("name", name, f"must be a current shard ({shown})")
        if len(shards) == 1:
            raise CommandError(
                "name", name, f"must not be the last shard: the {_n(SLOTS)} slots need an owner"
            )
        plan = self._cluster.remove_shard(name)
        self._other.remove_shard(name)
        record = self._plan_record("leave", name, plan)
        total = len(self._key_names)
        text = (
            f"{name} leaves; the plan moves its {_plural(len(plan), 'slot')} to the others "
            f"({_breakdown(record['slots_to'], shards)}), carrying {_n(record['moved'])} of "
            f"{_plural(total, 'key')}; {self._style_words()}"
        )
        self._last_move = record
        return [Event("reshard", text, record)]

    def _style_words(self) -> str:
        per = _plural(self._keys_per_tick, "key")
        if self._cluster.style == "slot":
            return (
                f"each step copies {per}, and a slot changes owner only once all its keys "
                "are copied."
            )
        return f"each step migrates {per}, and a moved key is reached through an ASK redirect."

    def _plan_record(self, kind: str, name: str, plan: list[SlotMove]) -> JSON:
        slots_from: dict[str, int] = {}
        slots_to: dict[str, int] = {}
        keys_from: dict[str, int] = {}
        keys_to: dict[str, int] = {}
        moved = 0
        for slot_move in plan:
            keys = len(self._cluster.slot_keys.get(slot_move.slot, ()))
            moved += keys
            slots_to[slot_move.target] = slots_to.get(slot_move.target, 0) + 1
            if keys:
                keys_to[slot_move.target] = keys_to.get(slot_move.target, 0) + keys
            if slot_move.source is not None:
                slots_from[slot_move.source] = slots_from.get(slot_move.source, 0) + 1
                if keys:
                    keys_from[slot_move.source] = keys_from.get(slot_move.source, 0) + keys
        return {
            "kind": kind,
            "node": name,
            "moved": moved,
            "total": len(self._key_names),
            "from": keys_from,
            "to": keys_to,
            "moved_slots": len(plan),
            "slots_from": slots_from,
            "slots_to": slots_to,
        }

    @move("set_migration")
    def _set_migration(self, command: Mapping[str, Any]) -> list[Event]:
        check_fields(command, optional=("style",))
        style = check_choice("style", self._required(command, "style"), MIGRATION_STYLES)
        self._check_no_migration("set_migration")
        if style != self._cluster.style:
            # Both clusters are idle, so they hold the same slots and keys: swap the roles.
            self._cluster, self._other = self._other, self._cluster
        if style == "slot":
            text = (
                "Slots now migrate as in ElastiCache online resharding: the source keeps "
                "every key of a slot until all are copied, then the whole slot flips."
            )
        else:
            text = (
                "Slots now migrate key by key as in open-source Redis: a moved key is "
                "served by the target, and the source answers ASK for it."
            )
        return [Event("migration_style", text, {"style": style})]

    @move("set_keys_per_tick")
    def _set_keys_per_tick(self, command: Mapping[str, Any]) -> list[Event]:
        check_fields(command, optional=("keys_per_tick",))
        value = self._required(command, "keys_per_tick")
        per = check_int("keys_per_tick", value, 1, MAX_KEYS_PER_TICK)
        self._keys_per_tick = per
        text = f"Each step now migrates up to {_plural(per, 'key')}."
        return [Event("keys_per_tick", text, {"keys_per_tick": per})]

    def step(self) -> list[Event]:
        """Slots mode: migrate up to ``keys_per_tick`` keys; ``[]`` once both styles are done.

        Both styles take the same budget. The sentences describe the chosen style; one
        more sentence (kind ``"compare"``) tells what the other style does differently,
        only when something differs: a slot split key by key, or one style ahead.
        """
        if self.mode != "slots":
            return []
        style = self._cluster.style
        records = self._cluster.step(self._keys_per_tick)
        other_records = self._other.step(self._keys_per_tick)
        note = self._compare_event(records, other_records)
        limit = MAX_TICK_EVENTS - (1 if note is not None else 0)
        events: list[Event] = []
        i = 0
        while i < len(records):
            rec = records[i]
            if rec.kind == "done":
                events.append(self._done_event(rec))
                i += 1
                continue
            # one slot's records: its copies this tick, then maybe its flip
            j = i
            copies: list[MigrationRecord] = []
            while j < len(records) and records[j].kind == "copy" and records[j].slot == rec.slot:
                copies.append(records[j])
                j += 1
            flipped = j < len(records) and records[j].kind == "flip" and records[j].slot == rec.slot
            if flipped and not copies and records[j].total == 0:
                # a run of empty slots with the same source and target
                k = j
                while (
                    k + 1 < len(records)
                    and records[k + 1].kind == "flip"
                    and records[k + 1].total == 0
                    and records[k + 1].source == rec.source
                    and records[k + 1].target == rec.target
                ):
                    k += 1
                events.append(self._empty_run_event(records[j : k + 1]))
                i = k + 1
                continue
            events.append(self._slot_event(style, rec, copies, records[j] if flipped else None))
            i = j + 1 if flipped else j
        if len(events) > limit:
            kept = events[: limit - 2]
            rest = events[limit - 2 :]
            done = [e for e in rest if e.kind == "done"]
            slots = sum(int(e.data.get("slots", 1)) for e in rest if e.kind != "done")
            keys = sum(int(e.data.get("keys", 0)) for e in rest if e.kind != "done")
            kept.append(
                Event(
                    "summary",
                    f"In the same step, {_plural(slots, 'more slot')} and "
                    f"{_plural(keys, 'more key')} move.",
                    {"slots": slots, "keys": keys},
                )
            )
            events = kept + done
        if note is not None:
            events.append(note)
        return events

    def _compare_event(
        self, records: list[MigrationRecord], other_records: list[MigrationRecord]
    ) -> Event | None:
        """The one sentence on the other style this step, or None if nothing differs."""
        main, other = self._cluster, self._other
        words = STYLE_WORDS[other.style]
        main_words = STYLE_WORDS[main.style]
        head = f"Meanwhile, {words}: "
        split = other.split_slots()
        main_split = main.split_slots()
        ours, theirs = main.migration, other.migration
        if (
            not split
            and not main_split
            and ours is not None
            and theirs is not None
            and (ours.index, ours.moved_in_slot) == (theirs.index, theirs.moved_in_slot)
        ):
            # the usual lockstep: same slot, same keys moved, so nothing differs to tell
            return None
        mig = other.migration_state()
        main_mig = main.migration_state()
        data: JSON = {"style": other.style, "split_slots": split[:MAX_LISTED_SPLITS]}
        other_done = bool(other_records) and other_records[-1].kind == "done"
        main_done = bool(records) and records[-1].kind == "done"
        current = mig["current"] if mig is not None else None
        if split and isinstance(current, dict):
            # key by key beside a slot at a time: the slot is split between two shards
            source = current["source"] or "no shard"
            text = (
                f"{head}slot {current['slot']} is split; {source} answers ASK "
                f"{current['target']} for {_n(current['moved'])} of its "
                f"{_plural(current['total'], 'key')}."
            )
            return Event("compare", text, data)
        if main_split and isinstance(current, dict):
            source = current["source"] or "no shard"
            text = (
                f"{head}{source} still serves all {_plural(current['total'], 'key')} of slot "
                f"{current['slot']} ({_n(current['moved'])} copied to {current['target']})."
            )
            return Event("compare", text, data)
        if not other_records:
            return None
        if other_done and main_done:
            return None
        if other_done:
            if main.migration is not None:
                text = (
                    f"{head}the resharding is already done, because a key written to a slot "
                    "during its migration is created on the target instead of being copied."
                )
            else:
                text = f"{head}the resharding is done too, later than {main_words}."
            return Event("compare", text, data)
        if mig is None:  # pragma: no cover - a migration that did not finish is still there
            return None
        left = _keys_left(mig)
        if not records or main_done:
            # the chosen style has finished; this one still copies keys written meanwhile
            queue = mig["queue_slots"]
            assert isinstance(queue, int)
            text = f"{head}{_plural(left, 'key')} still to copy in {_plural(queue, 'slot')}"
            if isinstance(current, dict):
                source = current["source"] or "no shard"
                text += (
                    f"; {source} still serves all {_plural(current['total'], 'key')} of slot "
                    f"{current['slot']} ({_n(current['moved'])} copied to {current['target']})"
                )
            text += "."
            return Event("compare", text, data)
        main_left = _keys_left(main_mig)
        if left == main_left:
            return None
        if left > main_left:
            text = (
                f"{head}{_plural(left - main_left, 'more key')} to copy than {main_words}, "
                "since a key written to a slot during its migration must be copied too."
            )
        else:
            text = (
                f"{head}{_plural(main_left - left, 'key')} fewer to migrate than {main_words}, "
                "since a key written to a slot during its migration is created on the target."
            )
        return Event("compare", text, data)

    def _slot_event(
        self,
        style: str,
        rec: MigrationRecord,
        copies: list[MigrationRecord],
        flip: MigrationRecord | None,
    ) -> Event:
        source = rec.source or "no shard"
        target, slot = rec.target, rec.slot
        data: JSON = {
            "slot": slot,
            "source": rec.source,
            "target": target,
            "keys": len(copies),
            "moved_keys": [c.key for c in copies[:MAX_BREAKDOWN]],
            "flipped": flip is not None,
        }
        if copies:
            last = copies[-1]
            what = f"'{copies[0].key}'" if len(copies) == 1 else _plural(len(copies), "key")
            progress = f"{_n(last.moved)} of {_n(last.total)}"
        if flip is None:
            if style == "slot":
                text = (
                    f"{source} copies {what} of slot {slot} to {target} ({progress} copied); "
                    f"{source} still serves every key of slot {slot}."
                )
                return Event("copy", text, data)
            text = (
                f"{source} migrates {what} of slot {slot} to {target} ({progress} moved); "
                f"a lookup at {source} of a moved key now gets ASK {target}."
            )
            return Event("migrate", text, data)
        every = f"all {_n(flip.total)} of its keys are" if flip.total > 1 else "its one key is"
        if not copies:
            text = f"Slot {slot} now belongs to {target}."
        elif style == "slot":
            text = (
                f"{source} copies {what} of slot {slot} to {target}; {every} "
                f"there, so slot {slot} now belongs to {target} at once."
            )
        else:
            text = (
                f"{source} migrates {what} of slot {slot} to {target}; no key of the slot "
                f"is left on {source}, so slot {slot} now belongs to {target}."
            )
        return Event("flip", text, data)

    @staticmethod
    def _empty_run_event(run: Sequence[MigrationRecord]) -> Event:
        first, last = run[0], run[-1]
        target = first.target
        data: JSON = {
            "slot": first.slot,
            "last_slot": last.slot,
            "slots": len(run),
            "source": first.source,
            "target": target,
            "keys": 0,
            "flipped": True,
        }
        if len(run) == 1:
            text = f"Slot {first.slot} holds no keys and now belongs to {target}."
        else:
            text = (
                f"Slots {first.slot} to {last.slot} hold no keys and now belong to {target} "
                f"({_plural(len(run), 'slot')} from {first.source})."
            )
        return Event("flip", text, data)

    def _done_event(self, rec: MigrationRecord) -> Event:
        record = self._last_move or {}
        name = record.get("node")
        counts = self._cluster.slot_counts()
        if record.get("kind") == "leave":
            text = f"Resharding done: {name} owns no slots and leaves the cluster."
        elif isinstance(name, str) and name in counts:
            text = f"Resharding done: {name} now owns {_plural(counts[name], 'slot')}."
        else:  # pragma: no cover - every migration starts from a join or a leave
            text = "Resharding done."
        return Event("done", text, {"node": name, "slots": 0})

    # -- state ----------------------------------------------------------------------------

    def state(self) -> JSON:
        """The JSON-ready picture of the ring or the slot table (see the module docs).

        At most :data:`MAX_LISTED_KEYS` keys are listed: the first ones stored, in
        insertion order; ``key_count`` gives the total.

        Slots mode adds ``split_slots`` (at most :data:`MAX_LISTED_SPLITS` slots whose
        keys are served by two shards right now; always empty a slot at a time) and
        ``split_count``, and ``compare``: the other migration style on the same keys and
        plan, ``{"migration_style", "shards", "migration", "selected", "split_slots",
        "split_count"}``, each shaped like the same field of the main picture.

        Examples
        --------
        >>> p = ConsistentHashingParams(mode="slots", nodes=3, keys=0)
        >>> e = ConsistentHashingEngine(p, seed=1)
        >>> _ = e.apply({"action": "add_keys", "names": ["{user23}:a", "{user23}:b"]})
        >>> _ = e.apply({"action": "add_node"}), e.step()
        >>> s = e.state()
        >>> s["migration_style"], s["split_slots"], s["compare"]["migration_style"]
        ('slot', [], 'key')
        >>> s["compare"]["split_slots"], s["compare"]["migration"]["current"]["moved"]
        ([1009], 1)
        """
        return self._ring_state() if self.mode == "ring" else self._slots_state()

    def _ring_state(self) -> JSON:
        # The ring's picture only changes with membership or keys (then _refresh drops
        # it); frames while playing or selecting keys reuse it.
        picture = getattr(self, "_picture", None)
        if picture is None:
            picture = self._picture = self._ring_picture()
        selected = None if self._selected is None else self._ring_selection(self._selected)
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
            "theory": self._load_theory(),
            "selected": selected,
            "last_move": self._last_move,
            "limits": self._limits(),
        }

    def _load_theory(self) -> JSON:
        """The ring's load spread beside its closed forms (see :mod:`algorithms.theory`).

        Measured over the nodes' shares of the hash space under the current strategy:
        ``load_cv`` (std/mean) and ``max_over_mean``. Predicted for T random tokens per
        node: ``load_cv_predicted`` = sqrt((S-1)/(S·T+1)) (``load_cv_limit`` = 1/sqrt(T)
        for many nodes) and, for T = 1, ``max_over_mean_predicted`` = H_S. ``applies`` is
        False where the prediction is not about this ring: strategies 2 and 3 place
        equal partitions, and hand-placed tokens are not random.
        """
        shares = list(self._shares.values())
        s, t = len(shares), self._vnodes
        out: JSON = {
            "nodes": s,
            "tokens_per_node": t,
            "applies": self._strategy == 1 and not self._explicit,
            "load_cv": None,
            "max_over_mean": None,
            "load_cv_predicted": ring_load_cv(t, s) if s else None,
            "load_cv_limit": ring_load_cv(t),
            "max_over_mean_predicted": harmonic(s) if s and t == 1 else None,
            "harmonic": harmonic(s) if s else None,
        }
        if s:
            mean = 1 / s
            variance = sum((x - mean) ** 2 for x in shares) / s
            out["load_cv"] = variance**0.5 / mean
            out["max_over_mean"] = max(shares) / mean
        return out

    def _ring_picture(self) -> JSON:
        scheme = self._scheme
        names = self._ring.nodes
        node_tokens: dict[str, list[float]] = {name: [] for name in names}
        tokens: list[JSON] = []
        for pos, owner in zip(scheme.ring.positions, scheme.ring.owners, strict=True):
            fraction = position_to_fraction(pos)
            node_tokens[owner].append(fraction)
            tokens.append({"pos": fraction, "node": owner})
        nodes = [
            {
                "name": name,
                "tokens": node_tokens[name],
                "load_share": self._shares.get(name, 0.0),
                "keys": self._counts.get(name, 0),
                "explicit_tokens": name in self._explicit,
            }
            for name in names
        ]
        partitions = [
            {
                "start": position_to_fraction(start),
                "end": 1.0 if end == HASH_SPACE else position_to_fraction(end),
                "node": owner,
            }
            for start, end, owner in scheme.partitions()
        ]
        keys = [
            {"name": name, "pos": position_to_fraction(pos), "node": scheme.node_at(pos)}
            for name, pos in zip(
                self._key_names[:MAX_LISTED_KEYS], self._key_pos[:MAX_LISTED_KEYS], strict=True
            )
        ]
        return {"nodes": nodes, "tokens": tokens, "partitions": partitions, "keys": keys}

    def _slots_state(self) -> JSON:
        cluster, other = self._cluster, self._other
        slot_counts = cluster.slot_counts()
        ranges = all_slot_ranges(cluster.owners)
        migration = cluster.migration_state()
        shards = self._shard_rows(cluster, slot_counts, ranges, migration)
        if other.owners == cluster.owners and other.shards == cluster.shards:
            # in lockstep (the usual case) the slot table is the same: reuse its ranges
            other_counts, other_ranges = slot_counts, ranges
        else:
            other_counts, other_ranges = other.slot_counts(), all_slot_ranges(other.owners)
        other_migration = other.migration_state()
        keys: list[JSON] = []
        for name in self._key_names[:MAX_LISTED_KEYS]:
            look = cluster.lookup(name)
            keys.append({"name": name, "slot": look.slot, "shard": look.served_by, "ask": look.ask})
        selected = other_selected = None
        if self._selected is not None:
            selected = self._slot_selection(cluster.lookup(self._selected))
            other_selected = self._slot_selection(other.lookup(self._selected))
        split = cluster.split_slots()
        other_split = other.split_slots()
        return {
            "mode": "slots",
            "migration_style": cluster.style,
            "keys_per_tick": self._keys_per_tick,
            "slot_count": SLOTS,
            "shards": shards,
            "keys": keys,
            "key_count": len(self._key_names),
            "migration": migration,
            "split_slots": split[:MAX_LISTED_SPLITS],
            "split_count": len(split),
            "selected": selected,
            "last_move": self._last_move,
            "compare": {
                "migration_style": other.style,
                "shards": self._shard_rows(other, other_counts, other_ranges, other_migration),
                "migration": other_migration,
                "selected": other_selected,
                "split_slots": other_split[:MAX_LISTED_SPLITS],
                "split_count": len(other_split),
            },
            "limits": self._limits(),
        }

    @staticmethod
    def _shard_rows(
        cluster: SlotCluster,
        slot_counts: Mapping[str, int],
        ranges: Mapping[str, list[tuple[int, int]]],
        migration: Mapping[str, object] | None,
    ) -> list[JSON]:
        key_counts = cluster.key_counts()
        joining = migration["joining"] if migration else None
        leaving = migration["leaving"] if migration else None
        return [
            {
                "name": name,
                "slots": slot_counts[name],
                "ranges": [[a, b] for a, b in ranges.get(name, [])],
                "keys": key_counts[name],
                "status": "joining"
                if name == joining
                else "leaving"
                if name == leaving
                else "serving",
            }
            for name in cluster.shards
        ]

    @staticmethod
    def _limits() -> JSON:
        return {
            "nodes": MAX_NODES,
            "keys": MAX_KEYS,
            "vnodes": MAX_VNODES,
            "partitions": MAX_PARTITIONS,
            "replication": MAX_REPLICATION,
            "keys_per_tick": MAX_KEYS_PER_TICK,
            "listed_keys": MAX_LISTED_KEYS,
        }
