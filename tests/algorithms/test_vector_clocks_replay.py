"""The vector-clocks lab replays byte for byte: state() and narrations against a fixture.

``data/vector_clocks_replays.json`` holds, for a few (params, seed) pairs, a long
seeded command sequence (sends, deliveries, drops, ticks, random runs, selections,
Dynamo writes, a ShiViz import midway and refused commands), the SHA-256 of
``json.dumps(state())`` and of the emitted events after every command, and the final
state() in full. It was recorded from the engine with its own delivery machinery,
before it moved onto the message-passing kernel (:mod:`algorithms.kernel`), so these
tests show that a student sees exactly the same runs as before for the same seed.

To record the fixture again (only after a change students are meant to see)::

    python -c "from tests.algorithms.test_vector_clocks_replay import write_fixture; write_fixture()"
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import random
from pathlib import Path
from typing import Any

import pytest

from algorithms.engine import CommandError
from algorithms.vector_clocks import MAX_EVENTS, VectorClocksEngine, VectorClocksParams

FIXTURE = Path(__file__).parent / "data" / "vector_clocks_replays.json"
SHIVIZ = (Path(__file__).parent / "data" / "shiviz_client_server.log").read_text()

CASES: list[tuple[dict[str, int], int, int]] = [
    # (params, seed, commands)
    ({"processes": 3}, 1, 500),
    ({"processes": 5, "min_delay": 2, "max_delay": 9, "random_events": 60}, 2024, 500),
    ({"processes": 12, "min_delay": 1, "max_delay": 1, "truncate": 3}, 77, 400),
    # A run at its bound: ticks stop delivering once it holds MAX_EVENTS events.
    ({"processes": 4, "max_delay": 3, "random_events": 1_990}, 5, 60),
]

KINDS = (
    ["local"] * 14
    + ["send"] * 26
    + ["deliver"] * 10
    + ["drop"] * 3
    + ["step"] * 26
    + ["random_run"] * 2
    + ["select_event"] * 5
    + ["show_total_order"] * 2
    + ["put"] * 4
    + ["reconcile"] * 2
    + ["set_truncate"]
    + ["refused"] * 3
)


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value).encode()).hexdigest()[:20]


def _command(rng: random.Random, state: dict[str, Any]) -> dict[str, Any]:
    """One command drawn from ``rng``, valid for ``state`` unless it is a refusal."""
    processes = state["processes"]
    flying = [m["id"] for m in state["messages"] if m["status"] == "in_flight"]
    kind = rng.choice(KINDS)
    if kind in ("deliver", "drop") and flying:
        return {"action": kind, "message": rng.choice(flying)}
    if kind == "local":
        return {"action": "local", "process": rng.choice(processes)}
    if kind == "step":
        return {"action": "step"}
    if kind == "random_run":
        return {"action": "random_run", "events": rng.randint(1, 40)}
    if kind == "select_event":
        events = len(state["events"])
        return {"action": "select_event", "event": rng.randrange(events) if events else None}
    if kind == "show_total_order":
        return {"action": "show_total_order", "on": rng.random() < 0.5}
    if kind == "put":
        ids = [v["id"] for v in state["versions"]["versions"]]
        context: Any = "latest" if not ids or rng.random() < 0.5 else rng.sample(ids, 1)
        return {
            "action": "put",
            "coordinator": rng.choice(["Sx", "Sy", "Sz"]),
            "value": f"v{rng.randrange(100)}",
            "context": context,
        }
    if kind == "reconcile":
        return {"action": "reconcile", "coordinator": "Sx", "value": "merged"}
    if kind == "set_truncate":
        return {"action": "set_truncate", "size": rng.randint(1, 12)}
    if kind == "refused":
        return rng.choice(
            [
                {"action": "deliver", "message": len(state["messages"]) + 3},
                {"action": "send", "from": processes[0], "to": processes[0]},
                {"action": "drop", "message": -1},
                {"action": "local", "process": "P99"},
            ]
        )
    sender, receiver = rng.sample(processes, 2)
    return {"action": "send", "from": sender, "to": receiver}


def replay(
    params: dict[str, int], seed: int, count: int, lab: Any = VectorClocksEngine
) -> dict[str, Any]:
    """Run ``count`` seeded commands; the ShiViz import comes at the midpoint."""
    engine = lab(lab.Params(**params), seed=seed)
    rng = random.Random(seed * 31 + 7)
    commands: list[dict[str, Any]] = []
    steps: list[list[str]] = []
    state = engine.state()
    for i in range(count):
        if i == count // 2:
            command: dict[str, Any] = {"action": "import_shiviz", "text": SHIVIZ}
        else:
            command = _command(rng, state)
        try:
            events = engine.step() if command["action"] == "step" else engine.apply(command)
            said: Any = [[e.kind, e.text, e.data] for e in events]
        except CommandError as err:
            said = {"refused": err.to_json()}
        state = engine.state()
        commands.append(command)
        steps.append([_digest(said), _digest(state)])
    return {
        "params": params,
        "seed": seed,
        "commands": commands,
        "digests": steps,
        "state": engine.state(),
    }


def write_fixture() -> None:
    """Record the fixture from the current engine."""
    runs = [replay(params, seed, count) for params, seed, count in CASES]
    FIXTURE.write_text(json.dumps(runs, indent=None, separators=(",", ":")) + "\n")


RECORDED: list[dict[str, Any]] = json.loads(FIXTURE.read_text())


@pytest.mark.parametrize("case", range(len(CASES)))
def test_the_engine_replays_the_recorded_runs_byte_for_byte(case: int) -> None:
    params, seed, count = CASES[case]
    recorded = RECORDED[case]
    now = replay(params, seed, count)
    assert now["commands"] == recorded["commands"]
    for i, (got, want) in enumerate(zip(now["digests"], recorded["digests"], strict=True)):
        assert got == want, (i, now["commands"][i])
    assert json.dumps(now["state"]) == json.dumps(recorded["state"])


def test_the_recorded_runs_exercise_every_path() -> None:
    # The fixture is only worth something if it covers deliveries, drops, refusals,
    # sends and ticks after the import, and a run held at its bound.
    statuses = {m["status"] for r in RECORDED for m in r["state"]["messages"]}
    assert {"delivered", "dropped", "in_flight"} <= statuses
    for recorded in RECORDED:
        actions = [c["action"] for c in recorded["commands"]]
        half = len(actions) // 2
        assert "send" in actions[half + 1 :] and "step" in actions[half + 1 :]
    for recorded in RECORDED[:3]:
        assert len(recorded["state"]["events"]) > 200
        refused = [
            c
            for c in recorded["commands"]
            if c.get("message") == -1 or c.get("to") == c.get("from")
        ]
        assert refused
    params, seed, count = CASES[3]
    engine = VectorClocksEngine(VectorClocksParams(**params), seed=seed)
    for command in RECORDED[3]["commands"][: count // 2]:
        if command["action"] == "step":
            engine.step()
        else:
            with contextlib.suppress(CommandError):
                engine.apply(command)
    assert len(engine.state()["events"]) == MAX_EVENTS and engine.step() == []
