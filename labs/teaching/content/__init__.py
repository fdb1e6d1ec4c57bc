"""Instructor content: exercise, narration and quiz files, checked completely.

Files live in the folders of ``settings.PAPERLABS_CONTENT_DIRS``:

- ``*.md``: YAML front matter between ``---`` lines, then a Markdown body. The front
  matter's ``kind`` is ``exercise`` (the default) or ``narration``.
- ``*.yaml`` / ``*.yml``: a quiz (``kind: quiz``, the default).

(``README.md`` files are documentation and are skipped.) The package reads each file
(:mod:`.source`: size, encoding, YAML with the line of every key), checks it against
the schema (:mod:`.schema`, Pydantic models) and runs its scenario and questions
through the real engine (:mod:`.running`). Every problem of every file is collected
as a :class:`Problem` with the file, the key path (``questions[1].query.args.key``)
and the line. A file with any problem is left out: it is never served.

See docs/exercises.md for the file format with examples.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings

from labs.teaching.content.errors import Problem
from labs.teaching.content.items import (
    BOOL_OPTIONS,
    CHECK_VARIANTS,
    PER_STUDENT,
    ContentSet,
    Exercise,
    Narration,
    Question,
    QuizEntry,
    QuizSpec,
    Ref,
    Scenario,
    Variable,
    Variant,
    check_variants,
    parse_when,
    practice_variant_seed,
    quiz_variant_seed,
    substitute,
    variant_seed,
)
from labs.teaching.content.loader import load
from labs.teaching.content.running import answer_query, resolve_options
from labs.teaching.content.schema import (
    MAX_OPTIONS,
    MAX_QUESTIONS,
    MAX_SETUP_COMMANDS,
    MAX_TICKS,
    MAX_VARIABLES,
    QUESTION_TYPES,
    RESERVED_QUIZ_IDS,
    REVEAL,
)
from labs.teaching.content.source import MAX_FILE_BYTES, content_files, display_path
from labs.teaching.queries import ANSWER_KINDS

# -- the installed content, reloaded when a file changes -------------------------------------

_lock = threading.Lock()
_cache: tuple[tuple[Any, ...], ContentSet] | None = None
logger = logging.getLogger("paperlabs.content")


def content_dirs() -> list[Path]:
    return [Path(p) for p in settings.PAPERLABS_CONTENT_DIRS]


def _signature(paths: Sequence[Path]) -> tuple[Any, ...]:
    out: list[Any] = [tuple(str(p) for p in paths)]
    for path in content_files(paths):
        try:
            st = path.stat()
        except OSError:
            continue
        out.append((str(path), st.st_mtime_ns, st.st_size))
    return tuple(out)


def installed() -> ContentSet:
    """The content of the configured folders; reloaded when any file changes.

    Each (re)load logs every problem as a warning: a file with problems is left out,
    and the server's log and the admin (Quizzes › Content files) say which and why.
    """
    global _cache
    paths = content_dirs()
    signature = _signature(paths)
    with _lock:
        if _cache is None or _cache[0] != signature:
            loaded = load(paths)
            _cache = (signature, loaded)
            for problem in loaded.problems:
                logger.warning("content file not served: %s", problem)
            if loaded.invalid:
                logger.warning(
                    "%d of %d content files have problems and are not served "
                    "(python manage.py check_exercises lists them)",
                    len(loaded.invalid),
                    len(loaded.files),
                )
        return _cache[1]


def exercise(exercise_id: str) -> Exercise | None:
    return installed().exercises.get(exercise_id)


__all__ = [
    "ANSWER_KINDS",
    "BOOL_OPTIONS",
    "CHECK_VARIANTS",
    "MAX_FILE_BYTES",
    "MAX_OPTIONS",
    "MAX_QUESTIONS",
    "MAX_SETUP_COMMANDS",
    "MAX_TICKS",
    "MAX_VARIABLES",
    "PER_STUDENT",
    "QUESTION_TYPES",
    "RESERVED_QUIZ_IDS",
    "REVEAL",
    "ContentSet",
    "Exercise",
    "Narration",
    "Problem",
    "Question",
    "QuizEntry",
    "QuizSpec",
    "Ref",
    "Scenario",
    "Variable",
    "Variant",
    "answer_query",
    "check_variants",
    "content_dirs",
    "content_files",
    "display_path",
    "exercise",
    "installed",
    "load",
    "parse_when",
    "practice_variant_seed",
    "quiz_variant_seed",
    "resolve_options",
    "substitute",
    "variant_seed",
]
