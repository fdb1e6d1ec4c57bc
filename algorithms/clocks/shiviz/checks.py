"""The checks of one execution: each host's numbering, and what each clock may know.

Lamport (CACM 1978) and Fidge/Mattern (1988, 1989): along a host its own entry counts
its events from 1 and no entry decreases; a clock that knows host h's k-th event must
include that event's clock. ShiViz (Beschastnikh et al., ACM TOSEM 2020) reads a
GoVector log as one file per process concatenated, so a receive may be logged before
its send: the checks look across the whole execution, not only backwards.

Examples
--------
>>> from algorithms.clocks.shiviz.read import _Raw
>>> raws = [_Raw("a", {"a": 1}, "x", 3, ()), _Raw("a", {"a": 3}, "y", 5, ())]
>>> [str(p) for p in _check_execution(raws)]
['line 5: the clock skips ahead along host a: its own entry goes from 1 (line 3) to 3; it must increase by exactly 1 per event']
"""

from __future__ import annotations

from algorithms.clocks.shiviz.logformat import ShiVizError
from algorithms.clocks.shiviz.read import _Raw


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
