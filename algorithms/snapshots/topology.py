"""Topologies for the snapshot lab: processes with tokens and directed channels.

Chandy & Lamport, "Distributed Snapshots: Determining Global States of Distributed
Systems", ACM TOCS 3(1), 1985, §2: a system is a labelled directed graph whose vertices
are processes and whose edges are FIFO channels. §3.3: the recording terminates only if
a marker can reach every process, so a topology for a snapshot from any process must be
*strongly connected*; a dataflow (Carbone et al. 2015) is instead acyclic, its barriers
injected at every source.

The text format: the first line is the number of processes; then one line ``ID tokens``
per process; then one directed link ``SRC DST`` per line; ``#`` starts a comment.

Examples
--------
>>> topo = load_topology("# two processes\\n2\\np 1\\nq 0\\np q\\nq p\\n")
>>> topo.processes, topo.tokens, topo.links
(('p', 'q'), {'p': 1, 'q': 0}, (('p', 'q'), ('q', 'p')))
>>> print(dump_topology(topo), end="")
2
p 1
q 0
p q
q p
>>> load_topology("2\\np 1\\nq 0\\np q\\n")
Traceback (most recent call last):
...
algorithms.snapshots.topology.LineError: line 3: process must be reachable by markers from p (the topology must be strongly connected), got 'q cannot send to p'
"""

from __future__ import annotations

import random
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from algorithms.engine import CommandError, check_int

__all__ = [
    "MAX_LINKS",
    "MAX_PROCESSES",
    "MAX_TEXT_CHARS",
    "MAX_TOKENS",
    "MIN_PROCESSES",
    "LineError",
    "Topology",
    "complete_topology",
    "dump_topology",
    "load_topology",
    "random_topology",
    "ring_topology",
]

MIN_PROCESSES = 2
MAX_PROCESSES = 16
"""A system has 2 to 16 processes."""

MAX_LINKS = MAX_PROCESSES * (MAX_PROCESSES - 1)
"""At most every ordered pair is a channel (240 for 16 processes)."""

MAX_TOKENS = 1_000_000_000
"""The most tokens one process may hold initially."""

MAX_TEXT_CHARS = 8_000_000
"""The longest text a topology or events file may be."""

_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.'-]{0,15}")


class LineError(CommandError):
    """A refused line of a text file: names the line, what was wrong, the value, the rule.

    Examples
    --------
    >>> err = LineError(4, "tokens", "-1", "must be a whole number from 0")
    >>> str(err), err.line
    ("line 4: tokens must be a whole number from 0, got '-1'", 4)
    """

    def __init__(self, line: int, what: str, value: object, rule: str) -> None:
        self.line = line
        super().__init__(f"line {line}: {what}" if line else what, value, rule)


def check_process_id(what: str, value: object, line: int = 0) -> str:
    """Return ``value`` if it is a valid process id (1 to 16 letters, digits, ``_.'-``).

    Examples
    --------
    >>> check_process_id("process", "p'")
    "p'"
    >>> check_process_id("process", "two words", line=3)
    Traceback (most recent call last):
    ...
    algorithms.snapshots.topology.LineError: line 3: process must be 1 to 16 letters, digits, '_', '.', "'" or '-', got 'two words'
    """
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise LineError(
            line, what, value, "must be 1 to 16 letters, digits, '_', '.', \"'\" or '-'"
        )
    # Interned: ids read from different files are then the same objects, and the
    # dictionaries keyed by them compare by identity on the hot paths.
    return sys.intern(value)


def _intern(value: str) -> str:
    # Anything but text is left as it is, for the checks below to refuse it.
    return sys.intern(value) if isinstance(value, str) else value


