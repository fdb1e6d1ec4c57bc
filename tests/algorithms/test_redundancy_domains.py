"""Replicas over racks, zones and Regions; cells and shuffle sharding."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from algorithms.engine import CommandError
from algorithms.redundancy import (
    Topology,
    blast_radius,
    domain_loss_per_year,
    fail_domain,
    fail_random_hosts,
    lost_items,
    place_replicas,
    shuffle_shard_overlap,
    shuffle_shard_touch,
)

TOPO = Topology(regions=2, zones=3, racks=5, hosts=4)  # 120 hosts


def brute_force(topo: Topology, hosts: np.ndarray, down: set[int]) -> tuple[list[int], int]:
    """Lost items and items without a majority, one item at a time."""
    lost, no_quorum = [], 0
    for i, row in enumerate(hosts.tolist()):
        up = sum(h not in down for h in row)
        if up == 0:
            lost.append(i)
        if up < len(row) // 2 + 1:
            no_quorum += 1
    return lost, no_quorum


def _level(topo: Topology, host: int, level: str) -> str:
    region, zone, rack = topo.locate(host)
    return {"region": region, "zone": zone, "rack": rack}[level]


@pytest.mark.parametrize("strategy", ["random", "zones", "regions", "copysets"])
@pytest.mark.parametrize(("level", "name"), [("rack", "R1b-3"), ("zone", "R2a"), ("region", "R1")])
def test_failing_a_domain_loses_exactly_the_items_inside_it(
    strategy: str, level: str, name: str
) -> None:
    replicas = 2 if strategy == "regions" else 3
    placement = place_replicas(TOPO, 3_000, replicas, strategy, seed=4)
    down = {h for h in range(TOPO.host_count) if _level(TOPO, h, level) == name}
    assert len(down) == TOPO.domain_size(level)
    lost, no_quorum = brute_force(TOPO, placement.hosts, down)
    out = fail_domain(TOPO, placement, level, name)
    assert out.hosts_down == len(down)
    assert out.lost == len(lost) and list(out.lost_items) == lost[:100]
    assert out.no_quorum == no_quorum


def test_the_placements_keep_their_promises() -> None:
    for strategy, level, n in (
        ("zones", "zone", 3),
        ("regions", "region", 2),
        ("copysets", "zone", 3),
    ):
        placement = place_replicas(TOPO, 2_000, n, strategy, seed=1)
        domains = TOPO.domain_of(placement.hosts, level)
        assert all(len(set(row)) == n for row in domains.tolist()), strategy
        if strategy != "regions":  # one home Region per item
            regions = TOPO.domain_of(placement.hosts, "region")
            assert (regions == regions[:, :1]).all()
    random_ = place_replicas(TOPO, 2_000, 3, "random", seed=1)
    assert all(len(set(row)) == 3 for row in random_.hosts.tolist())


def test_one_per_zone_survives_a_zone_but_not_its_region() -> None:
    zoned = place_replicas(TOPO, 5_000, 3, "zones", seed=2)
    for zone in TOPO.zone_names():
        out = fail_domain(TOPO, zoned, "zone", zone)
        assert out.lost == 0 and out.no_quorum == 0
    total = sum(fail_domain(TOPO, zoned, "region", r).lost for r in TOPO.region_names())
    assert total == 5_000


def test_random_placement_loses_what_combinatorics_predicts_in_a_rack() -> None:
    topo = Topology(1, 3, 10, 20)  # 600 hosts, racks of 20
    placement = place_replicas(topo, 200_000, 3, "random", seed=3)
    lost = sum(fail_domain(topo, placement, "rack", r).lost for r in topo.rack_names())
    p_same_rack = math.comb(20, 3) / math.comb(600, 3) * 30  # all three in one of 30 racks
    expected = 200_000 * p_same_rack
    assert abs(lost - expected) < 4 * math.sqrt(expected)


def test_copysets_are_few_and_lose_data_in_fewer_outages() -> None:
    topo = Topology(1, 3, 20, 20)  # 1,200 hosts
    sets = place_replicas(topo, 50_000, 3, "copysets", seed=1, scatter=2)
    assert sets.copyset_count() == 2 * 1_200 // 3
    anywhere = place_replicas(topo, 50_000, 3, "random", seed=1)
    assert anywhere.copyset_count() > 40_000
    outages = [
        (fail_random_hosts(anywhere, 60, s).lost, fail_random_hosts(sets, 60, s).lost)
        for s in range(60)
    ]
    assert sum(a > 0 for a, _ in outages) > 3 * max(1, sum(b > 0 for _, b in outages))


def test_loss_per_year_counts_the_harmful_domains() -> None:
    topo = Topology(1, 3, 4, 2)  # racks of two hosts
    placement = place_replicas(topo, 2_000, 2, "random", seed=5)
    for level in ("rack", "zone", "region"):
        out = domain_loss_per_year(topo, placement, level, 0.1)
        harmful = sum(fail_domain(topo, placement, level, d).lost > 0 for d in topo.names(level))
        harmful_q = sum(
            fail_domain(topo, placement, level, d).no_quorum > 0 for d in topo.names(level)
        )
        assert out["harmful"] == harmful and out["harmful_quorum"] == harmful_q
        assert out["p_loss_year"] == pytest.approx(1 - math.exp(-0.1 * harmful))
        items = sum(fail_domain(topo, placement, level, d).lost for d in topo.names(level))
        assert out["items_lost_per_year"] == pytest.approx(0.1 * items)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: Topology(0, 3, 5, 4), "regions"),
        (lambda: Topology(8, 6, 200, 100), "hosts"),
        (lambda: place_replicas(TOPO, 0, 3, "random", seed=1), "items"),
        (lambda: place_replicas(TOPO, 10, 8, "random", seed=1), "replicas"),
        (lambda: place_replicas(TOPO, 10, 3, "regions", seed=1), "replicas"),
        (lambda: place_replicas(TOPO, 10, 3, "nearby", seed=1), "strategy"),
        (lambda: place_replicas(TOPO, 10, 3, "copysets", seed=1, scatter=0), "scatter"),
        (
            lambda: fail_domain(TOPO, place_replicas(TOPO, 10, 3, "zones", seed=1), "row", "R1"),
            "level",
        ),
        (
            lambda: fail_domain(TOPO, place_replicas(TOPO, 10, 3, "zones", seed=1), "zone", "R3a"),
            "name",
        ),
        (lambda: fail_random_hosts(place_replicas(TOPO, 10, 3, "zones", seed=1), 500, 1), "count"),
    ],
)
def test_bad_domain_input_is_refused(call: object, field: str) -> None:
    with pytest.raises(CommandError) as err:
        call()  # type: ignore[operator]
    assert err.value.field == field


# -- cells and shuffle sharding ------------------------------------------------------------


@pytest.mark.parametrize(("n", "k"), [(8, 2), (6, 3), (10, 4), (5, 5), (7, 1)])
def test_shuffle_shard_overlap_counts_the_shards(n: int, k: int) -> None:
    shards = list(itertools.combinations(range(n), k))
    mine = shards[0]
    same = sum(s == mine for s in shards) / len(shards)
    touch = sum(bool(set(s) & set(mine)) for s in shards) / len(shards)
    assert shuffle_shard_overlap(n, k) == pytest.approx(same)
    assert shuffle_shard_touch(n, k) == pytest.approx(touch)


def test_route53_scale() -> None:
    # 2,048 workers, 4 per customer: about one in 730 billion share all four
    assert 1 / shuffle_shard_overlap(2048, 4) == math.comb(2048, 4)
    assert 7.3e11 < math.comb(2048, 4) < 7.4e11


@pytest.mark.parametrize(
    ("strategy", "workers", "k"),
    [("cells", 8, 4), ("cells", 12, 3), ("shuffle", 8, 2), ("shuffle", 6, 3), ("shuffle", 10, 7)],
)
def test_blast_radius_simulated_within_its_interval(strategy: str, workers: int, k: int) -> None:
    r = blast_radius(strategy, 2_000, workers, k, 400, seed=12)
    lo, hi = r.interval()
    assert lo < r.exact < hi
    assert abs(r.touched - r.exact_touched) < 0.02


def test_blast_radius_orders_the_strategies() -> None:
    fleet = blast_radius("fleet", 500, 8, 1, 20, seed=1).affected
    cells = blast_radius("cells", 500, 8, 4, 200, seed=1).affected
    shuffle = blast_radius("shuffle", 500, 8, 2, 200, seed=1).affected
    assert fleet == 1.0 > cells > shuffle


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"strategy": "zones"}, "strategy"),
        ({"customers": 1}, "customers"),
        ({"workers": 63}, "workers"),
        ({"k": 0}, "k"),
        ({"k": 9}, "k"),
        ({"strategy": "cells", "k": 3}, "k"),
        ({"trials": 0}, "trials"),
        ({"trials": 100_000, "customers": 1_000}, "trials"),
    ],
)
def test_bad_blast_radius_input_is_refused(kwargs: dict[str, object], field: str) -> None:
    args: dict[str, object] = {
        "strategy": "shuffle",
        "customers": 100,
        "workers": 8,
        "k": 2,
        "trials": 10,
        "seed": 1,
        **kwargs,
    }
    with pytest.raises(CommandError) as err:
        blast_radius(**args)  # type: ignore[arg-type]
    assert err.value.field == field
    with pytest.raises(CommandError):
        shuffle_shard_overlap(0, 1)


def test_lost_items_lists_every_item_inside_the_zone() -> None:
    topo = Topology(1, 3, 2, 3)  # small zones: many items fall inside one
    placement = place_replicas(topo, 5_000, 2, "random", seed=8)
    down = {h for h in range(topo.host_count) if _level(topo, h, "zone") == "R1c"}
    expected, _ = brute_force(topo, placement.hosts, down)
    assert len(expected) > 100  # more than a failure report lists
    assert lost_items(topo, placement, "zone", "R1c") == expected
