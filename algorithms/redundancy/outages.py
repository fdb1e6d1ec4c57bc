"""Failing a rack, a zone, a Region or random hosts: which items lose data or quorum.

Availability Zones have separate power, cooling and networks within a Region, and
Regions are isolated from each other, so each is a *failure domain*: when it fails,
every replica inside it fails together. Given a :class:`~.domains.Placement`, these
functions report what a failure costs: an item *loses its data* when every replica
is down, and *loses its quorum* when fewer than a majority (``N // 2 + 1``) are up;
:func:`domain_loss_per_year` turns a domain failure rate into a probability of loss
per year. Copysets: Cidon et al., USENIX ATC 2013.

Examples
--------
>>> topo = Topology(regions=1, zones=3, racks=4, hosts=5)
>>> spread = place_replicas(topo, 1_000, 3, "zones", seed=1)
>>> fail_domain(topo, spread, "zone", "R1a").lost
0
>>> fail_domain(topo, spread, "region", "R1").lost
1000
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from algorithms.engine import CommandError, check_choice, check_float, check_int, check_seed
from algorithms.redundancy.domains import LEVELS, Placement, Topology
from algorithms.redundancy.domains import place_replicas as place_replicas  # the examples use it

__all__ = [
    "LISTED",
    "DomainFailure",
    "domain_loss_per_year",
    "fail_domain",
    "fail_hosts",
    "fail_random_hosts",
    "lost_items",
]

LISTED = 100
"""A failure's report lists at most this many lost items."""


@dataclass(frozen=True)
class DomainFailure:
    """What failing some hosts did to the items.

    ``lost`` items had every replica down; ``no_quorum`` items had fewer than a
    majority up (this includes the lost ones). ``lost_items`` lists the first
    :data:`LISTED` of the lost items' indices.

    Examples
    --------
    >>> DomainFailure("zone R1a", 20, 100, 2, 9, (4, 17)).to_json()["no_quorum"]
    9
    """

    what: str
    hosts_down: int
    items: int
    lost: int
    no_quorum: int
    lost_items: tuple[int, ...]

    def to_json(self) -> dict[str, Any]:
        """The figures as a JSON object."""
        return {
            "what": self.what,
            "hosts_down": self.hosts_down,
            "items": self.items,
            "lost": self.lost,
            "no_quorum": self.no_quorum,
            "lost_items": list(self.lost_items),
        }


def _outcome(placement: Placement, down: npt.NDArray[np.bool_], what: str) -> DomainFailure:
    replicas_down = down[placement.hosts].sum(axis=1)
    n = placement.replicas
    lost = replicas_down == n
    no_quorum = (n - replicas_down) < n // 2 + 1
    listed = np.flatnonzero(lost)[:LISTED]
    return DomainFailure(
        what,
        int(down.sum()),
        placement.items,
        int(lost.sum()),
        int(no_quorum.sum()),
        tuple(int(i) for i in listed),
    )


def fail_hosts(placement: Placement, down: npt.NDArray[np.bool_], what: str) -> DomainFailure:
    """Report what a set of hosts being down does: ``down[h]`` is True for host ``h``.

    Examples
    --------
    >>> topo = Topology(1, 3, 1, 1)
    >>> fail_hosts(place_replicas(topo, 5, 3, "zones", seed=1), np.array([True, True, False]), "two").no_quorum
    5
    """
    if not isinstance(placement, Placement):
        raise CommandError("placement", placement, "must be a Placement")
    mask = np.asarray(down)
    if mask.dtype != np.bool_ or mask.shape != (placement.topology.host_count,):
        raise CommandError(
            "down", what, f"must be one true/false per host ({placement.topology.host_count})"
        )
    return _outcome(placement, mask, what)


def fail_domain(topology: Topology, placement: Placement, level: str, name: str) -> DomainFailure:
    """Fail one rack, zone or Region; report the items that lost data or quorum.

    Examples
    --------
    >>> topo = Topology(1, 3, 10, 20)
    >>> anywhere = place_replicas(topo, 10_000, 3, "random", seed=5)
    >>> out = fail_domain(topo, anywhere, "zone", "R1b")
    >>> out.hosts_down, out.lost > 0, out.no_quorum > out.lost
    (200, True, True)
    >>> fail_domain(topo, anywhere, "zone", "R9z")
    Traceback (most recent call last):
    ...
    algorithms.engine.CommandError: name must be a zone of this topology (R1a … R1c), got 'R9z'
    """
    level_ = check_choice("level", level, LEVELS)
    names = topology.names(level_)
    if not isinstance(name, str) or name not in names:
        raise CommandError(
            "name", name, f"must be a {level_} of this topology ({names[0]} … {names[-1]})"
        )
    if placement.topology != topology:
        raise CommandError("placement", placement.strategy, "must be placed on this topology")
    index = names.index(name)
    size = topology.domain_size(level_)
    down = np.zeros(topology.host_count, dtype=bool)
    down[index * size : (index + 1) * size] = True
    return _outcome(placement, down, f"{level_} {name}")


