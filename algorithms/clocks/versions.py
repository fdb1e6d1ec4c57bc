"""What the vector-clocks lab says about a Dynamo write: versions, siblings, lost updates.

DeCandia et al., "Dynamo: Amazon's Highly Available Key-value Store", SOSP 2007, §4.4
and Figure 3. The rules live in :mod:`algorithms.clocks.dynamo`; these functions
turn one write of a :class:`VersionedKey` into the lab's narrated events.

Examples
--------
>>> store = VersionedKey("cart", 10)
>>> version = store.put("Sx", "D1", [])
>>> [e.text for e in write_events(store, version, reconcile=False)]
['Sx coordinates the write of D1 with no context: a fresh clock with its own counter, ([Sx,1]).']
"""

from __future__ import annotations

from algorithms.clocks.dynamo import DynamoVersion, VersionedKey, Write, format_pairs
from algorithms.engine import Event

__all__ = ["lost_update_event", "reconciliation_events", "write_events"]


def write_events(store: VersionedKey, version: DynamoVersion, reconcile: bool) -> list[Event]:
    """The events of the write that made ``version`` (a ``put``, or a ``reconcile``)."""
    write = store.history[-1]
    pairs = format_pairs(version.clock)
    parents = ", ".join(version.parents)
    if reconcile:
        text = (
            f"The client reads {parents}, reconciles them into {version.value!r} and writes "
            f"back through {version.coordinator}: {version.id} gets clock {pairs}."
        )
    elif version.parents:
        text = (
            f"{version.coordinator} coordinates the write of {version.id} with context "
            f"{parents}: it increments its own counter on the merged clock, giving {pairs}."
        )
    else:
        text = (
            f"{version.coordinator} coordinates the write of {version.id} with no context: "
            f"a fresh clock with its own counter, {pairs}."
        )
    data = {"version": version.id}
    events = [Event("put", text, data)]
    if version.truncated:
        events.append(
            Event(
                "truncate",
                f"{version.id}'s clock would have more than {store.truncate} pairs, so "
                f"the oldest ({', '.join(version.truncated)}) "
                f"{'is' if len(version.truncated) == 1 else 'are'} dropped; a descendant "
                "may now look concurrent with its ancestors.",
                data,
            )
        )
    events.extend(reconciliation_events(store, write, version))
    return events


def reconciliation_events(store: VersionedKey, write: Write, version: DynamoVersion) -> list[Event]:
    """Versions syntactic reconciliation dropped, a lost update, and siblings left."""
    events: list[Event] = []
    for dropped in write.dropped:
        other = store.version(dropped)
        if dropped == version.id:
            text = (
                f"{version.id}'s clock {format_pairs(version.clock)} does not descend from "
                "the current versions, and one of them descends from it, so syntactic "
                f"reconciliation drops {version.id} itself: this write is lost."
            )
        elif other.clock == version.clock:
            text = (
                f"{dropped} has the same clock as {version.id}, so syntactic reconciliation "
                f"cannot tell them apart and keeps only the newer, {version.id}."
            )
        else:
            text = (
                f"{dropped}'s clock {format_pairs(other.clock)} is ≤ "
                f"{format_pairs(version.clock)}: {dropped} is an ancestor and syntactic "
                "reconciliation drops it."
            )
        events.append(Event("ancestor", text, {"version": dropped}))
    if write.lost:
        events.append(lost_update_event(store, write, version))
    if len(write.current) > 1:
        names = list(write.current)
        listed = " and ".join([", ".join(names[:-1]), names[-1]])
        text = (
            f"{listed} are siblings: neither clock descends from the other, so the "
            "client must reconcile them."
        )
        events.append(Event("siblings", text, {"versions": names}))
    return events


def lost_update_event(store: VersionedKey, write: Write, version: DynamoVersion) -> Event:
    """A lost update: reconciliation dropped a version the writing client never read."""
    lost = [v for v in write.lost if v != version.id]
    read = ", ".join(version.parents) if version.parents else "nothing"
    if lost:
        values = ", ".join(f"{v} ({store.version(v).value!r})" for v in lost)
        text = (
            f"Lost update: the client had read {read}, yet {version.id}'s clock "
            f"{format_pairs(version.clock)} covers {', '.join(lost)}, because "
            f"{version.coordinator} increments its own counter on the context's clock. "
            f"{values} {'is' if len(lost) == 1 else 'are'} dropped with no sibling: not a "
            "concurrent branch, a silently lost write."
        )
    else:
        text = (
            f"Lost update: {version.id} (read {read}) is dominated by a version its client "
            f"never read, so {version.id}'s value {version.value!r} is dropped with no sibling."
        )
    return Event("lost_update", text, {"versions": list(write.lost)})
