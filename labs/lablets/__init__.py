"""Each lab's Django side, one package per lab: ``labs/lablets/<lab>/``.

A lablet holds everything one lab adds to the shared server, declared on its registry
entry (``LAB``, a :class:`Lab`, in its ``__init__.py``):

- ``queries.py``: what its exercises may ask (``@query``, ``@options``, ``@goal``);
- ``replays.py``: its narrated replays, the papers' own examples (``Lab.samples``);
- ``tasks.py``, only if it has any: heavy actions that run off the event loop
  (``Lab.tasks``; a lab with none says ``tasks={}``).

Its engine is a package of ``algorithms/``; its page is ``templates/labs/<lab>.html``
with ``templates/labs/intro/<slug>.html``, and its view ``static/labs/<slug>.js``.
``labs/registry.py`` lists the lablets, in the catalog's order; everything else (the
consumer, the teaching app, ``load_samples``, the tests) walks the registry.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from algorithms.engine import LabEngine
from labs.live.tasks import Task
from labs.samples import Sample

__all__ = ["Lab"]


@dataclass(frozen=True, kw_only=True)
class Lab:
    """One lab: what the catalog lists, what the live consumer runs, what exercises ask."""

    slug: str
    title: str
    papers: tuple[str, ...]
    summary: str
    engine: str  # "module:Class", imported on first use
    template: str
    script: str
    queries: ModuleType  # the module declaring its queries, options and goals
    samples: tuple[Callable[[], Sample], ...]  # its narrated replays
    tasks: Mapping[str, Task]  # its heavy actions by name; {} for none
    checkpoint_every: int = 256
    default_seed: int = 1
    # The lab's most expensive legal move and the parameters it is largest at: tests
    # show it runs off the event loop, and the benchmark measures the loop meanwhile.
    heaviest: tuple[Mapping[str, Any], Mapping[str, Any]] = field(default=({}, {}))
    # Bounds its page's forms show (min and max), by form and field: the same objects
    # that check the request, so the page and the server never disagree.
    form_limits: Mapping[str, Mapping[str, tuple[int, int]]] = field(default_factory=dict)

    @property
    def intro(self) -> str:
        """The template of its "Try first" sentences, shown above the lab."""
        return f"labs/intro/{self.slug}.html"

    def engine_class(self) -> type[LabEngine]:
        module_name, _, class_name = self.engine.partition(":")
        engine_class: type[LabEngine] = getattr(importlib.import_module(module_name), class_name)
        return engine_class
