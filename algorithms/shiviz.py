"""Reading and writing ShiViz / GoVector logs.

ShiViz (Beschastnikh, Liu, Xing, Wang, Brun, Ernst, "Visualizing Distributed System
Executions", ACM TOSEM 29(2), 2020; see also Beschastnikh, Wang, Brun, Ernst,
"Debugging Distributed Systems", CACM 59(8), 2016) draws the happened-before graph of a logged execution. Its
input is a text file:

- line 1: the parsing regex, with the named groups ``host``, ``clock`` and ``event``
  (JavaScript syntax ``(?<name>...)``, converted here to Python's ``(?P<name>...)``);
  GoVector's logs use :data:`GOVECTOR_REGEX`, ``(?<host>\\S*) (?<clock>{.*})\\n(?<event>.*)``;
- line 2: the execution delimiter, blank for a log holding one execution;
- line 3 on: the log. With the GoVector regex each event is a line
  ``host {"host": n, ...}`` followed by a line of event text.

The regex is applied repeatedly with JavaScript's ``m`` flag semantics (``^``/``$`` at
line ends, ``.`` never crossing a line). Windows line ends are read as ``\\n``.

Reading time. GoVector's regex with a blank second line is read by a linear-time
scanner equivalent to the regex (a backtracking regex engine takes quadratic time on
long lines without spaces), so such logs are accepted up to :data:`MAX_SHIVIZ_BYTES`.
Any other regex, or a delimiter, runs on Python's ``re``, whose time depends on the
regex: those logs are limited to :data:`MAX_CUSTOM_BYTES` with lines of at most
:data:`MAX_CUSTOM_LINE_CHARS`, and regexes that nest unbounded repetition are
refused, which bounds ordinary regexes but not every adversarial one. A server
reading untrusted logs should pass ``govector_only=True``.

Multiple executions (minimal handling): a non-blank line 2 is a regex; the log is split
at its matches, blank pieces are skipped, and each piece is one execution, labelled by
the delimiter's ``trace`` group when it has one (as ShiViz does). Every check below is
made per execution, and each event records its execution's number and label.

Checks (each refusal is a :class:`ShiVizError` naming a line):

- the log is at most :data:`MAX_SHIVIZ_BYTES` and at most :data:`MAX_SHIVIZ_EVENTS`
  events, both refused before any clock is parsed;
- line 1 is a valid regex (at most :data:`MAX_REGEX_CHARS`, no nested unbounded
  repetition such as ``(a+)+``, which could take exponential time) with the three groups;
- every clock is a JSON object of host name → whole number ≥ 0 (ShiViz drops 0
  entries; so do we), at most :data:`MAX_SHIVIZ_HOSTS` entries, and names its own host;
- along each host, in log order, the host's own entry starts at 1 and increases by
  exactly 1 per event, and no other entry ever decreases;
- a clock that knows of host h's k-th event needs h to have k events in the execution
  (ShiViz's rule: a GoVector log is one file per process concatenated, so a receive
  may be logged before its send), and the clock must include that event's clock (and
  differ from it: two events cannot each know the other);
- text the regex does not match is reported (ShiViz ignores it silently, which hides a
  malformed event line).

:func:`validate_shiviz` returns every problem, sorted by line (the first
:data:`MAX_REPORTED_PROBLEMS`); :func:`parse_shiviz` raises the first.

Examples
--------
>>> log = GOVECTOR_REGEX + '''
...
... a {"a":1}
... a sends m
... b {"a":1, "b":1}
... b receives m'''
>>> [(e.host, e.clock.to_json(), e.text, e.line) for e in parse_shiviz(log)]
[('a', {'a': 1}, 'a sends m', 3), ('b', {'a': 1, 'b': 1}, 'b receives m', 5)]
>>> [e.clock for e in parse_shiviz(to_shiviz(parse_shiviz(log)))] == [e.clock for e in parse_shiviz(log)]
True
>>> [str(p) for p in validate_shiviz(log.replace('"b":1', '"c":1'))]
['line 5: host b is missing from its own clock {"a":1, "c":1}']
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from algorithms.causality import MAX_NAME_CHARS, VectorClock

__all__ = [
    "GOVECTOR_REGEX",
    "MAX_CUSTOM_BYTES",
    "MAX_CUSTOM_LINE_CHARS",
    "MAX_REGEX_CHARS",
    "MAX_REPORTED_PROBLEMS",
    "MAX_SHIVIZ_BYTES",
    "MAX_SHIVIZ_EVENTS",
    "MAX_SHIVIZ_EXECUTIONS",
    "MAX_SHIVIZ_HOSTS",
    "ShiVizError",
    "ShiVizEvent",
    "parse_shiviz",
    "to_shiviz",
    "validate_shiviz",
]

GOVECTOR_REGEX = r"(?<host>\S*) (?<clock>{.*})\n(?<event>.*)"
"""GoVector's parsing regex (JavaScript syntax, as written on a log's first line)."""

MAX_SHIVIZ_BYTES = 5_000_000
"""The largest log accepted, in UTF-8 bytes (5 MB): refused before parsing."""

MAX_SHIVIZ_EVENTS = 20_000
"""The most events a log may hold (all executions): refused before any clock is read."""

MAX_SHIVIZ_HOSTS = 256
"""The most entries one clock may have."""

MAX_SHIVIZ_EXECUTIONS = 100
"""The most executions a delimited log may hold."""

MAX_REGEX_CHARS = 1_000
"""The longest parsing or delimiter regex."""

MAX_CUSTOM_BYTES = 1_000_000
"""The largest log read with a custom parsing regex or a delimiter (1 MB)."""

MAX_CUSTOM_LINE_CHARS = 2_000
"""The longest line of a log read with a custom parsing regex or a delimiter."""

MAX_REPORTED_PROBLEMS = 200
""":func:`validate_shiviz` reports at most this many problems."""


class ShiVizError(ValueError):
    """A refused ShiViz log: the line and the reason.

    Examples
    --------
    >>> err = ShiVizError(7, "the clock is not valid JSON")
    >>> str(err), err.line, err.to_json()["reason"]
    ('line 7: the clock is not valid JSON', 7, 'the clock is not valid JSON')
    """

    def __init__(self, line: int, reason: str) -> None:
        self.line = line
        self.reason = reason
        super().__init__(f"line {line}: {reason}")

    def to_json(self) -> dict[str, Any]:
        """The problem as JSON for the web side's list of errors."""
        return {"line": self.line, "reason": self.reason, "message": str(self)}


