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

The package, one module per concept:

- the ring: :mod:`~algorithms.hashing.ring` (MD5 positions, tokens, :class:`HashRing`,
  preference lists), :mod:`~algorithms.hashing.placement` (:class:`KeyPlacement`: the
  keys that move on a membership change), :mod:`~algorithms.hashing.strategies`
  (Dynamo §6.2 strategies 1-3, :class:`PartitionScheme`, load-balancing efficiency),
  :mod:`~algorithms.hashing.replicas` (replicas that move, §4.3) and
  :mod:`~algorithms.hashing.figure8` (Dynamo's Figure 8);
- the slots: :mod:`~algorithms.hashing.slots` (:func:`key_slot`, slot tables,
  :func:`plan_reshard`) and :mod:`~algorithms.hashing.migration` (:class:`SlotCluster`,
  migration a slot at a time or key by key);
- the lab: :mod:`~algorithms.hashing.params`, the two engines
  :class:`RingEngine` and :class:`SlotsEngine` (sharing
  :mod:`~algorithms.hashing.keys` and :mod:`~algorithms.hashing.words`; their
  sentences and pictures in ``ring_text``, ``ring_view`` and ``migration_text``), and
  :class:`ConsistentHashingEngine`, which picks one by the params' mode.

Examples
--------
>>> ring = HashRing(vnodes=8, nodes=["A", "B", "C"])
>>> ring.preference_list("key-0", 2) == ring.preference_list("key-0", 3)[:2]
True
>>> key_slot("{user1000}.following") == key_slot("{user1000}.followers")
True
"""

from __future__ import annotations

from algorithms.engine import CommandError
from algorithms.hashing.lab import ENGINES, ConsistentHashingEngine
from algorithms.hashing.migration import (
    MIGRATION_STYLES,
    MigrationRecord,
    SlotCluster,
    SlotLookup,
)
from algorithms.hashing.migration_text import MAX_LISTED_SPLITS, MAX_TICK_EVENTS, STYLE_WORDS
from algorithms.hashing.params import (
    KEY_NAME_MAX,
    MAX_KEYS,
    MAX_KEYS_PER_TICK,
    MAX_LISTED_KEYS,
    MAX_NAMED_KEYS,
    MAX_NODES,
    MAX_PARTITIONS,
    MAX_REPLICATION,
    MAX_TOKENS,
    MAX_VNODES,
    MODES,
    ConsistentHashingParams,
    Params,
    node_label,
)
from algorithms.hashing.placement import ArcMove, KeyMoves, KeyPlacement
from algorithms.hashing.ring import (
    HASH_SPACE,
    ArcMap,
    HashRing,
    fraction_to_position,
    key_position,
    position_to_fraction,
    token_position,
)
from algorithms.hashing.ring_engine import RingEngine
from algorithms.hashing.ring_text import STRATEGY_WORDS
from algorithms.hashing.slots import (
    SLOTS,
    SlotMove,
    all_slot_ranges,
    hashed_part,
    initial_slot_ranges,
    key_slot,
    plan_reshard,
    slot_ranges,
    slot_table,
)
from algorithms.hashing.slots_engine import SlotsEngine
from algorithms.hashing.strategies import (
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
from algorithms.hashing.words import MAX_BREAKDOWN

__all__ = [
    "ENGINES",
    "HASH_SPACE",
    "KEY_NAME_MAX",
    "MAX_BREAKDOWN",
    "MAX_KEYS",
    "MAX_KEYS_PER_TICK",
    "MAX_LISTED_KEYS",
    "MAX_LISTED_SPLITS",
    "MAX_NAMED_KEYS",
    "MAX_NODES",
    "MAX_PARTITIONS",
    "MAX_REPLICATION",
    "MAX_TICK_EVENTS",
    "MAX_TOKENS",
    "MAX_VNODES",
    "MIGRATION_STYLES",
    "MODES",
    "SLOTS",
    "STRATEGY_WORDS",
    "STYLE_WORDS",
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
    "RingEngine",
    "SlotCluster",
    "SlotLookup",
    "SlotMove",
    "SlotsEngine",
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
