"""What the loader builds from valid files: exercises, narrations, quizzes and variants.

These are the objects the rest of the site uses; the schema that checks the files
they come from is in :mod:`labs.teaching.content.schema`.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from algorithms.engine import CommandError, check_seed
from algorithms.recording import Recording, StepCheck, Timeline
from labs.registry import LABS
from labs.teaching.content.errors import Problem
from labs.teaching.queries import queries_of

CHECK_VARIANTS = 3
PER_STUDENT = "per student"
BOOL_OPTIONS = ("yes", "no")
VAR_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,31}$")
# -- the content -----------------------------------------------------------------------


@dataclass(frozen=True)
class Variable:
    name: str
    kind: str  # "int" | "choice"
    lo: int = 0
    hi: int = 0
    choices: tuple[Any, ...] = ()
    format: str | None = None

    def draw(self, rng: random.Random) -> Any:
        value = rng.randint(self.lo, self.hi) if self.kind == "int" else rng.choice(self.choices)
        if self.format is not None:
            return self.format.replace("{}", str(value))
        return value


@dataclass(frozen=True)
class Variant:
    """One student's version of an exercise: the engine seed and the variables' values."""

    seed: int
    values: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Scenario:
    """A variant's scenario: what the live lab opens on and what the queries run on."""

    lab: str
    params: Mapping[str, Any]
    seed: int
    commands: tuple[Mapping[str, Any], ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "lab": self.lab,
            "params": dict(self.params),
            "seed": self.seed,
            "commands": [dict(c) for c in self.commands],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Scenario:
        return cls(
            str(data["lab"]),
            dict(data["params"]),
            int(data["seed"]),
            tuple(dict(c) for c in data["commands"]),
        )

    def timeline(
        self, extra: Sequence[Mapping[str, Any]] = (), check: StepCheck | None = None
    ) -> Timeline:
        """Run the scenario (and any extra commands) into a fresh timeline.

        ``check`` is called before each step runs (a CPU budget, a cancellation).
        """
        lab = LABS[self.lab]
        timeline = Timeline(
            lab.engine_class(), lab.slug, self.params, self.seed, lab.checkpoint_every
        )
        for i, command in enumerate([*self.commands, *extra]):
            if check is not None:
                check(timeline.position)
            if "tick" in command:
                for _ in range(int(command["tick"])):
                    if check is not None:
                        check(timeline.position)
                    if timeline.forward() is None:
                        raise CommandError(
                            f"commands[{i}].tick",
                            command["tick"],
                            f"is more ticks than the engine runs (idle after step "
                            f"{timeline.position})",
                        )
            else:
                try:
                    timeline.act(command)
                except CommandError as err:
                    raise CommandError(f"commands[{i}].{err.field}", err.value, err.rule) from err
        return timeline

    def recording(self) -> Recording:
        return self.timeline().recording()


@dataclass(frozen=True)
class Ref:
    """A named query, goal or option generator with its (unresolved) arguments."""

    name: str
    args: Mapping[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    prompt: str
    points: float
    query: Ref | None = None
    goal: Ref | None = None
    options: tuple[Any, ...] | None = None
    options_from: Ref | None = None
    tolerance: float = 0.0
    relative: bool = False
    partial: bool = False
    explain: str = ""


@dataclass(frozen=True, eq=False)
class Exercise:
    id: str
    title: str
    lab: str
    path: str
    body: str
    seed: int | None  # None: per student
    params: Mapping[str, Any]
    commands: tuple[Mapping[str, Any], ...]
    variables: tuple[Variable, ...]
    questions: tuple[Question, ...]
    practice: bool
    digest: str

    @property
    def per_student(self) -> bool:
        return self.seed is None

    @property
    def total_points(self) -> float:
        return float(sum(q.points for q in self.questions))

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise KeyError(qid)

    def kind_of(self, question: Question) -> str:
        """The answer kind of the question's query, or ``"goal"`` for construct tasks."""
        if question.query is None:
            return "goal"
        return queries_of(self.lab)[question.query.name].answer

    def variant(self, seed: int) -> Variant:
        """The variant drawn from ``seed`` (the engine seed unless the exercise fixes it)."""
        seed = check_seed(seed)
        engine_seed = seed if self.seed is None else self.seed
        rng = random.Random(engine_seed)
        return Variant(engine_seed, {v.name: v.draw(rng) for v in self.variables})

    def scenario(self, variant: Variant) -> Scenario:
        params = substitute(dict(self.params), variant.values)
        engine = LABS[self.lab].engine_class()
        full = engine.Params.from_dict(params).to_dict()
        commands = tuple(substitute(dict(c), variant.values) for c in self.commands)
        return Scenario(self.lab, full, variant.seed, commands)


@dataclass(frozen=True, eq=False)
class Narration:
    id: str
    title: str
    lab: str
    path: str
    recording: Recording
    captions: Mapping[str, str]


@dataclass(frozen=True)
class QuizEntry:
    exercise: str
    points: float | None


@dataclass(frozen=True, eq=False)
class QuizSpec:
    id: str
    title: str
    path: str
    description: str
    opens: datetime | None
    closes: datetime | None
    attempts: int
    time_limit: int | None
    reveal: str
    instructors: tuple[str, ...]
    instructor_groups: tuple[str, ...]
    exercises: tuple[QuizEntry, ...]
    course: str = ""


@dataclass
class ContentSet:
    exercises: dict[str, Exercise] = field(default_factory=dict)
    narrations: dict[str, Narration] = field(default_factory=dict)
    quizzes: dict[str, QuizSpec] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    invalid: set[str] = field(default_factory=set)
    invalid_ids: set[str] = field(default_factory=set)


# -- substitution of variables ------------------------------------------------------------


def substitute(value: Any, values: Mapping[str, Any]) -> Any:
    """Replace every string ``"$name"`` (whole value only) by the variable's value."""
    if isinstance(value, str) and value.startswith("$") and value[1:] in values:
        return values[value[1:]]
    if isinstance(value, dict):
        return {k: substitute(v, values) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [substitute(v, values) for v in value]
    return value


def references(value: Any) -> Iterator[str]:
    """The variable names a value uses as ``"$name"``."""
    if isinstance(value, str) and value.startswith("$") and VAR_RE.match(value[1:]):
        yield value[1:]
    elif isinstance(value, dict):
        for v in value.values():
            yield from references(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from references(v)


def variant_seed(*parts: object) -> int:
    """A deterministic 63-bit seed from the parts (SHA-256; never Python's ``hash()``)."""
    text = "\x1f".join(str(p) for p in ("paperlabs-variant", *parts))
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big") >> 1


# Each use of variants draws its seeds from its own space (a domain-separation prefix),
# so that no quiz variant can ever be a public practice variant, whatever the quiz's id.
RESERVED_QUIZ_IDS = frozenset({"practice", "check"})
"""Quiz ids refused by the loader and the admin: the names of the public seed spaces."""


def practice_variant_seed(exercise_id: str, number: int) -> int:
    """The seed of public practice variant ``number`` of an exercise (anyone can open it)."""
    return variant_seed("practice", exercise_id, number)


def quiz_variant_seed(quiz_id: str, item_id: str, user_id: int) -> int:
    """The seed of a student's variant of one quiz item; disjoint from practice seeds."""
    return variant_seed("quiz", quiz_id, item_id, user_id)


def check_variants(exercise: Exercise, count: int = CHECK_VARIANTS) -> list[Variant]:
    """The variants the loader (and the tests) run: the fixed one, or several."""
    if exercise.seed is not None:
        return [exercise.variant(exercise.seed)]
    return [exercise.variant(variant_seed("check", exercise.id, i)) for i in range(count)]


def parse_when(value: Any) -> datetime | None:
    """A YAML timestamp or ISO text; no time zone means UTC. Raises ValueError."""
    if value is None:
        return None
    if isinstance(value, datetime):
        when = value
    elif isinstance(value, date):
        when = datetime.combine(value, time())
    elif isinstance(value, str):
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    else:
        raise ValueError("not a date")
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
