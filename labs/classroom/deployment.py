"""The scale deployment: several Daphne processes behind nginx, sharing PostgreSQL and
Redis. Used by ``manage.py serve_scale`` (``make serve-scale``), its tests and the load
benchmark. The nginx configuration is deploy/nginx/paperlabs.conf."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO

from django.conf import settings

TEMPLATE = Path(settings.BASE_DIR) / "deploy" / "nginx" / "paperlabs.conf"


def nginx_binary() -> str | None:
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_port(
    port: int, process: subprocess.Popen[bytes], what: str, host: str = "127.0.0.1"
) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection((host, port), timeout=0.5).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not start (exit code {process.poll()})") from None
            time.sleep(0.1)


def render_config(listen: str, upstreams: list[str], static_root: Path, run: Path) -> str:
    """The nginx configuration with its placeholders filled in."""
    lines = "\n".join(f"        server {u} max_fails=1 fail_timeout=10s;" for u in upstreams)
    return (
        TEMPLATE.read_text()
        .replace("@UPSTREAMS@", lines)
        .replace("@LISTEN@", listen)
        .replace("@STATIC_ROOT@", str(static_root))
        .replace("@RUN@", str(run))
        .replace("@MIME_TYPES@", "/etc/nginx/mime.types")
    )


class Deployment:
    """``workers`` Daphne processes and nginx on ``port``; stop() ends them all."""

    def __init__(
        self,
        env: dict[str, str],
        workers: int = 2,
        port: int = 0,
        output: IO[bytes] | int | None = subprocess.DEVNULL,
        host: str = "127.0.0.1",
    ) -> None:
        self.host = host
        self.env = env
        self.workers = workers
        self.port = port or free_port()
        self.output = output
        self.daphnes: list[subprocess.Popen[bytes]] = []
        self.upstreams: list[str] = []
        self.nginx: subprocess.Popen[bytes] | None = None
        self.run = Path(tempfile.mkdtemp(prefix="paperlabs-nginx-"))

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def start_daphne(self, index: int | None = None) -> None:
        port = free_port() if index is None else int(self.upstreams[index].rsplit(":", 1)[1])
        process = subprocess.Popen(
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
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=self.output,
            stderr=subprocess.STDOUT,
        )
        _wait_port(port, process, "daphne")
        if index is None:
            self.daphnes.append(process)
            self.upstreams.append(f"127.0.0.1:{port}")
        else:
            self.daphnes[index] = process

    def start(self) -> Deployment:
        binary = nginx_binary()
        if binary is None:
            raise RuntimeError("nginx is not installed (make nginx: apt-get install -y nginx)")
        for _ in range(self.workers):
            self.start_daphne()
        static_root = Path(self.env.get("PAPERLABS_STATIC_ROOT", settings.STATIC_ROOT))
        config = self.run / "nginx.conf"
        config.write_text(render_config(self.address, self.upstreams, static_root, self.run))
        self.nginx = subprocess.Popen(
            [binary, "-p", str(self.run), "-c", str(config)],
            stdout=self.output,
            stderr=subprocess.STDOUT,
        )
        _wait_port(self.port, self.nginx, "nginx", self.host)
        return self

    def kill(self, index: int) -> None:
        """Kill one Daphne process at once (SIGKILL: no goodbye to its sockets)."""
        self.daphnes[index].send_signal(signal.SIGKILL)
        self.daphnes[index].wait(timeout=10)

    def stop(self) -> None:
        for process in [*self.daphnes, *([self.nginx] if self.nginx else [])]:
            if process.poll() is None:
                process.terminate()
        for process in [*self.daphnes, *([self.nginx] if self.nginx else [])]:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(self.run, ignore_errors=True)

    def __enter__(self) -> Deployment:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()


def default_env() -> dict[str, str]:
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "labs.settings"}
