"""The slots engine: Redis Cluster's hash slots, resharding and slot migration.

References
----------
- Redis Cluster specification: 16,384 hash slots, CRC16 (XMODEM) of the key or of its
  hash tag; resharding with MIGRATING/IMPORTING slots and ASK redirects.
- Amazon ElastiCache for Redis, online resharding: the source keeps ownership of a
  slot's keys until all of them have moved, then the whole slot changes owner.
- Compared with the ring (Karger et al., STOC 1997; DeCandia et al., "Dynamo", SOSP
  2007, §4.2): a fixed number of slots, assigned explicitly, instead of hashed tokens.

Examples
--------
>>> slots = SlotsEngine(ConsistentHashingParams(mode="slots", nodes=3), seed=1)
>>> [s["ranges"] for s in slots.state()["shards"]]
[[[0, 5460]], [[5461, 10922]], [[10923, 16383]]]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from algorithms.engine import (
    CommandError,
    Event,
    check_choice,
    check_fields,
    check_int,
    json_copy,
    move,
)
from algorithms.hashing.keys import JSON, KeyedEngine, required
from algorithms.hashing.migration import MIGRATION_STYLES, SlotCluster, SlotLookup
from algorithms.hashing.migration_text import (
    MAX_LISTED_SPLITS,
    MAX_TICK_EVENTS,
    STYLE_WORDS,
    compare_event,
    done_event,
    other_style,
    tick_events,
)
from algorithms.hashing.params import (
    MAX_KEYS_PER_TICK,
    MAX_LISTED_KEYS,
    ConsistentHashingParams,
    limits,
    node_label,
)
from algorithms.hashing.slots import SLOTS, SlotMove, all_slot_ranges
from algorithms.hashing.words import breakdown, number, plural

__all__ = ["SlotsEngine"]


def _selection(look: SlotLookup) -> JSON:
    return {
        "key": look.key,
        "slot": look.slot,
        "hashed": look.hashed,
        "shard": look.owner,
        "ask": look.ask,
        "served_by": look.served_by,
    }


class SlotsEngine(KeyedEngine):
    """The consistent hashing lab on a Redis Cluster slot table (``mode="slots"``).

    Shards own hash slots; adding or removing a shard plans a balanced reshard that
    moves the fewest slots, and :meth:`step` migrates ``keys_per_tick`` keys at a time
    in the ``"slot"`` or ``"key"`` style. A second :class:`SlotCluster` in the other
    style takes exactly the same commands and the same budget each step, for comparison
    (``state()["compare"]``): the plans are the same, and the two only drift apart when
    keys are written to a slot while it migrates (key by key they are created on the
    target; a slot at a time they must be copied too). A new reshard waits until both
    have finished.

    Commands (``{"action": ..., fields}``; unknown fields are refused):

    - ``add_node`` {name?: str (default: ``shard-<next free letter>``)}
    - ``remove_node`` {name: str}
    - ``set_migration`` {style: "slot" | "key"} (only while no migration runs),
      ``set_keys_per_tick`` {keys_per_tick: 1..10,000}
    - ``add_keys`` {count: 1..100,000} or {names: list of 1..1,000 new key names}
    - ``select_key`` {key: str of 1..100 characters, or null to clear}

    Examples
    --------
    >>> e = SlotsEngine(ConsistentHashingParams(mode="slots", nodes=2), seed=3)
    >>> events = e.apply({"action": "add_node"})
    >>> e.state()["migration"]["queue_slots"]
    5461
    >>> while e.step():
    ...     pass
    >>> [s["slots"] for s in e.state()["shards"]]
    [5462, 5461, 5461]
    """

    MODE = "slots"
    NODE_PREFIX = "shard-"
    NODE_WORDS = "shards"

    def __init__(self, params: ConsistentHashingParams, seed: int) -> None:
        super().__init__(params, seed)
        self._keys_per_tick = params.keys_per_tick
        shards = [f"shard-{node_label(i)}" for i in range(params.nodes)]
        self._cluster = SlotCluster(shards, params.migration)
        self._other = SlotCluster(shards, other_style(params.migration))
        self._store_keys(self._generated_names(params.keys))

    def _names(self) -> list[str]:
        return list(self._cluster.shards)

    def _check_no_migration(self, action: str) -> None:
        for cluster, which in ((self._cluster, "in progress"), (self._other, "shown beside it")):
            mig = cluster.migration
            if mig is not None:
                left = plural(len(mig.queue) - mig.index, "slot")
                style = "" if cluster is self._cluster else f"{STYLE_WORDS[cluster.style]}, "
                raise CommandError(
                    "action",
                    action,
                    f"must wait until the resharding {which} has finished "
                    f"({style}{left} left; step to migrate)",
                )

    @move("add_node")
    def _add_node(self, command: Mapping[str, Any]) -> list[Event]:
        check_fields(command, optional=("name",))
        self._check_no_migration("add_node")
        self._check_room_for_node()
        name = self._new_name(command, "shard")
        before = list(self._cluster.shards)
        plan = self._cluster.add_shard(name)
        self._other.add_shard(name)
        record = self._plan_record("join", name, plan)
        total = len(self._key_names)
        if not before:
            text = (
                f"{name} joins an empty cluster and takes all {number(SLOTS)} slots; "
                f"it now serves all {plural(total, 'key')}."
            )
            self._last_move = record
            return [Event("reshard", text, record)]
        head = f"{name} joins; the plan moves {plural(len(plan), 'slot')} to it"
        return self._reshard(record, head, record["slots_from"], before)

    @move("remove_node")
    def _remove_node(self, command: Mapping[str, Any]) -> list[Event]:
        check_fields(command, optional=("name",))
        self._check_no_migration("remove_node")
        shards = list(self._cluster.shards)
        name = self._current_name(command, "shard")
        if len(shards) == 1:
            raise CommandError(
                "name", name, f"must not be the last shard: the {number(SLOTS)} slots need an owner"
            )
        plan = self._cluster.remove_shard(name)
        self._other.remove_shard(name)
        record = self._plan_record("leave", name, plan)
        head = f"{name} leaves; the plan moves its {plural(len(plan), 'slot')} to the others"
        return self._reshard(record, head, record["slots_to"], shards)

    def _reshard(
        self, record: JSON, head: str, slots: Mapping[str, int], order: list[str]
    ) -> list[Event]:
        """The sentence of a planned reshard: ``head``, the slots per shard, the keys."""
        text = (
            f"{head} ({breakdown(slots, order)}), carrying {number(record['moved'])} of "
            f"{plural(len(self._key_names), 'key')}; {self._style_words()}"
        )
        self._last_move = record
        return [Event("reshard", text, record)]

    def _style_words(self) -> str:
        per = plural(self._keys_per_tick, "key")
        if self._cluster.style == "slot":
            return (
                f"each step copies {per}, and a slot changes owner only once all its keys "
                "are copied."
            )
        return f"each step migrates {per}, and a moved key is reached through an ASK redirect."

    def _plan_record(self, kind: str, name: str, plan: list[SlotMove]) -> JSON:
        slots_from: dict[str, int] = {}
        slots_to: dict[str, int] = {}
        keys_from: dict[str, int] = {}
        keys_to: dict[str, int] = {}
        moved = 0
        for slot_move in plan:
            keys = len(self._cluster.slot_keys.get(slot_move.slot, ()))
            moved += keys
            slots_to[slot_move.target] = slots_to.get(slot_move.target, 0) + 1
            if keys:
                keys_to[slot_move.target] = keys_to.get(slot_move.target, 0) + keys
            if slot_move.source is not None:
                slots_from[slot_move.source] = slots_from.get(slot_move.source, 0) + 1
                if keys:
                    keys_from[slot_move.source] = keys_from.get(slot_move.source, 0) + keys
        return {
            "kind": kind,
            "node": name,
            "moved": moved,
            "total": len(self._key_names),
            "from": keys_from,
            "to": keys_to,
            "moved_slots": len(plan),
            "slots_from": slots_from,
            "slots_to": slots_to,
        }

    @move("set_migration")
    def _set_migration(self, command: Mapping[str, Any]) -> list[Event]:
        check_fields(command, optional=("style",))
        style = check_choice("style", required(command, "style"), MIGRATION_STYLES)
        self._check_no_migration("set_migration")
        if style != self._cluster.style:
            # Both clusters are idle, so they hold the same slots and keys: swap the roles.
            self._cluster, self._other = self._other, self._cluster
        if style == "slot":
            text = (
                "Slots now migrate as in ElastiCache online resharding: the source keeps "
                "every key of a slot until all are copied, then the whole slot flips."
            )
        else:
            text = (
                "Slots now migrate key by key as in open-source Redis: a moved key is "
                "served by the target, and the source answers ASK for it."
            )
        return [Event("migration_style", text, {"style": style})]

    @move("set_keys_per_tick")
    def _set_keys_per_tick(self, command: Mapping[str, Any]) -> list[Event]:
        check_fields(command, optional=("keys_per_tick",))
        value = required(command, "keys_per_tick")
        per = check_int("keys_per_tick", value, 1, MAX_KEYS_PER_TICK)
        self._keys_per_tick = per
        text = f"Each step now migrates up to {plural(per, 'key')}."
        return [Event("keys_per_tick", text, {"keys_per_tick": per})]

    def step(self) -> list[Event]:
        """Migrate up to ``keys_per_tick`` keys; ``[]`` once both styles are done.

        Both styles take the same budget. The sentences describe the chosen style; one
        more sentence (kind ``"compare"``) tells what the other style does differently,
        only when something differs: a slot split key by key, or one style ahead.
        """
        records = self._cluster.step(self._keys_per_tick)
        other_records = self._other.step(self._keys_per_tick)
        note = compare_event(self._cluster, self._other, records, other_records)
        limit = MAX_TICK_EVENTS - (1 if note is not None else 0)
        events = tick_events(self._cluster.style, records, self._done_event, limit)
        if note is not None:
            events.append(note)
        return events

    def _done_event(self) -> Event:
        return done_event(self._last_move, self._cluster.slot_counts())

    # -- keys -----------------------------------------------------------------------------

    def _place_keys(self, names: list[str]) -> None:
        for name in names:
            self._cluster.add_key(name)
            self._other.add_key(name)

    def _where(self, name: str) -> str:
        look = self._cluster.lookup(name)
        owner = look.served_by or "no shard"
        where = f"in slot {look.slot}, served by {owner}"
        other = self._other.lookup(name)
        if other.served_by != look.served_by:
            via = ", through ASK" if other.ask else ""
            where += f" ({STYLE_WORDS[self._other.style]}: by {other.served_by}{via})"
        return where

    def _select_event(self, key: str) -> Event:
        look = self._cluster.lookup(key)
        info = _selection(look)
        hashed = f"its hash tag '{look.hashed}'" if look.hashed != key else "the whole key"
        owner = look.owner or "no shard yet"
        text = f"Key '{key}' hashes {hashed} to slot {look.slot}, owned by {owner}"
        if look.ask:
            text += f"; {owner} answers ASK {look.ask}, where the key is now"
        other = self._other.lookup(key)
        if (other.served_by, other.ask) != (look.served_by, look.ask):
            words = STYLE_WORDS[self._other.style]
            if other.ask:
                text += f"; {words}, {other.owner} already answers ASK {other.ask}"
            else:
                text += f"; {words}, {other.served_by} still serves it"
        return Event("select", text + ".", info)

    # -- state ----------------------------------------------------------------------------

    def state(self) -> JSON:
        """The JSON-ready picture of the slot table and both migrations; it changes nothing.

        At most :data:`~algorithms.hashing.params.MAX_LISTED_KEYS` keys are listed: the
        first ones stored, in insertion order; ``key_count`` gives the total.
        ``split_slots`` lists at most :data:`MAX_LISTED_SPLITS` slots whose keys are
        served by two shards right now (always empty a slot at a time), ``split_count``
        counts them, and ``compare`` shows the other migration style on the same keys
        and plan, ``{"migration_style", "shards", "migration", "selected",
        "split_slots", "split_count"}``, each shaped like the same field of the main
        picture.

        Examples
        --------
        >>> p = ConsistentHashingParams(mode="slots", nodes=3, keys=0)
        >>> e = SlotsEngine(p, seed=1)
        >>> _ = e.apply({"action": "add_keys", "names": ["{user23}:a", "{user23}:b"]})
        >>> _ = e.apply({"action": "add_node"}), e.step()
        >>> s = e.state()
        >>> s["migration_style"], s["split_slots"], s["compare"]["migration_style"]
        ('slot', [], 'key')
        >>> s["compare"]["split_slots"], s["compare"]["migration"]["current"]["moved"]
        ([1009], 1)
        """
        cluster, other = self._cluster, self._other
        slot_counts = cluster.slot_counts()
        ranges = all_slot_ranges(cluster.owners)
        migration = cluster.migration_state()
        shards = self._shard_rows(cluster, slot_counts, ranges, migration)
        if other.owners == cluster.owners and other.shards == cluster.shards:
            # in lockstep (the usual case) the slot table is the same: reuse its ranges
            other_counts, other_ranges = slot_counts, ranges
        else:
            other_counts, other_ranges = other.slot_counts(), all_slot_ranges(other.owners)
        other_migration = other.migration_state()
        keys: list[JSON] = []
        for name in self._key_names[:MAX_LISTED_KEYS]:
            look = cluster.lookup(name)
            keys.append({"name": name, "slot": look.slot, "shard": look.served_by, "ask": look.ask})
        selected = other_selected = None
        if self._selected is not None:
            selected = _selection(cluster.lookup(self._selected))
            other_selected = _selection(other.lookup(self._selected))
        split = cluster.split_slots()
        other_split = other.split_slots()
        return {
            "mode": "slots",
            "migration_style": cluster.style,
            "keys_per_tick": self._keys_per_tick,
            "slot_count": SLOTS,
            "shards": shards,
            "keys": keys,
            "key_count": len(self._key_names),
            "migration": migration,
            "split_slots": split[:MAX_LISTED_SPLITS],
            "split_count": len(split),
            "selected": selected,
            "last_move": json_copy(self._last_move),
            "compare": {
                "migration_style": other.style,
                "shards": self._shard_rows(other, other_counts, other_ranges, other_migration),
                "migration": other_migration,
                "selected": other_selected,
                "split_slots": other_split[:MAX_LISTED_SPLITS],
                "split_count": len(other_split),
            },
            "limits": limits(),
        }

    @staticmethod
    def _shard_rows(
        cluster: SlotCluster,
        slot_counts: Mapping[str, int],
        ranges: Mapping[str, list[tuple[int, int]]],
        migration: Mapping[str, object] | None,
    ) -> list[JSON]:
        key_counts = cluster.key_counts()
        joining = migration["joining"] if migration else None
        leaving = migration["leaving"] if migration else None
        return [
            {
                "name": name,
                "slots": slot_counts[name],
                "ranges": [[a, b] for a, b in ranges.get(name, [])],
                "keys": key_counts[name],
                "status": "joining"
                if name == joining
                else "leaving"
                if name == leaving
                else "serving",
            }
            for name in cluster.shards
        ]
