"""Serve paperlabs as a department would: nginx in front of several Daphne processes
sharing PostgreSQL (DATABASE_URL) and the Redis channel layer (REDIS_URL)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from labs.classroom.deployment import Deployment, default_env


class Command(BaseCommand):
    help = "Run nginx in front of several Daphne processes (PostgreSQL and Redis required)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workers", type=int, default=2, help="Daphne processes (1 to 16)")
        parser.add_argument("--port", type=int, default=8080, help="the port nginx listens on")
        parser.add_argument("--host", default="127.0.0.1", help="the address nginx listens on")

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["workers"] <= 16:
            raise CommandError(f"--workers must be 1 to 16, got {options['workers']}")
        engine = settings.DATABASES["default"]["ENGINE"]
        layer = settings.CHANNEL_LAYERS["default"]["BACKEND"]
        if "postgresql" not in engine or "redis" not in layer.lower():
            raise CommandError(
                "serve_scale needs DATABASE_URL=postgres://... and REDIS_URL=redis://... "
                f"(now: {engine}, {layer})"
            )
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_samples")
        call_command("load_content")
        env = default_env()
        # Hashed, precompressed static files: nginx serves them with a year's caching.
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=settings.BASE_DIR,
            env=env,
            check=True,
        )
        deployment = Deployment(
            env, options["workers"], options["port"], output=None, host=options["host"]
        )
        deployment.start()
        self.stdout.write(
            f"Serving paperlabs on http://{deployment.address}/ through nginx, "
            f"{options['workers']} Daphne processes: {', '.join(deployment.upstreams)}"
        )
        stop = False

        def on_signal(*_: object) -> None:
            nonlocal stop
            stop = True

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        try:
            while not stop:
                time.sleep(0.5)
        finally:
            deployment.stop()
