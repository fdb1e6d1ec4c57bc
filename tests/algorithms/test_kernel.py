"""The message-passing kernel: event order, FIFO, delays, timers, faults, copies."""

from __future__ import annotations

import copy
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from algorithms.engine import CommandError
from algorithms.kernel import (
    MAX_IN_FLIGHT,
    ConstantDelay,
    ExponentialDelay,
    Message,
    Network,
    Timer,
    UniformDelay,
)


def drain(net: Network[object]) -> list[tuple[str, object, float]]:
    out = []
    while (event := net.next_event()) is not None:
        if isinstance(event, Timer):
            out.append(("timer", event.payload, net.now))
        else:
            out.append((event.status, event.payload, net.now))
    return out


def test_ties_are_broken_by_priority_then_insertion_order() -> None:
    net: Network[object] = Network(["a", "b"], delay=ConstantDelay(1.0))
    net.schedule_timer("a", 1.0, "t1")
    net.send("a", "b", "m1")
    net.schedule_timer("b", 1.0, "t2")
    net.send("b", "a", "m2")
    net.schedule_timer("a", 1.0, "urgent", priority=0)
    # At time 1: priority 0 first, then messages (1) in send order, then timers (2).
    assert [p for _, p, _ in drain(net)] == ["urgent", "m1", "m2", "t1", "t2"]


def test_events_pop_in_time_order_and_now_advances() -> None:
    net: Network[object] = Network(
        ["a", "b", "c"], delay=UniformDelay(0.0, 10.0), rng=random.Random(5)
    )
    for i in range(50):
        net.send("abc"[i % 3], "abc"[(i + 1) % 3], i)
    times = [t for _, _, t in drain(net)]
    assert times == sorted(times) and len(times) == 50


def run_random(seed: int, fifo: bool) -> list[tuple[str, object, float]]:
    rng = random.Random(seed)
    net: Network[object] = Network(
        ["a", "b", "c"], fifo=fifo, delay=ExponentialDelay(1.0), rng=random.Random(seed)
    )
    out: list[tuple[str, object, float]] = []
    for i in range(200):
        src, dst = rng.sample(["a", "b", "c"], 2)
        net.send(src, dst, (src, dst, i))
        if rng.random() < 0.3:
            net.schedule_timer(src, net.now + rng.random(), ("timer", i))
        if rng.random() < 0.5:
            event = net.next_event()
            if event is not None:
                out.append((type(event).__name__, event.payload, net.now))
    out.extend(drain(net))
    return out


@given(st.integers(0, 2**32))
@settings(max_examples=25, deadline=None)
def test_same_seed_same_run(seed: int) -> None:
    assert run_random(seed, fifo=True) == run_random(seed, fifo=True)
    assert run_random(seed, fifo=False) == run_random(seed, fifo=False)


ops = st.lists(
    st.tuples(st.sampled_from(["send", "step", "delay", "drop", "deliver"]), st.integers(0, 10**6)),
    min_size=1,
    max_size=120,
)


@given(st.integers(0, 2**32), ops)
@settings(max_examples=80, deadline=None)
def test_fifo_never_reorders(seed: int, script: list[tuple[str, int]]) -> None:
    net: Network[int] = Network(
        ["a", "b", "c"], fifo=True, delay=ExponentialDelay(2.0), rng=random.Random(seed)
    )
    delivered: dict[tuple[str, str], list[int]] = {}
    sent = 0
    for op, x in script:
        flying = net.in_flight()
        if op == "send":
            src, dst = [("a", "b"), ("b", "a"), ("a", "c"), ("c", "b")][x % 4]
            net.send(src, dst, sent)
            sent += 1
        elif op == "step":
            event = net.next_event()
            if isinstance(event, Message):
                delivered.setdefault((event.src, event.dst), []).append(event.payload)
        elif op == "delay" and flying:
            net.delay(flying[x % len(flying)].id, (x % 97) / 10)
        elif op == "drop" and flying:
            net.drop(flying[x % len(flying)].id)
        elif op == "deliver" and flying:
            m = flying[x % len(flying)]
            m = net.deliver_next(m.src, m.dst)
            delivered.setdefault((m.src, m.dst), []).append(m.payload)
        for src, dst in [("a", "b"), ("b", "a"), ("a", "c"), ("c", "b")]:
            dues = [m.due for m in net.in_flight(src, dst)]
            assert dues == sorted(dues)
    for event in iter(net.next_event, None):
        assert isinstance(event, Message)
        delivered.setdefault((event.src, event.dst), []).append(event.payload)
    for payloads in delivered.values():
        assert payloads == sorted(payloads)  # payloads are sent in increasing order


def test_unordered_channels_can_reorder() -> None:
    reordered = False
    for seed in range(20):
        net: Network[int] = Network(
            ["a", "b"], fifo=False, delay=UniformDelay(0, 5), rng=random.Random(seed)
        )
        for i in range(10):
            net.send("a", "b", i)
        got = [e.payload for e in iter(net.next_event, None) if isinstance(e, Message)]
        assert sorted(got) == list(range(10))
        reordered |= got != sorted(got)
    assert reordered


