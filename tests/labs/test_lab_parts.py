"""Walk the registry: every lab provides every part, declared on its entry.

A new lab is its engine, its lablet (``labs/lablets/<lab>/``), its page and view, and
its rows in the docs; this walk names whatever is missing. The protocol tables are
checked command by command in ``test_protocol_docs``, the heaviest move off the event
loop in ``test_off_loop``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from algorithms.engine import CommandError, LabEngine
from algorithms.recording import Timeline
from algorithms.smallworld.limits import ENGINE_MAX_K, ENGINE_MAX_NODES
from labs.consumers import NAVIGATION
from labs.lablets.small_world.tasks import SweepRequest
from labs.live.tasks import Task
from labs.registry import LABS, Lab
from labs.teaching.queries import goals_of, load_all, options_of, queries_of

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
PROTOCOL = (ROOT / "docs" / "protocol.md").read_text()

each_lab = pytest.mark.parametrize("lab", list(LABS), ids=lambda lab: lab.slug)


@each_lab
def test_its_engine_page_view_and_intro(lab: Lab) -> None:
    assert issubclass(lab.engine_class(), LabEngine)
    template = ROOT / "templates" / lab.template
    assert template.exists(), lab.template
    for chart in re.findall(r"<div [^>]*role=\"img\"[^>]*>", template.read_text()):
        assert "aria-label=" in chart, f"{lab.slug}: a chart without a name: {chart}"
    assert (ROOT / "static" / lab.script).exists(), lab.script
    intro = ROOT / "templates" / lab.intro
    assert intro.exists(), f"{lab.slug} has no 'Try first' sentences ({lab.intro})"


@each_lab
def test_its_lablet_holds_its_django_side(lab: Lab) -> None:
    package = lab.queries.__name__.rsplit(".", 1)[0]
    assert package == f"labs.lablets.{lab.slug.replace('-', '_')}"
    for builder in lab.samples:
        assert builder.__module__ == f"{package}.replays", builder
    for task in lab.tasks.values():
        assert task.run.__module__.startswith(("labs.live.", package)), task


@each_lab
def test_its_sample_replays_replay(lab: Lab) -> None:
    assert lab.samples, f"{lab.slug} ships no narrated replay"
    for builder in lab.samples:
        sample = builder()
        assert sample.lab == lab.slug, sample.id
        recording, captions = sample.build()
        assert recording.length > 0 and captions["0"], sample.id
        # As stored replays are opened: lazily, each step run on its first visit.
        full = Timeline.from_recording(lab.engine_class(), recording, lab.checkpoint_every)
        lazy = Timeline.from_recording(
            lab.engine_class(), recording, lab.checkpoint_every, run=False
        )
        lazy.seek(recording.length)
        assert lazy.engine.state() == full.engine.state(), sample.id


def test_sample_ids_are_unique() -> None:
    ids = [builder().id for lab in LABS for builder in lab.samples]
    assert len(ids) == len(set(ids)), ids


@each_lab
def test_its_queries_are_declared_for_it_and_only_it(lab: Lab) -> None:
    declared = {**queries_of(lab.slug), **options_of(lab.slug), **goals_of(lab.slug)}
    assert queries_of(lab.slug), f"{lab.slug} declares no exercise query"
    for item in declared.values():
        assert item.fn.__module__ == lab.queries.__name__, (lab.slug, item.name)
    registry = load_all()
    for table in (registry.queries, registry.options, registry.goals):
        for slug, entries in table.items():
            for item in entries.values():
                if item.fn.__module__ == lab.queries.__name__:
                    assert slug == lab.slug, (
                        f"{lab.queries.__name__} declares {item.name} for {slug}"
                    )


@each_lab
def test_its_heavy_actions_are_declared_and_named_apart(lab: Lab) -> None:
    assert isinstance(lab.tasks, dict)  # {} says "none": the entry must say it
    commands = set(lab.engine_class().COMMANDS)
    for action, task in lab.tasks.items():
        assert isinstance(task, Task), action
        assert action not in commands and action not in NAVIGATION, action


@each_lab
def test_its_docs_and_a_shipped_exercise(lab: Lab) -> None:
    assert f"| [`{lab.slug}`](" in README, f"{lab.slug} has no row in README's lab table"
    assert f"### {lab.slug} commands" in PROTOCOL, f"{lab.slug} has no docs/protocol.md table"
    exercises = (ROOT / "labs" / "content" / "exercises").glob("*.md")
    assert any(f"\nlab: {lab.slug}\n" in path.read_text() for path in exercises), lab.slug


@pytest.mark.django_db
def test_the_sweep_form_shows_the_bounds_the_server_checks(client: Client) -> None:
    """The sweep's limits exist once (SweepRequest.LIMITS): the page reads them from
    there, and the protocol document states the same."""
    lab = LABS["small-world"]
    assert lab.form_limits["sweep"] is SweepRequest.LIMITS
    html = client.get("/labs/small-world/").content.decode()
    ids = {"n": "sw-sweep-n", "k": "sw-sweep-k", "points": "sw-sweep-points"}
    ids["realizations"] = "sw-sweep-reps"
    for field, (lo, hi) in SweepRequest.LIMITS.items():
        tag = re.search(rf'<input [^>]*id="{ids[field]}"[^>]*>', html)
        assert tag, field
        assert f'min="{lo}"' in tag.group(0) and f'max="{hi}"' in tag.group(0), tag.group(0)
    # The server refuses just past each bound the page shows, naming the field.
    for field, (lo, hi) in SweepRequest.LIMITS.items():
        for value in (lo - 1, hi + 1):
            with pytest.raises(CommandError) as err:
                SweepRequest.from_dict({"n": 1000, "k": 10, field: value})
            assert err.value.field == field, (field, value)
    # docs/protocol.md states the same limits.
    row = next(line for line in PROTOCOL.splitlines() if '"action": "sweep", "n"' in line)
    limits = SweepRequest.LIMITS
    for stated in (
        "n {}..{:,}".format(*limits["n"]),
        "k even {}..{}".format(*limits["k"]),
        "{}..{} values of p".format(*limits["points"]),
        "{}..{} realizations".format(*limits["realizations"]),
    ):
        assert stated in row, stated
    # The sweep's graphs are bounded as the lab's own graph is.
    assert SweepRequest.LIMITS["n"][1] == ENGINE_MAX_NODES
    assert SweepRequest.LIMITS["k"][1] == ENGINE_MAX_K


@pytest.mark.django_db
def test_the_small_world_form_shows_the_engines_bounds(client: Client) -> None:
    """n, k and m on the lab's form are bounded as SmallWorldParams checks them."""
    lab = LABS["small-world"]
    params = lab.engine_class().Params
    html = client.get("/labs/small-world/").content.decode()
    for field, (lo, hi) in lab.form_limits["params"].items():
        tag = re.search(rf'<input [^>]*id="sw-{field}"[^>]*>', html)
        assert tag and f'min="{lo}"' in tag.group(0) and f'max="{hi}"' in tag.group(0), field
        base = {"n": 200, "k": 2, "m": 1}
        for value in (lo, hi):
            params(**{**base, field: value})
        for value in (lo - 1, hi + 1):
            with pytest.raises(CommandError) as err:
                params(**{**base, field: value})
            assert err.value.field == field, (field, value)


def test_a_module_missing_inside_a_labs_queries_is_not_swallowed() -> None:
    """A lab's queries that cannot import fail the registry: no lab runs without them.

    Run in a fresh interpreter where one module the quorum lab's queries import is
    missing (as after a refactor that moved it).
    """
    script = """
import importlib.abc, os, sys
class Gone(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "algorithms.quorum.limits":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, Gone())
os.environ["DJANGO_SETTINGS_MODULE"] = "labs.settings"
import django
django.setup()
from labs.teaching.queries import load_all
load_all()
print("loaded")
"""
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode != 0 and "loaded" not in done.stdout
    assert "ModuleNotFoundError: No module named 'algorithms.quorum.limits'" in done.stderr
    assert "labs/lablets/quorum/queries.py" in done.stderr
