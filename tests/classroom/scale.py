"""A department's deployment for tests and the load benchmark: PostgreSQL, Redis, several
Daphne processes, optionally nginx in front; and a cookie-keeping HTTP client."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from tests.servers import ROOT, daphne, reachable

PG = os.environ.get("PAPERLABS_TEST_PG", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("PAPERLABS_TEST_REDIS", "redis://127.0.0.1:6379/6")


def unreachable() -> str | None:
    """Why the scale deployment cannot run here, or None."""
    if not reachable("127.0.0.1", 5432):
        return "PostgreSQL is not reachable on 127.0.0.1:5432"
    if not reachable("127.0.0.1", 6379):
        return "Redis is not reachable on 127.0.0.1:6379"
    return None


def scale_env(db_name: str) -> dict[str, str]:
    """A fresh PostgreSQL database, migrated; the environment that serves it."""
    import psycopg

    with psycopg.connect(PG.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {db_name}")
    env = {
        **os.environ,
        "DATABASE_URL": PG.rsplit("/", 1)[0] + "/" + db_name,
        "REDIS_URL": REDIS,
        "DJANGO_SETTINGS_MODULE": "labs.settings",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    return env


@contextmanager
def daphnes(env: dict[str, str], count: int) -> Iterator[list[str]]:
    with ExitStack() as stack:
        yield [stack.enter_context(daphne(env)) for _ in range(count)]


class HttpClient:
    """A browser's cookies and CSRF token, without the browser."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def get(self, path: str) -> tuple[int, str, str]:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, data: dict[str, str]) -> tuple[int, str, str]:
        if not self.cookie("csrftoken"):
            self.get("/classroom/")
        form = {**data, "csrfmiddlewaretoken": self.cookie("csrftoken") or ""}
        body = urllib.parse.urlencode(form).encode()
        return self._open(urllib.request.Request(self.base + path, data=body))

    def _open(self, request: urllib.request.Request) -> tuple[int, str, str]:
        try:
            with self.opener.open(request, timeout=20) as response:
                return (
                    response.status,
                    response.headers.get("Location", ""),
                    response.read().decode(),
                )
        except urllib.error.HTTPError as err:
            return err.code, err.headers.get("Location", ""), err.read().decode()

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def start(self, lab: str = "consistent-hashing") -> str:
        status, location, _ = self.post("/classroom/start/", {"lab": lab})
        assert status == 302, status
        match = re.search(r"/classroom/([A-Z0-9]+)/teach/", location)
        assert match, location
        return match.group(1)

    def join(self, code: str, name: str) -> None:
        status, _, body = self.post("/classroom/join/", {"code": code, "name": name})
        assert status == 302, body[:300]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


async def connect(address: str, path: str, client: HttpClient) -> Any:
    import websockets

    return await websockets.connect(
        f"ws://{address}{path}",
        origin=f"http://{address}",  # type: ignore[arg-type]
        additional_headers={"Cookie": client.cookie_header()},
        max_size=2**24,
    )


async def next_of(ws: Any, kind: str, timeout: float = 10) -> dict[str, Any]:
    import asyncio

    while True:
        message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        if message.get("type") == kind:
            return message
