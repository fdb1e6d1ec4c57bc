"""How the consistent hashing lab's event sentences count and list things.

Both engines tell each step in a sentence (what a screen reader reads and the event log
shows), in the papers' words: Karger et al., STOC 1997 and Dynamo (SOSP 2007) for the
ring, the Redis Cluster specification for the slots. These helpers keep the counts and
lists in those sentences alike: thousands separated, singular or plural, and at most
:data:`MAX_BREAKDOWN` names before "and N more".

Examples
--------
>>> plural(1, "key"), plural(2_500, "key")
('1 key', '2,500 keys')
>>> breakdown({"B": 3, "A": 1}, ["A", "B"])
'A: 1, B: 3'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = ["MAX_BREAKDOWN", "breakdown", "listed", "number", "plural"]

MAX_BREAKDOWN = 8
"""Nodes named in one event sentence's breakdown before "and N more"."""


def number(count: int) -> str:
    """A count with thousands separated.

    Examples
    --------
    >>> number(16384)
    '16,384'
    """
    return f"{count:,}"


def plural(count: int, word: str) -> str:
    """``count`` and ``word``, in the plural unless the count is one.

    Examples
    --------
    >>> plural(1, "slot"), plural(0, "slot")
    ('1 slot', '0 slots')
    """
    return f"{number(count)} {word}" if count == 1 else f"{number(count)} {word}s"


def listed(names: Sequence[str]) -> str:
    """Names joined as in a sentence, the ones past :data:`MAX_BREAKDOWN` counted.

    Examples
    --------
    >>> listed(["A"]), listed(["A", "B", "C"])
    ('A', 'A, B and C')
    >>> listed([chr(65 + i) for i in range(10)])
    'A, B, C, D, E, F, G, H and 2 more'
    """
    shown = list(names[:MAX_BREAKDOWN])
    if len(names) > MAX_BREAKDOWN:
        shown.append(f"{len(names) - MAX_BREAKDOWN} more")
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"


def breakdown(counts: Mapping[str, int], order: Sequence[str]) -> str:
    """``name: count`` for each nonzero count, in ``order`` first, the rest summed up.

    Examples
    --------
    >>> breakdown({"C": 2, "A": 0, "B": 1, "Z": 4}, ["A", "B", "C"])
    'B: 1, C: 2, Z: 4'
    """
    ranked = [name for name in order if counts.get(name)]
    ranked += [name for name in counts if counts[name] and name not in ranked]
    parts = [f"{name}: {number(counts[name])}" for name in ranked[:MAX_BREAKDOWN]]
    if len(ranked) > MAX_BREAKDOWN:
        parts.append(f"and {len(ranked) - MAX_BREAKDOWN} more")
    return ", ".join(parts)
