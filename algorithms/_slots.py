"""Redis Cluster hash slots, resharding plans and slot migration.

The Redis Cluster specification divides the key space into 16,384 *hash slots*:
``slot = CRC16(key) mod 16384`` with the CRC16 of XMODEM (polynomial 0x1021, initial
value 0; ``CRC16("123456789") = 0x31C3``). A *hash tag* forces keys into one slot: if
the key contains a ``{`` and a ``}`` after it with at least one character between the
first ``{`` and the first ``}`` after it, only that substring is hashed.

Resharding moves whole slots between shards. Open-source Redis migrates a slot key by
key: the source is MIGRATING, the target IMPORTING, and a lookup at the source of a key
already moved (or missing) is answered ``ASK <target>``; the slot changes owner once
it is empty. Amazon ElastiCache's online resharding keeps the source as the owner of
every key of the slot until all of them have been copied, then flips the whole slot at
once, so multi-key commands never see a slot split between two shards.
:class:`SlotCluster` simulates both styles, tick by tick.

Examples
--------
>>> key_slot("123456789") == 0x31C3
True
>>> key_slot("{user1000}.following") == key_slot("{user1000}.followers")
True
>>> initial_slot_ranges(3)
[(0, 5460), (5461, 10922), (10923, 16383)]
"""

from __future__ import annotations

import copy
import math
import struct
from binascii import crc_hqx
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "MAX_SHARDS",
    "MIGRATION_STYLES",
    "SLOTS",
    "MigrationRecord",
    "SlotCluster",
    "SlotLookup",
    "SlotMove",
    "all_slot_ranges",
    "hashed_part",
    "initial_slot_ranges",
    "key_slot",
    "plan_reshard",
    "slot_ranges",
    "slot_table",
]

SLOTS = 16384
"""Number of hash slots in a Redis Cluster."""

MAX_SHARDS = SLOTS
"""Most shards (masters) a slot table can hold: one slot each."""

MIGRATION_STYLES = ("slot", "key")
"""``"slot"``: ElastiCache-style, whole slot flips at once; ``"key"``: key by key with ASK."""


def hashed_part(key: str | bytes) -> str | bytes:
    """The part of a key that is hashed: its hash tag if it has one, else the whole key.

    Examples
    --------
    >>> hashed_part("{user1000}.following")
    'user1000'
    >>> hashed_part("foo{}{bar}")  # empty first tag: the whole key
    'foo{}{bar}'
    >>> hashed_part("foo{{bar}}zap")
    '{bar'
    >>> hashed_part(b"foo{bar}{zap}")
    b'bar'
    """
    if not isinstance(key, str | bytes):
        raise TypeError(f"key must be str or bytes, got {type(key).__name__}")
    if isinstance(key, str):
        start = key.find("{")
        if start != -1:
            end = key.find("}", start + 1)
            if end > start + 1:
                return key[start + 1 : end]
        return key
    start = key.find(b"{")
    if start != -1:
        end = key.find(b"}", start + 1)
        if end > start + 1:
            return key[start + 1 : end]
    return key


def key_slot(key: str | bytes) -> int:
    """The hash slot of a key: CRC16-XMODEM of its hashed part, mod 16384.

    A ``str`` key is hashed as its UTF-8 bytes.

    Examples
    --------
    >>> key_slot("foo"), key_slot(b"foo")
    (12182, 12182)
    >>> hex(key_slot("123456789"))
    '0x31c3'
    """
    part = hashed_part(key)
    data = part.encode() if isinstance(part, str) else part
    return crc_hqx(data, 0) & (SLOTS - 1)


def _f32(x: float) -> float:
    result: float = struct.unpack("f", struct.pack("f", x))[0]
    return result


def initial_slot_ranges(shards: int) -> list[tuple[int, int]]:
    """Contiguous slot ranges for ``shards`` masters, as ``redis-cli --cluster create``.

    Reproduces redis-cli's arithmetic: a single-precision ``slots_per_node`` and a
    running ``cursor``, ``last = lround(cursor + slots_per_node - 1)``.

    Examples
    --------
    >>> initial_slot_ranges(1)
    [(0, 16383)]
    >>> initial_slot_ranges(4)
    [(0, 4095), (4096, 8191), (8192, 12287), (12288, 16383)]
    """
    if isinstance(shards, bool) or not isinstance(shards, int) or not 1 <= shards <= MAX_SHARDS:
        raise ValueError(f"shards must be an int between 1 and {MAX_SHARDS}, got {shards!r}")
    per_node = _f32(SLOTS / shards)
    first = 0
    cursor = 0.0
    ranges: list[tuple[int, int]] = []
    for i in range(shards):
        last = math.floor(_f32(_f32(cursor + per_node) - 1) + 0.5)
        if last > SLOTS or i == shards - 1:
            last = SLOTS - 1
        last = max(last, first)
        ranges.append((first, last))
        first = last + 1
        cursor = _f32(cursor + per_node)
    return ranges