@dataclass(frozen=True)
class ShiVizEvent:
    """One logged event.

    Parameters
    ----------
    host : str
        The process that logged it.
    clock : VectorClock
        Its vector clock.
    text : str
        The event text (the ``event`` group).
    line : int
        The line (1-based, in the whole file) where its clock is.
    execution : int
        Which execution of a delimited log it belongs to (0 for the first).
    label : str
        That execution's label (the delimiter's ``trace`` group, else "").
    fields : tuple of (name, value)
        Any other named groups of the parsing regex (``date``, ...).

    Examples
    --------
    >>> e = ShiVizEvent("server", VectorClock({"client": 2, "server": 2}), "got it", 11)
    >>> e.clock["client"], e.execution
    (2, 0)
    """

    host: str
    clock: VectorClock
    text: str
    line: int
    execution: int = 0
    label: str = ""
    fields: tuple[tuple[str, str], ...] = ()


# -- regexes ---------------------------------------------------------------------------


def _python_regex(js: str) -> str:
    """Rewrite JavaScript named groups and back-references in Python syntax."""
    out: list[str] = []
    i, n = 0, len(js)
    while i < n:
        ch = js[i]
        if ch == "\\" and i + 1 < n:
            m = re.match(r"\\k<([A-Za-z_]\w*)>", js[i:])
            if m:
                out.append(f"(?P={m.group(1)})")
                i += m.end()
                continue
            out.append(js[i : i + 2])
            i += 2
            continue
        if ch == "(":
            m = re.match(r"\(\?<([A-Za-z_]\w*)>", js[i:])
            if m:
                out.append(f"(?P<{m.group(1)}>")
                i += m.end()
                continue
        out.append(ch)
        i += 1
    return "".join(out)


_QUANT = re.compile(r"\*|\+|\{\d*,\d*\}|\{\d+\}")


