"""The slot migration's sentences: each step of a reshard, and the other style beside it.

Redis Cluster specification, "Live resharding": open-source Redis migrates a slot key
by key (MIGRATING/IMPORTING, a moved key reached through ``ASK``); Amazon ElastiCache's
online resharding copies a slot's keys while the source still serves all of them, then
flips the whole slot. The slots engine runs both styles on the same keys and plan; these
functions tell one step of the chosen style, and in one more sentence (``"compare"``)
what the other style does differently.

Examples
--------
>>> STYLE_WORDS["slot"], other_style("slot")
('slot at a time', 'key')
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from algorithms.engine import Event
from algorithms.hashing.migration import MigrationRecord, SlotCluster
from algorithms.hashing.words import MAX_BREAKDOWN, number, plural

__all__ = [
    "MAX_LISTED_SPLITS",
    "MAX_TICK_EVENTS",
    "STYLE_WORDS",
    "compare_event",
    "done_event",
    "empty_run_event",
    "keys_left",
    "other_style",
    "slot_event",
    "tick_events",
]

JSON = dict[str, Any]

MAX_TICK_EVENTS = 12
"""Most events one migration step reports; the rest are summed up in one sentence."""
MAX_LISTED_SPLITS = 50
"""Split slots listed in ``state()["split_slots"]``; ``split_count`` gives the total."""

STYLE_WORDS = {"slot": "slot at a time", "key": "key by key"}
"""How the event sentences name the two migration styles."""


def other_style(style: str) -> str:
    """The migration style that is not ``style``.

    Examples
    --------
    >>> other_style("key")
    'slot'
    """
    return "key" if style == "slot" else "slot"


def keys_left(migration: Mapping[str, object] | None) -> int:
    """Keys a migration (as ``SlotCluster.migration_state`` shows it) has still to move.

    Examples
    --------
    >>> keys_left({"total_keys": 10, "moved_keys": 4}), keys_left(None)
    (6, 0)
    """
    if migration is None:
        return 0
    total, moved = migration["total_keys"], migration["moved_keys"]
    assert isinstance(total, int) and isinstance(moved, int)
    return total - moved


def tick_events(
    style: str, records: Sequence[MigrationRecord], done: Callable[[], Event], limit: int
) -> list[Event]:
    """The sentences of one migration step in ``style``, at most ``limit`` of them.

    A slot's copies this tick and its flip make one sentence; a run of empty slots with
    the same source and target makes one; past ``limit - 2`` sentences the rest are
    summed up in one (``"summary"``), and the end of the plan is told by ``done()``.

    Examples
    --------
    >>> from algorithms.hashing.migration import SlotCluster
    >>> c = SlotCluster(["A"])
    >>> _ = c.add_key("k"), c.add_shard("B")
    >>> events = tick_events("slot", c.step(10_000), lambda: Event("done", "Done."), 12)
    >>> [e.kind for e in events]
    ['flip', 'flip', 'flip', 'done']
    """
    events: list[Event] = []
    i = 0
    while i < len(records):
        rec = records[i]
        if rec.kind == "done":
            events.append(done())
            i += 1
            continue
        # one slot's records: its copies this tick, then maybe its flip
        j = i
        copies: list[MigrationRecord] = []
        while j < len(records) and records[j].kind == "copy" and records[j].slot == rec.slot:
            copies.append(records[j])
            j += 1
        flipped = j < len(records) and records[j].kind == "flip" and records[j].slot == rec.slot
        if flipped and not copies and records[j].total == 0:
            # a run of empty slots with the same source and target
            k = j
            while (
                k + 1 < len(records)
                and records[k + 1].kind == "flip"
                and records[k + 1].total == 0
                and records[k + 1].source == rec.source
                and records[k + 1].target == rec.target
            ):
                k += 1
            events.append(empty_run_event(records[j : k + 1]))
            i = k + 1
            continue
        events.append(slot_event(style, rec, copies, records[j] if flipped else None))
        i = j + 1 if flipped else j
    if len(events) > limit:
        kept = events[: limit - 2]
        rest = events[limit - 2 :]
        finished = [e for e in rest if e.kind == "done"]
        slots = sum(int(e.data.get("slots", 1)) for e in rest if e.kind != "done")
        keys = sum(int(e.data.get("keys", 0)) for e in rest if e.kind != "done")
        kept.append(
            Event(
                "summary",
                f"In the same step, {plural(slots, 'more slot')} and "
                f"{plural(keys, 'more key')} move.",
                {"slots": slots, "keys": keys},
            )
        )
        events = kept + finished
    return events


def compare_event(
    main: SlotCluster,
    other: SlotCluster,
    records: Sequence[MigrationRecord],
    other_records: Sequence[MigrationRecord],
) -> Event | None:
    """The one sentence on the other style this step, or None if nothing differs.

    ``main`` runs the chosen style and made ``records`` this step; ``other`` runs the
    other style on the same keys and plan and made ``other_records``. Key by key a
    slot is split between two shards while a slot at a time the source still serves
    it (ElastiCache online resharding); and the two drift apart when keys are written
    to a slot while it migrates.

    Examples
    --------
    >>> from algorithms.hashing.migration import SlotCluster
    >>> main, other = SlotCluster(["A"], "slot"), SlotCluster(["A"], "key")
    >>> for c in (main, other):
    ...     _ = [c.add_key(f"{{user23}}:{i}") for i in range(3)], c.add_shard("B")
    >>> compare_event(main, other, main.step(1), other.step(1)).text
    'Meanwhile, key by key: slot 1009 is split; A answers ASK B for 1 of its 3 keys.'
    """
    words = STYLE_WORDS[other.style]
    main_words = STYLE_WORDS[main.style]
    head = f"Meanwhile, {words}: "
    split = other.split_slots()
    main_split = main.split_slots()
    ours, theirs = main.migration, other.migration
    if (
        not split
        and not main_split
        and ours is not None
        and theirs is not None
        and (ours.index, ours.moved_in_slot) == (theirs.index, theirs.moved_in_slot)
    ):
        # the usual lockstep: same slot, same keys moved, so nothing differs to tell
        return None
    mig = other.migration_state()
    main_mig = main.migration_state()
    data: JSON = {"style": other.style, "split_slots": split[:MAX_LISTED_SPLITS]}
    other_done = bool(other_records) and other_records[-1].kind == "done"
    main_done = bool(records) and records[-1].kind == "done"
    current = mig["current"] if mig is not None else None
    if split and isinstance(current, dict):
        # key by key beside a slot at a time: the slot is split between two shards
        source = current["source"] or "no shard"
        text = (
            f"{head}slot {current['slot']} is split; {source} answers ASK "
            f"{current['target']} for {number(current['moved'])} of its "
            f"{plural(current['total'], 'key')}."
        )
        return Event("compare", text, data)
    if main_split and isinstance(current, dict):
        source = current["source"] or "no shard"
        text = (
            f"{head}{source} still serves all {plural(current['total'], 'key')} of slot "
            f"{current['slot']} ({number(current['moved'])} copied to {current['target']})."
        )
        return Event("compare", text, data)
    if not other_records:
        return None
    if other_done and main_done:
        return None
    if other_done:
        if main.migration is not None:
            text = (
                f"{head}the resharding is already done, because a key written to a slot "
                "during its migration is created on the target instead of being copied."
            )
        else:
            text = f"{head}the resharding is done too, later than {main_words}."
        return Event("compare", text, data)
    if mig is None:  # pragma: no cover - a migration that did not finish is still there
        return None
    left = keys_left(mig)
    if not records or main_done:
        # the chosen style has finished; this one still copies keys written meanwhile
        queue = mig["queue_slots"]
        assert isinstance(queue, int)
        text = f"{head}{plural(left, 'key')} still to copy in {plural(queue, 'slot')}"
        if isinstance(current, dict):
            source = current["source"] or "no shard"
            text += (
                f"; {source} still serves all {plural(current['total'], 'key')} of slot "
                f"{current['slot']} ({number(current['moved'])} copied to {current['target']})"
            )
        text += "."
        return Event("compare", text, data)
    main_left = keys_left(main_mig)
    if left == main_left:
        return None
    if left > main_left:
        text = (
            f"{head}{plural(left - main_left, 'more key')} to copy than {main_words}, "
            "since a key written to a slot during its migration must be copied too."
        )
    else:
        text = (
            f"{head}{plural(main_left - left, 'key')} fewer to migrate than {main_words}, "
            "since a key written to a slot during its migration is created on the target."
        )
    return Event("compare", text, data)


def slot_event(
    style: str,
    rec: MigrationRecord,
    copies: list[MigrationRecord],
    flip: MigrationRecord | None,
) -> Event:
    """One slot's copies this tick in ``style``, and its flip if the slot changed owner."""
    source = rec.source or "no shard"
    target, slot = rec.target, rec.slot
    data: JSON = {
        "slot": slot,
        "source": rec.source,
        "target": target,
        "keys": len(copies),
        "moved_keys": [c.key for c in copies[:MAX_BREAKDOWN]],
        "flipped": flip is not None,
    }
    if copies:
        last = copies[-1]
        what = f"'{copies[0].key}'" if len(copies) == 1 else plural(len(copies), "key")
        progress = f"{number(last.moved)} of {number(last.total)}"
    if flip is None:
        if style == "slot":
            text = (
                f"{source} copies {what} of slot {slot} to {target} ({progress} copied); "
                f"{source} still serves every key of slot {slot}."
            )
            return Event("copy", text, data)
        text = (
            f"{source} migrates {what} of slot {slot} to {target} ({progress} moved); "
            f"a lookup at {source} of a moved key now gets ASK {target}."
        )
        return Event("migrate", text, data)
    every = f"all {number(flip.total)} of its keys are" if flip.total > 1 else "its one key is"
    if not copies:
        text = f"Slot {slot} now belongs to {target}."
    elif style == "slot":
        text = (
            f"{source} copies {what} of slot {slot} to {target}; {every} "
            f"there, so slot {slot} now belongs to {target} at once."
        )
    else:
        text = (
            f"{source} migrates {what} of slot {slot} to {target}; no key of the slot "
            f"is left on {source}, so slot {slot} now belongs to {target}."
        )
    return Event("flip", text, data)


