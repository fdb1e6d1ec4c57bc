"""Bit-parallel breadth-first search and triangle counting for :mod:`algorithms.smallworld`.

Private helpers: the public functions (``clustering``, ``path_length``, ``sweep``) live in
:mod:`algorithms.smallworld.metrics` and :mod:`algorithms.smallworld.sweep` and validate
their input. These assume a simple undirected
graph on the nodes ``0..n-1`` (``n <= 32,767``) given as two equal-length int64 edge
arrays ``(eu, ev)``, with no self-loops and no duplicate edges.

All-pairs shortest paths by bit-parallel BFS: row ``v`` of an ``n x ceil(n/64)`` array of
``uint64`` words is the set of sources that have reached ``v`` so far. One BFS level from
every source at once is ``reach'[v] = reach[v] | OR over neighbours u of reach[u]``; the
pairs first reached at level ``t`` are at distance ``t``. Two ways to run a level:

- *gather*: rows relabelled by decreasing degree so that "the d-th neighbour" exists for a
  prefix of the rows; one gather+OR per neighbour slot (about ``2m`` row reads).
- *ring window*: for a ring lattice (Watts & Strogatz 1998) with some edges changed, the OR
  over the lattice neighbours ``v-h..v+h`` is a sliding-window OR over consecutive rows,
  done with ``log2(2h+1) + 1`` contiguous ORs; only the rows whose neighbours differ from
  the lattice's are recomputed by gather. This makes small ``p`` (diameter ~ n/k) cheap.

Large temporaries are kept in a :class:`Workspace` and reused from graph to graph: fresh
multi-100-kB arrays cost page faults that would otherwise dominate.

Examples
--------
>>> import numpy as np
>>> eu = np.array([0, 1, 2]); ev = np.array([1, 2, 3])
>>> distance_levels(4, eu, ev)
[4, 10, 14, 16]
>>> level_sums([4, 10, 14, 16])
(20, 12)
>>> triangles_twice(3, np.array([0, 1, 0]), np.array([1, 2, 2])).tolist()
[2, 2, 2]
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "MAX_NODES",
    "Workspace",
    "bit_matrix",
    "distance_levels",
    "level_sums",
    "popcount_total",
    "ring_fix_rows",
    "triangles_twice",
]

MAX_NODES = 32_767
"""Node labels are sorted as int16 (a radix sort): the largest graph these helpers take."""

WORD = 64
IntArray = npt.NDArray[np.int64]
Words = npt.NDArray[np.uint64]
Bytes = npt.NDArray[np.uint8]

_BYTE_POP = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)
_HAS_BITWISE_COUNT = hasattr(np, "bitwise_count")
_ONE = np.uint64(1)
_add_reduce: Any = np.add.reduce  # ndarray.sum costs a few microseconds more per call

# Relative cost of a gathered row against a row of a contiguous OR (measured, numpy 2).
_GATHER = 2


class Workspace:
    """Reusable scratch buffers, grown on demand and keyed by name.

    Examples
    --------
    >>> ws = Workspace()
    >>> a = ws.get("x", (2, 3)); a.shape
    (2, 3)
    >>> ws.get("x", (3, 2)).base is a.base
    True
    """

    def __init__(self) -> None:
        self._buffers: dict[tuple[str, str], npt.NDArray[np.generic]] = {}

    def get(self, name: str, shape: tuple[int, ...], dtype: type = np.uint64) -> npt.NDArray[Any]:
        """A C-contiguous array of ``shape`` (uninitialised) backed by a reused buffer."""
        size = math.prod(shape)
        key = (name, np.dtype(dtype).str)
        buf = self._buffers.get(key)
        if buf is None or buf.size < size:
            buf = np.empty(max(size, 1), dtype=dtype)
            self._buffers[key] = buf
        return buf[:size].reshape(shape)


def n_words(n: int) -> int:
    """Words per bitset row for ``n`` nodes."""
    return max(1, (n + WORD - 1) // WORD)


def _pop_bytes(words: Words, out: Bytes | None = None) -> Bytes:
    """Per-word popcounts as uint8, with a table fallback for numpy < 2.0."""
    if _HAS_BITWISE_COUNT:
        if out is None:
            res: Bytes = np.bitwise_count(words)
            return res
        np.bitwise_count(words, out=out)
        return out
    by = _BYTE_POP[words.view(np.uint8)]
    summed: Bytes = by.reshape(*words.shape, 8).sum(axis=-1, dtype=np.uint8)
    if out is not None:
        out[...] = summed
        return out
    return summed


def popcount_total(words: Words, scratch: Bytes | None = None) -> int:
    """The number of set bits in an array of uint64 words.

    Examples
    --------
    >>> popcount_total(np.array([3, 2**63], dtype=np.uint64))
    3
    """
    counts = _pop_bytes(words, scratch)
    # uint32 holds any count of an n x n bitset for n <= MAX_NODES (n^2 < 2^32).
    return int(_add_reduce(counts.ravel(), dtype=np.uint32))


def _self_bits(n: int) -> tuple[IntArray, Words]:
    nodes = np.arange(n)
    return nodes >> 6, np.left_shift(_ONE, (nodes & (WORD - 1)).astype(np.uint64))


def bit_matrix(n: int, eu: IntArray, ev: IntArray, ws: Workspace | None = None) -> Words:
    """Adjacency as bitset rows: bit ``u`` of row ``v`` is set iff ``{u, v}`` is an edge.

    Examples
    --------
    >>> bit_matrix(3, np.array([0]), np.array([2])).ravel().tolist()
    [4, 0, 1]
    """
    w = n_words(n)
    a = (ws or Workspace()).get("adjacency", (n * w,))
    a.fill(0)
    both_u = np.concatenate([eu, ev])
    both_v = np.concatenate([ev, eu])
    bits = np.left_shift(_ONE, (both_v & (WORD - 1)).astype(np.uint64))
    # Distinct bits of one word never collide in a simple graph, so add is OR here.
    np.add.at(a, both_u * w + (both_v >> 6), bits)
    return a.reshape(n, w)


def triangles_twice(
    n: int,
    eu: IntArray,
    ev: IntArray,
    adjacency: Words | None = None,
    ws: Workspace | None = None,
    rows: IntArray | None = None,
) -> IntArray:
    """For every node, twice its number of triangles (sum over its edges of common neighbours).

    The local clustering of Watts & Strogatz is then ``C_v = t2[v] / (d_v (d_v - 1))``.
    With ``rows``, only the edges at those nodes are counted: the result is exact at
    ``rows`` and meaningless elsewhere.
    """
    if rows is not None:
        mark = np.zeros(n, dtype=bool)
        mark[rows] = True
        keep = mark[eu] | mark[ev]
        eu, ev = eu[keep], ev[keep]
    m = len(eu)
    if m == 0:
        return np.zeros(n, dtype=np.int64)
    ws = ws or Workspace()
    a = bit_matrix(n, eu, ev, ws) if adjacency is None else adjacency
    w = a.shape[1]
    # Edges in blocks of ~128k words, so that the temporaries stay in cache.
    block = min(m, max(1, (1 << 17) // w))
    both = ws.get("tri_a", (block, w))
    other = ws.get("tri_b", (block, w))
    pops = ws.get("tri_pop", (block, w), np.uint8)
    as_float = ws.get("tri_float", (block, w), np.float64)
    ones = np.ones(w)
    common = np.empty(m)
    for start in range(0, m, block):
        stop = min(m, start + block)
        size = stop - start
        a.take(eu[start:stop], axis=0, out=both[:size], mode="clip")
        a.take(ev[start:stop], axis=0, out=other[:size], mode="clip")
        np.bitwise_and(both[:size], other[:size], out=both[:size])
        _pop_bytes(both[:size], pops[:size])
        np.copyto(as_float[:size], pops[:size])
        # Row sums of small counts through a float matrix-vector product: exact, and
        # much faster than numpy's integer reduction along a short axis.
        np.matmul(as_float[:size], ones, out=common[start:stop])
    t2 = np.bincount(eu, weights=common, minlength=n) + np.bincount(ev, weights=common, minlength=n)
    out: IntArray = t2.astype(np.int64)
    return out


# -- all-pairs BFS ----------------------------------------------------------------------


class _Csr:
    """Neighbour lists: ``nbr[start[v]:start[v+1]]`` are the neighbours of ``v``."""

    def __init__(self, n: int, eu: IntArray, ev: IntArray) -> None:
        src = np.concatenate([eu, ev])
        dst = np.concatenate([ev, eu])
        # int16 keys take numpy's radix sort: ~10x faster than sorting int64.
        order = np.argsort(src.astype(np.int16), kind="stable")
        self.nbr: IntArray = dst[order]
        self.deg: IntArray = np.bincount(src, minlength=n)
        self.start: IntArray = np.concatenate([[0], np.cumsum(self.deg)])


def _prefix_slots(csr: _Csr, rows: IntArray) -> tuple[list[IntArray], list[int]]:
    """``slots[d][i]`` is the d-th neighbour of ``rows[i]``; ``rows`` by decreasing degree.

    Slot ``d`` is then defined for a prefix of the rows, of length ``counts[d]``.
    """
    row_deg = csr.deg[rows]
    dmax = int(row_deg[0]) if len(rows) else 0
    # counts[d] = number of rows with degree > d, from the (decreasing) degree histogram.
    hist = np.bincount(row_deg, minlength=dmax + 1)
    counts = (len(rows) - np.cumsum(hist))[:dmax].tolist()
    first = csr.start[rows]
    slots = [csr.nbr[first[:c] + d] for d, c in enumerate(counts)]
    return slots, counts


def _by_degree(csr: _Csr, rows: IntArray) -> IntArray:
    key = (-csr.deg[rows]).astype(np.int16)
    out: IntArray = rows[np.argsort(key, kind="stable")]
    return out


def _first_level(n: int, adjacency: Words, out: Words) -> Words:
    """Reach after one level: every node's neighbours and itself."""
    np.copyto(out, adjacency)
    word, bit = _self_bits(n)
    out[np.arange(n), word] |= bit
    return out


