"""The small-world lab's stable address: the public names of :mod:`algorithms.smallworld`.

Watts & Strogatz, "Collective dynamics of 'small-world' networks", Nature 393:440-442
(1998); Newman & Watts (1999); Strogatz, "Exploring complex networks" (2001). The code
lives in the package :mod:`algorithms.smallworld`, split by concept (generators,
metrics, the Figure 2 sweep, gossip, the engine); this module re-exports its names so
that ``from algorithms.small_world import sweep`` and the lab registry keep working.

Examples
--------
>>> engine = SmallWorldEngine(SmallWorldParams(n=12, k=4, p=0.5), seed=3)
>>> engine.state()["decisions_total"]
24
"""

from __future__ import annotations

from algorithms.smallworld import *  # noqa: F403
from algorithms.smallworld import __all__ as __all__
