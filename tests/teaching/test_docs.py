"""docs/exercises.md lists every declared query, option generator and goal."""

from __future__ import annotations

from labs.teaching.queries import load_all
from tests.teaching.conftest import ROOT


def test_every_query_option_and_goal_is_documented() -> None:
    docs = (ROOT / "docs" / "exercises.md").read_text()
    registry = load_all()
    missing = [
        f"{lab}:{name}"
        for table in (registry.queries, registry.options, registry.goals)
        for lab, entries in table.items()
        for name in entries
        if f"`{name}`" not in docs
    ]
    assert not missing, f"not in docs/exercises.md: {missing}"
    for lab in registry.queries:
        assert f"### {lab}" in docs
