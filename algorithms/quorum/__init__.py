"""Quorum replication after Dynamo and Probabilistically Bounded Staleness.

DeCandia et al., "Dynamo: Amazon's Highly Available Key-value Store", SOSP 2007
(sections 4.5 to 4.8), and Bailis, Venkataraman, Franklin, Hellerstein and Stoica,
"Probabilistically Bounded Staleness for Practical Partial Quorums", VLDB 2012.

The package is split by concept:

- :mod:`~algorithms.quorum.pbs`: closed forms (``p_stale``, ``k_staleness``, strict
  quorums), each with an exact :class:`fractions.Fraction` twin.
- :mod:`~algorithms.quorum.latency`: the WARS latency models and the paper's presets.
- :mod:`~algorithms.quorum.wars`: t-visibility by vectorized Monte Carlo.
- :mod:`~algorithms.quorum.merkle`: Merkle-tree anti-entropy (Dynamo section 4.7).
- :mod:`~algorithms.quorum.params`: the lab's validated parameters.
- :mod:`~algorithms.quorum.limits`: the documented maxima and their checks.
- :mod:`~algorithms.quorum.versions`, :mod:`~algorithms.quorum.replicas` (the ring,
  stores and hinted handoff), :mod:`~algorithms.quorum.cluster` (coordinators and
  quorums), :mod:`~algorithms.quorum.staleness`: the lab's Dynamo cluster on the
  message-passing kernel.
- :mod:`~algorithms.quorum.engine` (requests and time), :mod:`~algorithms.quorum.faults`,
  :mod:`~algorithms.quorum.lookups`, on :mod:`~algorithms.quorum.base`: the lab's
  engine, :class:`QuorumEngine`.

Examples
--------
>>> from algorithms.quorum import p_stale_exact, t_visibility
>>> p_stale_exact(3, 1, 1)
Fraction(2, 3)
>>> t_visibility(3, 2, 2, "LNKD-SSD", 0.0, trials=1000, seed=1)
1.0
"""

from algorithms.quorum.latency import (
    LATENCY_MODELS,
    PRESETS,
    Constant,
    Exponential,
    Mixture,
    Pareto,
    WARSModel,
    as_wars_model,
    latency_model,
)
from algorithms.quorum.limits import (
    MAX_K,
    MAX_N,
    MAX_N_SIMULATED,
    MAX_REPLICA_TRIALS,
    MAX_T_MS,
    MAX_T_POINTS,
    MAX_TRIALS,
)
from algorithms.quorum.pbs import (
    is_strict_quorum,
    k_staleness,
    k_staleness_exact,
    p_consistent,
    p_consistent_exact,
    p_stale,
    p_stale_exact,
    smallest_r_for_strong,
    smallest_w_for_strong,
)
from algorithms.quorum.wars import WARSRun, t_at_probability, t_visibility, wars_run

presets = PRESETS
"""The PBS paper's fitted production latency models, by name (the same dict as PRESETS)."""

from algorithms.quorum.engine import QuorumEngine  # noqa: E402  (it builds on the above)

__all__ = [
    "LATENCY_MODELS",
    "MAX_K",
    "MAX_N",
    "MAX_N_SIMULATED",
    "MAX_REPLICA_TRIALS",
    "MAX_TRIALS",
    "MAX_T_MS",
    "MAX_T_POINTS",
    "PRESETS",
    "Constant",
    "Exponential",
    "Mixture",
    "Pareto",
    "QuorumEngine",
    "WARSModel",
    "WARSRun",
    "as_wars_model",
    "is_strict_quorum",
    "k_staleness",
    "k_staleness_exact",
    "latency_model",
    "p_consistent",
    "p_consistent_exact",
    "p_stale",
    "p_stale_exact",
    "presets",
    "smallest_r_for_strong",
    "smallest_w_for_strong",
    "t_at_probability",
    "t_visibility",
    "wars_run",
]
