"""Consistent hashing, as it was first importable: see :mod:`algorithms.hashing`.

Karger et al., "Consistent Hashing and Random Trees", STOC 1997; DeCandia et al.,
"Dynamo", SOSP 2007, §4.2, §4.3, §6.2; the Redis Cluster specification's hash slots.
Everything here is :mod:`algorithms.hashing`'s own, under the names notebooks and the
lab's Django side already use.

Examples
--------
>>> from algorithms import hashing
>>> HashRing is hashing.HashRing and ConsistentHashingEngine is hashing.ConsistentHashingEngine
True
"""

from __future__ import annotations

from algorithms.hashing import *  # noqa: F403
from algorithms.hashing import __all__ as __all__
