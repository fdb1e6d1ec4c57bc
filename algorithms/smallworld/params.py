"""The small-world lab's parameters.

Watts & Strogatz, "Collective dynamics of 'small-world' networks", Nature 393:440-442
(1998) (the ring models); Strogatz, "Exploring complex networks", Nature 410:268-276
(2001) (Erdos-Renyi and Barabasi-Albert beside them).

Examples
--------
>>> SmallWorldParams.from_dict({"n": 100, "k": 6}).p
0.1
"""

from __future__ import annotations

from dataclasses import dataclass

from algorithms.engine import CommandError, LabParams, check_choice, check_int
from algorithms.smallworld.limits import (
    ENGINE_MAX_K,
    ENGINE_MAX_M,
    ENGINE_MAX_NODES,
    MODELS,
    _check_k,
    _check_p,
)

__all__ = ["SmallWorldParams"]


@dataclass(frozen=True)
class SmallWorldParams(LabParams):
    """Parameters of the small-world lab.

    Attributes
    ----------
    model : str
        ``"watts_strogatz"`` (rewire), ``"newman_watts"`` (add shortcuts),
        ``"erdos_renyi"`` (``G(n, M)`` with ``M = n k / 2``, the lattice's edge count) or
        ``"barabasi_albert"`` (``m`` edges per new node). Default ``"watts_strogatz"``.
    n : int
        Nodes, 4 to 2,000. Default 40.
    k : int
        Lattice degree: even, 2 to 50, less than ``n``. Default 4.
    p : float
        Rewiring (or shortcut) probability per lattice edge, in [0, 1]; used by the two
        ring models. Default 0.1.
    m : int
        Barabasi-Albert edges per new node, 1 to 20, less than ``n``. Default 2.

    Examples
    --------
    >>> SmallWorldParams(n=10, k=3)
    Traceback (most recent call last):
    ...
    algorithms.engine.CommandError: k must be even (k/2 neighbours on each side of the ring), got 3
    """

    model: str = "watts_strogatz"
    n: int = 40
    k: int = 4
    p: float = 0.1
    m: int = 2

    def __post_init__(self) -> None:
        check_choice("model", self.model, MODELS)
        n = check_int("n", self.n, 4, ENGINE_MAX_NODES)
        _check_k(self.k, n, ENGINE_MAX_K)
        object.__setattr__(self, "p", _check_p(self.p))
        check_int("m", self.m, 1, ENGINE_MAX_M)
        if self.m >= n:
            raise CommandError("m", self.m, f"must be less than n = {n}")