def _nested_repetition(pattern: str) -> bool:
    """True if a group holding an unbounded repeat is itself repeated: ``(a+)+``."""
    stack: list[bool] = []
    i, n = 0, len(pattern)

    def unbounded(at: int) -> int:
        m = _QUANT.match(pattern, at)
        if not m:
            return 0
        q = m.group()
        if q in ("*", "+") or (q.startswith("{") and q.endswith(",}")):
            return m.end() - at
        return 0

    while i < n:
        ch = pattern[i]
        if ch == "\\":
            i += 2
            width = unbounded(i)
            if width and stack:
                stack[-1] = True
            i += width
            continue
        if ch == "[":
            j = i + 1
            if j < n and pattern[j] == "^":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            i = j + 1
            width = unbounded(i)
            if width and stack:
                stack[-1] = True
            i += width
            continue
        if ch == "(":
            stack.append(False)
            i += 1
            continue
        if ch == ")":
            inner = stack.pop() if stack else False
            i += 1
            width = unbounded(i)
            if width and inner:
                return True
            if stack and (inner or width):
                stack[-1] = True
            i += width
            continue
        width = unbounded(i + 1)
        if width and stack:
            stack[-1] = True
        i += 1 + width
    return False


def _compile(line_no: int, js: str, what: str) -> re.Pattern[str]:
    if len(js) > MAX_REGEX_CHARS:
        raise ShiVizError(
            line_no, f"the {what} is {len(js):,} characters; at most {MAX_REGEX_CHARS:,}"
        )
    source = _python_regex(js)
    try:
        pattern = re.compile(source, re.MULTILINE)
    except re.error as err:
        raise ShiVizError(
            line_no, f"the {what} is not a valid regular expression: {err.msg}"
        ) from None
    if _nested_repetition(source):
        raise ShiVizError(
            line_no,
            f"the {what} repeats a group that itself repeats without bound, "
            "which can take exponential time; rewrite it without nesting",
        )
    return pattern


# -- parsing ---------------------------------------------------------------------------


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


def _scan(text: object, govector_only: bool = False) -> tuple[list[ShiVizEvent], list[ShiVizError]]:
    """Parse and check a whole log; oversize and a bad header raise at once."""
    if not isinstance(text, str):
        raise ShiVizError(1, f"the log must be text, got {type(text).__name__}")
    _size_check(text)
    text = text.replace("\r\n", "\n")
    parts = text.split("\n", 2)
    regex_line = parts[0].strip()
    delimiter_line = parts[1].strip() if len(parts) > 1 else ""
    fast = regex_line == GOVECTOR_REGEX and not delimiter_line
    if govector_only and not fast:
        if regex_line != GOVECTOR_REGEX:
            raise ShiVizError(
                1, f"the first line must be GoVector's parsing regex {GOVECTOR_REGEX}"
            )
        raise ShiVizError(2, "the second line must be blank: one execution per log")
    if not regex_line:
        raise ShiVizError(1, "the first line must be the parsing regex, and it is blank")
    pattern = _compile(1, regex_line, "parsing regex on line 1")
    missing = [g for g in ("host", "clock", "event") if g not in pattern.groupindex]
    if missing:
        raise ShiVizError(
            1,
            "the parsing regex must have the named groups host, clock and event; "
            f"it lacks {', '.join(missing)}",
        )
    if len(parts) < 2:
        raise ShiVizError(
            2, "the second line must be the execution delimiter (blank for one execution)"
        )
    delimiter = _compile(2, delimiter_line, "delimiter regex on line 2") if delimiter_line else None
    if not fast:
        _custom_size_check(text)
    body = parts[2] if len(parts) > 2 else ""
    lines = _Lines(body, 3)
    segments = _segments(body, delimiter, lines)

    # Count events before reading any clock, so an oversized log costs no JSON work.
    matches: list[tuple[int, str, list[_Hit]]] = []
    total = 0
    for number, (start, end, label) in enumerate(segments):
        found: list[_Hit] = []
        hits = _govector_hits(body, start, end) if fast else _regex_hits(pattern, body, start, end)
        for hit in hits:
            total += 1
            if total > MAX_SHIVIZ_EVENTS:
                raise ShiVizError(
                    lines.at(hit.start),
                    f"the log holds more than {MAX_SHIVIZ_EVENTS:,} events "
                    "(the limit is passed here)",
                )
            found.append(hit)
        matches.append((number, label, found))
    if total == 0:
        raise ShiVizError(3, "the parsing regex matches no event in the log")

    events: list[ShiVizEvent] = []
    problems: list[ShiVizError] = []
    for (number, label, found), (start, end, _) in zip(matches, segments, strict=True):
        raws: list[_Raw] = []
        position = start
        for hit in found:
            _gap(body, position, hit.start, lines, problems)
            position = hit.end
            line = lines.at(hit.clock_at)
            host, counters, found_problems = _read_clock(hit.host, hit.clock, line)
            problems.extend(found_problems)
            if found_problems:
                counters = None
            raws.append(_Raw(host, counters, hit.event, line, hit.fields))
        _gap(body, position, end, lines, problems)
        problems.extend(_check_execution(raws))
        for raw in raws:
            if raw.counters is not None:
                events.append(
                    ShiVizEvent(
                        raw.host,
                        VectorClock._trusted(raw.counters),
                        raw.text,
                        raw.line,
                        number,
                        label,
                        raw.fields,
                    )
                )
    problems.sort(key=lambda p: p.line)
    return events, problems


