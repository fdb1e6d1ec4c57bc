"""A bare websocket client over a plain socket: it reads only when told to.

The audit and the transport tests need a client that sends oversized messages and one
that never reads its frames; ordinary clients read eagerly in the background.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import struct
from typing import Any


class RawSocket:
    def __init__(self, address: str, path: str, rcvbuf: int | None = None) -> None:
        host, port = address.split(":")
        self.sock = socket.socket()
        if rcvbuf is not None:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(60)
        self.sock.connect((host, int(port)))
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (
                f"GET {path} HTTP/1.1\r\nHost: {address}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                f"Sec-WebSocket-Version: 13\r\nOrigin: http://{address}\r\n\r\n"
            ).encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise ConnectionError("closed during the handshake")
            head += chunk
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise ConnectionError(head.decode("latin-1"))

    def send_text(self, text: str | bytes) -> None:
        payload = text.encode() if isinstance(text, str) else text
        mask = os.urandom(4)
        n = len(payload)
        if n < 126:
            header = struct.pack("!BB", 0x81, 0x80 | n)
        elif n < 65536:
            header = struct.pack("!BBH", 0x81, 0x80 | 126, n)
        else:
            header = struct.pack("!BBQ", 0x81, 0x80 | 127, n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload[:4096]))
        if n > 4096:
            # Masking byte by byte is slow in Python: a repeated mask over the rest.
            rest = payload[4096:]
            key = (mask * (len(rest) // 4 + 1))[: len(rest)]
            masked += (int.from_bytes(rest, "big") ^ int.from_bytes(key, "big")).to_bytes(
                len(rest), "big"
            )
        self.sock.sendall(header + mask + masked)

    def _exact(self, n: int) -> bytes:
        out = b""
        while len(out) < n:
            chunk = self.sock.recv(n - len(out))
            if not chunk:
                raise ConnectionError("closed by the server")
            out += chunk
        return out

    def recv(self) -> tuple[int, bytes]:
        """One frame: (opcode, payload); opcode 8 is a close."""
        first, second = self._exact(2)
        n = second & 0x7F
        if n == 126:
            n = struct.unpack("!H", self._exact(2))[0]
        elif n == 127:
            n = struct.unpack("!Q", self._exact(8))[0]
        return first & 0x0F, self._exact(n)

    def recv_json(self) -> dict[str, Any]:
        """The next text message as JSON (parts joined)."""
        while True:
            opcode, payload = self.recv()
            if opcode == 8:
                raise ConnectionError(f"closed by the server: {payload!r}")
            if opcode != 1:
                continue
            data: dict[str, Any] = json.loads(payload)
            if data.get("type") != "part":
                return data
            parts = [data["text"]]
            while len(parts) < data["count"]:
                _, more = self.recv()
                parts.append(json.loads(more)["text"])
            joined: dict[str, Any] = json.loads("".join(parts))
            return joined

    def close(self) -> None:
        self.sock.close()
