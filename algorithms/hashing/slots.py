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
:class:`~algorithms.hashing.migration.SlotCluster` simulates both styles, tick by tick.

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

import math
import struct
from binascii import crc_hqx
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "MAX_SHARDS",
    "SLOTS",
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
