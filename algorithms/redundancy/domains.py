"""Failure domains: replicas over racks, Availability Zones and Regions.

Replication buys reliability only as far as the replicas fail independently. Hosts
share racks (a top-of-rack switch, a power feed), racks share an Availability Zone
(separate power, cooling and networks from the other zones of its Region), and Regions
are isolated from each other. A rack, a zone or a whole Region can fail at once, and
then every replica inside it fails together. Where the replicas are placed decides
what such a failure loses:

- ``random``: ``N`` distinct hosts anywhere in the fleet (blind to domains);
- ``zones``: one replica in each of ``N`` distinct zones of the item's home Region;
- ``regions``: one replica in each of ``N`` distinct Regions;
- ``copysets``: Cidon et al., "Copysets: Reducing the Frequency of Data Loss in Cloud
  Storage", USENIX ATC 2013. The hosts of each Region are cut into a few fixed
  replica sets (copysets) of ``N`` hosts, here one host per zone, from ``scatter``
  random permutations; every item lives on one copyset. Few distinct sets mean that
  ``N`` hosts failing at random rarely hold all replicas of any item.

What a failure then costs is computed in :mod:`.outages`.

Examples
--------
>>> topo = Topology(regions=1, zones=3, racks=4, hosts=5)
>>> topo.host_count, topo.zone_names()
(60, ['R1a', 'R1b', 'R1c'])
>>> spread = place_replicas(topo, 1_000, 3, "zones", seed=1)
>>> sorted(set(topo.domain_of(spread.hosts, "zone")[0].tolist()))
[0, 1, 2]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from algorithms.engine import CommandError, check_choice, check_int, check_seed

__all__ = [
    "LEVELS",
    "MAX_HOSTS",
    "MAX_ITEMS",
    "MAX_REPLICAS",
    "PLACEMENTS",
    "Placement",
    "Topology",
    "place_replicas",
]

Ints = npt.NDArray[np.int64]

PLACEMENTS = ("random", "zones", "regions", "copysets")
"""The placement strategies."""

LEVELS = ("rack", "zone", "region")
"""The failure domains, smallest first."""

MAX_HOSTS = 50_000
"""The most hosts in a topology."""

MAX_ITEMS = 200_000
"""The most items placed at once."""

MAX_REPLICAS = 7
"""The most replicas of an item."""

MAX_SCATTER = 20
"""The most permutations that make copysets."""


@dataclass(frozen=True)
class Topology:
    """Regions of Availability Zones of racks of hosts (every level the same size).

    Regions are named ``R1, R2, …``; zones ``R1a, R1b, …``; racks ``R1a-1, R1a-2, …``.
    Hosts are numbered region by region, zone by zone, rack by rack.

    Parameters
    ----------
    regions : int
        1 to 8.
    zones : int
        Zones per Region, 1 to 6.
    racks : int
        Racks per zone, 1 to 200.
    hosts : int
        Hosts per rack, 1 to 100; at most :data:`MAX_HOSTS` hosts in all.

    Examples
    --------
    >>> Topology(2, 3, 10, 20).host_count
    1200
    >>> Topology(2, 3, 10, 20).locate(700)
    ('R2', 'R2a', 'R2a-6')
    """

    regions: int = 1
    zones: int = 3
    racks: int = 10
    hosts: int = 20

    def __post_init__(self) -> None:
        check_int("regions", self.regions, 1, 8)
        check_int("zones", self.zones, 1, 6)
        check_int("racks", self.racks, 1, 200)
        check_int("hosts", self.hosts, 1, 100)
        if self.host_count > MAX_HOSTS:
            raise CommandError(
                "hosts",
                self.hosts,
                f"must keep regions × zones × racks × hosts within {MAX_HOSTS:,} "
                f"(this topology has {self.host_count:,})",
            )

    @property
    def host_count(self) -> int:
        """Hosts in the whole fleet."""
        return self.regions * self.zones * self.racks * self.hosts

    def region_names(self) -> list[str]:
        """``R1, R2, …``."""
        return [f"R{r + 1}" for r in range(self.regions)]

    def zone_names(self) -> list[str]:
        """Every zone, Region by Region (``R1a, R1b, …``)."""
        return [
            f"R{r + 1}{chr(ord('a') + z)}" for r in range(self.regions) for z in range(self.zones)
        ]

    def rack_names(self) -> list[str]:
        """Every rack, zone by zone (``R1a-1, …``)."""
        return [f"{zone}-{k + 1}" for zone in self.zone_names() for k in range(self.racks)]

    def names(self, level: str) -> list[str]:
        """The names of every domain of ``level`` (``rack``, ``zone`` or ``region``)."""
        level_ = check_choice("level", level, LEVELS)
        if level_ == "rack":
            return self.rack_names()
        return self.zone_names() if level_ == "zone" else self.region_names()

    def domain_size(self, level: str) -> int:
        """Hosts in one domain of ``level``."""
        level_ = check_choice("level", level, LEVELS)
        size = self.hosts if level_ == "rack" else self.racks * self.hosts
        return size * (self.zones if level_ == "region" else 1)

    def domain_of(self, hosts: Ints, level: str) -> Ints:
        """Index (in :meth:`names` order) of the domain of ``level`` of each host."""
        return hosts // self.domain_size(level)

    def locate(self, host: int) -> tuple[str, str, str]:
        """(Region, zone, rack) names of a host."""
        h = check_int("host", host, 0, self.host_count - 1)
        return (
            self.region_names()[h // self.domain_size("region")],
            self.zone_names()[h // self.domain_size("zone")],
            self.rack_names()[h // self.domain_size("rack")],
        )

    def to_json(self) -> dict[str, Any]:
        """The topology as a JSON object."""
        return {
            "regions": self.regions,
            "zones": self.zones,
            "racks": self.racks,
            "hosts": self.hosts,
            "host_count": self.host_count,
        }


@dataclass(frozen=True)
class Placement:
    """Where every replica of every item lives.

    ``hosts[i, j]`` is the host of replica ``j`` of item ``i``.

    Examples
    --------
    >>> p = place_replicas(Topology(1, 3, 2, 2), 4, 3, "zones", seed=1)
    >>> p.items, p.hosts.shape, p.strategy
    (4, (4, 3), 'zones')
    """

    topology: Topology
    strategy: str
    replicas: int
    hosts: Ints

    @property
    def items(self) -> int:
        """Number of items placed."""
        return int(self.hosts.shape[0])

    def copyset_count(self) -> int:
        """Distinct replica sets in use (few for copysets, nearly one per item otherwise)."""
        return int(np.unique(np.sort(self.hosts, axis=1), axis=0).shape[0])


def _distinct_rows(rng: np.random.Generator, rows: int, choose: int, among: int) -> Ints:
    """``rows`` uniformly random ``choose``-subsets of ``range(among)``, in random order."""
    if choose * 3 > among:  # small ranges: rank random keys (at most 3·7 = 21 columns)
        return np.argsort(rng.random((rows, among)), axis=1)[:, :choose].astype(np.int64)
    out = rng.integers(0, among, (rows, choose))
    while True:  # redraw the rows with a repeated value (rare when among ≫ choose)
        ordered = np.sort(out, axis=1)
        bad = np.flatnonzero((ordered[:, 1:] == ordered[:, :-1]).any(axis=1))
        if not bad.size:
            return out.astype(np.int64)
        out[bad] = rng.integers(0, among, (bad.size, choose))


def place_replicas(
    topology: Topology,
    items: int,
    replicas: int,
    strategy: str,
    seed: int,
    *,
    scatter: int = 1,
) -> Placement:
    """Place ``replicas`` copies of each of ``items`` items with a strategy (seeded).

    Parameters
    ----------
    topology : Topology
    items : int
        1 to :data:`MAX_ITEMS`.
    replicas : int
        ``N``, 1 to :data:`MAX_REPLICAS`; at most the hosts (``random``), the zones
        of a Region (``zones``, ``copysets``) or the Regions (``regions``).
    strategy : {"random", "zones", "regions", "copysets"}
    seed : int
    scatter : int
        For ``copysets``: how many random permutations cut the hosts into copysets,
        1 to 20 (Cidon et al.'s scatter width is ``scatter · (N − 1)``).

    Examples
    --------
    >>> topo = Topology(1, 3, 10, 20)
    >>> place_replicas(topo, 10_000, 3, "copysets", seed=2).copyset_count()
    200
    >>> place_replicas(topo, 10, 4, "zones", seed=2)
    Traceback (most recent call last):
    ...
    algorithms.engine.CommandError: replicas must be at most the 3 zones of a Region for zones placement, got 4
    """
    if not isinstance(topology, Topology):
        raise CommandError("topology", topology, "must be a Topology")
    n_items = check_int("items", items, 1, MAX_ITEMS)
    n = check_int("replicas", replicas, 1, MAX_REPLICAS)
    how = check_choice("strategy", strategy, PLACEMENTS)
    rng = np.random.default_rng(check_seed(seed))
    spread = check_int("scatter", scatter, 1, MAX_SCATTER)
    t = topology
    zone_size = t.domain_size("zone")
    region_size = t.domain_size("region")
    if how == "random":
        if n > t.host_count:
            raise CommandError("replicas", replicas, f"must be at most the {t.host_count} hosts")
        hosts = _distinct_rows(rng, n_items, n, t.host_count)
    elif how == "regions":
        if n > t.regions:
            raise CommandError(
                "replicas",
                replicas,
                f"must be at most the {t.regions} Regions for regions placement",
            )
        regions = _distinct_rows(rng, n_items, n, t.regions)
        hosts = regions * region_size + rng.integers(0, region_size, (n_items, n))
    else:
        if n > t.zones:
            raise CommandError(
                "replicas",
                replicas,
                f"must be at most the {t.zones} zones of a Region for {how} placement",
            )
        home = rng.integers(0, t.regions, (n_items, 1))
        if how == "zones":
            zones = _distinct_rows(rng, n_items, n, t.zones)
            hosts = home * region_size + zones * zone_size
            hosts = hosts + rng.integers(0, zone_size, (n_items, n))
        else:
            sets = _copysets(rng, t, n, spread)  # (regions, sets per region, n)
            pick = rng.integers(0, sets.shape[1], n_items)
            hosts = sets[home[:, 0], pick]
    return Placement(t, how, n, hosts.astype(np.int64))


def _copysets(rng: np.random.Generator, t: Topology, n: int, scatter: int) -> Ints:
    """Copysets of ``n`` hosts in ``n`` distinct zones, per Region.

    Each permutation shuffles the hosts within every zone, reads them column by
    column (host 0 of each zone, then host 1, …) and cuts the sequence into runs of
    ``n``: consecutive hosts in that order are in distinct zones, since ``n`` is at
    most the zones. Hosts left over at the end of a permutation are not used by it.
    """
    zone_size = t.domain_size("zone")
    per_perm = (t.zones * zone_size) // n
    out = np.empty((t.regions, per_perm * scatter, n), dtype=np.int64)
    base = np.arange(t.zones)[:, None] * zone_size
    for r in range(t.regions):
        for p in range(scatter):
            order = np.argsort(rng.random((t.zones, zone_size)), axis=1) + base
            column_major = order.T.reshape(-1)[: per_perm * n]
            out[r, p * per_perm : (p + 1) * per_perm] = column_major.reshape(
                per_perm, n
            ) + r * t.domain_size("region")
    return out
