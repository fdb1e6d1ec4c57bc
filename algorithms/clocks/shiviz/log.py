r"""Parsing, validating and writing whole ShiViz logs (the format is in the package docs).

ShiViz: Beschastnikh, Liu, Xing, Wang, Brun, Ernst, "Visualizing Distributed System
Executions", ACM TOSEM 29(2), 2020; GoVector's logs.

Examples
--------
>>> log = GOVECTOR_REGEX + '\n\na {"a":1}\nhello'
>>> [(e.host, e.text) for e in parse_shiviz(log)], validate_shiviz(log)
([('a', 'hello')], [])
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from algorithms.clocks.clock import VectorClock
from algorithms.clocks.shiviz.checks import _check_execution
from algorithms.clocks.shiviz.logformat import (
    GOVECTOR_REGEX,
    MAX_REPORTED_PROBLEMS,
    MAX_SHIVIZ_EVENTS,
    ShiVizError,
    ShiVizEvent,
)
from algorithms.clocks.shiviz.read import (
    _custom_size_check,
    _govector_hits,
    _Hit,
    _Lines,
    _Raw,
    _read_clock,
    _regex_hits,
    _segments,
    _size_check,
)
from algorithms.clocks.shiviz.regex import _compile

__all__ = ["parse_shiviz", "to_shiviz", "validate_shiviz"]


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
    algorithms.clocks.shiviz.logformat.ShiVizError: line 1: the parsing regex must have the named groups host, clock and event; it lacks clock
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