def _levels_gather(n: int, csr: _Csr, adjacency: Words, ws: Workspace) -> list[int]:
    w = adjacency.shape[1]
    order = _by_degree(csr, np.arange(n))
    label = np.empty(n, dtype=np.int64)
    label[order] = np.arange(n)
    # Rows relabelled by decreasing degree, so neighbour slot d is a prefix of the rows.
    # Only the rows move; bit columns keep the original labels (a count is a count).
    slots, counts = _prefix_slots(csr, order)
    slots = [label[s] for s in slots]
    reach = ws.get("reach", (n, w))
    nxt = ws.get("next", (n, w))
    tmp = ws.get("tmp", (n, w))
    scratch = ws.get("pop", (n, w), np.uint8)
    np.take(_first_level(n, adjacency, tmp), order, axis=0, out=reach, mode="clip")
    levels = [n, popcount_total(reach, scratch)]
    while len(levels) <= n and levels[-1] < n * n:
        np.copyto(nxt, reach)
        for idx, c in zip(slots, counts, strict=True):
            reach.take(idx, axis=0, out=tmp[:c], mode="clip")
            np.bitwise_or(nxt[:c], tmp[:c], out=nxt[:c])
        total = popcount_total(nxt, scratch)
        if total == levels[-1]:
            break
        levels.append(total)
        reach, nxt = nxt, reach
    return levels


