r"""Reading a ShiViz log's text: line numbers, executions, matches and clocks.

ShiViz (Beschastnikh et al., "Visualizing Distributed System Executions", ACM TOSEM
29(2), 2020) applies the parsing regex repeatedly over the log. GoVector's regex is
matched here by a linear-time scanner (:func:`_govector_hits`); any other regex runs on
Python's ``re`` with smaller limits (:func:`_custom_size_check`). Each clock is read as
JSON and checked on its own (:func:`_read_clock`).

Examples
--------
>>> body = 'a {"a":1}\nhello\n'
>>> [(h.host, h.clock, h.event) for h in _govector_hits(body, 0, len(body))]
[('a', '{"a":1}', 'hello')]
>>> _read_clock("a", '{"a":1, "b":0}', 3)
('a', {'a': 1}, [])
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from algorithms.clocks.clock import MAX_NAME_CHARS
from algorithms.clocks.shiviz.logformat import (
    MAX_CUSTOM_BYTES,
    MAX_CUSTOM_LINE_CHARS,
    MAX_SHIVIZ_BYTES,
    MAX_SHIVIZ_EVENTS,
    MAX_SHIVIZ_EXECUTIONS,
    MAX_SHIVIZ_HOSTS,
    ShiVizError,
)


class _Lines:
    """Line numbers of offsets in the log body, which starts on file line 3."""

    def __init__(self, text: str, first_line: int) -> None:
        self.newlines = [m.start() for m in re.finditer("\n", text)]
        self.first = first_line

    def at(self, offset: int) -> int:
        return self.first + bisect.bisect_left(self.newlines, offset)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"host {key!r} appears twice")
        out[key] = value
    return out


def _show(clock_text: str) -> str:
    return clock_text if len(clock_text) <= 80 else clock_text[:77] + "..."


@dataclass
class _Raw:
    host: str
    counters: dict[str, int] | None  # None: the clock could not be read
    text: str
    line: int
    fields: tuple[tuple[str, str], ...]


def _read_clock(
    raw_host: str | None, clock_text: str | None, line: int
) -> tuple[str, dict[str, int] | None, list[ShiVizError]]:
    problems: list[ShiVizError] = []
    host = raw_host or ""
    if not host:
        problems.append(ShiVizError(line, "the host is empty"))
    elif len(host) > MAX_NAME_CHARS or not host.isprintable() or re.search(r"\s", host):
        problems.append(
            ShiVizError(
                line,
                f"the host {host[:80]!r} must be 1 to {MAX_NAME_CHARS} printable "
                "characters without spaces",
            )
        )
    if clock_text is None:
        problems.append(ShiVizError(line, "the parsing regex captured no clock here"))
        return host, None, problems
    try:
        data = json.loads(clock_text, object_pairs_hook=_no_duplicates)
    except (ValueError, RecursionError) as err:
        reason = err.msg if isinstance(err, json.JSONDecodeError) else str(err)
        problems.append(
            ShiVizError(line, f"the clock {_show(clock_text)} is not valid JSON: {reason}")
        )
        return host, None, problems
    if not isinstance(data, dict):
        problems.append(
            ShiVizError(
                line,
                f"the clock {_show(clock_text)} must be a JSON object of host: counter",
            )
        )
        return host, None, problems
    if len(data) > MAX_SHIVIZ_HOSTS:
        problems.append(
            ShiVizError(line, f"the clock has {len(data)} entries; at most {MAX_SHIVIZ_HOSTS}")
        )
        return host, None, problems
    counters: dict[str, int] = {}
    for name, count in data.items():
        if len(name) > MAX_NAME_CHARS or not name or re.search(r"\s", name):
            problems.append(
                ShiVizError(
                    line,
                    f"the clock names host {name[:80]!r}; host names are 1 to "
                    f"{MAX_NAME_CHARS} characters without spaces",
                )
            )
            return host, None, problems
        if (
            isinstance(count, bool)
            or not isinstance(count, int)
            or not 0 <= count <= MAX_SHIVIZ_EVENTS
        ):
            problems.append(
                ShiVizError(
                    line,
                    f"the clock entry {name}: {_show(json.dumps(count))} must be a whole "
                    f"number from 0 to {MAX_SHIVIZ_EVENTS:,}",
                )
            )
            return host, None, problems
        if count:
            counters[name] = count
    if host and host not in counters:
        problems.append(
            ShiVizError(line, f"host {host} is missing from its own clock {_show(clock_text)}")
        )
        return host, None, problems
    return host, counters, problems


def _segments(
    body: str, delimiter: re.Pattern[str] | None, lines: _Lines
) -> list[tuple[int, int, str]]:
    """The executions as (start, end, label) offsets into ``body``."""
    if delimiter is None:
        return [(0, len(body), "")]
    pieces: list[tuple[int, int, str]] = []
    start, label = 0, ""
    has_trace = "trace" in delimiter.groupindex
    for m in delimiter.finditer(body):
        if m.end() == m.start():
            continue
        if body[start : m.start()].strip():
            pieces.append((start, m.start(), label))
        if len(pieces) > MAX_SHIVIZ_EXECUTIONS:
            raise ShiVizError(
                lines.at(m.start()),
                f"the log holds more than {MAX_SHIVIZ_EXECUTIONS} executions",
            )
        start = m.end()
        label = (m.group("trace") or "") if has_trace else ""
    if body[start:].strip():
        pieces.append((start, len(body), label))
    return pieces


@dataclass
class _Hit:
    """One match of the parsing regex: offsets into the body and the captured text."""

    start: int
    end: int
    host: str | None
    clock: str | None
    clock_at: int
    event: str
    fields: tuple[tuple[str, str], ...]


_HOST_THEN_BRACE = re.compile(r"(?<!\S)(\S*+) \{")


def _govector_hits(body: str, start: int, end: int) -> Iterator[_Hit]:
    """The matches of :data:`GOVECTOR_REGEX` in ``body[start:end]``, in linear time.

    Equivalent to the regex's leftmost matches: a clock line is one that ends with
    ``}`` and holds ``host {``; the match starts at the first non-space run
    followed by `` {`` and its event is the whole next line. (The regex run by a
    backtracking engine takes quadratic time on long lines without spaces.)
    """
    i = start
    while i < end:
        nl = body.find("\n", i, end)
        if nl == -1:
            return  # a clock line needs a line after it
        if nl > i and body[nl - 1] == "}":
            m = _HOST_THEN_BRACE.search(body, i, nl)
            if m:
                event_end = body.find("\n", nl + 1, end)
                if event_end == -1:
                    event_end = end
                brace = m.end() - 1
                yield _Hit(
                    m.start(), event_end, m.group(1), body[brace:nl], brace,
                    body[nl + 1 : event_end], (),
                )  # fmt: skip
                i = event_end
                continue
        i = nl + 1


def _regex_hits(pattern: re.Pattern[str], body: str, start: int, end: int) -> Iterator[_Hit]:
    extra = [g for g in pattern.groupindex if g not in ("host", "clock", "event")]
    for m in pattern.finditer(body, start, end):
        if m.end() == m.start():
            continue
        clock_at = m.start("clock") if m.start("clock") >= 0 else m.start()
        yield _Hit(
            m.start(),
            m.end(),
            m.group("host"),
            m.group("clock"),
            clock_at,
            m.group("event") or "",
            tuple((g, m.group(g) or "") for g in extra),
        )


def _size_check(text: str) -> None:
    if len(text) > MAX_SHIVIZ_BYTES:
        line = text.count("\n", 0, MAX_SHIVIZ_BYTES) + 1
        raise ShiVizError(
            line, f"the log is larger than {MAX_SHIVIZ_BYTES:,} bytes (the limit is passed here)"
        )
    encoded = text.encode("utf-8", "replace")
    if len(encoded) > MAX_SHIVIZ_BYTES:
        head = encoded[:MAX_SHIVIZ_BYTES].decode("utf-8", "ignore")
        raise ShiVizError(
            head.count("\n") + 1,
            f"the log is {len(encoded):,} bytes; the limit is {MAX_SHIVIZ_BYTES:,} bytes "
            "(it is passed on this line)",
        )


def _custom_size_check(text: str) -> None:
    if len(text.encode("utf-8", "replace")) > MAX_CUSTOM_BYTES:
        head = text.encode("utf-8", "replace")[:MAX_CUSTOM_BYTES].decode("utf-8", "ignore")
        raise ShiVizError(
            head.count("\n") + 1,
            f"a log read with a custom regex or a delimiter is at most {MAX_CUSTOM_BYTES:,} "
            "bytes (only GoVector's regex with a blank second line reads up to "
            f"{MAX_SHIVIZ_BYTES:,}); the limit is passed on this line",
        )
    for number, line in enumerate(text.split("\n"), start=1):
        if len(line) > MAX_CUSTOM_LINE_CHARS:
            raise ShiVizError(
                number,
                f"the line is {len(line):,} characters; with a custom regex or a delimiter "
                f"lines are at most {MAX_CUSTOM_LINE_CHARS:,}",
            )
