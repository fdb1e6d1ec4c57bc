r"""A log's parsing and delimiter regexes: JavaScript syntax read by Python's ``re``.

ShiViz (Beschastnikh et al., "Visualizing Distributed System Executions", ACM TOSEM
29(2), 2020) takes a JavaScript regex with named groups ``(?<name>...)``. It is rewritten
in Python syntax, and refused when it nests unbounded repetition (``(a+)+``), which
could take exponential time on a crafted log.

Examples
--------
>>> _python_regex(r"(?<host>\S*) \k<host>")
'(?P<host>\\S*) (?P=host)'
>>> _nested_repetition("(a+)+"), _nested_repetition("(ab)+")
(True, False)
"""

from __future__ import annotations

import re

from algorithms.clocks.shiviz.logformat import MAX_REGEX_CHARS, ShiVizError


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

    def atom_end(at: int) -> int:
        """Past the quantifier after the atom ending at ``at``; an unbounded one marks the group."""
        width = unbounded(at)
        if width and stack:
            stack[-1] = True
        return at + width

    while i < n:
        ch = pattern[i]
        if ch == "\\":
            i = atom_end(i + 2)
        elif ch == "[":
            j = i + 1
            if j < n and pattern[j] == "^":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            i = atom_end(j + 1)
        elif ch == "(":
            stack.append(False)
            i += 1
        elif ch == ")":
            inner = stack.pop() if stack else False
            i += 1
            width = unbounded(i)
            if width and inner:
                return True
            if stack and (inner or width):
                stack[-1] = True
            i += width
        else:
            i = atom_end(i + 1)
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
