"""The quorum lab's parameters, validated before any engine is built.

The lab replicates each key on ``N`` of ``nodes`` servers (Dynamo, DeCandia et al., SOSP
2007, section 4.5: the preference list's first ``N`` healthy nodes), waits for ``W``
write acknowledgements and ``R`` read replies, and draws message delays from a latency
model (Bailis et al., "Probabilistically Bounded Staleness for Practical Partial
Quorums", VLDB 2012, section 5). The engine that runs on the message-passing kernel
takes these parameters and a required int seed, from which it draws every delay.

Examples
--------
>>> p = QuorumParams(n=3, r=1, w=1, latency="LNKD-SSD")
>>> p.strict_quorum, round(p.p_stale, 4)
(False, 0.6667)
>>> QuorumParams(n=3, r=2, w=4)
Traceback (most recent call last):
...
algorithms.engine.CommandError: w must be an integer between 1 and N=3, got 4
"""

from __future__ import annotations

from dataclasses import dataclass

from algorithms.engine import CommandError, LabParams, check_choice, check_float
from algorithms.quorum.latency import LATENCY_MODELS, MAX_DELAY_MS, WARSModel, latency_model
from algorithms.quorum.limits import MAX_N_SIMULATED, check_quorum
from algorithms.quorum.pbs import p_stale

__all__ = ["MAX_NODES", "QuorumParams"]

MAX_NODES = 64


@dataclass(frozen=True)
class QuorumParams(LabParams):
    """Parameters of the quorum lab.

    Attributes
    ----------
    n : int
        Replicas per key, 1 to 32 (:data:`~algorithms.quorum.limits.MAX_N_SIMULATED`)
        and at most ``nodes``. Default 3, Dynamo's common ``(N, R, W) = (3, 2, 2)``.
    r, w : int
        Read and write quorums, 1 to ``N``. Default 2 and 2.
    nodes : int
        Servers in the cluster, ``N`` to :data:`MAX_NODES` (64); the ones past ``N`` stand
        in for failed replicas under a sloppy quorum (Dynamo section 4.6). Default 5.
    latency : str
        One of ``"constant"``, ``"exponential"``, ``"LNKD-SSD"``, ``"LNKD-DISK"``,
        ``"YMMR"``, ``"WAN"``. Default ``"LNKD-SSD"``.
    latency_ms : float
        The delay of ``"constant"`` and the mean of ``"exponential"``, 0.001 to 100,000
        ms; the presets ignore it. Default 1.0.

    Examples
    --------
    >>> QuorumParams.from_dict({"n": 5, "r": 3, "w": 3, "nodes": 8}).strict_quorum
    True
    >>> QuorumParams(n=5, nodes=4)
    Traceback (most recent call last):
    ...
    algorithms.engine.CommandError: nodes must be an integer between N=5 and 64, got 4
    """

    n: int = 3
    r: int = 2
    w: int = 2
    nodes: int = 5
    latency: str = "LNKD-SSD"
    latency_ms: float = 1.0

    def __post_init__(self) -> None:
        n, _, _ = check_quorum(self.n, self.r, self.w, MAX_N_SIMULATED)
        nodes = self.nodes
        if isinstance(nodes, bool) or not isinstance(nodes, int) or not n <= nodes <= MAX_NODES:
            raise CommandError("nodes", nodes, f"must be an integer between N={n} and {MAX_NODES}")
        check_choice("latency", self.latency, LATENCY_MODELS)
        object.__setattr__(
            self, "latency_ms", check_float("latency_ms", self.latency_ms, 0.001, MAX_DELAY_MS)
        )

    @property
    def strict_quorum(self) -> bool:
        """Whether ``R + W > N`` (every read quorum meets every write quorum)."""
        return self.r + self.w > self.n

    @property
    def p_stale(self) -> float:
        """PBS's closed form ``C(N - W, R) / C(N, R)`` for these ``N``, ``R``, ``W``."""
        return p_stale(self.n, self.r, self.w)

    def model(self) -> WARSModel:
        """The latency model these parameters name."""
        return latency_model(self.latency, self.latency_ms)
