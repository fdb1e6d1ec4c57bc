"""The one explicit registry of labs.

Every lab is declared once, by its lablet (``labs/lablets/<lab>/``): its slug, papers,
summary, engine, page template and browser module, exercise queries, narrated replays
and heavy actions, all on its :class:`Lab` entry. This module lists the lablets in the
catalog's order; duplicate slugs fail at start-up. Everything else walks the registry:
the consumer finds a lab's heavy actions on its entry, the teaching app its queries,
``load_samples`` its replays, and the tests check that every lab has every part.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.core.exceptions import ImproperlyConfigured

from labs.lablets import (
    Lab,
    consistent_hashing,
    quorum,
    redundancy,
    small_world,
    snapshots,
    vector_clocks,
)

__all__ = ["LABS", "Lab", "Registry"]


class Registry:
    """An ordered mapping of slug to :class:`Lab` that refuses duplicates."""

    def __init__(self) -> None:
        self._labs: dict[str, Lab] = {}

    def register(self, lab: Lab) -> Lab:
        if lab.slug in self._labs:
            raise ImproperlyConfigured(f"lab slug {lab.slug!r} is registered twice")
        self._labs[lab.slug] = lab
        return lab

    def get(self, slug: str) -> Lab | None:
        return self._labs.get(slug)

    def __getitem__(self, slug: str) -> Lab:
        return self._labs[slug]

    def __iter__(self) -> Iterator[Lab]:
        return iter(self._labs.values())

    def __contains__(self, slug: object) -> bool:
        return slug in self._labs

    def slugs(self) -> list[str]:
        return list(self._labs)


LABS = Registry()

for _lablet in (consistent_hashing, vector_clocks, small_world, snapshots, redundancy, quorum):
    LABS.register(_lablet.LAB)
