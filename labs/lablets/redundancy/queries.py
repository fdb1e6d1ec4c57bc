"""What the redundancy lab can be asked (Patterson, Gibson & Katz, SIGMOD 1988; failure
domains; cells and shuffle sharding).

The array's MTTDL is Patterson et al.'s closed form for the scenario's D, G, C, MTTF and
MTTR (the exercise sets them in its scenario's params). Zones are named as the lab names
them (R1a, R1b, ... in Region R1); a zone failure is asked about on a copy of the engine,
over the scenario's placement. Blast radius is the combinatorial value for n workers
and k per customer, shown beside a simulation.
"""

from __future__ import annotations

from typing import Any

from algorithms.redundancy import (
    HOURS_PER_YEAR,
    MAX_SIM_WORKERS,
    MAX_WORKERS,
    shuffle_shard_overlap,
)
from labs.teaching.queries import Answer, Context, QueryError, integer, name, options, query

LAB = "redundancy"
ZONE = name("a zone, R1a")


def _fail_zone(zone: str) -> tuple[dict[str, Any], ...]:
    return ({"action": "fail_domain", "level": "zone", "name": zone},)


def _zone_lost(ctx: Context, zone: str) -> list[int]:
    zones = ctx.engine.topology.names("zone")  # type: ignore[attr-defined]
    if zone not in zones:
        raise QueryError(f"there is no zone {zone} (zones: {', '.join(zones)})")
    lost: list[int] = ctx.engine.lost_items(zone)  # type: ignore[attr-defined]
    return lost


@options(LAB, "zones")
def zones(ctx: Context) -> list[str]:
    """The zones of the scenario's topology."""
    names: list[str] = ctx.engine.topology.names("zone")  # type: ignore[attr-defined]
    return names


@query(LAB, "mttdl_hours", answer="number")
def mttdl_hours(ctx: Context) -> Answer:
    """The array's mean time to data loss by Patterson et al.'s closed form, in hours."""
    p = ctx.engine.params  # type: ignore[attr-defined]
    value = float(ctx.state["closed_form"]["mttdl_hours"])
    groups = p.d // p.g
    return Answer(
        value,
        why=(
            f"D = {p.d} data disks in {groups} groups of G = {p.g} with C = {p.c}, MTTF "
            f"{p.mttf:,.0f} h, MTTR {p.mttr:g} h: MTTDL = {value:,.0f} hours."
        ),
    )


@query(LAB, "mttdl_years", answer="number")
def mttdl_years(ctx: Context) -> Answer:
    """The same closed-form MTTDL, in years of 8,760 hours."""
    hours = float(ctx.state["closed_form"]["mttdl_hours"])
    return Answer(hours / HOURS_PER_YEAR, why=f"{hours:,.0f} h / 8,760 h per year.")


@query(LAB, "items_lost_when_zone_fails", args={"zone": ZONE}, answer="number")
def items_lost_when_zone_fails(ctx: Context, zone: str) -> Answer:
    """How many items lose every replica when the zone fails (the scenario's placement)."""
    lost = _zone_lost(ctx, zone)
    shown = ", ".join(str(i) for i in lost[:10]) + (", …" if len(lost) > 10 else "")
    return ctx.shown(
        len(lost),
        _fail_zone(zone),
        why=f"{len(lost)} items had every replica in {zone}" + (f": {shown}." if lost else "."),
    )


@query(
    LAB,
    "item_lost_when_zone_fails",
    args={"zone": ZONE, "item": integer(0, 199_999, "an item number")},
    answer="bool",
)
def item_lost_when_zone_fails(ctx: Context, zone: str, item: int) -> Answer:
    """Whether the given item loses every replica when the zone fails."""
    items = int(ctx.state["domains"]["items"])
    if item >= items:
        raise QueryError(f"there is no item {item} (items 0 to {items - 1})")
    value = item in _zone_lost(ctx, zone)
    return ctx.shown(
        value,
        (*_fail_zone(zone), {"action": "inspect_item", "item": item}),
        why=f"Item {item} {'had every replica' if value else 'kept a replica outside'} {zone}.",
    )


@query(
    LAB,
    "blast_radius",
    args={
        "n": integer(1, MAX_WORKERS, "workers"),
        "k": integer(1, MAX_WORKERS, "workers per customer"),
    },
    answer="number",
)
def blast_radius(ctx: Context, n: int, k: int) -> Answer:
    """Shuffle sharding onto k of n workers: the share of other customers a bad request
    takes down (they have exactly its k workers), 1/C(n, k)."""
    if k > n:
        raise QueryError(f"k must be at most n = {n}, got {k}")
    value = shuffle_shard_overlap(n, k)
    commands: tuple[dict[str, Any], ...] = ()
    if n <= MAX_SIM_WORKERS and n >= 2:
        commands = (
            {
                "action": "blast",
                "customers": 2_000,
                "workers": n,
                "cells": 1,
                "k": k,
                "trials": 200,
            },
        )
    return Answer(
        value,
        step=ctx.length + 1 if commands else None,
        commands=commands,
        why=f"1 / C({n}, {k}) = {value:.6g}: another customer is down only with the same {k} workers.",
    )
