"""Problems of content files: the file, the key path, the YAML line and the message."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from algorithms.engine import CommandError

Path_ = tuple[str | int, ...]


def keypath(path: Path_) -> str:
    """``("questions", 1, "query")`` as an instructor reads it: ``questions[1].query``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def shown(value: Any) -> str:
    """A value as the file had it, cut to 80 characters."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


@dataclass(frozen=True)
class Problem:
    """One problem in one file: ``file:line: key: message``."""

    file: str
    key: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class Report:
    """Collects the problems of one file, placing each on the line of its key path."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.lines: dict[Path_, int] = {}
        self.item_id: str | None = None

    def add(self, path: Path_, message: str, line: int | None = None) -> None:
        if line is None:
            probe = path
            while probe and probe not in self.lines:
                probe = probe[:-1]
            line = self.lines.get(probe)
        problem = Problem(self.file, keypath(path), line, message)
        if problem not in self.problems:
            self.problems.append(problem)

    def add_invalid(self, error: ValidationError, base: Path_ = ()) -> None:
        """Every error of a schema validation, under the key path ``base``."""
        for item in error.errors(include_url=False):
            ctx = item.get("ctx") or {}
            message = ctx.get("message") if item["type"] == "content" else None
            if message is None:  # an error no schema model worded (not expected)
                text = item["msg"]
                message = f"{text[:1].lower()}{text[1:]}, got {shown(item.get('input'))}"
            self.add((*base, *(p for p in item["loc"] if p != "[key]")), message)

    def has_under(self, path: Path_) -> bool:
        """Whether any problem so far is at ``path`` or inside it."""
        key = keypath(path)
        return any(
            p.key == key or p.key.startswith(key + ".") or p.key.startswith(key + "[")
            for p in self.problems
        )

    def has_at(self, path: Path_) -> bool:
        """Whether a problem names ``path`` itself (a refused list, not one entry)."""
        key = keypath(path)
        return any(p.key == key for p in self.problems)

    def in_file_order(self) -> list[Problem]:
        """The problems by line (those without a line first), as found otherwise."""
        return sorted(self.problems, key=lambda p: p.line or 0)


def rule_of(err: CommandError) -> str:
    """The engine's error without its field name (the key path already names it)."""
    text = str(err)
    return text[len(err.field) + 1 :] if text.startswith(err.field + " ") else text


def field_path(base: Path_, dotted: str) -> Path_:
    """Turn an engine field like ``commands[2].name`` into a key path under ``base``."""
    out: list[str | int] = list(base)
    for part in re.split(r"\.(?![^\[]*\])", dotted):
        m = re.match(r"^([^\[]*)((?:\[\d+\])*)$", part)
        if not m:
            out.append(part)
            continue
        if m.group(1):
            out.append(m.group(1))
        out.extend(int(i) for i in re.findall(r"\[(\d+)\]", m.group(2)))
    return tuple(out)
