"""Check exercise, narration and quiz files: every problem, with file, key and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from labs.teaching import content


class Command(BaseCommand):
    help = (
        "Check instructor content files (exercises, narrations, quizzes). With no PATH, "
        "checks the folders of PAPERLABS_CONTENT_DIRS. Prints every problem as "
        "file:line: key: message and exits with status 1 if there is any."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="*", help="files or folders to check")

    def handle(self, *args: Any, **options: Any) -> None:
        paths = [Path(p) for p in options["paths"]]
        for path in paths:
            if not path.exists():
                raise CommandError(f"{path}: no such file or folder")
        if paths:
            # Quizzes given alone may name exercises of the installed folders.
            everything = content.load([*content.content_dirs(), *paths])
            wanted = {content.display_path(p) for p in content.content_files(paths)}
            problems = [p for p in everything.problems if p.file in wanted]
            checked = len(wanted)
            loaded = everything
        else:
            loaded = content.load(content.content_dirs())
            problems = loaded.problems
            checked = len(loaded.files)
        for problem in problems:
            self.stderr.write(str(problem))
        summary = (
            f"Checked {checked} file{'s' if checked != 1 else ''}: "
            f"{len(problems)} problem{'s' if len(problems) != 1 else ''}."
        )
        if problems:
            self.stderr.write(summary)
            raise SystemExit(1)
        self.stdout.write(
            f"{summary} {len(loaded.exercises)} exercises, {len(loaded.narrations)} "
            f"narrations, {len(loaded.quizzes)} quizzes are valid."
        )
