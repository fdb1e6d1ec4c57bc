"""The quorum lab's engine, its common part: the cluster, the bounds and the checks.

DeCandia et al., "Dynamo: Amazon's Highly Available Key-value Store", SOSP 2007
(§4.5-4.8). :class:`QuorumBase` builds the :class:`~algorithms.quorum.cluster.Cluster`
from the params and holds what every command of the lab checks against; the commands
themselves are declared in :mod:`.engine` (requests and time), :mod:`.faults` (crashes,
partitions, messages, anti-entropy) and :mod:`.lookups` (questions that record nothing).

Examples
--------
>>> base = QuorumBase(QuorumParams(nodes=5), seed=1)
>>> base.home("cart"), len(base.cluster.nodes)
(['D', 'E', 'B'], 5)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from algorithms.engine import CommandError, Event, LabEngine, check_name
from algorithms.quorum.cluster import Cluster
from algorithms.quorum.params import QuorumParams
from algorithms.quorum.staleness import pbs_curve

__all__ = [
    "MAX_KEYS",
    "MAX_LEGS",
    "MAX_LOOKUP_TRIALS",
    "MAX_MEASURE_PAIRS",
    "MAX_REQUESTS",
    "MAX_TICK_MS",
    "MAX_VALUE",
    "QuorumBase",
    "node_names",
]

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


class QuorumBase(LabEngine[QuorumParams]):
    """The cluster of a quorum lab and the checks its commands share (see :class:`QuorumEngine`)."""

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

    def home(self, key: str) -> list[str]:
        """The key's first ``N`` nodes in preference-list order (its home replicas)."""
        return self.cluster.preference_list(key)[: self.params.n]

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
