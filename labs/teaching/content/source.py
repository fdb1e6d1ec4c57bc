"""Reading content files: size and encoding limits, front matter, YAML with its lines.

YAML is read with the safe loader only. Anchors and aliases are refused (each one
reported), as are duplicate keys; both are reported while the rest of the file is
still read, so that one pass names every problem. Each key path is mapped to the
line it starts on, for the problems the schema finds later.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

from labs.teaching.content.errors import Path_, Report

MAX_FILE_BYTES = 256_000
MAX_DEPTH = 64
"""How deeply YAML may nest: far beyond any real file, far below Python's stack."""


class _NoAliasLoader(yaml.SafeLoader):
    """The safe loader, reading every alias (``*name``) as null.

    Aliases are refused anyway; reading them as null keeps a file of nested aliases
    (a "billion laughs") small while the rest of the file is still checked.
    """

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        if self.check_event(yaml.AliasEvent):
            event = self.get_event()
            return yaml.ScalarNode("tag:yaml.org,2002:null", "", event.start_mark, event.end_mark)
        node: yaml.Node = super().compose_node(parent, index)
        return node


def _too_deep(text: str, report: Report, offset: int) -> bool:
    """Refuse nesting deeper than MAX_DEPTH before the (recursive) composer sees it."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    report.add(
                        (),
                        f"must not nest lists and mappings more than {MAX_DEPTH} deep",
                        event.start_mark.line + 1 + offset,
                    )
                    return True
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            if isinstance(event, yaml.NodeEvent) and event.anchor:
                report.add(
                    (),
                    "YAML anchors and aliases (&name, *name) are not allowed",
                    event.start_mark.line + 1 + offset,
                )
    except yaml.YAMLError:
        return False  # the composer below reports it with its line
    return False


def parse_yaml(text: str, offset: int, report: Report) -> Any:
    """Parse YAML (safe loader); record lines; refuse aliases and duplicate keys.

    Mapping keys come back as texts, as the instructor typed them.
    """
    if _too_deep(text, report, offset):
        return None
    try:
        node = yaml.compose(text, Loader=_NoAliasLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 + offset if mark is not None else None
        what = err.problem or err.context or "invalid YAML"
        report.add((), f"YAML syntax error: {what}", line)
        return None
    except yaml.YAMLError as err:
        report.add((), f"YAML error: {err}")
        return None
    if node is None:
        return None
    _walk(node, (), offset, report)
    try:
        data = yaml.load(text, Loader=_NoAliasLoader)  # a SafeLoader subclass
    except yaml.YAMLError as err:  # pragma: no cover - compose succeeded above
        report.add((), f"YAML error: {err}")
        return None
    return _text_keys(data)


def _walk(node: yaml.Node, path: Path_, offset: int, report: Report) -> None:
    # A duplicate key is reported; the data keeps the last value.
    report.lines.setdefault(path, node.start_mark.line + 1 + offset)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1 + offset
            if key in seen:
                report.add((*path, key), f"duplicate key {key!r}", line)
            seen.add(key)
            report.lines[(*path, key)] = line
            _walk(value_node, (*path, key), offset, report)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            report.lines[(*path, i)] = item.start_mark.line + 1 + offset
            _walk(item, (*path, i), offset, report)


def _text_keys(value: Any) -> Any:
    """Every mapping key as text (``1: x`` is the key "1", as its line is recorded)."""
    if isinstance(value, dict):
        return {_key(k): _text_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_text_keys(v) for v in value]
    return value


def _key(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    return "null" if key is None else str(key)


def read_text(path: Path, report: Report) -> str | None:
    """The file as UTF-8 text, at most MAX_FILE_BYTES; or None with the problem reported."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)  # never more than the limit in memory
            size = len(raw) if len(raw) <= MAX_FILE_BYTES else path.stat().st_size
    except OSError as err:
        report.add((), f"cannot be read ({err.strerror})")
        return None
    if len(raw) > MAX_FILE_BYTES:
        report.add((), f"must be at most {MAX_FILE_BYTES:,} bytes, got {size:,}")
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        report.add((), f"must be UTF-8 text (invalid byte at offset {err.start})")
        return None


def split_front_matter(text: str, report: Report) -> tuple[str, str, int] | None:
    """Return (yaml, body, line offset of the YAML) or report the problem."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n") != "---":
        report.add((), "must start with a line '---' opening the YAML front matter", 1)
        return None
    for i in range(1, len(lines)):
        if lines[i].rstrip("\r\n") in ("---", "..."):
            return "".join(lines[1:i]), "".join(lines[i + 1 :]), 1
    report.add((), "front matter is never closed: add a line '---' after the YAML", 1)
    return None


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path(settings.BASE_DIR).resolve()))
    except ValueError:
        return str(path)


def content_files(paths: Iterable[Path]) -> list[Path]:
    """The content files under ``paths`` (files or folders), each once."""
    out: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        found = sorted(path.rglob("*")) if path.is_dir() else [path] if path.exists() else []
        for child in found:
            if not child.is_file() or child.suffix not in (".md", ".yaml", ".yml"):
                continue
            if path.is_dir() and child.name.lower() == "readme.md":
                continue
            key = child.resolve()
            if key not in seen:
                seen.add(key)
                out.append(child)
    return out
