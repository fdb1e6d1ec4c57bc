"""Memory per socket at the largest legal ring, measured in a live Daphne.

Opens one small socket (the baseline), then ``SOCKETS`` sockets that each set the
largest legal ring (64 nodes x 256 virtual nodes, 100,000 keys, N = 7) and receive its
picture, and reads the server's resident memory (``VmRSS``) before and after: the
difference over ``SOCKETS`` is what one socket holds. Target: under 48 MB a socket.
Times the process's socket cap (``PAPERLABS_MAX_SOCKETS``) it is the ceiling of one
process's memory for lab sockets; the per-client cap bounds what one client can take.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.targets import check, exit_after
from tests.labs.rawws import RawSocket
from tests.servers import ROOT, free_port, reachable

SOCKETS = 3
LARGEST = {"nodes": 64, "vnodes": 256, "keys": 100_000, "replication": 7}
TARGET_MB = 48


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def frame(sock: RawSocket) -> None:
    while sock.recv_json()["type"] != "frame":
        pass


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="paperlabs-bench-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "labs.settings",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    env.pop("REDIS_URL", None)
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "labs.asgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not reachable("127.0.0.1", port, timeout=0.5):
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("daphne did not start")
            time.sleep(0.1)
        address = f"127.0.0.1:{port}"
        warm = RawSocket(address, "/ws/labs/consistent-hashing/")
        frame(warm)
        time.sleep(0.5)
        before = rss_mb(server.pid)
        held = []
        for _ in range(SOCKETS):
            sock = RawSocket(address, "/ws/labs/consistent-hashing/")
            frame(sock)
            sock.send_text(json.dumps({"action": "set_params", "params": LARGEST}))
            sock.sock.settimeout(120)
            frame(sock)
            held.append(sock)
        time.sleep(0.5)
        after = rss_mb(server.pid)
        per_socket = (after - before) / SOCKETS
        print(f"  server memory: {before:.0f} MB, then {after:.0f} MB with {SOCKETS} largest rings")
        from labs import settings

        print(
            f"  ceiling: {settings.PAPERLABS_MAX_SOCKETS} sockets x {per_socket:.0f} MB = "
            f"{settings.PAPERLABS_MAX_SOCKETS * per_socket / 1024:.1f} GB a process; one client "
            f"{settings.PAPERLABS_MAX_SOCKETS_PER_CLIENT} x {per_socket:.0f} MB"
        )
        check("memory per socket at the largest ring", per_socket, "<", TARGET_MB, " MB")
        for sock in [warm, *held]:
            sock.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    exit_after(main)