def test_a_delayed_fifo_message_is_not_overtaken() -> None:
    net: Network[str] = Network(["p", "q"], delay=ConstantDelay(1.0))
    first = net.send("p", "q", "first")
    net.send("p", "q", "second")
    net.now = 0.5
    net.send("p", "q", "third")
    net.delay(first.id, 5.0)
    assert [m.due for m in net.in_flight("p", "q")] == [6.0, 6.0, 6.0]
    assert [e.payload for e in iter(net.next_event, None) if isinstance(e, Message)] == [
        "first",
        "second",
        "third",
    ]


def test_an_unordered_delayed_message_is_overtaken() -> None:
    net: Network[str] = Network(["p", "q"], fifo=False, delay=ConstantDelay(1.0))
    first = net.send("p", "q", "first")
    net.send("p", "q", "second")
    net.delay(first.id, 5.0)
    assert [e.payload for e in iter(net.next_event, None) if isinstance(e, Message)] == [
        "second",
        "first",
    ]


def test_crash_loses_messages_and_timers_and_restart_recovers() -> None:
    net: Network[str] = Network(["p", "q"], delay=ConstantDelay(1.0))
    net.send("p", "q", "lost")
    net.schedule_timer("q", 0.5, "gone")
    net.crash("q")
    with pytest.raises(CommandError, match="crashed"):
        net.send("q", "p", "x")
    assert drain(net) == [("lost", "lost", 1.0)]
    net.restart("q")
    net.send("p", "q", "ok")
    assert drain(net) == [("delivered", "ok", 2.0)]
    with pytest.raises(CommandError):
        net.restart("q")


def test_partition_loses_crossing_messages_until_healed() -> None:
    net: Network[str] = Network(["a", "b", "c"], delay=ConstantDelay(1.0))
    net.partition(["a"])
    net.send("a", "b", "across")
    net.send("b", "c", "inside")
    assert sorted(drain(net)) == [("delivered", "inside", 1.0), ("lost", "across", 1.0)]
    net.heal()
    net.send("a", "b", "healed")
    assert drain(net) == [("delivered", "healed", 2.0)]
    with pytest.raises(CommandError):
        net.partition(["a", "b", "c"])


def test_drop_removes_a_message_and_deliver_respects_fifo() -> None:
    net: Network[str] = Network(["p", "q"], delay=ConstantDelay(1.0))
    a = net.send("p", "q", "a")
    b = net.send("p", "q", "b")
    with pytest.raises(CommandError, match="oldest"):
        net.deliver(b.id)
    assert net.drop(a.id).status == "dropped"
    assert net.deliver(b.id).payload == "b"
    assert net.now == 0.0
    with pytest.raises(CommandError):
        net.drop(a.id)


def test_copies_share_nothing_mutable() -> None:
    net: Network[str] = Network(["p", "q"], delay=UniformDelay(0, 2), rng=random.Random(1))
    for i in range(5):
        net.send("p", "q", str(i))
    twin = copy.deepcopy(net)
    first = [(e.payload, net.now) for e in iter(net.next_event, None) if isinstance(e, Message)]
    net.send("p", "q", "later")
    second = [(e.payload, twin.now) for e in iter(twin.next_event, None) if isinstance(e, Message)]
    assert first == second
    assert len(twin.in_flight()) == 0 and len(net.in_flight()) == 1
    assert twin.rng is not net.rng and twin.delay_model == net.delay_model
    saved = copy.deepcopy(twin.rng)
    assert twin.rng.random() == saved.random()


def test_bounds_and_bad_input() -> None:
    with pytest.raises(CommandError):
        Network([])
    with pytest.raises(CommandError):
        Network(["a", "a"])
    with pytest.raises(CommandError, match="differ"):
        Network(["a", "b"], links=[("a", "a")])
    net: Network[str] = Network(["a", "b"])
    with pytest.raises(CommandError):
        net.schedule_timer("a", -1.0, "past")
    with pytest.raises(CommandError):
        net.delay(99, 1.0)
    assert MAX_IN_FLIGHT >= 200_000


@given(st.integers(0, 2**32), st.lists(st.integers(0, 8), min_size=1, max_size=60))
@settings(max_examples=30, deadline=None)
def test_the_kernel_reproduces_the_vector_clocks_lab_deliveries(
    seed: int, script: list[int]
) -> None:
    # The vector-clocks lab draws integer delays with its own Random(seed) and delivers
    # due messages by (due, id): the kernel, unordered, gives the same run.
    from algorithms.vector_clocks import VectorClocksEngine, VectorClocksParams

    lab = VectorClocksEngine(VectorClocksParams(processes=3), seed=seed)
    net: Network[int] = Network(
        ["P1", "P2", "P3"],
        fifo=False,
        delay=UniformDelay(1, 5, integer=True),
        rng=random.Random(seed),
    )
    pairs = [(a, b) for a in ("P1", "P2", "P3") for b in ("P1", "P2", "P3") if a != b]
    lab_order: list[int] = []
    kernel_order: list[int] = []
    sent = 0
    for x in script:
        if x < 6:
            src, dst = pairs[x]
            lab.apply({"action": "send", "from": src, "to": dst})
            net.send(src, dst, sent)
            sent += 1
        else:
            events = lab.step()
            lab_order += [e.data["message"] for e in events if e.kind == "receive"]
            if events:
                kernel_order += [
                    e.payload for e in net.run_until(net.now + 1) if isinstance(e, Message)
                ]
    assert kernel_order == lab_order
