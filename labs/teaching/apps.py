import sys
import threading
from pathlib import Path

from django.apps import AppConfig

SERVERS = {"daphne", "uvicorn", "gunicorn", "hypercorn"}


def serving(argv: list[str]) -> bool:
    """Whether this process is a web server (not a management command or the tests)."""
    if not argv:
        return False
    program = Path(argv[0])
    return program.name in SERVERS or program.parent.name in SERVERS or argv[1:2] == ["runserver"]


class TeachingConfig(AppConfig):
    name = "labs.teaching"
    label = "teaching"
    verbose_name = "paperlabs exercises and quizzes"

    def ready(self) -> None:
        # A server checks the content folders at start-up, off the start-up path, so
        # a file with problems is logged at once rather than silently left out.
        if serving(sys.argv):
            from labs.teaching import content

            threading.Thread(target=content.installed, name="content-check", daemon=True).start()
