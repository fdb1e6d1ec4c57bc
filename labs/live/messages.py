"""Checking what a client sends: rate, size, JSON shape and the fields of an action."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from django.conf import settings

from algorithms.engine import CommandError
from algorithms.engine import check_fields as check_message_fields

__all__ = [
    "SERVER_FAILED",
    "TokenBucket",
    "check_fields",
    "error_frame",
    "limits",
    "parse_message",
]


class TokenBucket:
    """Allow ``rate`` messages a second on average, bursts of up to ``burst``."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self.tokens = float(burst)
        self.stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


def check_fields(message: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    """Refuse fields a player action does not take, in the contract's one error shape."""
    check_message_fields(message, optional=allowed)


def error_frame(err: CommandError, action: object = None) -> dict[str, Any]:
    """The protocol's refusal; ``action`` names the message refused, so the page can
    show the refusal next to the control that sent it."""
    frame = {"type": "error", **err.to_json()}
    if isinstance(action, str):
        frame["action"] = action[:40]
    return frame


SERVER_FAILED = {
    "type": "error",
    "message": "The server failed on this message; it has been logged. "
    "Step back or reload if the picture looks wrong.",
    "field": "message",
    "value": None,
    "rule": "must be handled by the server",
}
"""The answer to a message the server failed on: the socket and the session stay."""


def limits() -> dict[str, Any]:
    """What a client may send, as the ``hello`` message tells the player."""
    return {
        "max_message_bytes": settings.PAPERLABS_MAX_MESSAGE_BYTES,
        "rate_per_second": settings.PAPERLABS_RATE_PER_SECOND,
        "burst": settings.PAPERLABS_RATE_BURST,
    }


def parse_message(
    bucket: TokenBucket, text_data: str | None, bytes_data: bytes | None
) -> dict[str, Any]:
    """The message as a JSON object with a text ``action``, or a CommandError saying why not."""
    if not bucket.take():
        raise CommandError(
            "rate",
            "too many messages",
            f"must stay under {settings.PAPERLABS_RATE_PER_SECOND} messages a second "
            f"(bursts of {settings.PAPERLABS_RATE_BURST})",
        )
    if text_data is None:
        size = len(bytes_data or b"")
        raise CommandError("message", f"{size} bytes of binary data", "must be a JSON text message")
    limit = settings.PAPERLABS_MAX_MESSAGE_BYTES
    if len(text_data) > limit or len(text_data.encode("utf-8")) > limit:
        raise CommandError(
            "message",
            f"{len(text_data.encode('utf-8'))} bytes",
            f"must be at most {limit} bytes",
        )
    try:
        message = json.loads(text_data)
    except (ValueError, RecursionError) as err:
        # ValueError covers JSONDecodeError and integers past 4,300 digits.
        raise CommandError(
            "message",
            text_data[:80],
            f"must be JSON ({getattr(err, 'msg', None) or str(err) or 'too deeply nested'})",
        ) from None
    if not isinstance(message, dict):
        raise CommandError(
            "message", text_data[:80], 'must be a JSON object like {"action": "step"}'
        )
    action = message.get("action")
    if not isinstance(action, str):
        raise CommandError("action", action, "must be a text naming the action")
    return message