def slot_table(shards: Sequence[str]) -> list[str | None]:
    """The owner of every slot after ``redis-cli --cluster create`` with these shards.

    Examples
    --------
    >>> table = slot_table(["shard-A", "shard-B", "shard-C"])
    >>> table[0], table[5461], table[16383]
    ('shard-A', 'shard-B', 'shard-C')
    """
    names = list(shards)
    if len(set(names)) != len(names):
        raise ValueError("shard names must be distinct")
    if not names:
        return [None] * SLOTS
    table: list[str | None] = []
    for name, (first, last) in zip(names, initial_slot_ranges(len(names)), strict=True):
        table.extend([name] * (last - first + 1))
    return table


def slot_ranges(owners: Sequence[str | None], shard: str) -> list[tuple[int, int]]:
    """The maximal runs ``(first, last)`` of slots that ``shard`` owns.

    Examples
    --------
    >>> slot_ranges(["a", "a", "b", "a"], "a")
    [(0, 1), (3, 3)]
    """
    out: list[tuple[int, int]] = []
    start = -1
    for slot, owner in enumerate(owners):
        if owner == shard:
            if start < 0:
                start = slot
        elif start >= 0:
            out.append((start, slot - 1))
            start = -1
    if start >= 0:
        out.append((start, len(owners) - 1))
    return out


def all_slot_ranges(owners: Sequence[str | None]) -> dict[str, list[tuple[int, int]]]:
    """:func:`slot_ranges` of every owner in one pass over the table.

    Examples
    --------
    >>> all_slot_ranges(["a", "a", "b", "a", None])
    {'a': [(0, 1), (3, 3)], 'b': [(2, 2)]}
    """
    out: dict[str, list[tuple[int, int]]] = {}
    start = 0
    for slot in range(1, len(owners) + 1):
        if slot == len(owners) or owners[slot] != owners[start]:
            owner = owners[start]
            if owner is not None:
                out.setdefault(owner, []).append((start, slot - 1))
            start = slot
    return out


@dataclass(frozen=True)
class SlotMove:
    """One slot of a reshard plan: it moves from ``source`` (None: unassigned) to ``target``.

    Examples
    --------
    >>> plan_reshard(slot_table(["A"]), ["A", "B"])[0]
    SlotMove(slot=0, source='A', target='B')
    """

    slot: int
    source: str | None
    target: str


def plan_reshard(owners: Sequence[str | None], shards: Sequence[str]) -> list[SlotMove]:
    """Which slots move from which shard to which so that ``shards`` end up balanced.

    ``shards`` are the shards after the change (a new one included, a leaving one left
    out). Afterwards each holds ``floor(16384/S)`` or ``ceil(16384/S)`` slots; the
    ``16384 mod S`` larger shares go to the shards that already hold the most slots, so
    the plan moves the fewest slots possible: every slot of a leaving (or no) shard,
    plus each remaining shard's surplus over its share. Like redis-cli's reshard table,
    a donor gives its lowest-numbered slots. Moves are in slot order, and receivers are
    filled one after another in the order of ``shards``.

    Examples
    --------
    >>> plan = plan_reshard(slot_table(["A", "B", "C"]), ["A", "B", "C", "D"])
    >>> len(plan), plan[0]
    (4096, SlotMove(slot=0, source='A', target='D'))
    >>> plan_reshard(slot_table(["A", "B"]), ["A", "B"])
    []
    """
    if len(owners) != SLOTS:
        raise ValueError(f"a slot table has {SLOTS} entries, got {len(owners)}")
    names = list(shards)
    if not 1 <= len(names) <= MAX_SHARDS or len(set(names)) != len(names):
        raise ValueError(f"shards must be 1 to {MAX_SHARDS} distinct names")
    held: dict[str, list[int]] = {name: [] for name in names}
    movers: list[int] = []
    for slot, owner in enumerate(owners):
        if owner is not None and owner in held:
            held[owner].append(slot)
        else:
            movers.append(slot)
    base, extra = divmod(SLOTS, len(names))
    ranked = sorted(range(len(names)), key=lambda i: (-len(held[names[i]]), i))
    share = {names[i]: base + (1 if rank < extra else 0) for rank, i in enumerate(ranked)}
    for name in names:
        surplus = len(held[name]) - share[name]
        if surplus > 0:
            movers.extend(held[name][:surplus])
    movers.sort()
    wanting = [(name, share[name] - len(held[name])) for name in names]
    receivers = [name for name, need in wanting for _ in range(max(need, 0))]
    return [
        SlotMove(slot, owners[slot], target) for slot, target in zip(movers, receivers, strict=True)
    ]


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
