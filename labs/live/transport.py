"""Two bounds the websocket transport (Daphne on autobahn) enforces for the live labs.

- A client message over the transport's size limit (Daphne's
  ``--websocket_max_message_size``, 1 MiB by default) would fail the connection. Here
  its bytes are discarded as they arrive and the client gets the protocol's error
  frame instead; the socket stays open.
- A client that does not read its frames is not buffered for without limit: once
  more than ``PAPERLABS_SEND_BUFFER_BYTES`` wait in the server's send buffer, the
  socket is closed (code 1008). The player reconnects and resyncs with a full frame.

:func:`install` applies both to Daphne's protocol class; ``labs.consumers`` calls it
on import, so any server process that can serve a lab socket has them.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.conf import settings

log = logging.getLogger(__name__)

__all__ = ["install", "send_buffer_bytes"]

_INSTALLED = False
CLOSE_NOT_READING = 1008


def send_buffer_bytes(transport: Any) -> int:
    """Bytes written to ``transport`` and not yet taken by the peer (Twisted's buffers)."""
    data = getattr(transport, "dataBuffer", b"")
    offset = getattr(transport, "offset", 0)
    return max(0, len(data) - offset) + int(getattr(transport, "_tempDataLen", 0))


def _too_big_frame(size: int) -> bytes:
    limit = settings.PAPERLABS_MAX_MESSAGE_BYTES
    frame = {
        "type": "error",
        "message": f"message is {size} bytes or more: it must be at most {limit} bytes",
        "field": "message",
        "value": f"{size} bytes or more",
        "rule": f"must be at most {limit} bytes",
    }
    return json.dumps(frame, separators=(",", ":")).encode()


def install() -> None:
    """Patch Daphne's websocket protocol class (once per process)."""
    global _INSTALLED
    if _INSTALLED:
        return
    try:
        from daphne.ws_protocol import WebSocketProtocol
    except ImportError:  # not served by Daphne: nothing to patch
        return
    _INSTALLED = True
    base_begin = WebSocketProtocol.onMessageBegin
    base_frame_data = WebSocketProtocol.onMessageFrameData
    base_frame = WebSocketProtocol.onMessageFrame
    base_end = WebSocketProtocol.onMessageEnd
    base_send = WebSocketProtocol.serverSend

    def onMessageBegin(self: Any, isBinary: bool) -> None:
        self.paperlabs_oversize = 0
        base_begin(self, isBinary)

    def _max_message_size_exceeded(self: Any, size: int, limit: int, reason: str) -> None:
        # Keep reading, but drop the message's bytes; answer at its end.
        self.paperlabs_oversize = max(size, getattr(self, "paperlabs_oversize", 0))
        self.wasMaxMessagePayloadSizeExceeded = False
        self.wasMaxFramePayloadSizeExceeded = False

    def onMessageFrameData(self: Any, payload: bytes) -> None:
        if getattr(self, "paperlabs_oversize", 0):
            return
        base_frame_data(self, payload)

    def onMessageFrame(self: Any, payload: Any) -> None:
        if getattr(self, "paperlabs_oversize", 0):
            return
        base_frame(self, payload)

    def onMessageEnd(self: Any) -> None:
        size = getattr(self, "paperlabs_oversize", 0)
        if size:
            self.paperlabs_oversize = 0
            self.message_data = None
            log.info("websocket %s: dropped a %s-byte message", self.client_addr, size)
            self.sendMessage(_too_big_frame(size), False)
            return
        base_end(self)

    def serverSend(self: Any, content: Any, binary: bool = False) -> None:
        pending = send_buffer_bytes(getattr(self, "transport", None))
        if pending > settings.PAPERLABS_SEND_BUFFER_BYTES:
            log.info(
                "websocket %s: closed, %s bytes unread by the client", self.client_addr, pending
            )
            self.sendClose(code=CLOSE_NOT_READING, reason="not reading frames")
            self.dropConnection(abort=True)
            return
        base_send(self, content, binary)

    WebSocketProtocol.onMessageBegin = onMessageBegin  # type: ignore[method-assign]
    WebSocketProtocol._max_message_size_exceeded = _max_message_size_exceeded  # type: ignore[method-assign]
    WebSocketProtocol.onMessageFrameData = onMessageFrameData  # type: ignore[method-assign]
    WebSocketProtocol.onMessageFrame = onMessageFrame  # type: ignore[method-assign]
    WebSocketProtocol.onMessageEnd = onMessageEnd  # type: ignore[method-assign]
    WebSocketProtocol.serverSend = serverSend  # type: ignore[method-assign]
