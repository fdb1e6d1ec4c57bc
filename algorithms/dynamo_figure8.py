"""Dynamo's Figure 8, as it was first importable: see :mod:`algorithms.hashing.figure8`.

DeCandia et al., "Dynamo: Amazon's Highly Available Key-value Store", SOSP 2007, §6.2:
load-balancing efficiency of the three partitioning strategies at equal metadata.

Examples
--------
>>> from algorithms.hashing import figure8 as module
>>> figure8 is module.figure8
True
"""

from __future__ import annotations

from algorithms.hashing.figure8 import (
    LAB_FIGURE8_SEED,
    _placements,
    figure8,
    lab_figure8,
    replica_loads,
)

__all__ = ["LAB_FIGURE8_SEED", "_placements", "figure8", "lab_figure8", "replica_loads"]