def _gap(body: str, start: int, end: int, lines: _Lines, problems: list[ShiVizError]) -> None:
    """Report text between events that the parsing regex does not match."""
    gap = body[start:end]
    if gap.strip():
        offset = start + (len(gap) - len(gap.lstrip()))
        problems.append(
            ShiVizError(
                lines.at(offset),
                "this text is not part of any event: the parsing regex does not match it",
            )
        )


def _check_execution(raws: list[_Raw]) -> list[ShiVizError]:
    """The per-host and cross-host checks of one execution."""
    problems: list[ShiVizError] = []
    broken: set[str] = {r.host for r in raws if r.counters is None}
    last: dict[str, _Raw] = {}
    on_host: dict[str, list[_Raw]] = {}
    previous: dict[int, _Raw | None] = {}
    for index, raw in enumerate(raws):
        if raw.counters is None:
            last.pop(raw.host, None)
            continue
        host, counters = raw.host, raw.counters
        own = counters[host]
        prev = last.get(host)
        if prev is None and host not in broken:
            if own != 1:
                problems.append(
                    ShiVizError(
                        raw.line,
                        f"host {host}'s first event must have {host}: 1 in its clock "
                        f"(each host counts its events from 1), got {host}: {own}",
                    )
                )
        elif prev is not None:
            assert prev.counters is not None
            before = prev.counters[host]
            if own != before + 1:
                how = "goes backwards" if own <= before else "skips ahead"
                problems.append(
                    ShiVizError(
                        raw.line,
                        f"the clock {how} along host {host}: its own entry goes from "
                        f"{before} (line {prev.line}) to {own}; it must increase by exactly "
                        "1 per event",
                    )
                )
            for name, count in prev.counters.items():
                if name != host and counters.get(name, 0) < count:
                    problems.append(
                        ShiVizError(
                            raw.line,
                            f"the clock goes backwards along host {host}: its entry for "
                            f"{name} drops from {count} (line {prev.line}) to "
                            f"{counters.get(name, 0)}; an event cannot forget what its "
                            "host knew",
                        )
                    )
        previous[index] = prev
        last[host] = raw
        on_host.setdefault(host, []).append(raw)

    hosts = {r.host for r in raws}
    for index, raw in enumerate(raws):
        if raw.counters is None:
            continue
        prev = previous.get(index)
        knew = prev.counters if prev is not None and prev.counters is not None else {}
        for name, count in raw.counters.items():
            if name == raw.host or count <= knew.get(name, 0):
                continue
            if name not in hosts:
                problems.append(
                    ShiVizError(
                        raw.line,
                        f"the clock names host {name}, which has no events in the log",
                    )
                )
                continue
            if name in broken:
                continue
            known = on_host.get(name, [])
            if count > len(known):
                problems.append(
                    ShiVizError(
                        raw.line,
                        f"the clock claims knowledge of {name}'s event {count}, but {name} "
                        f"has only {len(known)} events in the log",
                    )
                )
                continue
            source = known[count - 1]
            assert source.counters is not None
            if source.counters[name] != count:
                continue  # already reported as a numbering problem on that host
            lacking = [
                f"{g}: {c} > {raw.counters.get(g, 0)}"
                for g, c in source.counters.items()
                if c > raw.counters.get(g, 0)
            ]
            if lacking:
                problems.append(
                    ShiVizError(
                        raw.line,
                        f"the clock knows {name}'s event {count} (line {source.line}) but "
                        f"not everything that event knew ({', '.join(lacking)})",
                    )
                )
            elif source.counters == raw.counters:
                problems.append(
                    ShiVizError(
                        raw.line,
                        f"this event and {name}'s event {count} (line {source.line}) have "
                        "the same clock, so each would have happened before the other",
                    )
                )
    return problems


