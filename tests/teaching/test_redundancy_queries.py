"""The redundancy lab's exercise answers, computed independently of the queries."""

from __future__ import annotations

import pytest

from algorithms.redundancy import RedundancyEngine, RedundancyParams, fail_domain
from labs.teaching import content
from labs.teaching.content import variant_seed
from labs.teaching.grading import prepare
from labs.teaching.queries import queries_of
from tests.teaching.conftest import SHIPPED


def test_the_redundancy_lab_declares_the_issues_queries() -> None:
    assert {
        "mttdl_hours",
        "items_lost_when_zone_fails",
        "item_lost_when_zone_fails",
        "blast_radius",
    } <= set(queries_of("redundancy"))


@pytest.mark.parametrize("i", range(4))
def test_rd_redundancy_answers_match_the_paper_and_the_placement(i: int) -> None:
    exercise = content.load([SHIPPED]).exercises["rd-redundancy"]
    variant = exercise.variant(variant_seed("rd", i))
    prepared = prepare(exercise, variant)
    assert prepared.errors == {}
    g, zone, item = (variant.values[k] for k in ("g", "zone", "item"))
    # Patterson et al.'s formula written out: MTTF² / ((G+1)·G·MTTR) per group, D/G groups
    expected = 30_000**2 / ((g + 1) * g * 1) / (100 / g)
    assert prepared.expected["mttdl"].value == pytest.approx(expected)

    params = RedundancyParams(d=100, g=g, c=1, mttf=30_000, mttr=1, placement="random")
    engine = RedundancyEngine(params, variant.seed)
    outcome = fail_domain(engine.topology, engine.placement, "zone", zone)
    assert prepared.expected["zone-lost"].value == outcome.lost
    lost = set(outcome.lost_items) if outcome.lost <= len(outcome.lost_items) else None
    if lost is not None:
        assert prepared.expected["item-lost"].value == ("yes" if item in lost else "no")
    assert prepared.expected["blast"].value == pytest.approx(1 / 28)
