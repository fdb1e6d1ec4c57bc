"""What a lab can be asked: queries, option generators and goal predicates.

Every exercise question names a *query* that its lab declares with the decorators
here, in its lablet's ``queries.py`` (``labs/lablets/<lab>/queries.py``, declared as
``queries=`` on its registry entry); the engine answers it for the student's variant, so
an instructor never types an answer and no instructor text is ever run as code.

- ``@query(lab, name, args={...}, answer=..., options=...)`` declares a function
  ``(ctx, **args) -> value | Answer`` that reads the engine at the scenario's end.
  ``answer`` is the kind of value it returns: ``"number"``, ``"choice"`` (one of the
  options), ``"choices"`` (a set of options), ``"pick"`` (elements of the diagram, any
  one of which is right) or ``"bool"``.
- ``@options(lab, name, args={...})`` declares where choice options come from (the
  nodes, the keys, the events of this scenario).
- ``@goal(lab, name, args={...})`` declares a predicate for construct tasks: it
  receives the scenario's end and the student's own recording, and says whether the
  task is done (:class:`Verdict`).

Adding questions to a new lab is declaring its queries in its lablet's ``queries.py``;
the registry imports it with the lab, so a lab's queries are there whenever the lab is.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from algorithms.engine import CommandError, LabEngine, check_name
from algorithms.recording import Timeline

ANSWER_KINDS = ("number", "choice", "choices", "pick", "bool")


# -- arguments -------------------------------------------------------------------------


@dataclass(frozen=True)
class Arg:
    """One declared argument of a query, goal or option generator.

    ``kind`` is ``"name"`` (a node, key or event name: printable text of at most 100
    characters), ``"int"``, ``"number"`` or ``"bool"``; ``lo``/``hi`` bound numbers.
    """

    kind: str
    lo: float | None = None
    hi: float | None = None
    required: bool = True
    default: Any = None
    help: str = ""

    def rule(self) -> str:
        if self.kind == "name":
            return "must be a name (text of 1 to 100 printable characters)"
        if self.kind == "bool":
            return "must be true or false"
        what = "an integer" if self.kind == "int" else "a number"
        if self.lo is not None and self.hi is not None:
            return f"must be {what} between {_num(self.lo)} and {_num(self.hi)}"
        return f"must be {what}"

    def check(self, field: str, value: object) -> Any:
        """Return the value if it fits, else raise CommandError(field, value, rule)."""
        if self.kind == "name":
            if isinstance(value, int | float) and not isinstance(value, bool):
                value = str(value)  # YAML reads a node called 7 as a number
            try:
                return check_name(field, value, 100)
            except CommandError:
                raise CommandError(field, value, self.rule()) from None
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise CommandError(field, value, self.rule())
            return value
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if ok and self.kind == "int":
            ok = isinstance(value, int)
        if ok and not math.isfinite(float(value)):  # type: ignore[arg-type]
            ok = False
        if ok and self.lo is not None and value < self.lo:  # type: ignore[operator]
            ok = False
        if ok and self.hi is not None and value > self.hi:  # type: ignore[operator]
            ok = False
        if not ok:
            raise CommandError(field, value, self.rule())
        return value


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def name(help: str = "") -> Arg:
    return Arg("name", help=help)


def integer(lo: int, hi: int, help: str = "", default: int | None = None) -> Arg:
    return Arg("int", lo, hi, required=default is None, default=default, help=help)


def number(lo: float, hi: float, help: str = "", default: float | None = None) -> Arg:
    return Arg("number", lo, hi, required=default is None, default=default, help=help)


def check_args(where: str, declared: Mapping[str, Arg], given: object) -> dict[str, Any]:
    """Validate ``given`` against the declared arguments (raises on the first problem)."""
    if given is None:
        given = {}
    if not isinstance(given, dict):
        raise CommandError(where, given, "must be a mapping of argument: value")
    for key in given:
        if key not in declared:
            allowed = ", ".join(declared) if declared else "none"
            raise CommandError(
                f"{where}.{key}", given[key], f"is not an argument (allowed: {allowed})"
            )
    out: dict[str, Any] = {}
    for key, arg in declared.items():
        if key not in given:
            if arg.required:
                raise CommandError(f"{where}.{key}", None, f"is required: it {arg.rule()}")
            out[key] = arg.default
            continue
        out[key] = arg.check(f"{where}.{key}", given[key])
    return out


# -- what a query sees -----------------------------------------------------------------


class Context:
    """The scenario run to its end: the engine, its state and the timeline.

    Queries must not change ``engine``; a what-if works on :meth:`probe`, a copy.
    """

    def __init__(self, timeline: Timeline) -> None:
        self.timeline = timeline
        self.engine: LabEngine = timeline.engine
        self.length = timeline.length

    @cached_property
    def state(self) -> dict[str, Any]:
        return self.engine.state()

    def probe(self) -> Any:
        """A private copy of the engine, for what-if questions."""
        return copy.deepcopy(self.engine)

    def shown(self, value: Any, commands: Iterable[Mapping[str, Any]], why: str = "") -> Answer:
        """An answer the feedback replay shows by running ``commands`` (a selection, a
        what-if) after the scenario, opening at the first of them."""
        return Answer(value, step=self.length + 1, commands=tuple(commands), why=why)

    def command_steps(self, actions: Iterable[str]) -> list[int]:
        """The steps (1-based: the step a command leads to) of the given actions."""
        wanted = set(actions)
        recording = self.timeline.recording()
        return [i + 1 for i, c in recording.commands if c.get("action") in wanted]


@dataclass(frozen=True)
class Answer:
    """A query's answer, with the step that decides it and any what-if commands.

    ``commands`` are applied after the scenario to show the answer (for example the
    join a "how many keys would move" question asks about); the feedback replay then
    opens at ``step``, counted on that longer recording.

    ``lab_params`` is for an answer that does not depend on the scenario's set-up and
    is seen in another setting of the lab (a hash slot is seen in slots mode): the
    question then links to the lab opened with these parameters changed, and the
    feedback replay shows ``commands`` on that fresh run instead of the scenario.
    """

    value: Any
    step: int | None = None
    commands: tuple[Mapping[str, Any], ...] = ()
    why: str = ""
    lab_params: Mapping[str, Any] | None = None


class QueryError(Exception):
    """The query cannot be answered for this scenario (e.g. a node that is not there)."""


@dataclass(frozen=True)
class Verdict:
    """A goal predicate's answer on a student's recording."""

    done: bool
    message: str
    step: int | None = None


@dataclass
class GoalContext:
    """A construct task's evidence: the scenario's end and the student's run after it.

    ``before`` is the engine at the end of the scenario's set-up, ``after`` at the end
    of the student's recording; ``actions`` are the student's own commands as
    ``(step, command)`` pairs (``step`` is the step the command leads to).
    """

    before: Any
    after: Any
    actions: list[tuple[int, Mapping[str, Any]]]
    timeline: Timeline
    setup_length: int

    @cached_property
    def before_state(self) -> dict[str, Any]:
        return dict(self.before.state())

    @cached_property
    def after_state(self) -> dict[str, Any]:
        return dict(self.after.state())

    def engine_at(self, step: int) -> Any:
        self.timeline.seek(step)
        return copy.deepcopy(self.timeline.engine)


# -- the registries --------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    lab: str
    name: str
    fn: Callable[..., Any]
    args: Mapping[str, Arg]
    answer: str
    options: str | None
    doc: str

    def run(self, ctx: Context, args: Mapping[str, Any]) -> Answer:
        try:
            result = self.fn(ctx, **args)
        except (CommandError, KeyError, ValueError, IndexError) as err:
            raise QueryError(str(err)) from err
        return result if isinstance(result, Answer) else Answer(result)


@dataclass(frozen=True)
class Options:
    lab: str
    name: str
    fn: Callable[..., list[str]]
    args: Mapping[str, Arg]
    doc: str


@dataclass(frozen=True)
class Goal:
    lab: str
    name: str
    fn: Callable[..., Verdict]
    args: Mapping[str, Arg]
    doc: str
    max_actions: int = 50


@dataclass
class _Registry:
    queries: dict[str, dict[str, Query]] = field(default_factory=dict)
    options: dict[str, dict[str, Options]] = field(default_factory=dict)
    goals: dict[str, dict[str, Goal]] = field(default_factory=dict)


REGISTRY = _Registry()


def _first_line(fn: Callable[..., Any]) -> str:
    return (fn.__doc__ or "").strip().split("\n")[0]


def query(
    lab: str,
    name: str,
    *,
    args: Mapping[str, Arg] | None = None,
    answer: str,
    options: str | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a query of ``lab``; duplicate names fail at start-up."""
    if answer not in ANSWER_KINDS:
        raise ImproperlyConfigured(f"query {lab}:{name}: answer must be one of {ANSWER_KINDS}")

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        table = REGISTRY.queries.setdefault(lab, {})
        if name in table:
            raise ImproperlyConfigured(f"query {name!r} of lab {lab!r} is declared twice")
        table[name] = Query(lab, name, fn, dict(args or {}), answer, options, _first_line(fn))
        return fn

    return register


