"""The redundancy engine's studies: the MTTDL sweep, the blast radius and the look-ups."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from algorithms.engine import CommandError
from algorithms.redundancy import (
    RedundancyEngine,
    RedundancyParams,
    array_mttdl,
    shuffle_shard_overlap,
)


def test_the_sweep_keeps_measured_beside_the_closed_form() -> None:
    engine = RedundancyEngine(RedundancyParams(d=100, g=10, mttf=30_000, mttr=1), seed=4)
    engine.apply({"action": "sweep", "vary": "g", "values": [5, 10, 25], "trials": 400})
    sweep = engine.state()["sweep"]
    assert [row["g"] for row in sweep["rows"]] == [5, 10, 25]
    for row in sweep["rows"]:
        assert row["closed"] == pytest.approx(array_mttdl(100, row["g"], 1, 30_000, 1))
        assert row["low"] < row["closed"] < row["high"]
    json.dumps(engine.state())


def test_correlated_failures_fall_short_of_the_closed_form() -> None:
    params = RedundancyParams(d=20, g=4, mttf=2_000, mttr=20, supply_mttf=20_000)
    engine = RedundancyEngine(params, seed=2)
    out = engine.apply({"action": "sweep", "vary": "mttr", "values": [10, 20], "trials": 300})
    rows = engine.state()["sweep"]["rows"]
    assert engine.state()["sweep"]["correlated"]
    assert all(row["high"] < row["closed"] for row in rows)
    assert out[0].data["worst_ratio"] > 1.5


def test_the_blast_radius_of_each_strategy_is_near_its_exact_value() -> None:
    engine = RedundancyEngine(RedundancyParams(), seed=1)
    command = {"action": "blast", "customers": 1_000, "workers": 8, "cells": 4, "k": 2}
    engine.apply({**command, "trials": 400})
    results = {r["strategy"]: r for r in engine.state()["blast"]["results"]}
    assert results["fleet"]["affected"] == 1.0
    assert results["cells"]["exact"] == 0.25
    assert results["shuffle"]["exact"] == shuffle_shard_overlap(8, 2)
    for r in results.values():
        lo, hi = r["interval"]
        assert lo <= r["exact"] <= hi or math.isclose(r["affected"], r["exact"])


@pytest.mark.parametrize(
    ("command", "field"),
    [
        ({"action": "sweep", "vary": "d"}, "vary"),
        ({"action": "sweep", "vary": "g", "trials": 10**6}, "trials"),
        ({"action": "sweep", "vary": "g", "values": [3]}, "g"),
        ({"action": "sweep"}, "vary"),
        (
            {"action": "blast", "customers": 10, "workers": 8, "cells": 3, "k": 2, "trials": 5},
            "cells",
        ),
        (
            {"action": "blast", "customers": 10, "workers": 80, "cells": 4, "k": 2, "trials": 5},
            "workers",
        ),
        ({"action": "blast", "customers": 10, "workers": 8, "cells": 4, "k": 2}, "trials"),
        (
            {
                "action": "blast",
                "customers": 5_000,
                "workers": 62,
                "cells": 2,
                "k": 31,
                "trials": 33,
            },
            "trials",
        ),
        ({"action": "inspect_item", "item": 1_000}, "item"),
        ({"action": "inspect_group", "group": 5}, "group"),
        ({"action": "inspect_group", "group": 0, "extra": 1}, "extra"),
    ],
)
def test_refused_studies_name_the_field_and_change_nothing(
    command: dict[str, Any], field: str
) -> None:
    engine = RedundancyEngine(RedundancyParams(), seed=1)
    before = json.dumps(engine.state())
    with pytest.raises(CommandError) as refused:
        engine.apply(command)
    assert refused.value.field == field
    assert json.dumps(engine.state()) == before


def test_look_ups_change_only_what_is_shown() -> None:
    one, other = (RedundancyEngine(RedundancyParams(), seed=9) for _ in range(2))
    one.apply({"action": "fail_domain", "level": "zone", "name": "R1a"})
    other.apply({"action": "fail_domain", "level": "zone", "name": "R1a"})
    out = one.apply({"action": "inspect_item", "item": 5})
    one.apply({"action": "inspect_group", "group": 2})
    replicas = one.state()["selected_item"]["replicas"]
    assert sum(r["down"] for r in replicas) == 1  # one replica per zone: R1a's is down
    assert "Item 5" in out[0].text
    for _ in range(3):
        assert [e.to_json() for e in one.step()] == [e.to_json() for e in other.step()]
    assert one.state()["array"] == other.state()["array"]
