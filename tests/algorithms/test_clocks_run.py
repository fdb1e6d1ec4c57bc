"""Tests of the vector-clocks run on the message-passing kernel (algorithms.clocks.run)."""

from __future__ import annotations

import contextlib
import copy
import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from algorithms.clocks import Run
from algorithms.engine import CommandError
from algorithms.kernel import Network, UniformDelay
from algorithms.vector_clocks import VectorClocksEngine, VectorClocksParams


def _in_flight_agree(engine: VectorClocksEngine) -> None:
    run = engine.run
    flying = [m for m in engine.state()["messages"] if m["status"] == "in_flight"]
    on_network = run.network.in_flight()
    assert run.in_flight() == len(flying) == len(on_network)
    assert sorted(m.payload for m in on_network) == [m["id"] for m in flying]
    for m in on_network:
        assert int(m.due) == engine.messages[m.payload].due


@given(
    st.integers(0, 2**32),
    st.lists(
        st.tuples(st.sampled_from(["send", "deliver", "drop", "step", "run"]), st.integers(0, 99)),
        max_size=80,
    ),
)
@settings(max_examples=40, deadline=None)
def test_the_run_and_the_kernel_agree_on_what_is_in_flight(
    seed: int, script: list[tuple[str, int]]
) -> None:
    engine = VectorClocksEngine(VectorClocksParams(processes=4, max_delay=7), seed=seed)
    for action, x in script:
        command: dict[str, Any]
        if action == "send":
            command = {"action": "send", "from": f"P{x % 4 + 1}", "to": f"P{(x + 1) % 4 + 1}"}
        elif action in ("deliver", "drop"):
            command = {"action": action, "message": x % (len(engine.messages) + 1)}
        elif action == "run":
            command = {"action": "random_run", "events": x % 7 + 1}
        else:
            engine.step()
            _in_flight_agree(engine)
            continue
        with contextlib.suppress(CommandError):
            engine.apply(command)
        _in_flight_agree(engine)


def test_a_tick_delivers_by_due_time_then_by_sending_order() -> None:
    # Unordered channels: m1 (due earlier) overtakes m0; ties go in sending order.
    run = Run(["P1", "P2", "P3"], UniformDelay(1, 9, integer=True), random.Random(0))
    for sender, receiver in [("P1", "P2"), ("P1", "P2"), ("P3", "P2"), ("P2", "P1")]:
        run.send(sender, receiver)
    arrivals: list[tuple[int, int]] = []
    while run.in_flight():
        for event in run.tick():
            if event.kind == "receive":
                arrivals.append((run.now, event.data["message"]))
    dues = {m.id: m.due for m in run.messages}
    assert [t for t, _ in arrivals] == sorted(dues.values())
    assert arrivals == sorted((dues[m], m) for _, m in arrivals)
    assert all(t == dues[m] for t, m in arrivals)


def test_a_copied_engine_runs_on_alone() -> None:
    engine = VectorClocksEngine(VectorClocksParams(processes=5, random_events=300), seed=3)
    for i in range(20):
        engine.apply({"action": "send", "from": "P1", "to": f"P{i % 4 + 2}"})
    twin = copy.deepcopy(engine)
    assert twin.run.network is not engine.run.network
    assert twin.run.network.rng is twin.rng  # one generator draws delays and choices
    mine = [e.text for events in iter(engine.step, []) for e in events]
    assert twin.state()["messages"] != engine.state()["messages"]
    theirs = [e.text for events in iter(twin.step, []) for e in events]
    assert mine == theirs and twin.state() == engine.state()


def test_a_network_copy_keeps_references_to_its_messages_shared() -> None:
    net: Network[list[int]] = Network(["p", "q"], fifo=False, rng=random.Random(2))
    message = net.send("p", "q", [1, 2])
    holder = {"net": net, "watching": message}
    twin = copy.deepcopy(holder)
    assert twin["watching"] is twin["net"].message(message.id)
    assert twin["watching"] is not message
    twin["watching"].payload.append(3)
    assert message.payload == [1, 2]
    assert twin["net"].next_event() is twin["watching"] and net.in_flight() == [message]
