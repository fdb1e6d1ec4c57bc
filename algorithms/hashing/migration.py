"""Slot migration during a Redis Cluster reshard, a slot at a time or key by key.

Resharding moves whole hash slots between shards (Redis Cluster specification, "Live
resharding"). Open-source Redis migrates a slot key by key: the source is MIGRATING,
the target IMPORTING, and a lookup at the source of a key already moved (or missing)
is answered ``ASK <target>``; the slot changes owner once it is empty. Amazon
ElastiCache's online resharding keeps the source as the owner of every key of the slot
until all of them have been copied, then flips the whole slot at once, so multi-key
commands never see a slot split between two shards. :class:`SlotCluster` simulates
both styles, tick by tick.

Examples
--------
>>> c = SlotCluster(["A"], style="key")
>>> _ = c.add_key("{user23}:a"), c.add_key("{user23}:b"), c.add_shard("B")
>>> _ = c.step(1)
>>> c.split_slots(), c.lookup("{user23}:a").ask
([1009], 'B')
"""

from __future__ import annotations

import copy
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from algorithms.hashing.slots import (
    MAX_SHARDS,
    SlotMove,
    hashed_part,
    key_slot,
    plan_reshard,
    slot_table,
)

__all__ = ["MIGRATION_STYLES", "MigrationRecord", "SlotCluster", "SlotLookup"]

MIGRATION_STYLES = ("slot", "key")
"""``"slot"``: ElastiCache-style, whole slot flips at once; ``"key"``: key by key with ASK."""


@dataclass(frozen=True)
class MigrationRecord:
    """One thing a migration tick did.

    ``kind`` is ``"copy"`` (key ``key`` of ``slot`` reached ``target``: ``moved`` of
    ``total`` keys of the slot are there now), ``"flip"`` (``slot``, holding ``total``
    keys, now belongs to ``target``) or ``"done"`` (the plan is finished).

    Examples
    --------
    >>> c = SlotCluster(["A"])
    >>> _ = c.add_key("k"), c.add_shard("B")
    >>> kinds = [r.kind for r in c.step(10)]
    >>> kinds.count("copy"), kinds[-1]
    (1, 'done')
    """

    kind: str
    slot: int
    source: str | None
    target: str
    key: str | None = None
    moved: int = 0
    total: int = 0


@dataclass(frozen=True)
class SlotLookup:
    """Where a key lives: its slot, the slot's owner, who serves it, and any ASK redirect.

    Examples
    --------
    >>> SlotCluster(["A", "B"]).lookup("{user1000}.following")
    SlotLookup(key='{user1000}.following', slot=3443, hashed='user1000', owner='A', served_by='A', ask=None)
    """

    key: str
    slot: int
    hashed: str
    owner: str | None
    served_by: str | None
    ask: str | None


class _Migration:
    """A resharding in progress: the plan, the slot being moved and its moved keys."""

    def __init__(self, plan: list[SlotMove], joining: str | None, leaving: str | None) -> None:
        self.queue = plan
        self.index = 0
        self.started = False
        self.pending: deque[str] = deque()
        self.moved: set[str] = set()
        self.moved_in_slot = 0
        self.done_slots = 0
        self.moved_keys = 0
        self.joining = joining
        self.leaving = leaving

    def __deepcopy__(self, memo: dict[int, Any]) -> _Migration:
        # SlotMove is frozen, so a shallow copy of the plan is a full one; copying its
        # thousands of moves one by one would dominate every checkpoint.
        other = _Migration.__new__(_Migration)
        other.queue = list(self.queue)
        other.index = self.index
        other.started = self.started
        other.pending = deque(self.pending)
        other.moved = set(self.moved)
        other.moved_in_slot = self.moved_in_slot
        other.done_slots = self.done_slots
        other.moved_keys = self.moved_keys
        other.joining = self.joining
        other.leaving = self.leaving
        return other

    @property
    def current(self) -> SlotMove | None:
        return self.queue[self.index] if self.index < len(self.queue) else None


