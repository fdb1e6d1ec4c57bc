"""The snapshots lab's heavy action: a completed snapshot as plain text."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from algorithms.engine import CommandError
from algorithms.snapshots import dump_snapshot
from labs.live.tasks import Task

if TYPE_CHECKING:
    from labs.consumers import LabConsumer


async def export_snapshot(consumer: LabConsumer, message: dict[str, Any]) -> None:
    """Send a completed snapshot in the plain-text export format (``snapshot ID``, then
    ``ID tokens`` per process, then ``SRC DST token(k)`` per recorded message)."""
    timeline = consumer.timeline
    assert timeline is not None
    engine: Any = timeline.engine
    sid = message.get("id")
    snapshot = engine.snapshot(sid)  # refuses an unknown id, naming the known ones
    record = engine.system.snapshots[sid]
    if record.completed_at is None:
        raise CommandError("id", sid, "must name a completed snapshot to export it")
    await consumer.send_json({"type": "snapshot_text", "id": sid, "text": dump_snapshot(snapshot)})


TASKS = {"export_snapshot": Task(export_snapshot, ("id",))}
