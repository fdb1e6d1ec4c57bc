"""The quorum lab's engine: Dynamo's quorums, sloppy quorum, hinted handoff, versions,
read repair and Merkle anti-entropy on the message-passing kernel (SOSP 2007, §4.4-4.7)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from algorithms.engine import CommandError
from algorithms.quorum import QuorumEngine, k_staleness, p_stale, presets, t_visibility
from algorithms.quorum.params import QuorumParams
from algorithms.quorum.versions import covers


def engine(**params: Any) -> QuorumEngine:
    seed = params.pop("seed", 1)
    return QuorumEngine(QuorumParams(**params), seed=seed)


def result_values(e: QuorumEngine) -> list[str]:
    return [v["value"] for v in e.state()["requests"][-1]["result"]]


def test_the_library_names_of_the_issue_exist() -> None:
    assert callable(p_stale) and callable(k_staleness) and callable(t_visibility)
    assert set(presets) == {"LNKD-SSD", "LNKD-DISK", "YMMR", "WAN"}


@pytest.mark.parametrize(("n", "r", "w"), [(3, 2, 2), (3, 1, 3), (3, 3, 1), (5, 3, 3), (5, 1, 5)])
@pytest.mark.parametrize("latency", ["exponential", "LNKD-DISK", "WAN"])
def test_strict_quorums_without_failures_read_the_latest_write(
    n: int, r: int, w: int, latency: str
) -> None:
    # R + W > N: every read quorum meets every write quorum, so a get started after a
    # put committed returns it, whatever the delays (§4.5). Reads race the next writes.
    e = engine(n=n, r=r, w=w, nodes=6, latency=latency, seed=n * 10 + r)
    nodes = e.cluster.nodes
    for i in range(12):
        key = f"k{i % 3}"
        e.apply({"action": "put", "key": key, "value": f"v{i}", "coordinator": e.home(key)[i % n]})
        while e.cluster.requests[-1].committed_at is None:
            e.apply({"action": "next_event"})
        e.apply({"action": "get", "key": key, "coordinator": nodes[i % len(nodes)]})
        e.apply({"action": "tick", "ms": 0.3})
    e.apply({"action": "run"})
    gets = [r for r in e.cluster.requests if r.kind == "get"]
    assert all(g.status == "ok" for g in gets)
    assert all(g.stale is False for g in gets)


def test_a_partial_quorum_can_read_stale_and_the_engine_says_so() -> None:
    stale = 0
    for seed in range(30):
        e = engine(n=3, r=1, w=1, latency="exponential", seed=seed)
        e.apply({"action": "put", "key": "k", "value": "v", "coordinator": e.home("k")[0]})
        while e.cluster.requests[-1].committed_at is None:
            e.apply({"action": "next_event"})
        e.apply({"action": "get", "key": "k", "coordinator": e.home("k")[2]})
        e.apply({"action": "run"})
        stale += bool(e.cluster.requests[-1].stale)
    assert 0 < stale < 30


def test_the_coordinator_counts_as_one_of_the_w() -> None:
    e = engine(n=3, r=1, w=1, latency="constant")
    e.apply({"action": "put", "key": "k", "value": "v"})
    e.apply({"action": "next_event"})  # the put reaches its coordinator, which writes locally
    req = e.cluster.requests[0]
    assert req.status == "ok" and req.acks == [req.coordinator]


def test_sloppy_quorum_hint_and_handoff_on_restart() -> None:
    e = engine(latency="constant")
    owner = e.home("cart")[0]
    e.apply({"action": "crash", "node": owner})
    e.apply({"action": "put", "key": "cart", "value": "milk"})
    e.apply({"action": "run"})
    req = e.cluster.requests[0]
    assert req.status == "ok"
    stand_in = e.cluster.preference_list("cart")[3]
    assert (stand_in, owner) in req.targets
    assert e.cluster.hints[stand_in] and not e.cluster.store[owner]
    e.apply({"action": "restart", "node": owner})
    events = e.apply({"action": "run"})
    assert any(ev.kind == "handoff_done" for ev in events)
    assert not e.cluster.hints[stand_in]
    assert [v.value for v in e.cluster.store[owner]["cart"]] == ["milk"]


def test_concurrent_writes_give_siblings_and_the_client_reconciles() -> None:
    e = engine(latency="constant")
    a, b = e.home("cart")[:2]
    e.apply({"action": "put", "key": "cart", "value": "milk", "coordinator": a})
    e.apply({"action": "put", "key": "cart", "value": "eggs", "coordinator": b, "client": "C2"})
    e.apply({"action": "run"})
    e.apply({"action": "get", "key": "cart"})
    e.apply({"action": "run"})
    assert sorted(result_values(e)) == ["eggs", "milk"]
    e.apply({"action": "reconcile", "key": "cart", "value": "eggs+milk"})
    e.apply({"action": "run"})
    e.apply({"action": "get", "key": "cart"})
    e.apply({"action": "run"})
    assert result_values(e) == ["eggs+milk"]


def test_read_repair_brings_a_stale_replica_up_to_date() -> None:
    e = engine(n=3, r=3, w=1, latency="constant")
    e.apply({"action": "put", "key": "k", "value": "v", "coordinator": e.home("k")[0]})
    e.apply({"action": "next_event"})
    for leg in list(e.cluster.net.in_flight()):  # only the coordinator has it
        e.apply({"action": "drop", "message": leg.id})
    assert sum(bool(e.cluster.store[x].get("k")) for x in e.home("k")) == 1
    e.apply({"action": "get", "key": "k"})
    events = e.apply({"action": "run"})
    assert any(ev.kind == "read_repair" for ev in events)
    assert all(e.cluster.store[x].get("k") for x in e.home("k"))


def test_merkle_anti_entropy_finds_exactly_the_differing_keys() -> None:
    e = engine(n=3, r=1, w=1, nodes=3, latency="constant")
    a, b, _ = e.cluster.nodes
    for i in range(50):
        e.apply({"action": "put", "key": f"k{i}", "value": "v", "coordinator": a})
        e.apply({"action": "run"})
    e.apply({"action": "crash", "node": b})
    changed = {"k3", "k11", "k17"}
    for key in sorted(changed):
        e.apply({"action": "put", "key": key, "value": "v2", "coordinator": a})
        e.apply({"action": "run"})
    e.apply({"action": "restart", "node": b})
    e.apply({"action": "anti_entropy", "a": a, "b": b, "depth": 2})
    ae = e.state()["anti_entropy"]
    assert set(ae["differing_keys"]) == changed
    assert ae["full_comparison"] == 50 and ae["hashes_exchanged"] < ae["full_comparison"]
    assert all(e.cluster.store[b][k] == e.cluster.store[a][k] for k in changed)
    e.apply({"action": "anti_entropy", "a": a, "b": b, "depth": 2})
    again = e.state()["anti_entropy"]
    # In sync: one root hash per key range, and nothing below it.
    assert again["differing_keys"] == [] and again["hashes_exchanged"] == again["ranges"]


def test_bad_input_is_refused_with_the_value_and_the_rule() -> None:
    with pytest.raises(CommandError, match="r must be an integer between 1 and N=3, got 4"):
        QuorumParams(r=4)
    with pytest.raises(CommandError, match="w must be an integer between 1 and N=3, got 0"):
        QuorumParams(w=0)
    with pytest.raises(CommandError, match="nodes must be an integer between N=6 and 64, got 5"):
        QuorumParams(n=6, r=1, w=1)
    with pytest.raises(CommandError, match="latency must be one of"):
        QuorumParams(latency="LAN")
    e = engine()
    with pytest.raises(CommandError, match="node must be one of the nodes A, B, C, D, E, got 'Z'"):
        e.apply({"action": "crash", "node": "Z"})
    with pytest.raises(CommandError, match=r"t must be a number between 0\.0 and 100000\.0"):
        e.apply({"action": "p_consistent", "t": 1e9})
    with pytest.raises(CommandError, match="trials must be an integer between 1 and 200000"):
        e.apply({"action": "p_consistent", "t": 1.0, "trials": 10**7})
    with pytest.raises(CommandError, match="nodes must leave at least one node outside"):
        e.apply({"action": "partition", "nodes": list(e.cluster.nodes)})


def test_a_refused_command_changes_nothing() -> None:
    e = engine()
    before = e.state()
    with pytest.raises(CommandError):
        e.apply({"action": "put", "key": "k", "value": "v", "coordinator": "Q"})
    assert e.state() == before


FAULT = st.one_of(
    st.tuples(st.just("crash"), st.integers(0, 5)),
    st.tuples(st.just("restart"), st.integers(0, 5)),
    st.tuples(st.just("partition"), st.sets(st.integers(0, 5), min_size=1, max_size=3)),
    st.tuples(st.just("heal"), st.just(0)),
    st.tuples(st.just("put"), st.integers(0, 3)),
    st.tuples(st.just("tick"), st.floats(0.05, 3.0)),
    st.tuples(st.just("drop"), st.integers(0, 50)),
    st.tuples(st.just("delay"), st.integers(0, 50)),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), schedule=st.lists(FAULT, min_size=1, max_size=25))
def test_hinted_writes_reach_their_owner_and_none_is_lost(
    seed: int, schedule: list[tuple[str, Any]]
) -> None:
    # Across any seeded schedule of crashes, restarts, partitions, heals, drops and
    # delays, once every
    # node is back and the network healed, every hint is handed to its owner and deleted
    # (§4.6), and every committed write is held by all N of its home replicas or
    # superseded there: hinted handoff plus one anti-entropy round loses nothing.
    e = engine(n=3, r=2, w=2, nodes=6, latency="exponential", seed=seed)
    nodes = e.cluster.nodes
    for i, (kind, arg) in enumerate(schedule):
        try:
            if kind in ("crash", "restart"):
                e.apply({"action": kind, "node": nodes[arg]})
            elif kind == "partition":
                e.apply({"action": "partition", "nodes": [nodes[x] for x in sorted(arg)]})
            elif kind == "heal":
                e.apply({"action": "heal"})
            elif kind in ("drop", "delay"):
                flying = e.cluster.net.in_flight()
                if flying:
                    m = flying[arg % len(flying)].id
                    e.apply(
                        {"action": kind, "message": m, **({"ms": 2.0} if kind == "delay" else {})}
                    )
            elif kind == "put":
                e.apply({"action": "put", "key": f"k{arg}", "value": f"v{i}", "blind": True})
            else:
                e.apply({"action": "tick", "ms": arg})
        except CommandError:
            pass  # e.g. restarting a node that is up: refused, nothing changes
    e.apply({"action": "heal"})
    for node in nodes:
        if not e.cluster.up(node):
            e.apply({"action": "restart", "node": node})
    e.apply({"action": "run"})
    c = e.cluster
    assert all(not hints for hints in c.hints.values())
    for holder, owner, key, version in c.hints_made:
        assert covers(c.store[owner].get(key, ()), version), (holder, owner, key, version)
    # Writes whose legs were lost to a crash or partition (no hint was made) are the
    # business of anti-entropy: one round between home replicas completes them.
    for key in e.keys:
        home = e.home(key)
        for a, b in zip(home, home[1:] + home[:1], strict=True):
            e.apply({"action": "anti_entropy", "a": a, "b": b})
    for key, commits in c.committed.items():
        for _, version in commits:
            for node in e.home(key):
                assert covers(c.store[node].get(key, ()), version), (key, node, version)


def test_pbs_measured_on_the_live_cluster_grows_with_t_and_is_one_for_strict_quorums() -> None:
    partial = engine(n=3, r=1, w=1, latency="exponential", seed=3)
    partial.apply({"action": "measure", "t": 0.0, "pairs": 150})
    partial.apply({"action": "measure", "t": 8.0, "pairs": 150})
    early, late = partial.state()["measured"]
    assert early["p_consistent"] < late["p_consistent"]
    assert late["p_consistent"] > 0.97
    assert partial.state()["requests"] == []  # measured on a copy
    strict = engine(n=3, r=2, w=2, latency="LNKD-DISK", seed=3)
    strict.apply({"action": "measure", "t": 0.0, "pairs": 100})
    assert strict.state()["measured"][0]["p_consistent"] == 1.0


def test_a_partitioned_owner_gets_its_hint_after_the_heal() -> None:
    e = engine(latency="constant")
    owner = e.home("cart")[1]
    e.apply({"action": "partition", "nodes": [owner]})
    e.apply({"action": "put", "key": "cart", "value": "milk"})
    e.apply({"action": "run"})
    stand_in = e.cluster.preference_list("cart")[3]
    assert set(e.cluster.hints[stand_in]) == {("cart", owner)}
    assert "cart" not in e.cluster.store[owner]
    heal = e.apply({"action": "heal"})
    assert any(ev.kind == "handoff" for ev in heal)
    e.apply({"action": "run"})
    assert not e.cluster.hints[stand_in] and [v.value for v in e.cluster.store[owner]["cart"]] == [
        "milk"
    ]


def test_dropped_writes_leave_a_put_without_its_quorum_and_it_fails_at_the_timeout() -> None:
    e = engine(n=3, r=2, w=3, latency="constant")
    e.apply({"action": "put", "key": "k", "value": "v"})
    e.apply({"action": "next_event"})  # the put reaches its coordinator
    writes = [m for m in e.cluster.net.in_flight() if m.payload.kind == "write"]
    assert len(writes) == 2
    e.apply({"action": "drop", "message": writes[0].id})
    e.apply({"action": "run"})
    req = e.cluster.requests[0]
    assert req.status == "failed" and "2 of 3" in req.reason
    assert e.state()["legs"][writes[0].id]["status"] == "dropped"


def test_a_delayed_leg_arrives_later_and_the_diagram_knows() -> None:
    e = engine(latency="constant")
    e.apply({"action": "put", "key": "k", "value": "v"})
    e.apply({"action": "next_event"})
    write = next(m for m in e.cluster.net.in_flight() if m.payload.kind == "write")
    e.apply({"action": "delay", "message": write.id, "ms": 10.0})
    assert e.state()["legs"][write.id]["due"] == pytest.approx(12.0)
    e.apply({"action": "run"})
    assert e.state()["legs"][write.id]["received_at"] == pytest.approx(12.0)
