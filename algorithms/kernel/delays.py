"""Delay models for the message-passing kernel: how long a message is in flight.

Chandy & Lamport, "Distributed Snapshots", ACM TOCS 3(1), 1985, §2: "The delay
experienced by a message in a channel is arbitrary but finite." A delay model draws
each message's delay from the network's seeded ``random.Random``; models are frozen
dataclasses, so copies of a network share them safely. Other labs plug in their own
(for example PBS's latency mixtures for the quorum lab) by providing ``sample``.

Examples
--------
>>> import random
>>> rng = random.Random(0)
>>> ConstantDelay(2.0).sample(rng, "p", "q"), UniformDelay(1, 3, integer=True).sample(rng, "p", "q")
(2.0, 2)
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Protocol

from algorithms.engine import CommandError, check_float

__all__ = ["ConstantDelay", "DelayModel", "ExponentialDelay", "UniformDelay"]


class DelayModel(Protocol):
    """Draws a message's delay; implementations must be immutable (frozen dataclasses).

    The quorum lab can add its own models (e.g. PBS's latency mixtures) by providing
    ``sample``; it receives the network's ``random.Random`` and the channel.
    """

    def sample(self, rng: random.Random, src: str, dst: str) -> float:
        """A delay of at least 0 for one message from ``src`` to ``dst``."""
        ...


@dataclass(frozen=True)
class ConstantDelay:
    """Every message takes ``value`` time units.

    Examples
    --------
    >>> ConstantDelay(1.5).sample(random.Random(0), "p", "q")
    1.5
    """

    value: float = 1.0

    def __post_init__(self) -> None:
        check_float("delay", self.value, 0.0, 1e6)

    def sample(self, rng: random.Random, src: str, dst: str) -> float:
        """Return the constant delay (``rng`` is not used)."""
        return self.value


@dataclass(frozen=True)
class UniformDelay:
    """Delays drawn uniformly from ``[low, high]``; whole numbers if ``integer``.

    Examples
    --------
    >>> UniformDelay(1, 5, integer=True).sample(random.Random(3), "p", "q")
    2
    >>> 0.5 <= UniformDelay(0.5, 1.0).sample(random.Random(3), "p", "q") <= 1.0
    True
    """

    low: float = 0.0
    high: float = 1.0
    integer: bool = False

    def __post_init__(self) -> None:
        check_float("low", self.low, 0.0, 1e6)
        check_float("high", self.high, self.low, 1e6)
        if self.integer and (self.low != int(self.low) or self.high != int(self.high)):
            raise CommandError("low", self.low, "must be whole numbers for integer delays")

    def sample(self, rng: random.Random, src: str, dst: str) -> float:
        """Draw one delay with ``rng.randint`` (integer) or ``rng.uniform``."""
        if self.integer:
            return rng.randint(int(self.low), int(self.high))
        # rng.uniform's own formula, without its call overhead on the hot path.
        return self.low + (self.high - self.low) * rng.random()


@dataclass(frozen=True)
class ExponentialDelay:
    """Delays ``minimum + Exp(mean)``: a fixed floor plus an exponential tail.

    Examples
    --------
    >>> d = ExponentialDelay(mean=2.0, minimum=0.5).sample(random.Random(0), "p", "q")
    >>> d >= 0.5
    True
    """

    mean: float = 1.0
    minimum: float = 0.0

    def __post_init__(self) -> None:
        check_float("mean", self.mean, 1e-9, 1e6)
        check_float("minimum", self.minimum, 0.0, 1e6)

    def sample(self, rng: random.Random, src: str, dst: str) -> float:
        """Draw one delay with ``rng.expovariate``."""
        return self.minimum + rng.expovariate(1.0 / self.mean)