def broken_rows(n: int, eu: IntArray, ev: IntArray, h: int) -> IntArray:
    """Nodes whose neighbour set differs from the ring lattice with half-width ``h``.

    Examples
    --------
    >>> broken_rows(6, np.array([0, 1, 2, 3, 4, 0]), np.array([1, 2, 3, 4, 5, 3]), 1).tolist()
    [0, 3, 5]
    """
    off = (ev - eu) % n
    ring = np.minimum(off, n - off)
    lattice = ring <= h
    bad = np.zeros(n, dtype=bool)
    bad[eu[~lattice]] = True
    bad[ev[~lattice]] = True
    lat_deg = np.bincount(eu[lattice], minlength=n) + np.bincount(ev[lattice], minlength=n)
    bad |= lat_deg < 2 * h
    out: IntArray = np.flatnonzero(bad)
    return out


class _Fixup:
    """Recompute some rows of a level from their real neighbours: ``reach | OR reach[nbrs]``.

    Few rows: one gather of a padded ``width x rows`` neighbour table (padded with the row
    itself) and one OR-reduction over its first axis. Many rows: one gather+OR per
    neighbour slot, over the prefix of rows that have that many neighbours.
    """

    def __init__(self, csr: _Csr, rows: IntArray, w: int, ws: Workspace) -> None:
        self.rows = _by_degree(csr, rows)
        nb = len(rows)
        width = int(csr.deg[self.rows[0]]) + 1
        # Costs in microseconds, measured on 16-word rows (numpy 2, one core).
        padded_cost = 3 + 0.016 * nb * width * w / 16
        slot_cost = 1.6 * width + 0.013 * (int(csr.deg[self.rows].sum()) + nb) * w / 16
        self.padded = padded_cost <= slot_cost
        self.acc = ws.get("fix_acc", (nb, w))
        if self.padded:
            table = np.repeat(self.rows[None, :], width, axis=0)
            deg = csr.deg[self.rows]
            for d in range(int(deg[0])):
                have = deg > d
                table[d + 1, have] = csr.nbr[csr.start[self.rows[have]] + d]
            self.table = table.ravel()
            self.gathered = ws.get("fix_gathered", (width, nb, w))
        else:
            self.slots, self.counts = _prefix_slots(csr, self.rows)
            self.tmp = ws.get("fix_tmp", (nb, w))

    def apply(self, reach: Words, nxt: Words) -> None:
        acc = self.acc
        if self.padded:
            g = self.gathered
            width, nb, w = g.shape
            reach.take(self.table, axis=0, out=g.reshape(width * nb, w), mode="clip")
            np.bitwise_or.reduce(g, axis=0, out=acc)
        else:
            tmp = self.tmp
            reach.take(self.rows, axis=0, out=acc, mode="clip")
            for idx, c in zip(self.slots, self.counts, strict=True):
                reach.take(idx, axis=0, out=tmp[:c], mode="clip")
                np.bitwise_or(acc[:c], tmp[:c], out=acc[:c])
        nxt[self.rows] = acc


