"""The redundancy lab's narrated replays: Patterson's 100 disks and a zone failure.

The scripts live with the engine (``algorithms.redundancy.replays``); here they become
the lab's shipped replays.
"""

from __future__ import annotations

from typing import Any

from algorithms.redundancy.replays import patterson_replay, zone_failure_replay
from labs.samples import Sample


def _sample(id: str, title: str, replay: dict[str, Any]) -> Sample:
    return Sample(
        id=id,
        lab="redundancy",
        title=title,
        params=replay["params"],
        seed=replay["seed"],
        intro=replay["intro"],
        moves=[(command, caption) for command, caption in replay["moves"]],
    )


def patterson_100_disks() -> Sample:
    return _sample(
        "patterson-100-disks",
        "Patterson et al.: why 100 inexpensive disks need parity",
        patterson_replay(),
    )


def one_zone_three_placements() -> Sample:
    return _sample(
        "one-zone-three-placements",
        "One Availability Zone fails under three placements",
        zone_failure_replay(),
    )
