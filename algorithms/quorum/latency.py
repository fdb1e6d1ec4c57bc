"""Message latency models for the WARS model of Probabilistically Bounded Staleness.

Bailis et al., "Probabilistically Bounded Staleness for Practical Partial Quorums",
VLDB 2012 (section 5), model a Dynamo-style write and read with four one-way delays per
replica: **W** (the write reaches the replica), **A** (its acknowledgement reaches the
coordinator), **R** (the read request reaches the replica) and **S** (its response comes
back). Section 6 fits each leg to production traces as a mixture of a Pareto and an
exponential distribution (Table 3); these are the presets in :data:`PRESETS`, all in
milliseconds:

- ``LNKD-SSD`` (LinkedIn on SSDs): W, A, R and S are 91.22% Pareto(0.235, 10) and
  8.78% Exponential(1.66).
- ``LNKD-DISK`` (LinkedIn on spinning disks): W is 38% Pareto(1.05, 1.51) and 62%
  Exponential(0.183); A, R and S are as in LNKD-SSD.
- ``YMMR`` (Yammer): W is 93.9% Pareto(3, 3.35) and 6.1% Exponential(0.0028); A, R and S
  are 98.2% Pareto(1.5, 3.8) and 1.8% Exponential(0.0217).
- ``WAN``: LNKD-DISK plus 75 ms each way between the coordinator and every replica
  outside its datacenter; one replica (replica 0) is in the coordinator's datacenter.

``Pareto(xm, alpha)`` has ``P(X > x) = (xm / x) ** alpha`` for ``x >= xm``;
``Exponential(rate)`` has rate ``rate`` per ms (mean ``1 / rate`` ms). A model object is
a small frozen dataclass with ``sample(rng, shape)``; :func:`latency_model` also builds
the lab's ``constant`` and ``exponential`` models (the same delay law on every leg).

Sampling draws one standard exponential ``E`` per delay and maps it through the chosen
component (``E / rate``, ``xm * exp(E / alpha)``, a constant), which keeps the sampler a
handful of vectorized numpy operations; a mixture draws one uniform more to choose the
component.

Examples
--------
>>> import numpy as np
>>> model = PRESETS["LNKD-SSD"]
>>> round(model.w.mean(), 4)
0.2911
>>> x = model.w.sample(np.random.default_rng(1), (100_000,))
>>> bool(abs(x.mean() - model.w.mean()) < 0.01)
True
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from algorithms.engine import CommandError, check_choice, check_float, check_int

__all__ = [
    "LATENCY_MODELS",
    "MAX_COMPONENTS",
    "MAX_DELAY_MS",
    "PRESETS",
    "Constant",
    "Exponential",
    "Leg",
    "Mixture",
    "Pareto",
    "WARSDelays",
    "WARSModel",
    "as_wars_model",
    "latency_model",
]

Array = npt.NDArray[np.floating[Any]]
Shape = tuple[int, ...]
DType = type[np.float64] | type[np.float32]

MAX_DELAY_MS = 100_000.0
MAX_COMPONENTS = 8
MAX_LOCAL_REPLICAS = 1_000
MAX_REMOTE_REPLICAS = 1_000
LATENCY_MODELS = ("constant", "exponential", "LNKD-SSD", "LNKD-DISK", "YMMR", "WAN")


@dataclass(frozen=True)
class Constant:
    """A delay of exactly ``ms`` milliseconds (0 to 100,000).

    Examples
    --------
    >>> Constant(2.0).sample(np.random.default_rng(0), (3,)).tolist()
    [2.0, 2.0, 2.0]
    """

    ms: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "ms", check_float("ms", self.ms, 0.0, MAX_DELAY_MS))

    def from_exponential(self, e: Array) -> Array:
        """The delays for standard exponential draws ``e`` (all equal to ``ms``)."""
        return np.full_like(e, self.ms)

    def sample(self, rng: np.random.Generator, shape: Shape, dtype: DType = np.float64) -> Array:
        """``shape`` delays in ms (draws nothing from ``rng``)."""
        return np.full(shape, self.ms, dtype=dtype)

    def mean(self) -> float:
        """The mean delay in ms."""
        return self.ms

    def variance(self) -> float:
        """The variance of the delay in ms squared."""
        return 0.0

    def cdf(self, x: float) -> float:
        """``P(delay <= x)``."""
        return 1.0 if x >= self.ms else 0.0

    def draw(self, rng: random.Random) -> float:
        """One delay in ms, for an engine that owns a ``random.Random`` (draws nothing)."""
        return self.ms


@dataclass(frozen=True)
class Exponential:
    """An exponential delay with rate ``rate`` per ms (mean ``1 / rate`` ms).

    ``rate`` is between 1e-6 and 1e6.

    Examples
    --------
    >>> Exponential(0.5).mean()
    2.0
    >>> Exponential(0.0)
    Traceback (most recent call last):
    ...
    algorithms.engine.CommandError: rate must be a number between 1e-06 and 1000000.0, got 0.0
    """

    rate: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "rate", check_float("rate", self.rate, 1e-6, 1e6))

    def from_exponential(self, e: Array) -> Array:
        """The delays for standard exponential draws ``e``: ``e / rate``."""
        return e * (1.0 / self.rate)

    def sample(self, rng: np.random.Generator, shape: Shape, dtype: DType = np.float64) -> Array:
        """``shape`` delays in ms."""
        return self.from_exponential(rng.standard_exponential(shape, dtype=dtype))

    def mean(self) -> float:
        """The mean delay in ms."""
        return 1.0 / self.rate

    def variance(self) -> float:
        """The variance of the delay in ms squared."""
        return 1.0 / self.rate**2

    def cdf(self, x: float) -> float:
        """``P(delay <= x)``."""
        return 0.0 if x <= 0 else -math.expm1(-self.rate * x)

    def draw(self, rng: random.Random) -> float:
        """One delay in ms from ``rng`` (``expovariate``)."""
        return rng.expovariate(self.rate)


@dataclass(frozen=True)
class Pareto:
    """A Pareto delay: ``P(X > x) = (xm / x) ** alpha`` for ``x >= xm`` (ms).

    ``xm`` is between 1e-6 and 100,000 ms and ``alpha`` between 1.01 and 100, so the
    mean ``alpha * xm / (alpha - 1)`` is finite; the variance is infinite for
    ``alpha <= 2`` (LNKD-DISK's write leg has ``alpha = 1.51``).

    Examples
    --------
    >>> round(Pareto(0.235, 10).mean(), 6)
    0.261111
    >>> Pareto(1.05, 1.51).variance()
    inf
    """

    xm: float
    alpha: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "xm", check_float("xm", self.xm, 1e-6, MAX_DELAY_MS))
        object.__setattr__(self, "alpha", check_float("alpha", self.alpha, 1.01, 100.0))

    def from_exponential(self, e: Array) -> Array:
        """The delays for standard exponential draws ``e``: ``xm * exp(e / alpha)``.

        ``P(xm * exp(E / alpha) > x) = P(E > alpha * log(x / xm)) = (xm / x) ** alpha``.
        """
        x = e * (1.0 / self.alpha)
        np.exp(x, out=x)
        x *= self.xm
        return x

    def sample(self, rng: np.random.Generator, shape: Shape, dtype: DType = np.float64) -> Array:
        """``shape`` delays in ms."""
        return self.from_exponential(rng.standard_exponential(shape, dtype=dtype))

    def mean(self) -> float:
        """The mean delay in ms."""
        return self.alpha * self.xm / (self.alpha - 1.0)

    def variance(self) -> float:
        """The variance in ms squared (infinite when ``alpha <= 2``)."""
        if self.alpha <= 2.0:
            return math.inf
        a = self.alpha
        return self.xm**2 * a / ((a - 1.0) ** 2 * (a - 2.0))

    def cdf(self, x: float) -> float:
        """``P(delay <= x)``."""
        return 0.0 if x <= self.xm else 1.0 - (self.xm / x) ** self.alpha

    def draw(self, rng: random.Random) -> float:
        """One delay in ms from ``rng`` (``xm`` times ``paretovariate``, whose minimum is 1)."""
        return self.xm * rng.paretovariate(self.alpha)


Simple = Constant | Exponential | Pareto


@dataclass(frozen=True)
class Mixture:
    """A mixture: with probability ``weights[i]`` the delay follows ``components[i]``.

    One to :data:`MAX_COMPONENTS` (8) components, each a :class:`Constant`,
    :class:`Exponential` or :class:`Pareto`; the weights are in ``[0, 1]`` and sum to 1.

    Examples
    --------
    >>> leg = Mixture((0.9122, 0.0878), (Pareto(0.235, 10), Exponential(1.66)))
    >>> round(leg.mean(), 4)
    0.2911
    >>> Mixture((0.5, 0.4), (Constant(1), Constant(2)))
    Traceback (most recent call last):
    ...
    algorithms.engine.CommandError: weights must sum to 1, got (0.5, 0.4)
    """

    weights: tuple[float, ...]
    components: tuple[Simple, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.weights, tuple) or not 1 <= len(self.weights) <= MAX_COMPONENTS:
            raise CommandError(
                "weights", self.weights, f"must be a tuple of 1 to {MAX_COMPONENTS} numbers"
            )
        weights = tuple(
            check_float(f"weights[{i}]", x, 0.0, 1.0) for i, x in enumerate(self.weights)
        )
        if abs(math.fsum(weights) - 1.0) > 1e-9:
            raise CommandError("weights", self.weights, "must sum to 1")
        if not isinstance(self.components, tuple) or len(self.components) != len(weights):
            raise CommandError(
                "components", self.components, f"must be a tuple of {len(weights)} delay laws"
            )
        for i, c in enumerate(self.components):
            if not isinstance(c, Constant | Exponential | Pareto):
                raise CommandError(
                    f"components[{i}]", c, "must be a Constant, Exponential or Pareto"
                )
        object.__setattr__(self, "weights", weights)

    def sample(self, rng: np.random.Generator, shape: Shape, dtype: DType = np.float64) -> Array:
        """``shape`` delays in ms: one standard exponential and one uniform per delay."""
        e = rng.standard_exponential(shape, dtype=dtype)
        if len(self.components) == 1:
            return self.components[0].from_exponential(e)
        u = rng.random(shape, dtype=dtype)
        # Python floats, so the comparison runs in the draws' own precision.
        cum = list(itertools.accumulate(self.weights))
        out = self.components[-1].from_exponential(e)
        # The smallest i with u < cum[i] chooses the component, so fill from the last.
        for i in range(len(self.components) - 2, -1, -1):
            np.copyto(out, self.components[i].from_exponential(e), where=u < cum[i])
        return out

    def mean(self) -> float:
        """The mean delay in ms."""
        return math.fsum(p * c.mean() for p, c in zip(self.weights, self.components, strict=True))

    def variance(self) -> float:
        """The variance in ms squared (infinite if a component with weight > 0 has one)."""
        pairs = list(zip(self.weights, self.components, strict=True))
        if any(p > 0 and math.isinf(c.variance()) for p, c in pairs):
            return math.inf
        second = math.fsum(p * (c.variance() + c.mean() ** 2) for p, c in pairs)
        return second - self.mean() ** 2

    def cdf(self, x: float) -> float:
        """``P(delay <= x)``."""
        return math.fsum(p * c.cdf(x) for p, c in zip(self.weights, self.components, strict=True))

    def draw(self, rng: random.Random) -> float:
        """One delay in ms from ``rng``: one uniform chooses the component, which draws."""
        u = rng.random()
        for weight, component in zip(self.weights[:-1], self.components[:-1], strict=True):
            if u < weight:
                return component.draw(rng)
            u -= weight
        return self.components[-1].draw(rng)


Leg = Constant | Exponential | Pareto | Mixture


class WARSDelays(NamedTuple):
    """One draw of the four WARS delays in ms, each an array whose first axis is the replica."""

    w: Array
    a: Array
    r: Array
    s: Array


@dataclass(frozen=True)
class WARSModel:
    """The four WARS legs (Bailis et al., VLDB 2012, section 5.1), plus a WAN delay.

    Parameters
    ----------
    w, a, r, s : Leg
        Delay laws of the write, its acknowledgement, the read request and its response.
    remote_delay_ms : float
        Added to every leg of every replica outside the coordinator's datacenter (0 to
        100,000 ms; 0 for a single datacenter).
    local_replicas : int
        How many replicas (the first ones, from replica 0) share the coordinator's
        datacenter; 0 to 1,000. Only matters when ``remote_delay_ms > 0``.

    Examples
    --------
    >>> model = WARSModel.same(Constant(1.0))
    >>> d = model.sample(np.random.default_rng(0), (3, 1))
    >>> d.w.tolist(), d.s.tolist()
    ([[1.0], [1.0], [1.0]], [[1.0], [1.0], [1.0]])
    >>> wan = PRESETS["WAN"].sample(np.random.default_rng(0), (3, 1000))
    >>> bool((wan.r[1:] > 75).all() and (wan.r[0] < 75).all())
    True
    """

    w: Leg
    a: Leg
    r: Leg
    s: Leg
    remote_delay_ms: float = 0.0
    local_replicas: int = 1

    def __post_init__(self) -> None:
        for name in ("w", "a", "r", "s"):
            leg = getattr(self, name)
            if not isinstance(leg, Constant | Exponential | Pareto | Mixture):
                raise CommandError(
                    name, leg, "must be a Constant, Exponential, Pareto or Mixture delay law"
                )
        object.__setattr__(
            self,
            "remote_delay_ms",
            check_float("remote_delay_ms", self.remote_delay_ms, 0.0, MAX_DELAY_MS),
        )
        check_int("local_replicas", self.local_replicas, 0, MAX_LOCAL_REPLICAS)

    @classmethod
    def same(cls, leg: Leg) -> WARSModel:
        """The model with the same delay law on all four legs."""
        return cls(leg, leg, leg, leg)

    def delay(self, leg: str, replica: int, rng: random.Random) -> float:
        """One message's delay in ms: ``leg`` is ``"w"``, ``"a"``, ``"r"`` or ``"s"``.

        For an engine on the message-passing kernel, which draws each message's delay
        from its own ``random.Random(seed)``; replicas numbered ``local_replicas`` and
        up get the WAN delay added.

        Examples
        --------
        >>> import random
        >>> PRESETS["WAN"].delay("r", 2, random.Random(1)) > 75
        True
        """
        law: Leg = getattr(self, check_choice("leg", leg, ("w", "a", "r", "s")))
        replica = check_int("replica", replica, 0, MAX_LOCAL_REPLICAS + MAX_REMOTE_REPLICAS)
        far = self.remote_delay_ms if replica >= self.local_replicas else 0.0
        return law.draw(rng) + far

    def sample(
        self, rng: np.random.Generator, shape: Shape, dtype: DType = np.float64
    ) -> WARSDelays:
        """Draw W, A, R and S (in that order) for ``shape`` = ``(replicas, ...)``, in ms.

        Replica-major arrays keep each replica's delays contiguous, which is what the
        column-wise order statistics of :mod:`algorithms.quorum.wars` want.
        """
        delays = WARSDelays(
            *(getattr(self, x).sample(rng, shape, dtype) for x in ("w", "a", "r", "s"))
        )
        if self.remote_delay_ms > 0 and shape and shape[0] > self.local_replicas:
            for leg in delays:
                leg[self.local_replicas :] += self.remote_delay_ms
        return delays


def _lnkd_ssd_leg() -> Mixture:
    return Mixture((0.9122, 0.0878), (Pareto(0.235, 10.0), Exponential(1.66)))


def _presets() -> dict[str, WARSModel]:
    ssd = _lnkd_ssd_leg()
    disk_w = Mixture((0.38, 0.62), (Pareto(1.05, 1.51), Exponential(0.183)))
    ymmr_w = Mixture((0.939, 0.061), (Pareto(3.0, 3.35), Exponential(0.0028)))
    ymmr_ars = Mixture((0.982, 0.018), (Pareto(1.5, 3.8), Exponential(0.0217)))
    disk = WARSModel(disk_w, ssd, ssd, ssd)
    return {
        "LNKD-SSD": WARSModel.same(ssd),
        "LNKD-DISK": disk,
        "YMMR": WARSModel(ymmr_w, ymmr_ars, ymmr_ars, ymmr_ars),
        "WAN": WARSModel(disk_w, ssd, ssd, ssd, remote_delay_ms=75.0, local_replicas=1),
    }


PRESETS: dict[str, WARSModel] = _presets()


def latency_model(name: str, ms: float = 1.0) -> WARSModel:
    """The lab's latency model called ``name`` (one of :data:`LATENCY_MODELS`).

    Parameters
    ----------
    name : str
        ``"constant"`` (every leg takes exactly ``ms``), ``"exponential"`` (every leg is
        exponential with mean ``ms``) or a preset of :data:`PRESETS`.
    ms : float
        The delay or mean delay of the first two, 0.001 to 100,000 ms (ignored by the
        presets).

    Examples
    --------
    >>> latency_model("exponential", 4.0).w
    Exponential(rate=0.25)
    >>> latency_model("LAN")
    Traceback (most recent call last):
    ...
    algorithms.engine.CommandError: latency must be one of 'constant', 'exponential', 'LNKD-SSD', 'LNKD-DISK', 'YMMR', 'WAN', got 'LAN'
    """
    name = check_choice("latency", name, LATENCY_MODELS)
    if name in PRESETS:
        return PRESETS[name]
    ms = check_float("ms", ms, 0.001, MAX_DELAY_MS)
    return WARSModel.same(Constant(ms) if name == "constant" else Exponential(1.0 / ms))


def as_wars_model(latency: object) -> WARSModel:
    """Resolve ``latency``: a preset name, a :class:`WARSModel`, or one leg for all four.

    Examples
    --------
    >>> as_wars_model("YMMR") is PRESETS["YMMR"]
    True
    >>> as_wars_model(Constant(2)).r
    Constant(ms=2.0)
    >>> as_wars_model("SSD")
    Traceback (most recent call last):
    ...
    algorithms.engine.CommandError: latency must be one of 'LNKD-SSD', 'LNKD-DISK', 'YMMR', 'WAN', got 'SSD'
    """
    if isinstance(latency, WARSModel):
        return latency
    if isinstance(latency, Constant | Exponential | Pareto | Mixture):
        return WARSModel.same(latency)
    if isinstance(latency, str):
        return PRESETS[check_choice("latency", latency, tuple(PRESETS))]
    raise CommandError("latency", latency, "must be a preset name or a latency model")