def empty_run_event(run: Sequence[MigrationRecord]) -> Event:
    """A run of slots without keys that flip from one source to one target."""
    first, last = run[0], run[-1]
    target = first.target
    data: JSON = {
        "slot": first.slot,
        "last_slot": last.slot,
        "slots": len(run),
        "source": first.source,
        "target": target,
        "keys": 0,
        "flipped": True,
    }
    if len(run) == 1:
        text = f"Slot {first.slot} holds no keys and now belongs to {target}."
    else:
        text = (
            f"Slots {first.slot} to {last.slot} hold no keys and now belong to {target} "
            f"({plural(len(run), 'slot')} from {first.source})."
        )
    return Event("flip", text, data)


def done_event(record: Mapping[str, Any] | None, counts: Mapping[str, int]) -> Event:
    """The end of a reshard started by ``record`` (a join or a leave); ``counts``: slots.

    Examples
    --------
    >>> done_event({"kind": "join", "node": "shard-D"}, {"shard-D": 4096}).text
    'Resharding done: shard-D now owns 4,096 slots.'
    """
    record = record or {}
    name = record.get("node")
    if record.get("kind") == "leave":
        text = f"Resharding done: {name} owns no slots and leaves the cluster."
    elif isinstance(name, str) and name in counts:
        text = f"Resharding done: {name} now owns {plural(counts[name], 'slot')}."
    else:  # pragma: no cover - every migration starts from a join or a leave
        text = "Resharding done."
    return Event("done", text, {"node": name, "slots": 0})