def near_broken(n: int, broken: IntArray, h: int) -> IntArray:
    """Nodes within ring distance ``h`` of a broken node (the broken ones included).

    Examples
    --------
    >>> near_broken(10, np.array([0]), 1).tolist()
    [0, 1, 9]
    """
    if len(broken) == 0:
        return broken
    mark = np.zeros(n, dtype=bool)
    mark[(broken[:, None] + np.arange(-h, h + 1)) % n] = True
    out: IntArray = np.flatnonzero(mark)
    return out


def _levels_ring(
    n: int, csr: _Csr, h: int, fix_rows: IntArray, adjacency: Words, ws: Workspace
) -> list[int]:
    """BFS levels for a ring lattice with some rows changed (``fix_rows`` near them).

    If every node of the window ``v-h..v+h`` has exactly its lattice neighbours, then
    from level 1 on ``reach'[v] = reach[v-h] | reach[v+h]``: the closed neighbourhoods
    of ``v-h`` and ``v+h`` together cover those of every node between them, so one
    contiguous OR does the whole lattice step. The other rows are gathered from their
    real neighbours.
    """
    w = adjacency.shape[1]
    size = n + 2 * h
    # Rows h..h+n-1 of an extended array are the nodes 0..n-1; the h rows on each side
    # repeat the other end of the ring, so node v-h is row v and node v+h is row v+2h.
    ext = ws.get("ext", (size, w))
    ext_next = ws.get("ext_next", (size, w))
    scratch = ws.get("pop", (n, w), np.uint8)
    _first_level(n, adjacency, ext[h : h + n])
    fix = _Fixup(csr, fix_rows, w, ws) if len(fix_rows) else None
    levels = [n, popcount_total(ext[h : h + n], scratch)]
    while len(levels) <= n and levels[-1] < n * n:
        ext[:h] = ext[n : n + h]
        ext[n + h :] = ext[h : 2 * h]
        nxt = ext_next[h : h + n]
        np.bitwise_or(ext[:n], ext[2 * h : 2 * h + n], out=nxt)
        if fix is not None:
            fix.apply(ext[h : h + n], nxt)
        total = popcount_total(nxt, scratch)
        if total == levels[-1]:
            break
        levels.append(total)
        ext, ext_next = ext_next, ext
    return levels


