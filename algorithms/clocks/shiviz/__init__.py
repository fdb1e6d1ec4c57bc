"""Reading and writing ShiViz / GoVector logs, for the vector-clocks lab.

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

The package, by step: :mod:`~algorithms.clocks.shiviz.logformat` (GoVector's regex,
the limits, :class:`ShiVizEvent`, :class:`ShiVizError`),
:mod:`~algorithms.clocks.shiviz.regex` (the regexes),
:mod:`~algorithms.clocks.shiviz.read` (matches and clocks),
:mod:`~algorithms.clocks.shiviz.checks` (one execution's clocks together) and
:mod:`~algorithms.clocks.shiviz.log` (:func:`parse_shiviz`, :func:`validate_shiviz`,
:func:`to_shiviz`).

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

from algorithms.clocks.shiviz import log, logformat
from algorithms.clocks.shiviz.log import *  # noqa: F403
from algorithms.clocks.shiviz.logformat import *  # noqa: F403

__all__ = [*logformat.__all__, *log.__all__]
