"""Tests for algorithms.smallworld: generators, C and L, the Figure 2 sweep, gossip, engine.

Reference values come from networkx (average_clustering, average_shortest_path_length,
watts_strogatz_graph, BFS on the lattice) and from the closed forms in Watts & Strogatz
(1998), never from the code under test.
"""

from __future__ import annotations

import copy
import itertools
import json
import math
import random
import threading

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from algorithms.engine import CommandError
from algorithms.recording import Recording, Timeline
from algorithms.small_world import (
    SmallWorldEngine,
    SmallWorldParams,
    SweepCancelled,
    barabasi_albert,
    clustering,
    degree_distribution,
    erdos_renyi,
    gossip,
    gossip_comparison,
    lattice_clustering,
    lattice_path_length,
    newman_watts,
    newman_watts_shortcuts,
    path_length,
    realization_seed,
    ring_lattice,
    rounds_to_inform_all,
    shortest_path,
    sweep,
    watts_strogatz,
    watts_strogatz_rewirings,
)
from algorithms.smallworld import bitbfs as _bitbfs
from algorithms.smallworld.generators import _changed_arrays, _decide
from algorithms.smallworld.sweep import _measure_ws


def edge_set(G: nx.Graph) -> set[frozenset[int]]:
    return {frozenset(e) for e in G.edges()}


def nx_lattice(n: int, k: int) -> nx.Graph:
    """The ring lattice built independently: networkx's WS generator with p = 0."""
    return nx.watts_strogatz_graph(n, k, 0.0, seed=0)


# -- lattice values ---------------------------------------------------------------------


@pytest.mark.parametrize("k", [2, 4, 6, 10, 20, 50])
def test_lattice_clustering_formula(k: int) -> None:
    assert lattice_clustering(k) == 3 * (k - 2) / (4 * (k - 1))
    n = 3 * k
    assert nx.average_clustering(nx_lattice(n, k)) == pytest.approx(lattice_clustering(k), 1e-12)


@pytest.mark.parametrize(("n", "k"), [(5, 4), (7, 6), (8, 6), (10, 8), (9, 6), (12, 8)])
def test_lattice_clustering_when_neighbourhoods_wrap(n: int, k: int) -> None:
    exact = nx.average_clustering(nx_lattice(n, k))
    assert lattice_clustering(k, n) == pytest.approx(exact, abs=1e-12)
    assert clustering(ring_lattice(n, k)) == pytest.approx(exact, abs=1e-12)


@pytest.mark.parametrize(
    ("n", "k"), [(3, 2), (4, 2), (5, 2), (10, 4), (11, 4), (12, 6), (101, 10), (1000, 10)]
)
def test_lattice_path_length_exact(n: int, k: int) -> None:
    lattice = nx_lattice(n, k)
    assert lattice_path_length(n, k) == nx.average_shortest_path_length(lattice)
    assert path_length(ring_lattice(n, k)) == lattice_path_length(n, k)


def test_lattice_path_length_is_not_n_over_2k() -> None:
    assert lattice_path_length(1000, 10) != 1000 / 20
    assert lattice_path_length(1000, 10) == pytest.approx(50.45, abs=0.01)


# -- generators -------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "k", "p"), [(20, 4, 0.3), (100, 6, 0.05), (50, 10, 1.0)])
@pytest.mark.parametrize("seed", range(8))
def test_watts_strogatz_matches_networkx_draw_for_draw(n: int, k: int, p: float, seed: int) -> None:
    # networkx follows the paper's lap order and makes the same draws.
    assert edge_set(watts_strogatz(n, k, p, seed)) == edge_set(
        nx.watts_strogatz_graph(n, k, p, seed=seed)
    )


@pytest.mark.parametrize("seed", range(20))
def test_watts_strogatz_keeps_edge_count_without_loops_or_duplicates(seed: int) -> None:
    n, k, p = 60, 6, 0.4
    G = watts_strogatz(n, k, p, seed)
    assert G.number_of_edges() == n * k // 2
    assert nx.number_of_selfloops(G) == 0
    changes = _decide(n, k, p, random.Random(seed), remove=True)
    eu, ev = _changed_arrays(n, k, changes, remove=True)
    pairs = {(min(a, b), max(a, b)) for a, b in zip(eu.tolist(), ev.tolist(), strict=True)}
    assert len(pairs) == n * k // 2  # no duplicate in the raw arrays either
    assert all(a != b for a, b in pairs)
    # every node keeps its k/2 clockwise edges' near ends
    assert min(d for _, d in G.degree()) >= k // 2