def validate_shiviz(text: str, *, govector_only: bool = False) -> list[ShiVizError]:
    """Every problem of a ShiViz log, sorted by line; an empty list if it is valid.

    Oversize logs and bad header lines are reported alone (nothing else is read).
    At most :data:`MAX_REPORTED_PROBLEMS` problems are returned. ``govector_only``
    refuses any first line but :data:`GOVECTOR_REGEX` and any non-blank second
    line (see :func:`parse_shiviz`).

    Examples
    --------
    >>> bad = GOVECTOR_REGEX + '\\n\\na {"a":1}\\nstart\\na {"a":1}\\nagain\\nb {"b":one}\\nx'
    >>> for p in validate_shiviz(bad):
    ...     print(p)
    line 5: the clock goes backwards along host a: its own entry goes from 1 (line 3) to 1; it must increase by exactly 1 per event
    line 7: the clock {"b":one} is not valid JSON: Expecting value
    """
    try:
        _, problems = _scan(text, govector_only)
    except ShiVizError as err:
        return [err]
    return problems[:MAX_REPORTED_PROBLEMS]


def parse_shiviz(text: str, *, govector_only: bool = False) -> list[ShiVizEvent]:
    """Parse a ShiViz log into its events, in log order; raise the first problem.

    Parameters
    ----------
    text : str
        The whole file: parsing regex, delimiter line, then the log.
    govector_only : bool
        Accept only GoVector's regex and a blank second line, the logs read in
        linear time (what a server reading untrusted logs should use).

    Returns
    -------
    list of ShiVizEvent
        In log order (all executions; see ``ShiVizEvent.execution``).

    Raises
    ------
    ShiVizError
        The problem with the smallest line number (see :func:`validate_shiviz` for
        all of them).

    Examples
    --------
    >>> parse_shiviz("(?<host>\\\\S*) (?<event>.*)\\n\\na x")
    Traceback (most recent call last):
    ...
    algorithms.shiviz.ShiVizError: line 1: the parsing regex must have the named groups host, clock and event; it lacks clock
    """
    events, problems = _scan(text, govector_only)
    if problems:
        raise problems[0]
    return events


def _one_line(text: str) -> str:
    return re.sub(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]", " ", text)


def to_shiviz(events: Iterable[ShiVizEvent] | Sequence[Any]) -> str:
    """Write events as a ShiViz log that ShiViz itself accepts.

    The first line is :data:`GOVECTOR_REGEX`, the second is blank (one execution),
    then each event is ``host {json clock}`` and a line of text. Line breaks inside
    an event's text become spaces (the ``event`` group is one line). Hosts must be
    names without spaces; :class:`VectorClock` refuses such names when a clock is
    created, so every clock entry is writable. The events are written in the given
    order, which should list each host's events in their order on it.

    Parameters
    ----------
    events : iterable of objects with ``host``, ``clock`` and ``text``
        For example :class:`ShiVizEvent` or the lab engine's export.

    Raises
    ------
    ValueError
        For no events, a host with spaces, or a host missing from its own clock.

    Examples
    --------
    >>> print(to_shiviz([ShiVizEvent("a", VectorClock({"a": 1}), "hello\\nworld", 0)]))
    (?<host>\\S*) (?<clock>{.*})\\n(?<event>.*)
    <BLANKLINE>
    a {"a": 1}
    hello world
    """
    lines = [GOVECTOR_REGEX, ""]
    count = 0
    for event in events:
        host, clock, text = event.host, event.clock, event.text
        if not isinstance(host, str) or not re.fullmatch(r"\S+", host):
            raise ValueError(f"host {host!r} must be a name without spaces")
        if not isinstance(clock, VectorClock) or clock[host] < 1:
            raise ValueError(f"host {host} is missing from its own clock {clock!r}")
        counters = clock.to_json()
        ordered = {host: counters.pop(host), **counters}
        lines.append(f"{host} {json.dumps(ordered, ensure_ascii=False)}")
        lines.append(_one_line(str(text)))
        count += 1
    if count == 0:
        raise ValueError("a ShiViz log needs at least one event")
    return "\n".join(lines)
