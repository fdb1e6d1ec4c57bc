"""docs/protocol.md's command tables match what each lab declares, look-ups marked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from labs.registry import LABS

DOC = (Path(__file__).resolve().parents[2] / "docs" / "protocol.md").read_text()


def documented(slug: str) -> dict[str, str]:
    """Action -> the table row's description, from the lab's "### <slug> commands" table."""
    found = re.search(rf"^### {re.escape(slug)} commands\n(.*?)(?=^#|\Z)", DOC, re.M | re.S)
    assert found, f"docs/protocol.md has no '### {slug} commands' section"
    rows: dict[str, str] = {}
    for line in found.group(1).splitlines():
        if not line.startswith("| `"):
            continue
        cells = line.split(" | ")
        for action in re.findall(r'"action": "([a-z_]+)"', cells[0]):
            rows[action] = cells[-1]
        # "`{...}`, `other_action`": more actions named in the same row.
        for action in re.findall(r"`([a-z_]+)`", cells[0]):
            rows.setdefault(action, cells[-1])
    return rows


@pytest.mark.parametrize("lab", list(LABS), ids=lambda lab: lab.slug)
def test_every_declared_command_is_documented_and_nothing_else(lab: object) -> None:
    slug = lab.slug  # type: ignore[attr-defined]
    engine_class = lab.engine_class()  # type: ignore[attr-defined]
    declared = set(engine_class.COMMANDS) | set(lab.tasks)  # type: ignore[attr-defined]
    rows = documented(slug)
    assert set(rows) == declared, (
        f"{slug}: documented but not declared {sorted(set(rows) - declared)}, "
        f"declared but not documented {sorted(declared - set(rows))}"
    )
    for action in engine_class.look_ups():
        assert "*look-up*" in rows[action], f"{slug}: {action} is a look-up; say so"
    for action, spec in engine_class.COMMANDS.items():
        if not spec.look_up:
            assert "*look-up*" not in rows[action], f"{slug}: {action} is a move"
