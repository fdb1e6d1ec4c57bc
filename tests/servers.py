"""Start a real Daphne serving the app, for browser tests, scale-out tests and benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def reachable(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        socket.create_connection((host, port), timeout=timeout).close()
        return True
    except OSError:
        return False


@contextmanager
def daphne(env: dict[str, str], output: IO[bytes] | int = subprocess.DEVNULL) -> Iterator[str]:
    """Serve the app on a free port with ``env``; yield ``127.0.0.1:PORT``, stop it after.

    ``BENCH_DAPHNE`` replaces the command (e.g. to run the server under a profiler).
    """
    port = free_port()
    command = os.environ.get("BENCH_DAPHNE", f"{sys.executable} -m daphne").split()
    server = subprocess.Popen(
        [*command, "-b", "127.0.0.1", "-p", str(port), "labs.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while not reachable("127.0.0.1", port, timeout=0.5):
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"daphne did not start (exit code {server.poll()})")
            time.sleep(0.1)
        yield f"127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)
