"""The consistent hashing lab: its params' ``mode`` picks the ring or the slots engine.

One lab, two ideas: Dynamo's ring (Karger et al., STOC 1997; DeCandia et al.,
"Dynamo", SOSP 2007, §4.2, §4.3, §6.2) in :class:`~algorithms.hashing.ring_engine.
RingEngine`, and Redis Cluster's hash slots (Redis Cluster specification; ElastiCache
online resharding) in :class:`~algorithms.hashing.slots_engine.SlotsEngine`. The lab's
registry entry names :class:`ConsistentHashingEngine`, which builds the engine
:data:`ENGINES` holds for the mode and hands it every command; a slots lab never builds
a ring, and a ring lab never builds a slot table. The lab declares the commands of both
engines, so a command of the other mode is refused by name.

Examples
--------
>>> engine = ConsistentHashingEngine(ConsistentHashingParams(nodes=4, keys=1000), seed=1)
>>> type(engine.inner).__name__, [e.kind for e in engine.apply({"action": "add_node"})]
('RingEngine', ['join'])
>>> slots = ConsistentHashingEngine(ConsistentHashingParams(mode="slots", nodes=3), seed=1)
>>> type(slots.inner).__name__, [s["ranges"] for s in slots.state()["shards"]]
('SlotsEngine', [[[0, 5460]], [[5461, 10922]], [[10923, 16383]]])
>>> slots.apply({"action": "set_vnodes", "vnodes": 4})
Traceback (most recent call last):
...
algorithms.engine.CommandError: action must be one of add_keys, add_node, remove_node, select_key, set_keys_per_tick, set_migration in slots mode, got 'set_vnodes'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from algorithms.engine import Command, CommandError, Event, LabEngine
from algorithms.hashing.keys import JSON, KeyedEngine
from algorithms.hashing.params import ConsistentHashingParams
from algorithms.hashing.ring_engine import RingEngine
from algorithms.hashing.slots_engine import SlotsEngine

__all__ = ["ENGINES", "ConsistentHashingEngine"]

ENGINES: Mapping[str, type[KeyedEngine]] = {"ring": RingEngine, "slots": SlotsEngine}
"""The engine of each mode of :class:`ConsistentHashingParams`."""


def _hand_on(lab: ConsistentHashingEngine, command: Mapping[str, Any]) -> list[Event]:
    return lab.inner.apply(command)


def _lab_commands() -> dict[str, Command]:
    """Every command of either engine, each handed on to the engine the mode built."""
    commands: dict[str, Command] = {}
    for engine_class in ENGINES.values():
        for action, spec in engine_class.COMMANDS.items():
            commands.setdefault(action, replace(spec, handler=_hand_on))
    return commands


class ConsistentHashingEngine(LabEngine[ConsistentHashingParams]):
    """The consistent hashing lab's engine: a Dynamo ring or a Redis Cluster slot table.

    ``params.mode`` picks the engine (:data:`ENGINES`): ``"ring"`` builds a
    :class:`~algorithms.hashing.ring_engine.RingEngine`, ``"slots"`` a
    :class:`~algorithms.hashing.slots_engine.SlotsEngine`; ``inner`` is that engine,
    and ``apply``, ``step`` and ``state`` are its own. The lab declares the commands of
    both modes (one protocol for the lab); a command of the other mode is refused
    naming the ones this mode takes.

    Examples
    --------
    >>> lab = ConsistentHashingEngine(ConsistentHashingParams(nodes=2, keys=0), seed=1)
    >>> set(lab.COMMANDS) == set(RingEngine.COMMANDS) | set(SlotsEngine.COMMANDS)
    True
    >>> lab.step(), lab.state()["mode"], lab.is_look_up({"action": "select_key"})
    ([], 'ring', True)
    """

    Params = ConsistentHashingParams
    COMMANDS = _lab_commands()

    params: ConsistentHashingParams

    def __init__(self, params: ConsistentHashingParams, seed: int) -> None:
        if not isinstance(params, ConsistentHashingParams):
            raise CommandError("params", params, "must be ConsistentHashingParams")
        self.inner: KeyedEngine = ENGINES[params.mode](params, seed)
        self.params = params
        self.seed = self.inner.seed
        self.mode = params.mode

    def apply(self, command: Mapping[str, Any]) -> list[Event]:
        """Validate and run one command; commands of the other mode are refused."""
        if isinstance(command, Mapping):
            action = command.get("action")
            allowed = self.inner.COMMANDS
            if isinstance(action, str) and action in self.COMMANDS and action not in allowed:
                raise CommandError(
                    "action",
                    action,
                    f"must be one of {', '.join(sorted(allowed))} in {self.mode} mode",
                )
        return super().apply(command)

    def step(self) -> list[Event]:
        """Slots mode: migrate one step (see :meth:`SlotsEngine.step`); ring mode: ``[]``."""
        return self.inner.step()

    def state(self) -> JSON:
        """The mode's picture: :meth:`RingEngine.state` or :meth:`SlotsEngine.state`."""
        return self.inner.state()
