"""The labs against their papers: each corrected statement, held by a test (docs/fidelity.md)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from algorithms.vector_clocks import VectorClocksEngine, VectorClocksParams, VersionedKey, figure3

# -- vector clocks: a write without a read through the same coordinator ---------------


def _put(engine: VectorClocksEngine, coordinator: str, value: str, context: object) -> list[str]:
    command = {"action": "put", "coordinator": coordinator, "value": value, "context": context}
    return [e.kind for e in engine.apply(command)]


def test_empty_context_through_the_same_coordinator_is_a_lost_update() -> None:
    engine = VectorClocksEngine(VectorClocksParams(processes=3), seed=1)
    _put(engine, "Sx", "book", [])
    kinds = _put(engine, "Sx", "pen", [])
    versions = engine.state()["versions"]
    # put(Sx, []) gives ([Sx,1]) again: not a concurrent branch, D1 is silently dropped
    assert versions["versions"][1]["clock"] == versions["versions"][0]["clock"] == {"Sx": 1}
    assert versions["current"] == ["D2"]
    assert versions["lost"] == ["D1"]
    assert "lost_update" in kinds and "siblings" not in kinds
    assert versions["history"][-1]["lost"] == ["D1"]


def test_empty_context_through_another_coordinator_keeps_two_siblings() -> None:
    engine = VectorClocksEngine(VectorClocksParams(processes=3), seed=1)
    _put(engine, "Sx", "book", [])
    kinds = _put(engine, "Sy", "pen", [])
    versions = engine.state()["versions"]
    assert versions["current"] == ["D1", "D2"]
    assert versions["lost"] == []
    assert "siblings" in kinds and "lost_update" not in kinds


def test_an_old_context_through_the_same_coordinator_loses_the_newer_write() -> None:
    key = VersionedKey("cart")
    key.put("Sx", "book", [])
    key.put("Sx", "book, pen", ["D1"])
    d3 = key.put("Sx", "book, mug", ["D1"])  # ([Sx,2]) again, equal to D2's clock
    assert d3.clock == key.version("D2").clock
    assert key.history[-1].lost == ("D2",)


def test_a_write_dominated_by_an_unread_version_is_itself_lost() -> None:
    key = VersionedKey("cart")
    key.put("Sx", "book", [])
    key.put("Sy", "pen", [])
    key.reconcile("Sx", "book, pen")  # D3 = ([Sx,2],[Sy,1])
    key.put("Sx", "mug", ["D1"])  # ([Sx,2]) < D3's clock: D4 is dropped
    assert [v.id for v in key.get()] == ["D3"]
    assert key.lost_updates() == ["D4"]


def test_figure_3_loses_nothing() -> None:
    assert figure3().lost_updates() == []


def _closure(key: VersionedKey, ids: list[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(ids)
    while todo:
        vid = todo.pop()
        if vid not in seen:
            seen.add(vid)
            todo.extend(key.version(vid).parents)
    return seen


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["Sx", "Sy", "Sz"]), st.lists(st.integers(0, 20), max_size=3)),
        min_size=1,
        max_size=12,
    )
)
def test_no_write_vanishes_unflagged(writes: list[tuple[str, list[int]]]) -> None:
    """Every write is current, read by a current version, or flagged lost (or read by one)."""
    key = VersionedKey("cart")
    for i, (coordinator, picks) in enumerate(writes):
        context = sorted({f"D{p % i + 1}" for p in picks}) if i else []
        key.put(coordinator, f"v{i}", context)
    lost = key.lost_updates()
    kept = _closure(key, [v.id for v in key.get()]) | _closure(key, lost)
    assert {v.id for v in key.versions} <= kept
    for write in key.history:
        assert set(write.lost) <= set(write.dropped)


# -- Lamport's total order: ties broken by process order, not by name ----------------


def test_total_order_breaks_ties_by_process_order_not_name() -> None:
    engine = VectorClocksEngine(VectorClocksParams(processes=11), seed=1)
    for p in ("P10", "P9", "P2"):
        engine.apply({"action": "local", "process": p})
    engine.apply({"action": "show_total_order", "on": True})
    state = engine.state()
    order = [state["events"][i]["process"] for i in state["total_order"]]
    assert order == ["P2", "P9", "P10"]  # by name, P10 would come before P2