def lost_items(topology: Topology, placement: Placement, level: str, name: str) -> list[int]:
    """Every item (by index) that loses all its replicas when one domain fails.

    The query behind "which items lost data when zone Z fails"; unlike
    :attr:`DomainFailure.lost_items` the list is complete.

    Examples
    --------
    >>> topo = Topology(2, 3, 2, 2)
    >>> zoned = place_replicas(topo, 50, 3, "zones", seed=3)
    >>> lost_items(topo, zoned, "zone", "R1a"), len(lost_items(topo, zoned, "region", "R1"))
    ([], 27)
    """
    fail_domain(topology, placement, level, name)  # validates
    index = topology.names(level).index(name)
    inside = topology.domain_of(placement.hosts, level) == index
    return [int(i) for i in np.flatnonzero(inside.all(axis=1))]


def fail_random_hosts(placement: Placement, count: int, seed: int) -> DomainFailure:
    """Fail ``count`` hosts chosen at random (Cidon et al.'s power outage on restart).

    Random placement spreads items over so many distinct replica sets that almost
    any outage of a few percent of the hosts loses some item; copysets lose data
    in few outages, but then more items at once (the expected loss is the same).

    Examples
    --------
    >>> topo = Topology(1, 3, 50, 20)
    >>> anywhere = place_replicas(topo, 100_000, 3, "random", seed=1)
    >>> few_sets = place_replicas(topo, 100_000, 3, "copysets", seed=1)
    >>> def outages_with_loss(placement):  # out of 100 outages of 3 % of the hosts
    ...     return sum(fail_random_hosts(placement, 90, seed=s).lost > 0 for s in range(100))
    >>> outages_with_loss(anywhere), outages_with_loss(few_sets)
    (92, 3)
    """
    total = placement.topology.host_count
    k = check_int("count", count, 0, total)
    rng = np.random.default_rng(check_seed(seed))
    down = np.zeros(total, dtype=bool)
    down[rng.choice(total, k, replace=False)] = True
    return _outcome(placement, down, f"{k} random hosts")


def domain_loss_per_year(
    topology: Topology, placement: Placement, level: str, rate_per_year: float
) -> dict[str, Any]:
    """Probability per year that a failure of one domain of ``level`` loses data.

    Each domain of ``level`` fails on its own as a Poisson process of
    ``rate_per_year`` failures a year. A failure loses the items whose replicas are
    all inside that domain, so data is lost at rate ``rate · (domains whose failure
    loses an item)``. Two domains down at the same time are left out: with failures
    rare and short, that term is of second order.

    Returns
    -------
    dict
        ``domains`` (of that level), ``harmful`` (those whose failure loses an item),
        ``p_loss_year`` (``1 − exp(−rate · harmful)``), ``items_lost_per_year``
        (expected), and the same two for quorum (``harmful_quorum``,
        ``p_quorum_year``).

    Examples
    --------
    >>> topo = Topology(2, 3, 10, 20)
    >>> zoned = place_replicas(topo, 10_000, 3, "zones", seed=1)
    >>> out = domain_loss_per_year(topo, zoned, "region", 0.01)
    >>> out["harmful"], round(out["p_loss_year"], 4)
    (2, 0.0198)
    >>> domain_loss_per_year(topo, zoned, "zone", 0.05)["p_loss_year"]
    0.0
    """
    level_ = check_choice("level", level, LEVELS)
    rate = check_float("rate_per_year", rate_per_year, 0.0, 100.0)
    if placement.topology != topology:
        raise CommandError("placement", placement.strategy, "must be placed on this topology")
    domains = len(topology.names(level_))
    of = topology.domain_of(placement.hosts, level_)
    n = placement.replicas
    one_domain = (of == of[:, :1]).all(axis=1)
    lost_by = np.bincount(of[one_domain, 0], minlength=domains)
    # quorum: a majority of the replicas inside one domain
    majority = n // 2 + 1
    counts = np.zeros(domains, dtype=np.int64)
    for col in range(n):  # for each domain, items with at least a majority in it
        same = (of == of[:, col : col + 1]).sum(axis=1) >= majority
        first = (of[:, :col] != of[:, col : col + 1]).all(axis=1)
        pick = same & first
        counts += np.bincount(of[pick, col], minlength=domains)
    harmful = int((lost_by > 0).sum())
    harmful_q = int((counts > 0).sum())
    return {
        "level": level_,
        "domains": domains,
        "harmful": harmful,
        "p_loss_year": -math.expm1(-rate * harmful),
        "items_lost_per_year": rate * float(lost_by.sum()),
        "harmful_quorum": harmful_q,
        "p_quorum_year": -math.expm1(-rate * harmful_q),
    }
