"""The consistent hashing lab's parameters and limits, shared by its two engines.

The ring engine (Karger et al., STOC 1997; DeCandia et al., "Dynamo", SOSP 2007, §4.2,
§4.3, §6.2) reads ``strategy``, ``vnodes``, ``partitions`` and ``replication``; the
slots engine (Redis Cluster specification, hash slots and resharding) reads
``migration`` and ``keys_per_tick``; both read ``nodes`` and ``keys``. ``mode`` picks
the engine (see :mod:`algorithms.hashing.lab`).

Examples
--------
>>> ConsistentHashingParams(mode="slots", nodes=3).mode
'slots'
>>> [node_label(i) for i in range(3)]
['A', 'B', 'C']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from algorithms.engine import LabParams, check_choice, check_int
from algorithms.hashing.migration import MIGRATION_STYLES

__all__ = [
    "KEY_NAME_MAX",
    "MAX_KEYS",
    "MAX_KEYS_PER_TICK",
    "MAX_LISTED_KEYS",
    "MAX_NAMED_KEYS",
    "MAX_NODES",
    "MAX_PARTITIONS",
    "MAX_REPLICATION",
    "MAX_TOKENS",
    "MAX_VNODES",
    "MODES",
    "ConsistentHashingParams",
    "Params",
    "limits",
    "node_label",
]

MODES = ("ring", "slots")
"""``"ring"``: Dynamo's ring; ``"slots"``: Redis Cluster hash slots."""
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


def limits() -> dict[str, Any]:
    """The lab's maxima, as ``state()["limits"]`` reports them to the view.

    Examples
    --------
    >>> limits()["nodes"], limits()["keys"]
    (64, 100000)
    """
    return {
        "nodes": MAX_NODES,
        "keys": MAX_KEYS,
        "vnodes": MAX_VNODES,
        "partitions": MAX_PARTITIONS,
        "replication": MAX_REPLICATION,
        "keys_per_tick": MAX_KEYS_PER_TICK,
        "listed_keys": MAX_LISTED_KEYS,
    }


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
