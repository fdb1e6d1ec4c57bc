"""The narrated replays shipped with each lab: the papers' own examples.

A sample is a script of moves, each a command (or ``None`` for one tick of the
engine) with an optional caption shown from that step on. Scripts are run through
the real engine when loaded, so a shipped replay can never disagree with the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from algorithms.recording import Recording, Timeline
from labs.registry import LABS

Move = tuple[dict[str, Any] | None, str | None]


@dataclass(frozen=True)
class Sample:
    id: str
    lab: str
    title: str
    params: dict[str, Any]
    seed: int
    intro: str
    moves: list[Move] = field(default_factory=list)

    def build(self) -> tuple[Recording, dict[str, str]]:
        """Run the script; return the recording and the captions keyed by step."""
        lab = LABS[self.lab]
        timeline = Timeline(
            lab.engine_class(), lab.slug, self.params, self.seed, lab.checkpoint_every
        )
        captions = {"0": self.intro}
        for command, caption in self.moves:
            if command is None:
                if timeline.forward() is None:
                    raise ValueError(
                        f"sample {self.id}: a tick at step {timeline.position} has nothing to run"
                    )
            else:
                timeline.act(command)
            if caption:
                captions[str(timeline.position)] = caption
        return timeline.recording(), captions


SAMPLES: dict[str, list[Callable[[], Sample]]] = {}


def sample(lab: str) -> Callable[[Callable[[], Sample]], Callable[[], Sample]]:
    def register(builder: Callable[[], Sample]) -> Callable[[], Sample]:
        SAMPLES.setdefault(lab, []).append(builder)
        return builder

    return register


def all_samples() -> list[Sample]:
    import labs.sample_replays  # noqa: F401  (registers the builders)

    return [builder() for slug in LABS.slugs() for builder in SAMPLES.get(slug, [])]
