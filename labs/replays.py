"""Checking replays that come from outside (imports) and loading stored ones."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings

from algorithms.engine import CommandError
from algorithms.recording import Recording, StepCheck, Timeline
from labs.inputs import small_int
from labs.registry import LABS

FORMAT = "paperlabs-replay/1"
MAX_TITLE = 200
MAX_CAPTIONS = 1000
MAX_CAPTION_CHARS = 2000


def check_captions(captions: object, length: int) -> dict[str, str]:
    """Captions map a step (0..length) to a sentence."""
    if not isinstance(captions, dict) or len(captions) > MAX_CAPTIONS:
        raise CommandError(
            "captions", captions, f"must be an object of at most {MAX_CAPTIONS} step: text entries"
        )
    out: dict[str, str] = {}
    for key, text in captions.items():
        step = small_int(key)
        if step is None or step > length:
            raise CommandError("captions", key, f"must be keyed by step numbers from 0 to {length}")
        if not isinstance(text, str) or len(text) > MAX_CAPTION_CHARS or not _printable(text, "\n"):
            raise CommandError(
                f"captions[{key}]",
                text,
                f"must be a printable text of at most {MAX_CAPTION_CHARS} characters",
            )
        out[str(step)] = text
    return out


def _printable(text: str, allowed: str = "") -> bool:
    return all(ch.isprintable() or ch in allowed for ch in text)


def check_title(title: object) -> str:
    if not isinstance(title, str) or len(title) > MAX_TITLE or not _printable(title):
        raise CommandError(
            "title", title, f"must be a printable text of at most {MAX_TITLE} characters"
        )
    return title.strip()


def recording_bytes(recording: Recording) -> int:
    """The recording's size as stored and exported: its compact JSON, in bytes."""
    text = json.dumps(recording.to_json(), separators=(",", ":"))
    return len(text.encode("utf-8"))


def command_bytes(step: int, command: object) -> int:
    """What recording ``command`` at ``step`` adds to :func:`recording_bytes` (at most)."""
    return len(json.dumps([step, command], separators=(",", ":")).encode("utf-8")) + 1


def check_recording_size(recording: Recording) -> int:
    """The recording's size in bytes; CommandError past ``PAPERLABS_MAX_RECORDING_BYTES``."""
    size = recording_bytes(recording)
    limit = int(settings.PAPERLABS_MAX_RECORDING_BYTES)
    if size > limit:
        raise CommandError(
            "recording",
            f"{size:,} bytes",
            f"must be at most {limit:,} bytes (PAPERLABS_MAX_RECORDING_BYTES)",
        )
    return size


def parse_replay(
    raw: bytes | str, check: StepCheck | None = None
) -> tuple[Recording, str, dict[str, str], Timeline]:
    """Validate an exported replay completely, running it once.

    ``check`` is called before each step runs (a CPU budget, a cancellation).

    Returns the recording, title, captions and the rebuilt timeline. Raises
    CommandError naming the field, the value and the rule; nothing is stored here.
    """
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            raise CommandError("file", f"byte {err.start}", "must be UTF-8 text") from None
    try:
        data: Any = json.loads(raw)
    except json.JSONDecodeError as err:
        raise CommandError(
            "file", f"line {err.lineno} column {err.colno}", f"must be JSON ({err.msg})"
        ) from None
    except (ValueError, RecursionError) as err:
        # Integers past 4,300 digits, or nesting deeper than the parser allows.
        raise CommandError("file", "its JSON", f"must be plain JSON data ({err})") from None
    if not isinstance(data, dict):
        raise CommandError("file", type(data).__name__, "must hold a JSON object")
    if data.get("format", FORMAT) != FORMAT:
        raise CommandError(
            "format", data.get("format"), f"must be {FORMAT!r} (a paperlabs replay export)"
        )
    lab = LABS.get(data.get("lab")) if isinstance(data.get("lab"), str) else None
    if lab is None:
        raise CommandError("lab", data.get("lab"), f"must be one of {', '.join(LABS.slugs())}")
    recording = Recording.from_json(
        {k: data.get(k) for k in ("lab", "params", "seed", "length", "commands") if k in data}
    )
    check_recording_size(recording)
    title = check_title(data.get("title", ""))
    captions = check_captions(data.get("captions", {}), recording.length)
    timeline = Timeline.from_recording(
        lab.engine_class(), recording, lab.checkpoint_every, check=check
    )
    return recording, title, captions, timeline