def _strong_problem(processes: tuple[str, ...], links: Iterable[tuple[str, str]]) -> str | None:
    """Say which process markers cannot reach (or from which they cannot come back)."""
    out: dict[str, list[str]] = {p: [] for p in processes}
    back: dict[str, list[str]] = {p: [] for p in processes}
    for src, dst in links:
        out[src].append(dst)
        back[dst].append(src)
    root = processes[0]
    for graph, phrase in ((out, "{root} cannot send to {p}"), (back, "{p} cannot send to {root}")):
        seen = {root}
        stack = [root]
        while stack:
            for nxt in graph[stack.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        for p in processes:
            if p not in seen:
                return phrase.format(root=root, p=p) + "|" + p
    return None


def _cycle(processes: tuple[str, ...], links: Iterable[tuple[str, str]]) -> str | None:
    out: dict[str, list[str]] = {p: [] for p in processes}
    indegree = dict.fromkeys(processes, 0)
    for src, dst in links:
        out[src].append(dst)
        indegree[dst] += 1
    ready = [p for p in processes if indegree[p] == 0]
    done = 0
    while ready:
        p = ready.pop()
        done += 1
        for q in out[p]:
            indegree[q] -= 1
            if indegree[q] == 0:
                ready.append(q)
    if done == len(processes):
        return None
    return next(p for p in processes if indegree[p] > 0)


@dataclass(frozen=True)
class Topology:
    """Processes (in order) with their initial tokens, and the directed channels.

    Parameters
    ----------
    tokens : mapping of str to int
        Each process's initial tokens, 0 to :data:`MAX_TOKENS`; its order is the
        processes' order; 2 to 16 processes.
    links : tuple of (str, str)
        Directed channels between distinct known processes, no duplicates.
    dataflow : bool
        If false (Chandy–Lamport) the graph must be strongly connected; if true
        (aligned barriers) it must be acyclic.

    Examples
    --------
    >>> Topology({"p": 1, "q": 0}, (("p", "q"), ("q", "p"))).total
    1
    >>> Topology({"p": 1, "q": 0}, (("p", "p"),))
    Traceback (most recent call last):
    ...
    algorithms.snapshots.topology.LineError: link must join two different processes, got 'p p'
    """

    tokens: Mapping[str, int]
    links: tuple[tuple[str, str], ...]
    dataflow: bool = False
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        lines = dict(self.lines)
        object.__setattr__(self, "tokens", {_intern(p): k for p, k in self.tokens.items()})
        object.__setattr__(self, "links", tuple((_intern(a), _intern(b)) for a, b in self.links))
        n = len(self.tokens)
        if not MIN_PROCESSES <= n <= MAX_PROCESSES:
            raise LineError(
                lines.get("#count", 0),
                "number of processes",
                n,
                f"must be between {MIN_PROCESSES} and {MAX_PROCESSES}",
            )
        for p, k in self.tokens.items():
            check_process_id("process", p, lines.get(p, 0))
            if isinstance(k, bool) or not isinstance(k, int) or not 0 <= k <= MAX_TOKENS:
                raise LineError(
                    lines.get(p, 0),
                    f"tokens of {p}",
                    k,
                    f"must be a whole number between 0 and {MAX_TOKENS:,}",
                )
        seen: set[tuple[str, str]] = set()
        for src, dst in self.links:
            line = lines.get(f"{src} {dst}", 0)
            for what, value in (("source", src), ("destination", dst)):
                if value not in self.tokens:
                    known = ", ".join(self.tokens)
                    raise LineError(line, f"link {what}", value, f"must be a process ({known})")
            if src == dst:
                raise LineError(line, "link", f"{src} {dst}", "must join two different processes")
            if (src, dst) in seen:
                raise LineError(line, "link", f"{src} {dst}", "must not be listed twice")
            seen.add((src, dst))
        if self.dataflow:
            stuck = _cycle(self.processes, self.links)
            if stuck is not None:
                raise LineError(
                    lines.get(stuck, 0), "process", stuck, "must not lie on a cycle of a dataflow"
                )
        else:
            problem = _strong_problem(self.processes, self.links)
            if problem is not None:
                text, who = problem.split("|")
                raise LineError(
                    lines.get(who, 0),
                    "process",
                    text,
                    f"must be reachable by markers from {self.processes[0]} "
                    "(the topology must be strongly connected)",
                )

    @property
    def processes(self) -> tuple[str, ...]:
        """The process ids in order."""
        return tuple(self.tokens)

    @property
    def total(self) -> int:
        """The total number of tokens, which every run conserves."""
        return sum(self.tokens.values())

    def incoming(self, process: str) -> list[tuple[str, str]]:
        """The channels into ``process``."""
        return [link for link in self.links if link[1] == process]

    def outgoing(self, process: str) -> list[tuple[str, str]]:
        """The channels out of ``process``."""
        return [link for link in self.links if link[0] == process]

    @property
    def sources(self) -> tuple[str, ...]:
        """Processes without incoming channels (a dataflow's sources)."""
        targets = {dst for _, dst in self.links}
        return tuple(p for p in self.processes if p not in targets)

    @property
    def sinks(self) -> tuple[str, ...]:
        """Processes without outgoing channels (a dataflow's sinks)."""
        senders = {src for src, _ in self.links}
        return tuple(p for p in self.processes if p not in senders)


def _lines(text: object) -> list[tuple[int, list[str]]]:
    if not isinstance(text, str):
        raise LineError(0, "text", type(text).__name__, "must be text")
    if len(text) > MAX_TEXT_CHARS:
        raise LineError(
            0, "text", f"{len(text):,} characters", f"must be at most {MAX_TEXT_CHARS:,}"
        )
    out = []
    for number, raw in enumerate(text.splitlines(), start=1):
        words = raw.split("#", 1)[0].split()
        if words:
            out.append((number, words))
    return out


def _whole(line: int, what: str, word: str, lo: int, hi: int) -> int:
    if not re.fullmatch(r"-?[0-9]{1,12}", word) or not lo <= int(word) <= hi:
        raise LineError(line, what, word, f"must be a whole number between {lo:,} and {hi:,}")
    return int(word)


def load_topology(text: str, dataflow: bool = False) -> Topology:
    """Read a topology file (see the module docstring); refusals name the line.

    Parameters
    ----------
    text : str
        The file's text.
    dataflow : bool
        Read it as an acyclic dataflow (aligned barriers) instead of a strongly
        connected system (Chandy–Lamport).

    Examples
    --------
    >>> load_topology("2\\np 1\\nq -1\\n")
    Traceback (most recent call last):
    ...
    algorithms.snapshots.topology.LineError: line 3: tokens of q must be a whole number between 0 and 1,000,000,000, got '-1'
    """
    rows = _lines(text)
    if not rows:
        raise LineError(1, "first line", "", "must give the number of processes")
    first, words = rows[0]
    if len(words) != 1:
        raise LineError(
            first, "first line", " ".join(words), "must be the number of processes alone"
        )
    n = _whole(first, "number of processes", words[0], MIN_PROCESSES, MAX_PROCESSES)
    if len(rows) < 1 + n:
        raise LineError(
            rows[-1][0], "process lines", len(rows) - 1, f"must number {n} (one `ID tokens` each)"
        )
    tokens: dict[str, int] = {}
    lines: dict[str, int] = {"#count": first}
    for line, words in rows[1 : 1 + n]:
        if len(words) != 2:
            raise LineError(line, "process line", " ".join(words), "must be `ID tokens`")
        pid = check_process_id("process", words[0], line)
        if pid in tokens:
            raise LineError(line, "process", pid, f"must not be listed twice (line {lines[pid]})")
        tokens[pid] = _whole(line, f"tokens of {pid}", words[1], 0, MAX_TOKENS)
        lines[pid] = line
    links: list[tuple[str, str]] = []
    for line, words in rows[1 + n :]:
        if len(words) != 2:
            raise LineError(line, "link line", " ".join(words), "must be `SRC DST`")
        if len(links) >= MAX_LINKS:
            raise LineError(line, "links", len(links) + 1, f"must number at most {MAX_LINKS}")
        key = f"{words[0]} {words[1]}"
        if key in lines:
            raise LineError(line, "link", key, f"must not be listed twice (line {lines[key]})")
        lines[key] = line
        links.append((words[0], words[1]))
    return Topology(tokens, tuple(links), dataflow, lines)


def dump_topology(topology: Topology) -> str:
    """The topology as text, readable by :func:`load_topology`.

    Examples
    --------
    >>> t = ring_topology(3, 2)
    >>> load_topology(dump_topology(t)) == t
    True
    """
    rows = [str(len(topology.tokens))]
    rows += [f"{p} {k}" for p, k in topology.tokens.items()]
    rows += [f"{a} {b}" for a, b in topology.links]
    return "\n".join(rows) + "\n"


def _names(n: int) -> list[str]:
    check_int("processes", n, MIN_PROCESSES, MAX_PROCESSES)
    return [sys.intern(f"P{i}") for i in range(1, n + 1)]


def ring_topology(n: int, tokens: int = 1) -> Topology:
    """A bidirectional ring P1–P2–…–Pn, every process holding ``tokens``.

    Examples
    --------
    >>> ring_topology(3).links
    (('P1', 'P2'), ('P2', 'P1'), ('P2', 'P3'), ('P3', 'P2'), ('P3', 'P1'), ('P1', 'P3'))
    """
    names = _names(n)
    check_int("tokens", tokens, 0, MAX_TOKENS)
    links: list[tuple[str, str]] = []
    for i, p in enumerate(names):
        q = names[(i + 1) % n]
        for link in ((p, q), (q, p)):
            if link not in links:
                links.append(link)
    return Topology(dict.fromkeys(names, tokens), tuple(links))


def complete_topology(n: int, tokens: int = 1) -> Topology:
    """Every ordered pair of P1..Pn is a channel.

    Examples
    --------
    >>> len(complete_topology(16).links)
    240
    """
    names = _names(n)
    check_int("tokens", tokens, 0, MAX_TOKENS)
    links = tuple((a, b) for a in names for b in names if a != b)
    return Topology(dict.fromkeys(names, tokens), links)


def random_topology(n: int, seed: int, p: float = 0.3, max_tokens: int = 10) -> Topology:
    """A random strongly connected topology: a seeded directed cycle plus random links.

    Each other ordered pair is a link with probability ``p``; each process holds
    0 to ``max_tokens`` tokens.

    Examples
    --------
    >>> t = random_topology(5, seed=3)
    >>> t == random_topology(5, seed=3), len(t.processes)
    (True, 5)
    """
    names = _names(n)
    check_int("max_tokens", max_tokens, 0, MAX_TOKENS)
    rng = random.Random(seed)
    order = names[:]
    rng.shuffle(order)
    links = [(order[i], order[(i + 1) % n]) for i in range(n)]
    for a in names:
        for b in names:
            if a != b and (a, b) not in links and rng.random() < p:
                links.append((a, b))
    return Topology({q: rng.randint(0, max_tokens) for q in names}, tuple(links))