def test_same_seed_same_graph_other_seed_other_graph() -> None:
    a = watts_strogatz(200, 8, 0.2, seed=5)
    assert edge_set(a) == edge_set(watts_strogatz(200, 8, 0.2, seed=5))
    assert edge_set(a) != edge_set(watts_strogatz(200, 8, 0.2, seed=6))
    assert edge_set(newman_watts(200, 8, 0.2, 5)) == edge_set(newman_watts(200, 8, 0.2, 5))
    assert edge_set(erdos_renyi(50, m=80, seed=2)) == edge_set(erdos_renyi(50, m=80, seed=2))
    assert edge_set(barabasi_albert(50, 3, 2)) == edge_set(barabasi_albert(50, 3, 2))


@pytest.mark.parametrize("seed", range(10))
def test_rewirings_replayed_on_the_lattice_give_the_graph(seed: int) -> None:
    n, k, p = 30, 6, 0.35
    G = nx_lattice(n, k)
    steps = list(watts_strogatz_rewirings(n, k, p, seed))
    assert len(steps) == n * k // 2
    assert [(s.lap, s.node) for s in steps] == [
        (lap, u) for lap in range(1, k // 2 + 1) for u in range(n)
    ]
    for s in steps:
        assert s.old == (s.node + s.lap) % n
        if s.new is not None:
            assert G.has_edge(s.node, s.old)
            assert s.new != s.node and not G.has_edge(s.node, s.new)
            G.remove_edge(s.node, s.old)
            G.add_edge(s.node, s.new)
    assert edge_set(G) == edge_set(watts_strogatz(n, k, p, seed))


@pytest.mark.parametrize("seed", range(10))
def test_newman_watts_never_removes_a_lattice_edge(seed: int) -> None:
    n, k, p = 40, 4, 0.5
    G = newman_watts(n, k, p, seed)
    assert edge_set(nx_lattice(n, k)) <= edge_set(G)
    added = [s for s in newman_watts_shortcuts(n, k, p, seed) if s.new is not None]
    assert G.number_of_edges() == n * k // 2 + len(added)
    assert nx.number_of_selfloops(G) == 0


@pytest.mark.parametrize("p", [0.0, 1e-3, 0.02, 0.3, 1.0])
@pytest.mark.parametrize("seed", range(3))
def test_sweep_fast_path_measures_the_same_graph(p: float, seed: int) -> None:
    n, k = 120, 6
    G = watts_strogatz(n, k, p, seed)
    c, length, connected = _measure_ws(n, k, p, seed)
    assert connected == nx.is_connected(G)
    assert c == pytest.approx(nx.average_clustering(G), abs=1e-12)
    if connected:
        assert length == nx.average_shortest_path_length(G)


def test_saturated_node_keeps_its_edge() -> None:
    # n = 5, k = 4 is the complete graph: there is nowhere to rewire to.
    assert edge_set(watts_strogatz(5, 4, 1.0, seed=1)) == edge_set(nx.complete_graph(5))
    for seed in range(20):
        G = watts_strogatz(9, 6, 1.0, seed)
        assert G.number_of_edges() == 27 and nx.number_of_selfloops(G) == 0


# -- C and L against networkx -----------------------------------------------------------


def check_against_networkx(G: nx.Graph) -> None:
    assert clustering(G) == pytest.approx(nx.average_clustering(G), abs=1e-9)
    if nx.is_connected(G):
        assert path_length(G) == nx.average_shortest_path_length(G)


@pytest.mark.parametrize("p", [0.0, 1e-3, 0.01, 0.05, 0.2, 1.0])
@pytest.mark.parametrize("seed", range(4))
def test_c_and_l_equal_networkx_on_watts_strogatz(p: float, seed: int) -> None:
    check_against_networkx(watts_strogatz(300, 8, p, seed))


@pytest.mark.parametrize("seed", range(4))
def test_c_and_l_equal_networkx_on_other_models(seed: int) -> None:
    check_against_networkx(newman_watts(200, 4, 0.1, seed))
    check_against_networkx(barabasi_albert(300, 2, seed))
    check_against_networkx(barabasi_albert(150, 5, seed))
    G = erdos_renyi(200, m=800, seed=seed)
    check_against_networkx(G)
    check_against_networkx(erdos_renyi(100, p=0.08, seed=seed))


def test_c_and_l_with_arbitrary_labels() -> None:
    G = nx.relabel_nodes(watts_strogatz(80, 6, 0.1, 3), {i: f"n{i}" for i in range(80)})
    check_against_networkx(G)
    G = nx.les_miserables_graph()
    check_against_networkx(nx.Graph(G))


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(min_value=8, max_value=150),
    half=st.integers(min_value=1, max_value=4),
    edits=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)), max_size=25),
    drops=st.lists(st.integers(0, 10**6), max_size=25),
)
def test_ring_window_bfs_equals_networkx_on_edited_lattices(
    n: int, half: int, edits: list[tuple[int, int]], drops: list[int]
) -> None:
    if 2 * half + 1 > n:
        return
    G = nx_lattice(n, 2 * half)
    edges = sorted(G.edges())
    for d in drops:
        if edges:
            G.remove_edge(*edges.pop(d % len(edges)))
    for a, b in edits:
        if a % n != b % n:
            G.add_edge(a % n, b % n)
    arr = np.array(sorted(G.edges()), dtype=np.int64).reshape(-1, 2)
    eu, ev = arr[:, 0].copy(), arr[:, 1].copy()
    expected = sum(sum(d.values()) for _, d in nx.all_pairs_shortest_path_length(G))
    for hint in (half, 0, None):
        levels = _bitbfs.distance_levels(n, eu, ev, hint)
        total, _ = _bitbfs.level_sums(levels)
        assert total == expected
    t2 = _bitbfs.triangles_twice(n, eu, ev)
    assert (t2 // 2).tolist() == [nx.triangles(G, v) for v in range(n)]


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 60), m=st.integers(0, 300), seed=st.integers(0, 10**6))
def test_c_and_l_on_random_graphs(n: int, m: int, seed: int) -> None:
    G = nx.gnm_random_graph(n, min(m, n * (n - 1) // 2), seed=seed)
    check_against_networkx(G)
    if not nx.is_connected(G):
        parts = [G.subgraph(c) for c in nx.connected_components(G)]
        biggest = max(len(c) for c in parts)
        first = next(c for c in parts if len(c) == biggest)
        expect = nx.average_shortest_path_length(first) if biggest > 1 else 0.0
        assert path_length(G, disconnected="largest_component") == pytest.approx(expect)
        total = sum(sum(d.values()) for _, d in nx.all_pairs_shortest_path_length(G))
        pairs = sum(len(c) * (len(c) - 1) for c in parts)
        got = path_length(G, disconnected="connected_pairs")
        assert got == pytest.approx(total / pairs if pairs else 0.0)
        with pytest.raises(ValueError, match="must be connected"):
            path_length(G)


def test_degree_distribution_and_shortest_path() -> None:
    G = barabasi_albert(200, 2, seed=4)
    hist = degree_distribution(G)
    assert sum(c for _, c in hist) == 200
    assert dict(hist) == {d: c for d, c in enumerate(nx.degree_histogram(G)) if c}
    for a, b in [(0, 199), (5, 77), (3, 3)]:
        path = shortest_path(G, a, b)
        assert path[0] == a and path[-1] == b
        assert len(path) - 1 == nx.shortest_path_length(G, a, b)
        assert all(G.has_edge(u, v) for u, v in itertools.pairwise(path))
    with pytest.raises(ValueError, match="reachable"):
        shortest_path(nx.empty_graph(3), 0, 2)


# -- the Figure 2 sweep -----------------------------------------------------------------

FIG2_PS = [0.01, 1.0]


@pytest.fixture(scope="module")
def fig2_rows() -> list[dict[str, float]]:
    return sweep(1000, 10, FIG2_PS, 4, seed=11)


def test_figure_2_shape(fig2_rows: list[dict[str, float]]) -> None:
    small, random_ = fig2_rows
    # The small-world regime: L has collapsed while C is still close to the lattice's.
    assert small["L_norm"] < 0.4 and small["C_norm"] > 0.8
    assert random_["C_norm"] < 0.05
    # At p = 1, L is near ln n / ln k and C near k / n (Watts & Strogatz 1998).
    assert random_["L"] == pytest.approx(math.log(1000) / math.log(10), rel=0.2)
    assert random_["C"] == pytest.approx(10 / 1000, rel=0.5)
    assert all(r["realizations"] == 4 and r["disconnected"] == 0 for r in fig2_rows)


def test_sweep_rows_are_means_over_the_named_graphs() -> None:
    n, k, ps, reps = 150, 6, [0.02, 0.3], 3
    rows = sweep(n, k, ps, reps, seed=9)
    c0, l0 = nx.average_clustering(nx_lattice(n, k)), lattice_path_length(n, k)
    for i, (p, row) in enumerate(zip(ps, rows, strict=True)):
        graphs = [watts_strogatz(n, k, p, realization_seed(9, i, r)) for r in range(reps)]
        cs = [nx.average_clustering(G) for G in graphs]
        ls = [nx.average_shortest_path_length(G) for G in graphs]
        assert row["p"] == p
        assert row["C"] == pytest.approx(np.mean(cs), abs=1e-12)
        assert row["L"] == pytest.approx(np.mean(ls), abs=1e-12)
        assert row["C_std"] == pytest.approx(np.std(cs, ddof=1), abs=1e-12)
        assert row["C_norm"] == pytest.approx(np.mean(cs) / c0, abs=1e-12)
        assert row["L_norm"] == pytest.approx(np.mean(ls) / l0, abs=1e-12)


def test_workers_give_identical_rows_and_progress_in_order() -> None:
    ps = [0.0, 0.003, 0.05, 0.5]
    seen: list[float] = []
    one = sweep(300, 6, ps, 5, seed=3, workers=1)
    two = sweep(300, 6, ps, 5, seed=3, workers=2, progress=lambda row: seen.append(row["p"]))
    assert one == two
    assert seen == ps


@pytest.mark.parametrize("workers", [1, 2])
def test_cancel_stops_with_the_rows_so_far(workers: int) -> None:
    rows_seen: list[dict[str, float]] = []
    with pytest.raises(SweepCancelled) as info:
        sweep(
            300,
            6,
            [0.1, 0.2, 0.3, 0.4, 0.5],
            10,
            seed=1,
            workers=workers,
            progress=rows_seen.append,
            cancel=lambda: len(rows_seen) >= 1,
        )
    assert 1 <= len(info.value.rows) < 5
    assert info.value.rows == rows_seen[: len(info.value.rows)]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"k": 5}, "k"),
        ({"k": 300}, "k"),
        ({"k": 0}, "k"),
        ({"k": 2}, "k"),
        ({"n": 6000}, "n"),
        ({"ps": [0.1, 1.5]}, "ps[1]"),
        ({"ps": [-0.1]}, "ps[0]"),
        ({"ps": []}, "ps"),
        ({"ps": [0.1] * 51}, "ps"),
        ({"realizations": 101}, "realizations"),
        ({"realizations": 0}, "realizations"),
        ({"workers": 0}, "workers"),
        ({"seed": -1}, "seed"),
    ],
)
def test_sweep_refuses_bad_input(kwargs: dict[str, object], field: str) -> None:
    args: dict[str, object] = {"n": 300, "k": 6, "ps": [0.1], "realizations": 2, "seed": 1}
    args.update(kwargs)
    with pytest.raises(CommandError) as info:
        sweep(**args)  # type: ignore[arg-type]
    assert isinstance(info.value, ValueError)
    assert info.value.field == field
    assert repr(kwargs[next(iter(kwargs))])[:20] in str(info.value) or field.startswith("ps")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: watts_strogatz(20, 3, 0.1, 1), "k must be even"),
        (lambda: watts_strogatz(20, 20, 0.1, 1), "k must be less than n = 20"),
        (lambda: watts_strogatz(20, 0, 0.1, 1), "k must be at least 2"),
        (lambda: watts_strogatz(20, 4, 1.2, 1), "p must be a number between 0.0 and 1.0"),
        (lambda: watts_strogatz(20, 4, -0.1, 1), "p must be a number between 0.0 and 1.0"),
        (lambda: watts_strogatz(20_000, 4, 0.1, 1), "n must be an integer between 3 and 10000"),
        (lambda: newman_watts(20, 7, 0.1, 1), "k must be even"),
        (lambda: watts_strogatz(10_000, 9_998, 0.1, 1), "k must be at most 100"),
        (lambda: ring_lattice(5_000, 402), "k must be at most 200"),
        (lambda: erdos_renyi(10_000, p=0.5, seed=1), "p must keep the expected edge count"),
        (lambda: erdos_renyi(10_000, m=10**6, seed=1), "m must be an integer between 0 and"),
        (lambda: barabasi_albert(10_000, 100, 1), "m must be an integer between 1 and 50"),
        (lambda: erdos_renyi(20, seed=1), "or p must be given"),
        (lambda: erdos_renyi(20, m=5, p=0.1, seed=1), "or p must be given"),
        (lambda: barabasi_albert(20, 20, 1), "m must be an integer between 1 and 19"),
        (lambda: path_length(nx.DiGraph([(0, 1)])), "G must be an undirected networkx Graph"),
        (lambda: path_length(nx.path_graph(3), "ignore"), "disconnected must be one of"),
        (lambda: gossip(nx.path_graph(3), 0, "shout", 1), "mode must be one of"),
        (lambda: gossip(nx.path_graph(3), 9, "push", 1), "source must be a node"),
        (lambda: SmallWorldParams(n=2001), "n must be an integer between 4 and 2000"),
        (lambda: SmallWorldParams(k=52, n=100), "k must be at most 50"),
        (lambda: SmallWorldParams(n=10, m=10), "m must be less than n = 10"),
    ],
)
def test_bad_input_is_refused_with_the_rule(call: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()  # type: ignore[operator]


# -- gossip -----------------------------------------------------------------------------


def test_gossip_on_a_complete_graph_informs_everyone_in_a_few_rounds() -> None:
    G = nx.complete_graph(64)
    for mode in ("push", "pull", "push-pull"):
        for seed in range(5):
            rounds = gossip(G, 0, mode, seed)
            everyone = [v for r in rounds for v in r]
            assert sorted(everyone) == list(range(64))  # each node once
            assert len(rounds) - 1 <= 15  # ~log2(64) + ln(64) for push


def test_push_pull_is_never_slower_than_push_with_the_same_contacts() -> None:
    G = watts_strogatz(300, 6, 0.05, seed=2)
    push = [rounds_to_inform_all(G, 0, "push", s) for s in range(15)]
    both = [rounds_to_inform_all(G, 0, "push-pull", s) for s in range(15)]
    assert all(b is not None and a is not None and b <= a for a, b in zip(push, both, strict=True))
    assert np.mean(both) < np.mean(push)


def test_gossip_is_slow_on_the_lattice_and_fast_on_small_worlds() -> None:
    rows = gossip_comparison(300, 6, 0.05, 4, seed=5, modes=["push-pull"])
    by = {r["graph"]: r for r in rows}
    assert by["ring lattice"]["rounds_mean"] > 2 * by["small world"]["rounds_mean"]
    assert by["random G(n, m)"]["rounds_mean"] <= by["small world"]["rounds_mean"] + 2
    assert by["ring lattice"]["C"] == pytest.approx(lattice_clustering(6))
    assert by["ring lattice"]["L"] == lattice_path_length(300, 6)


def test_gossip_stops_at_the_source_component() -> None:
    G = nx.disjoint_union(nx.complete_graph(5), nx.complete_graph(3))
    rounds = gossip(G, 0, "push-pull", 1)
    assert sorted(v for r in rounds for v in r) == [0, 1, 2, 3, 4]
    with pytest.raises(ValueError, match="connected"):
        rounds_to_inform_all(G, 0, "push", 1)


# -- the engine -------------------------------------------------------------------------


def run(engine: SmallWorldEngine, commands: list[dict[str, object] | None]) -> list[str]:
    texts = []
    for command in commands:
        events = engine.step() if command is None else engine.apply(command)
        texts.extend(e.text for e in events)
    return texts


SCRIPT: list[dict[str, object] | None] = [
    None,
    None,
    {"action": "rewire_next"},
    {"action": "select_node", "node": 3},
    {"action": "shortest_path", "a": 0, "b": 20},
    None,
    {"action": "gossip", "source": 5, "mode": "push-pull"},
    None,
    None,
    {"action": "rewire_all"},
    None,
]


def test_engine_is_deterministic() -> None:
    params = SmallWorldParams(n=40, k=4, p=0.2)
    a, b = SmallWorldEngine(params, 7), SmallWorldEngine(params, 7)
    assert run(a, SCRIPT) == run(b, SCRIPT)
    assert a.state() == b.state()
    json.dumps(a.state())
    c = SmallWorldEngine(params, 8)
    run(c, SCRIPT)
    assert c.state()["edges"] != a.state()["edges"]


@pytest.mark.parametrize("model", ["watts_strogatz", "newman_watts"])
def test_engine_ends_at_the_library_graph(model: str) -> None:
    params = SmallWorldParams(model=model, n=60, k=6, p=0.15)
    engine = SmallWorldEngine(params, 4)
    state = engine.state()
    assert edge_set_of(state) == edge_set(nx_lattice(60, 6))
    assert state["C"] == pytest.approx(lattice_clustering(6)) and state["C0"] == state["C"]
    assert state["L"] == state["L0"] == lattice_path_length(60, 6)
    steps = 0
    while engine.step():
        steps += 1
    assert steps == 60 * 3 == engine.state()["decisions_done"]
    make = watts_strogatz if model == "watts_strogatz" else newman_watts
    G = make(60, 6, 0.15, 4)
    final = engine.state()
    assert edge_set_of(final) == edge_set(G)
    assert final["C"] == pytest.approx(nx.average_clustering(G), abs=1e-12)
    assert final["L"] == nx.average_shortest_path_length(G)
    assert {frozenset(e) for e in final["shortcuts"]} == {
        e for e in edge_set(G) if not lattice_pair(60, 3, *e)
    }
    assert final["degree_histogram"] == [[d, c] for d, c in enumerate(nx.degree_histogram(G)) if c]
    assert engine.step() == []
    with pytest.raises(CommandError, match="nothing left"):
        engine.apply({"action": "rewire_next"})


def edge_set_of(state: dict[str, object]) -> set[frozenset[int]]:
    return {frozenset(e) for e in state["edges"]}  # type: ignore[attr-defined]


def lattice_pair(n: int, h: int, u: int, v: int) -> bool:
    d = (v - u) % n
    return min(d, n - d) <= h


def test_engine_rewire_all_matches_stepping() -> None:
    params = SmallWorldParams(n=50, k=4, p=0.3)
    a, b = SmallWorldEngine(params, 2), SmallWorldEngine(params, 2)
    a.step()
    events = a.apply({"action": "rewire_all"})
    assert len(events) == 1 and "All 100 decisions are made" in events[0].text
    while b.step():
        pass
    assert a.state() == b.state()


def test_engine_events_read_as_sentences() -> None:
    engine = SmallWorldEngine(SmallWorldParams(n=40, k=4, p=0.5), 3)
    texts = run(engine, [None] * 6)
    assert all(t.startswith("Lap 1: edge (") and t.endswith(".") for t in texts)
    assert any("is rewired to" in t for t in texts) and any(t.endswith("stays.") for t in texts)
    engine.apply({"action": "gossip", "source": 0, "mode": "push"})
    rounds = []
    while True:
        events = engine.step()
        if not events or events[0].kind != "gossip_round":
            break
        rounds.append(events[0].text)
    assert rounds[0].startswith("Round 1: ") and "of 40 nodes know the rumour" in rounds[0]
    assert rounds[-1].endswith("all 40 nodes know the rumour.")
    history = engine.state()["gossip"]["history"]
    assert history[0] == 1 and history[-1] == 40 and history == sorted(history)


def test_engine_select_and_path_agree_with_networkx() -> None:
    engine = SmallWorldEngine(SmallWorldParams(n=80, k=6, p=0.2), 9)
    engine.apply({"action": "rewire_all"})
    G = watts_strogatz(80, 6, 0.2, 9)
    event = engine.apply({"action": "select_node", "node": 17})[0]
    selected = engine.state()["selected"]
    assert selected["degree"] == G.degree(17)
    assert selected["C_v"] == pytest.approx(nx.clustering(G, 17))
    assert f"degree {G.degree(17)}" in event.text
    engine.apply({"action": "shortest_path", "a": 2, "b": 45})
    path = engine.state()["path"]
    assert path[0] == 2 and path[-1] == 45
    assert len(path) - 1 == nx.shortest_path_length(G, 2, 45)


def test_engine_reports_disconnected_graphs() -> None:
    engine = SmallWorldEngine(SmallWorldParams(model="erdos_renyi", n=60, k=2), 1)
    G = erdos_renyi(60, m=60, seed=1)
    state = engine.state()
    assert edge_set_of(state) == edge_set(G)
    assert not nx.is_connected(G)
    assert state["L"] is None and "disconnected" in state["L_note"]
    assert state["components"] == nx.number_connected_components(G)
    assert state["lap"] is None and state["decisions_total"] == 0
    with pytest.raises(CommandError, match="applies only to"):
        engine.apply({"action": "rewire_next"})


def test_engine_barabasi_albert_is_the_library_graph() -> None:
    engine = SmallWorldEngine(SmallWorldParams(model="barabasi_albert", n=100, m=3), 6)
    G = barabasi_albert(100, 3, 6)
    state = engine.state()
    assert edge_set_of(state) == edge_set(G)
    assert state["L"] == nx.average_shortest_path_length(G)


@pytest.mark.parametrize(
    "command",
    [
        {"action": "gossip", "source": 40, "mode": "push"},
        {"action": "gossip", "source": 1, "mode": "shout"},
        {"action": "gossip", "source": 1},
        {"action": "gossip", "source": 1, "mode": "push", "extra": 1},
        {"action": "select_node", "node": -1},
        {"action": "select_node", "node": "3"},
        {"action": "shortest_path", "a": 0, "b": 99},
        {"action": "shortest_path", "a": True, "b": 3},
        {"action": "sweep"},
        {"action": None},
        "rewire_next",
    ],
)
def test_refused_commands_leave_the_engine_unchanged(command: object) -> None:
    engine = SmallWorldEngine(SmallWorldParams(n=40, k=4, p=0.2), 7)
    run(engine, SCRIPT[:8])
    before = engine.state()
    shadow = copy.deepcopy(engine)
    with pytest.raises(CommandError):
        engine.apply(command)  # type: ignore[arg-type]
    assert engine.state() == before
    assert run(engine, [None] * 5) == run(shadow, [None] * 5)


def test_timeline_seek_back_equals_fresh_replay() -> None:
    params = {"model": "watts_strogatz", "n": 40, "k": 4, "p": 0.3}
    timeline = Timeline(SmallWorldEngine, "small-world", params, 12, checkpoint_every=8)
    for i in range(30):
        if i == 10:
            timeline.act({"action": "gossip", "source": 3, "mode": "pull"})
        elif i == 20:
            timeline.act({"action": "select_node", "node": 5})
        else:
            timeline.forward()
    end = timeline.engine.state()
    for target in (25, 13, 3, 0):
        timeline.seek(target)
        rec = timeline.recording()
        head = tuple((i, c) for i, c in rec.commands if i < target)
        fresh = Timeline.from_recording(
            SmallWorldEngine, Recording(rec.lab, rec.params, rec.seed, head, target)
        )
        assert timeline.engine.state() == fresh.engine.state()
    timeline.seek(30)
    assert timeline.engine.state() == end


def test_sweep_from_a_worker_thread_uses_clean_processes() -> None:
    # A web server runs sweeps off its event loop in a thread: the pool must then avoid
    # fork (forkserver) and still give the same rows.
    out: dict[str, object] = {}

    def run() -> None:
        out["rows"] = sweep(200, 6, [0.02, 0.2], 3, seed=4, workers=2)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert out["rows"] == sweep(200, 6, [0.02, 0.2], 3, seed=4, workers=1)


def test_popcount_fallback_for_numpy_before_2(monkeypatch: pytest.MonkeyPatch) -> None:
    words = np.random.default_rng(1).integers(0, 2**63, size=(7, 3), dtype=np.uint64)
    expected = sum(bin(int(x)).count("1") for x in words.ravel())
    monkeypatch.setattr(_bitbfs, "_HAS_BITWISE_COUNT", False)
    assert _bitbfs.popcount_total(words) == expected
    check_against_networkx(watts_strogatz(90, 6, 0.1, seed=3))


def test_engine_newman_watts_events_and_clear() -> None:
    engine = SmallWorldEngine(SmallWorldParams(model="newman_watts", n=30, k=4, p=0.5), 5)
    texts = run(engine, [None] * 10)
    assert any("stays and a shortcut" in t for t in texts)
    assert any(t.startswith("Lap 1: no shortcut is added at edge") for t in texts)
    engine.apply({"action": "select_node", "node": 2})
    engine.apply({"action": "shortest_path", "a": 0, "b": 15})
    engine.apply({"action": "gossip", "source": 0, "mode": "pull"})
    state = engine.state()
    assert state["selected"] is not None and state["path"] and state["gossip"]
    assert engine.apply({"action": "select_node", "node": None})[0].text == "No node is selected."
    engine.apply({"action": "clear"})
    state = engine.state()
    # clear is a look-up: it clears what is shown, never the rumour later steps spread.
    assert state["selected"] is None and state["path"] is None and state["gossip"] is not None