def _guess_half_width(n: int, eu: IntArray, ev: IntArray) -> int:
    """The widest run of ring offsets ``1..h`` that at least half the nodes have."""
    off = (ev - eu) % n
    ring = np.minimum(off, n - off)
    per = np.bincount(ring, minlength=n // 2 + 1)
    h = 0
    while h + 1 < len(per) and per[h + 1] * 2 >= n and 2 * (h + 1) < n:
        h += 1
    return h


def ring_fix_rows(n: int, eu: IntArray, ev: IntArray, h: int) -> IntArray:
    """Rows that differ from the ring lattice's or sit within ``h`` of one that does.

    Everywhere else a node has its lattice neighbours and so do all of them: its BFS
    step is the ring window's, and its local clustering is the lattice's.

    Examples
    --------
    >>> ring_fix_rows(10, np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 0]),
    ...               np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 5]), 1).tolist()
    [0, 1, 4, 5, 6, 8, 9]
    """
    return near_broken(n, broken_rows(n, eu, ev, h), h)


def distance_levels(
    n: int,
    eu: IntArray,
    ev: IntArray,
    ring_half_width: int | None = None,
    adjacency: Words | None = None,
    ws: Workspace | None = None,
    fix_rows: IntArray | None = None,
) -> list[int]:
    """Counts of ordered pairs (sources included) within distance 0, 1, 2, ... of each other.

    ``levels[t]`` is the number of ordered pairs ``(s, v)`` with ``d(s, v) <= t``; the list
    stops when it stops growing (at the largest eccentricity within components).
    ``ring_half_width`` is the lattice's ``k/2`` when the caller knows the graph is a
    rewired ring lattice (None: guess from the edges; 0: never use the ring window), and
    ``fix_rows`` its :func:`ring_fix_rows` if already known. They change the speed, never
    the result.
    """
    if n == 0:
        return [0]
    if len(eu) == 0:
        return [n]
    ws = ws or Workspace()
    a = bit_matrix(n, eu, ev, ws) if adjacency is None else adjacency
    h = _guess_half_width(n, eu, ev) if ring_half_width is None else ring_half_width
    if h and 2 * h + 1 <= n:
        deg = np.bincount(eu, minlength=n) + np.bincount(ev, minlength=n)
        if fix_rows is None:
            fix_rows = ring_fix_rows(n, eu, ev, h)
        # Per level: one contiguous OR plus a popcount (~3 row-ORs per row) against one
        # gathered row per neighbour, for the fixed rows or for all.
        ring_cost = 3 * n + (_GATHER + 1) * int(deg[fix_rows].sum() + len(fix_rows))
        gather_cost = (_GATHER + 1) * 2 * len(eu) + 2 * n
        if ring_cost < gather_cost:
            is_fix = np.zeros(n, dtype=bool)
            is_fix[fix_rows] = True
            touching = is_fix[eu] | is_fix[ev]
            csr = _Csr(n, eu[touching], ev[touching])
            return _levels_ring(n, csr, h, fix_rows, a, ws)
    return _levels_gather(n, _Csr(n, eu, ev), a, ws)


def level_sums(levels: list[int]) -> tuple[int, int]:
    """(sum of finite distances over ordered pairs, number of connected ordered pairs).

    Examples
    --------
    >>> level_sums([4, 10, 14, 16])
    (20, 12)
    """
    total = sum(t * (levels[t] - levels[t - 1]) for t in range(1, len(levels)))
    return total, levels[-1] - levels[0]
