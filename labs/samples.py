"""The narrated replays shipped with each lab: the papers' own examples.

Each lab declares its samples on its registry entry (``Lab.samples``, builders in its
``labs/lablets/<lab>/replays.py``). A sample is a script of moves, each a command (or ``None`` for one tick of the
engine) with an optional caption shown from that step on. Scripts are run through
the real engine when loaded, so a shipped replay can never disagree with the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from algorithms.recording import Recording, Timeline

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
        from labs.registry import LABS  # the registry imports the labs, which import this

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


def all_samples() -> list[Sample]:
    """Every lab's narrated replays, in the registry's order."""
    from labs.registry import LABS

    return [builder() for lab in LABS for builder in lab.samples]
