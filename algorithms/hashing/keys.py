"""What the ring and the slots engines share: stored keys, node names and selection.

Both engines of the consistent hashing lab place the same named keys on nodes: by MD5
position on a ring (Karger et al., STOC 1997; DeCandia et al., "Dynamo", SOSP 2007,
§4.2) or by CRC16 hash slot (Redis Cluster specification). :class:`KeyedEngine` keeps
the keys in insertion order, checks and adds them (``add_keys``), answers
``select_key`` and names new nodes; each engine says where a key lands.

Examples
--------
>>> from algorithms.hashing.ring_engine import RingEngine
>>> e = RingEngine(ConsistentHashingParams(nodes=2, keys=3), seed=1)
>>> [ev.text for ev in e.apply({"action": "add_keys", "names": ["a", "b"]})]
["2 keys are added ('a', 'b'); 5 keys in all."]
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any, ClassVar

from algorithms.engine import (
    CommandError,
    Event,
    LabEngine,
    check_fields,
    check_int,
    check_name,
    check_names,
    check_seed,
    look_up,
    move,
)
from algorithms.hashing.params import (
    KEY_NAME_MAX,
    MAX_KEYS,
    MAX_NAMED_KEYS,
    MAX_NODES,
    ConsistentHashingParams,
    node_label,
)
from algorithms.hashing.words import number, plural

__all__ = ["JSON", "KeyedEngine", "required"]

JSON = dict[str, Any]


def required(command: Mapping[str, Any], field: str) -> Any:
    """The value of a field the command must carry, or a refusal naming it.

    Examples
    --------
    >>> required({"action": "remove_node"}, "name")
    Traceback (most recent call last):
    ...
    algorithms.engine.CommandError: name is required by remove_node, got None
    """
    if field not in command:
        raise CommandError(field, None, f"is required by {command['action']}")
    return command[field]


class KeyedEngine(LabEngine[ConsistentHashingParams]):
    """Base of the lab's engines: the stored keys, the selection and node naming.

    Subclasses set ``MODE`` (the params' mode they run), ``NODE_PREFIX`` and
    ``NODE_WORDS`` (how new nodes are named and counted), and say where keys go:
    :meth:`_place_keys`, :meth:`_where`, :meth:`_select_event` and :meth:`_names`.
    """

    Params = ConsistentHashingParams
    MODE: ClassVar[str]
    NODE_PREFIX: ClassVar[str] = ""
    NODE_WORDS: ClassVar[str] = "physical nodes"

    params: ConsistentHashingParams

    def __init__(self, params: ConsistentHashingParams, seed: int) -> None:
        if not isinstance(params, ConsistentHashingParams):
            raise CommandError("params", params, "must be ConsistentHashingParams")
        if params.mode != self.MODE:
            raise CommandError("mode", params.mode, f"must be {self.MODE!r} for this engine")
        self.params = params
        self.seed = check_seed(seed)
        self.rng = random.Random(seed)
        self.mode = self.MODE
        self._key_names: list[str] = []
        self._key_set: set[str] = set()
        self._next_key = 0
        self._selected: str | None = None
        self._last_move: JSON | None = None

    # -- what each engine says ----------------------------------------------------------

    def _names(self) -> list[str]:  # pragma: no cover - every engine overrides it
        """The current nodes (or shards), in order."""
        raise NotImplementedError

    def _place_keys(self, names: list[str]) -> None:  # pragma: no cover - overridden
        """Place newly stored keys on the nodes."""
        raise NotImplementedError

    def _where(self, name: str) -> str:  # pragma: no cover - overridden
        """Where one new key went, as a phrase ("on node B")."""
        raise NotImplementedError

    def _select_event(self, key: str) -> Event:  # pragma: no cover - overridden
        """The sentence telling where a selected key is, with its details as data."""
        raise NotImplementedError

    # -- node names -----------------------------------------------------------------------

    def _next_free_name(self) -> str:
        taken = set(self._names())
        for i in range(MAX_NODES + 1):
            name = self.NODE_PREFIX + node_label(i)
            if name not in taken:
                return name
        raise AssertionError("more names than MAX_NODES")  # pragma: no cover

    def _check_room_for_node(self) -> None:
        count = len(self._names())
        if count >= MAX_NODES:
            raise CommandError(
                "nodes", count + 1, f"must stay at most {MAX_NODES} {self.NODE_WORDS}"
            )

    def _new_name(self, command: Mapping[str, Any], what: str) -> str:
        """The joining node's name: the one given, checked, or the next free one."""
        raw_name = command.get("name")
        name = self._next_free_name() if raw_name is None else check_name("name", raw_name)
        names = self._names()
        if name in names:
            raise CommandError("name", name, f"must not be a current {what} ({', '.join(names)})")
        return name

    def _current_name(self, command: Mapping[str, Any], what: str) -> str:
        """The leaving node's name, which must be a current one."""
        names = self._names()
        name = required(command, "name")
        if not isinstance(name, str) or name not in names:
            shown = ", ".join(names) if names else "none"
            raise CommandError("name", name, f"must be a current {what} ({shown})")
        return name

    # -- keys -----------------------------------------------------------------------------

    def _generated_names(self, count: int) -> list[str]:
        out: list[str] = []
        while len(out) < count:
            name = f"key-{self._next_key}"
            self._next_key += 1
            if name not in self._key_set:
                out.append(name)
        return out

    def _store_keys(self, names: list[str]) -> None:
        self._key_names.extend(names)
        self._key_set.update(names)
        self._place_keys(names)

    @move("add_keys")
    def _add_keys(self, command: Mapping[str, Any]) -> list[Event]:
        check_fields(command, optional=("count", "names"))
        stored = len(self._key_names)
        if ("count" in command) == ("names" in command):
            raise CommandError(
                "count", command.get("count"), "must be given, or names, but not both"
            )
        if "count" in command:
            count = check_int("count", command["count"], 1, MAX_KEYS)
            if stored + count > MAX_KEYS:
                raise CommandError(
                    "count",
                    count,
                    f"must keep the stored keys at most {number(MAX_KEYS)} (now {number(stored)})",
                )
            names = self._generated_names(count)
        else:
            raw = command["names"]
            if not isinstance(raw, list) or not raw:
                raise CommandError("names", raw, f"must be a list of 1 to {MAX_NAMED_KEYS} names")
            names = check_names("names", raw, MAX_NAMED_KEYS, KEY_NAME_MAX)
            seen: set[str] = set()
            for i, name in enumerate(names):
                if name in self._key_set or name in seen:
                    raise CommandError(f"names[{i}]", name, "must not be a key already stored")
                seen.add(name)
            if stored + len(names) > MAX_KEYS:
                raise CommandError(
                    "names",
                    f"{len(names)} names",
                    f"must keep the stored keys at most {number(MAX_KEYS)} (now {number(stored)})",
                )
        self._store_keys(names)
        total = len(self._key_names)
        if len(names) == 1:
            where = self._where(names[0])
            text = f"Key '{names[0]}' is added {where}; {plural(total, 'key')} in all."
        elif "count" in command:
            text = (
                f"{number(len(names))} keys are added ({names[0]} to {names[-1]}); "
                f"{plural(total, 'key')} in all."
            )
        else:
            shown = ", ".join(f"'{n}'" for n in names[:3])
            more = f" and {len(names) - 3} more" if len(names) > 3 else ""
            text = (
                f"{number(len(names))} keys are added ({shown}{more}); "
                f"{plural(total, 'key')} in all."
            )
        return [Event("keys", text, {"added": len(names), "total": total})]

    @look_up("select_key", example={"action": "select_key", "key": "key-1"})
    def _select_key(self, command: Mapping[str, Any]) -> list[Event]:
        check_fields(command, optional=("key",))
        raw = required(command, "key")
        if raw is None:
            self._selected = None
            return [Event("select", "Selection cleared.")]
        key = check_name("key", raw, KEY_NAME_MAX)
        self._selected = key
        return [self._select_event(key)]
