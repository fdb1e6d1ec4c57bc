"""What the vector-clocks lab can be asked (Lamport 1978; Fidge/Mattern; Dynamo §4.4).

Events are named by their id (``e3`` in the lab is event 3). ``e -> f`` (happens
before) holds exactly when f's vector clock has at least e's own entry:
``VC(f)[p(e)] >= index(e)``; read from ``state()``, never from the engine's internals.
"""

from __future__ import annotations

from typing import Any

from algorithms.clocks import MAX_EVENTS
from labs.teaching.queries import (
    Answer,
    Context,
    GoalContext,
    QueryError,
    Verdict,
    goal,
    integer,
    name,
    options,
    query,
)

LAB = "vector-clocks"


def _event(state: dict[str, Any], e: int) -> dict[str, Any]:
    events = state["events"]
    if not 0 <= e < len(events):
        raise QueryError(f"there is no event {e} (events 0 to {len(events) - 1})")
    return dict(events[e])


def _before(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a["id"] != b["id"] and int(b["vc"].get(a["process"], 0)) >= int(a["index"])


def _select(e: int) -> tuple[dict[str, Any], ...]:
    return ({"action": "select_event", "event": e},)


EVENT = integer(0, MAX_EVENTS - 1, "an event id")


@options(LAB, "events")
def events(ctx: Context) -> list[str]:
    """The ids of the run's events."""
    return [str(e["id"]) for e in ctx.state["events"]]


@options(LAB, "processes")
def processes(ctx: Context) -> list[str]:
    """The processes P1, P2, ..."""
    return list(ctx.state["processes"])


@query(LAB, "happens_before", args={"e": EVENT, "f": EVENT}, answer="bool")
def happens_before(ctx: Context, e: int, f: int) -> Answer:
    """Whether event e happens before event f (e -> f)."""
    a, b = _event(ctx.state, e), _event(ctx.state, f)
    yes = _before(a, b)
    why = f"VC(e{f})[{a['process']}] = {b['vc'].get(a['process'], 0)}, e{e} is event {a['index']} of {a['process']}."
    return ctx.shown(yes, _select(e), why=why)


@query(LAB, "concurrent", args={"e": EVENT, "f": EVENT}, answer="bool")
def concurrent(ctx: Context, e: int, f: int) -> Answer:
    """Whether events e and f are concurrent (neither happens before the other)."""
    a, b = _event(ctx.state, e), _event(ctx.state, f)
    yes = e != f and not _before(a, b) and not _before(b, a)
    verdict = "concurrent" if yes else "causally ordered"
    return ctx.shown(yes, _select(e), why=f"e{e} and e{f} are {verdict}.")


@query(
    LAB,
    "vector_clock_entry",
    args={"event": EVENT, "process": name("a process, e.g. P2")},
    answer="number",
)
def vector_clock_entry(ctx: Context, event: int, process: str) -> Answer:
    """One entry of the event's vector clock."""
    if process not in ctx.state["processes"]:
        raise QueryError(f"there is no process {process!r}")
    value = int(_event(ctx.state, event)["vc"].get(process, 0))
    return ctx.shown(value, _select(event), why=f"VC(e{event})[{process}] = {value}.")


@query(LAB, "lamport_clock", args={"event": EVENT}, answer="number")
def lamport_clock(ctx: Context, event: int) -> Answer:
    """The event's Lamport clock (IR1, IR2)."""
    value = int(_event(ctx.state, event)["lamport"])
    return ctx.shown(value, _select(event), why=f"C(e{event}) = {value}.")


@query(LAB, "process_of_event", args={"event": EVENT}, answer="choice", options="processes")
def process_of_event(ctx: Context, event: int) -> str:
    """The process the event happens on."""
    return str(_event(ctx.state, event)["process"])


@query(LAB, "causal_past", args={"event": EVENT}, answer="choices", options="events")
def causal_past(ctx: Context, event: int) -> Answer:
    """Every event that happens before this one."""
    target = _event(ctx.state, event)
    past = [str(e["id"]) for e in ctx.state["events"] if _before(e, target)]
    return ctx.shown(
        sorted(past), _select(event), why=f"The past of e{event}: {', '.join(past) or 'none'}."
    )


@query(LAB, "concurrent_with", args={"event": EVENT}, answer="pick", options="events")
def concurrent_with(ctx: Context, event: int) -> Answer:
    """The events concurrent with this one (any of them is right)."""
    target = _event(ctx.state, event)
    found = [
        str(e["id"])
        for e in ctx.state["events"]
        if e["id"] != event and not _before(e, target) and not _before(target, e)
    ]
    if not found:
        raise QueryError(f"no event is concurrent with e{event}")
    return ctx.shown(
        sorted(found), _select(event), why=f"Concurrent with e{event}: {', '.join(found)}."
    )


@query(LAB, "event_count", answer="number")
def event_count(ctx: Context) -> int:
    """How many events the run has."""
    return len(ctx.state["events"])


@query(LAB, "messages_in_flight", answer="number")
def messages_in_flight(ctx: Context) -> int:
    """How many messages are sent but neither delivered nor dropped."""
    return sum(1 for m in ctx.state["messages"] if m["status"] == "in_flight")


@query(LAB, "siblings", answer="number")
def siblings(ctx: Context) -> Answer:
    """How many versions of Dynamo's key are current (siblings when more than one)."""
    current = list(ctx.state["versions"]["current"])
    return Answer(len(current), why=f"Current versions: {', '.join(current) or 'none'}.")


@query(LAB, "sibling_versions", answer="choices", options="versions")
def sibling_versions(ctx: Context) -> list[str]:
    """The versions of the key that are current (the siblings a read returns)."""
    return sorted(ctx.state["versions"]["current"])


@options(LAB, "versions")
def versions(ctx: Context) -> list[str]:
    """Every version of Dynamo's key (D1, D2, ...)."""
    return [v["id"] for v in ctx.state["versions"]["versions"]]


@goal(LAB, "siblings_at_least", args={"n": integer(2, 64)})
def goal_siblings(g: GoalContext, n: int) -> Verdict:
    """End with at least n sibling versions of the key (Dynamo §4.4)."""
    current = list(g.after_state["versions"]["current"])
    last = g.actions[-1][0] if g.actions else g.setup_length
    if len(current) >= n:
        return Verdict(
            True, f"{', '.join(current)} are siblings: no one descends from another.", last
        )
    return Verdict(
        False, f"Only {len(current)} current version(s): {', '.join(current) or 'none'}.", last
    )


@goal(LAB, "concurrent_events", args={"p": name(), "q": name()})
def goal_concurrent_events(g: GoalContext, p: str, q: str) -> Verdict:
    """End with an event on process p concurrent with an event on process q."""
    evs = g.after_state["events"]
    last = g.actions[-1][0] if g.actions else g.setup_length
    for a in evs:
        for b in evs:
            if a["process"] == p and b["process"] == q and not _before(a, b) and not _before(b, a):
                return Verdict(
                    True, f"e{a['id']} on {p} and e{b['id']} on {q} are concurrent.", last
                )
    return Verdict(False, f"No event on {p} is concurrent with an event on {q}.", last)