def options(
    lab: str, name: str, *, args: Mapping[str, Arg] | None = None
) -> Callable[[Callable[..., list[str]]], Callable[..., list[str]]]:
    """Declare an option generator of ``lab``."""

    def register(fn: Callable[..., list[str]]) -> Callable[..., list[str]]:
        table = REGISTRY.options.setdefault(lab, {})
        if name in table:
            raise ImproperlyConfigured(f"options {name!r} of lab {lab!r} are declared twice")
        table[name] = Options(lab, name, fn, dict(args or {}), _first_line(fn))
        return fn

    return register


def goal(
    lab: str, name: str, *, args: Mapping[str, Arg] | None = None, max_actions: int = 50
) -> Callable[[Callable[..., Verdict]], Callable[..., Verdict]]:
    """Declare a goal predicate of ``lab`` for construct tasks."""

    def register(fn: Callable[..., Verdict]) -> Callable[..., Verdict]:
        table = REGISTRY.goals.setdefault(lab, {})
        if name in table:
            raise ImproperlyConfigured(f"goal {name!r} of lab {lab!r} is declared twice")
        table[name] = Goal(lab, name, fn, dict(args or {}), _first_line(fn), max_actions)
        return fn

    return register


def load_all() -> _Registry:
    """Every lab's declarations: importing the registry imports each lab's queries.

    Nothing is skipped: a lab whose queries fail to import (a module missing inside
    them too) fails the registry, so the server never runs a lab without its questions.
    """
    import labs.registry  # noqa: F401  (each lab's entry imports its queries module)

    return REGISTRY


def queries_of(lab: str) -> dict[str, Query]:
    return load_all().queries.get(lab, {})


def options_of(lab: str) -> dict[str, Options]:
    return load_all().options.get(lab, {})


def goals_of(lab: str) -> dict[str, Goal]:
    return load_all().goals.get(lab, {})