class SlotCluster:
    """A Redis Cluster's slot table, its keys, and resharding one tick at a time.

    Parameters
    ----------
    shards : sequence of str
        Initial shards; slots are assigned in contiguous ranges as
        ``redis-cli --cluster create`` does (none: every slot unassigned).
    style : {"slot", "key"}
        How a slot migrates: ``"slot"`` (ElastiCache online resharding: the source
        keeps ownership of every key of the slot until all are copied, then the whole
        slot flips) or ``"key"`` (open-source Redis: each moved key is served by the
        target and a lookup at the source answers ``ASK <target>``).

    Examples
    --------
    >>> c = SlotCluster(["shard-A", "shard-B"], style="key")
    >>> for i in range(20):
    ...     _ = c.add_key(f"{{tag}}:{i}")  # one hash tag: all in one slot
    >>> slot = key_slot("tag")
    >>> plan = c.add_shard("shard-C")
    >>> [(m.source, m.target) for m in plan if m.slot == slot]
    [('shard-B', 'shard-C')]
    >>> while c.lookup("{tag}:0").served_by == "shard-B":
    ...     _ = c.step(1)
    >>> c.lookup("{tag}:0").ask, c.lookup("{tag}:19").ask, c.owners[slot]
    ('shard-C', None, 'shard-B')
    """

    def __init__(self, shards: Sequence[str] = (), style: str = "slot") -> None:
        if style not in MIGRATION_STYLES:
            raise ValueError(f"style must be 'slot' or 'key', got {style!r}")
        self.style = style
        self.shards: list[str] = list(shards)
        self.owners: list[str | None] = slot_table(self.shards)
        self.slot_keys: dict[int, list[str]] = {}
        self.key_slots: dict[str, int] = {}
        self.migration: _Migration | None = None

    def __deepcopy__(self, memo: dict[int, Any]) -> SlotCluster:
        # The player checkpoints engines with deepcopy; the slot table holds 16,384
        # immutable names, so slicing it is far cheaper than copying element by element.
        other = SlotCluster.__new__(SlotCluster)
        other.style = self.style
        other.shards = list(self.shards)
        other.owners = list(self.owners)
        other.slot_keys = {slot: list(keys) for slot, keys in self.slot_keys.items()}
        other.key_slots = dict(self.key_slots)
        other.migration = copy.deepcopy(self.migration, memo)
        return other

    # -- keys ---------------------------------------------------------------------------

    def add_key(self, name: str) -> int:
        """Store a key; return its slot. During a key-style migration of that slot, a new
        key is created on the target (the source answers ASK for a key it lacks)."""
        if name in self.key_slots:
            raise ValueError(f"key {name!r} is already stored")
        slot = key_slot(name)
        self.key_slots[name] = slot
        self.slot_keys.setdefault(slot, []).append(name)
        mig = self.migration
        if mig is not None and mig.started and mig.queue[mig.index].slot == slot:
            if self.style == "slot":
                mig.pending.append(name)
            else:
                mig.moved.add(name)
                mig.moved_in_slot += 1
                mig.moved_keys += 1
        return slot

    def lookup(self, key: str) -> SlotLookup:
        """Ask the cluster for ``key`` (stored or not): slot, owner, server, ASK redirect."""
        slot = key_slot(key)
        part = hashed_part(key)
        hashed = part if isinstance(part, str) else part.decode(errors="replace")
        owner = self.owners[slot]
        served_by, ask = owner, None
        mig = self.migration
        if self.style == "key" and mig is not None and mig.started:
            move = mig.queue[mig.index]
            if move.slot == slot and (key in mig.moved or key not in self.key_slots):
                served_by = ask = move.target
        return SlotLookup(key, slot, hashed, owner, served_by, ask)

    def served_by(self, key: str) -> str | None:
        """The shard that answers for ``key`` now (after any ASK redirect)."""
        return self.lookup(key).served_by

    # -- counts -------------------------------------------------------------------------

    def slot_counts(self) -> dict[str, int]:
        """Slots owned by each shard."""
        counts = dict.fromkeys(self.shards, 0)
        for owner in self.owners:
            if owner is not None:
                counts[owner] += 1
        return counts

    def key_counts(self) -> dict[str, int]:
        """Keys served by each shard (keys of unassigned slots are left out)."""
        counts = dict.fromkeys(self.shards, 0)
        for slot, keys in self.slot_keys.items():
            owner = self.owners[slot]
            if owner is not None:
                counts[owner] += len(keys)
        mig = self.migration
        if self.style == "key" and mig is not None and mig.started and mig.moved_in_slot:
            move = mig.queue[mig.index]
            if move.source is not None:
                counts[move.source] -= mig.moved_in_slot
            counts[move.target] += mig.moved_in_slot
        return counts

    def split_slots(self) -> list[int]:
        """Slots whose keys are served by two shards right now, in slot order.

        Key by key, the slot being migrated is split once some of its keys are on the
        target (reached through ASK) while others are still on the source. In the
        ``"slot"`` style the source serves every key of the slot until the whole slot
        flips, so no slot is ever split: that is the point of ElastiCache's online
        resharding (multi-key commands on one slot always find all their keys together).

        Examples
        --------
        >>> for style in ("slot", "key"):
        ...     c = SlotCluster(["A"], style=style)
        ...     _ = [c.add_key(f"{{user23}}:{i}") for i in range(3)], c.add_shard("B")
        ...     while c.migration is not None and c.migration.moved_in_slot == 0:
        ...         _ = c.step(1)
        ...     print(style, c.split_slots(), c.migration.moved_in_slot)
        slot [] 1
        key [1009] 1
        """
        mig = self.migration
        if self.style != "key" or mig is None or not mig.started:
            return []
        if mig.moved_in_slot and mig.pending:
            return [mig.queue[mig.index].slot]
        return []

    # -- resharding ---------------------------------------------------------------------

    def _check_idle(self) -> None:
        if self.migration is not None:
            raise ValueError("a resharding is already in progress")

    def add_shard(self, name: str) -> list[SlotMove]:
        """Add a shard and plan the reshard that balances the slots; return the plan.

        The first shard of an empty cluster takes every slot at once (nothing to move).
        Otherwise the plan runs with :meth:`step`.
        """
        self._check_idle()
        if not isinstance(name, str) or not name or name in self.shards:
            raise ValueError(f"shard name {name!r} must be new and non-empty")
        if len(self.shards) >= MAX_SHARDS:
            raise ValueError(f"a cluster holds at most {MAX_SHARDS} shards")
        plan = plan_reshard(self.owners, [*self.shards, name])
        self.shards.append(name)
        if all(move.source is None for move in plan):
            for move in plan:
                self.owners[move.slot] = move.target
            return plan
        self.migration = _Migration(plan, name, None)
        return plan

    def remove_shard(self, name: str) -> list[SlotMove]:
        """Plan moving every slot of ``name`` to the other shards; it leaves when done."""
        self._check_idle()
        if name not in self.shards:
            raise ValueError(f"no shard named {name!r}")
        rest = [s for s in self.shards if s != name]
        if not rest:
            raise ValueError("the last shard cannot leave: the slots need an owner")
        plan = plan_reshard(self.owners, rest)
        if plan:
            self.migration = _Migration(plan, None, name)
        else:
            self.shards.remove(name)
        return plan

    def step(self, budget: int) -> list[MigrationRecord]:
        """Move up to ``budget`` keys of the plan; return what happened ([] if idle).

        A slot changes owner as soon as its last key is on the target; slots without
        keys change owner without using the budget. The tick stops when the budget is
        spent, or at the end of the plan.
        """
        mig = self.migration
        if mig is None:
            return []
        if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
            raise ValueError(f"budget must be a positive int, got {budget!r}")
        records: list[MigrationRecord] = []
        while mig.index < len(mig.queue):
            move = mig.queue[mig.index]
            keys = self.slot_keys.get(move.slot, [])
            if not mig.started:
                if budget == 0 and keys:
                    break
                mig.started = True
                mig.pending = deque(keys)
                mig.moved = set()
                mig.moved_in_slot = 0
            while mig.pending and budget > 0:
                key = mig.pending.popleft()
                mig.moved.add(key)
                mig.moved_in_slot += 1
                mig.moved_keys += 1
                budget -= 1
                records.append(
                    MigrationRecord(
                        "copy",
                        move.slot,
                        move.source,
                        move.target,
                        key,
                        mig.moved_in_slot,
                        len(keys),
                    )
                )
            if mig.pending:
                break
            self.owners[move.slot] = move.target
            records.append(
                MigrationRecord("flip", move.slot, move.source, move.target, None, 0, len(keys))
            )
            mig.index += 1
            mig.done_slots += 1
            mig.started = False
            mig.pending = deque()
            mig.moved = set()
            mig.moved_in_slot = 0
        if mig.index == len(mig.queue):
            last = mig.queue[-1]
            records.append(MigrationRecord("done", last.slot, last.source, last.target))
            if mig.leaving is not None:
                self.shards.remove(mig.leaving)
            self.migration = None
        return records

    def migration_state(self) -> dict[str, object] | None:
        """The migration in progress as JSON-ready data (None when idle)."""
        mig = self.migration
        if mig is None:
            return None
        current = None
        move = mig.current
        if move is not None and mig.started:
            total = len(self.slot_keys.get(move.slot, []))
            owner = self.owners[move.slot]
            current = {
                "slot": move.slot,
                "source": move.source,
                "target": move.target,
                "moved": mig.moved_in_slot,
                "total": total,
                "owner": owner,
            }
        remaining = mig.queue[mig.index :]
        left = sum(len(self.slot_keys.get(m.slot, ())) for m in remaining) - mig.moved_in_slot
        return {
            "style": self.style,
            "queue_slots": len(remaining),
            "done_slots": mig.done_slots,
            "current": current,
            "moved_keys": mig.moved_keys,
            "total_keys": mig.moved_keys + left,
            "joining": mig.joining,
            "leaving": mig.leaving,
        }
