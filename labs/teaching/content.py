"""Instructor content: exercise, narration and quiz files, checked completely.

Files live in the folders of ``settings.PAPERLABS_CONTENT_DIRS``:

- ``*.md``: YAML front matter between ``---`` lines, then a Markdown body. The front
  matter's ``kind`` is ``exercise`` (the default) or ``narration``.
- ``*.yaml`` / ``*.yml``: a quiz (``kind: quiz``, the default).

(``README.md`` files are documentation and are skipped.) YAML is read with the safe
loader only; anchors and aliases are refused, as are duplicate keys. The loader
collects *every* problem of every file as a :class:`Problem` with the file, the key
path (``questions[1].query.args.key``) and the line where PyYAML's marks give one. A
file with any problem is left out: it is never served. Scenario, queries and options
are checked by running them through the real engine for several variants, so a
shipped exercise cannot ask a question its lab cannot answer.

See docs/exercises.md for the file format with examples.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import random
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

from algorithms.engine import CommandError, check_seed
from algorithms.recording import Recording, StepCheck, Timeline
from labs.registry import LABS
from labs.teaching import markup
from labs.teaching.queries import (
    ANSWER_KINDS,
    Answer,
    Context,
    QueryError,
    check_args,
    goals_of,
    options_of,
    queries_of,
)

MAX_FILE_BYTES = 256_000
MAX_QUESTIONS = 50
MAX_OPTIONS = 2000
MAX_SETUP_COMMANDS = 500
MAX_TICKS = 10_000
MAX_VARIABLES = 20
CHECK_VARIANTS = 3
PER_STUDENT = "per student"
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,47}$")
QID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
VAR_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,31}$")
PERCENT_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")

QUESTION_TYPES: dict[str, tuple[str, ...]] = {
    "numeric": ("number",),
    "single": ("choice", "bool"),
    "multiple": ("choices",),
    "pick": ("pick", "choice"),
    "construct": (),
}
REVEAL = ("after_last_attempt", "after_close", "immediately", "never")
BOOL_OPTIONS = ("yes", "no")

Path_ = tuple[str | int, ...]


def keypath(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@dataclass(frozen=True)
class Problem:
    """One problem in one file: ``file:line: key: message``."""

    file: str
    key: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


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


def _references(value: Any) -> Iterator[str]:
    if isinstance(value, str) and value.startswith("$") and VAR_RE.match(value[1:]):
        yield value[1:]
    elif isinstance(value, dict):
        for v in value.values():
            yield from _references(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _references(v)


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


# -- YAML with lines ----------------------------------------------------------------------


class _NoAliasLoader(yaml.SafeLoader):
    """The safe loader, reading every alias (``*name``) as null.

    Aliases are refused anyway; reading them as null keeps a file of nested aliases
    (a "billion laughs") small while the rest of the file is still checked.
    """

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        if self.check_event(yaml.AliasEvent):
            event = self.get_event()
            return yaml.ScalarNode("tag:yaml.org,2002:null", "", event.start_mark, event.end_mark)
        node: yaml.Node = super().compose_node(parent, index)
        return node


class _Reader:
    """Collects problems for one file, mapping key paths to YAML lines."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.lines: dict[Path_, int] = {}
        self.item_id: str | None = None

    def add(self, path: Path_, message: str, line: int | None = None) -> None:
        if line is None:
            probe = path
            while probe and probe not in self.lines:
                probe = probe[:-1]
            line = self.lines.get(probe)
        problem = Problem(self.file, keypath(path), line, message)
        if problem not in self.problems:
            self.problems.append(problem)

    def yaml(self, text: str, offset: int) -> Any:
        """Parse YAML (safe loader); record lines; refuse aliases and duplicate keys."""
        try:
            # Every anchor and alias is reported; the data is still read (aliases
            # resolved) so that the rest of the file is checked in the same pass.
            for event in yaml.parse(text, Loader=yaml.SafeLoader):
                if isinstance(event, yaml.AliasEvent | yaml.NodeEvent) and getattr(
                    event, "anchor", None
                ):
                    self.add(
                        (),
                        "YAML anchors and aliases (&name, *name) are not allowed",
                        event.start_mark.line + 1 + offset,
                    )
            node = yaml.compose(text, Loader=_NoAliasLoader)
        except yaml.MarkedYAMLError as err:
            mark = err.problem_mark or err.context_mark
            line = mark.line + 1 + offset if mark is not None else None
            what = err.problem or err.context or "invalid YAML"
            self.add((), f"YAML syntax error: {what}", line)
            return None
        except yaml.YAMLError as err:
            self.add((), f"YAML error: {err}")
            return None
        if node is None:
            return None
        # A duplicate key is reported by _walk; the data keeps the last value, and
        # the rest of the file is checked in the same pass.
        self._walk(node, (), offset)
        try:
            return yaml.load(text, Loader=_NoAliasLoader)  # a SafeLoader subclass
        except yaml.YAMLError as err:  # pragma: no cover - compose succeeded above
            self.add((), f"YAML error: {err}")
            return None

    def _walk(self, node: yaml.Node, path: Path_, offset: int) -> None:
        self.lines.setdefault(path, node.start_mark.line + 1 + offset)
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = str(key_node.value)
                line = key_node.start_mark.line + 1 + offset
                if key in seen:
                    self.add((*path, key), f"duplicate key {key!r}", line)
                seen.add(key)
                self.lines[(*path, key)] = line
                self._walk(value_node, (*path, key), offset)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self.lines[(*path, i)] = item.start_mark.line + 1 + offset
                self._walk(item, (*path, i), offset)


# -- field checks (each reports and returns a usable value or None) ------------------------


class _Checker:
    def __init__(self, reader: _Reader) -> None:
        self.r = reader

    def keys(self, data: Mapping[str, Any], path: Path_, allowed: Iterable[str]) -> None:
        allowed = tuple(allowed)
        for key in data:
            if key not in allowed:
                self.r.add((*path, str(key)), f"unknown key (allowed: {', '.join(allowed)})")

    def mapping(self, value: Any, path: Path_, what: str = "a mapping") -> dict[str, Any] | None:
        if isinstance(value, dict):
            return value
        self.r.add(path, f"must be {what}, got {_shown(value)}")
        return None

    def text(
        self, data: Mapping[str, Any], key: str, path: Path_, *, required: bool, limit: int = 200
    ) -> str | None:
        if key not in data or data[key] is None:
            if required:
                self.r.add((*path, key), "is required")
            return None
        value = data[key]
        if not isinstance(value, str) or not value.strip() or len(value) > limit:
            self.r.add(
                (*path, key),
                f"must be a non-empty text of at most {limit} characters, got {_shown(value)}",
            )
            return None
        return value

    def ident(
        self, data: Mapping[str, Any], key: str, path: Path_, pattern: re.Pattern[str], rule: str
    ) -> str | None:
        if key not in data:
            self.r.add((*path, key), "is required")
            return None
        value = data[key]
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not pattern.match(value):
            self.r.add((*path, key), f"must be {rule}, got {_shown(data[key])}")
            return None
        return value

    def integer(
        self, data: Mapping[str, Any], key: str, path: Path_, lo: int, hi: int, default: int | None
    ) -> int | None:
        value = data.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            self.r.add(
                (*path, key), f"must be an integer between {lo} and {hi}, got {_shown(value)}"
            )
            return None
        return value

    def number(
        self, data: Mapping[str, Any], key: str, path: Path_, lo: float, hi: float, default: float
    ) -> float | None:
        value = data.get(key, default)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or not lo < value <= hi
        ):
            self.r.add(
                (*path, key),
                f"must be a number above {lo:g} and at most {hi:g}, got {_shown(value)}",
            )
            return None
        return float(value)

    def boolean(self, data: Mapping[str, Any], key: str, path: Path_, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.r.add((*path, key), f"must be true or false, got {_shown(value)}")
            return default
        return value

    def ref(self, value: Any, path: Path_) -> Ref | None:
        """``name`` or ``{name: ..., args: {...}}``."""
        if isinstance(value, str):
            return Ref(value, {})
        if not isinstance(value, dict):
            self.r.add(path, f"must be a name or a mapping with name and args, got {_shown(value)}")
            return None
        self.keys(value, path, ("name", "args"))
        name = value.get("name")
        if not isinstance(name, str):
            self.r.add((*path, "name"), f"is required and must be a name, got {_shown(name)}")
            return None
        args = value.get("args", {})
        if args is None:
            args = {}
        if not isinstance(args, dict):
            self.r.add((*path, "args"), f"must be a mapping of argument: value, got {_shown(args)}")
            return None
        return Ref(name, args)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _rule(err: CommandError) -> str:
    """The error without its field name (the key path already names it)."""
    text = str(err)
    return text[len(err.field) + 1 :] if text.startswith(err.field + " ") else text


def _field_path(base: Path_, dotted: str) -> Path_:
    """Turn an engine field like ``commands[2].name`` into a key path under ``base``."""
    out: list[str | int] = list(base)
    for part in re.split(r"\.(?![^\[]*\])", dotted):
        m = re.match(r"^([^\[]*)((?:\[\d+\])*)$", part)
        if not m:
            out.append(part)
            continue
        if m.group(1):
            out.append(m.group(1))
        out.extend(int(i) for i in re.findall(r"\[(\d+)\]", m.group(2)))
    return tuple(out)


# -- files ------------------------------------------------------------------------------------


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path(settings.BASE_DIR).resolve()))
    except ValueError:
        return str(path)


def _read(path: Path, reader: _Reader) -> str | None:
    try:
        raw = path.read_bytes()
    except OSError as err:
        reader.add((), f"cannot be read ({err.strerror})")
        return None
    if len(raw) > MAX_FILE_BYTES:
        reader.add((), f"must be at most {MAX_FILE_BYTES:,} bytes, got {len(raw):,}")
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        reader.add((), f"must be UTF-8 text (invalid byte at offset {err.start})")
        return None


def split_front_matter(text: str, reader: _Reader) -> tuple[str, str, int] | None:
    """Return (yaml, body, line offset of the YAML) or report the problem."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n") != "---":
        reader.add((), "must start with a line '---' opening the YAML front matter", 1)
        return None
    for i in range(1, len(lines)):
        if lines[i].rstrip("\r\n") in ("---", "..."):
            return "".join(lines[1:i]), "".join(lines[i + 1 :]), 1
    reader.add((), "front matter is never closed: add a line '---' after the YAML", 1)
    return None


def content_files(paths: Iterable[Path]) -> list[Path]:
    """The content files under ``paths`` (files or folders), each once."""
    out: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        found = sorted(path.rglob("*")) if path.is_dir() else [path] if path.exists() else []
        for child in found:
            if not child.is_file() or child.suffix not in (".md", ".yaml", ".yml"):
                continue
            if path.is_dir() and child.name.lower() == "readme.md":
                continue
            key = child.resolve()
            if key not in seen:
                seen.add(key)
                out.append(child)
    return out


def load(paths: Iterable[Path | str]) -> ContentSet:
    """Load and check every content file under ``paths`` (files or folders)."""
    content = ContentSet()
    files = content_files(Path(p) for p in paths)
    quiz_files: list[tuple[Path, str]] = []
    for path in files:
        shown = display_path(path)
        content.files.append(shown)
        if path.suffix in (".yaml", ".yml"):
            quiz_files.append((path, shown))
            continue
        reader = _Reader(shown)
        item = _load_markdown_file(path, reader)
        if item is not None and not reader.problems:
            table: dict[str, Any] = (
                content.exercises if isinstance(item, Exercise) else content.narrations
            )
            other = table.get(item.id)
            if other is not None:
                reader.add(("id",), f"duplicate id {item.id!r}: {other.path} uses it already")
            else:
                table[item.id] = item
        if reader.problems:
            content.invalid.add(shown)
            content.invalid_ids.add(reader.item_id or path.stem)
        content.problems.extend(_in_file_order(reader.problems))
    for path, shown in quiz_files:
        reader = _Reader(shown)
        quiz = _load_quiz_file(path, reader, content.exercises, content.invalid_ids)
        if quiz is not None and not reader.problems:
            if quiz.id in content.quizzes:
                reader.add(
                    ("id",),
                    f"duplicate id {quiz.id!r}: {content.quizzes[quiz.id].path} uses it already",
                )
            else:
                content.quizzes[quiz.id] = quiz
        if reader.problems:
            content.invalid.add(shown)
        content.problems.extend(_in_file_order(reader.problems))
    return content


def _in_file_order(problems: list[Problem]) -> list[Problem]:
    """A file's problems by line (those without a line first), as found otherwise."""
    return sorted(problems, key=lambda p: p.line or 0)


def _load_markdown_file(path: Path, reader: _Reader) -> Exercise | Narration | None:
    text = _read(path, reader)
    if text is None:
        return None
    parts = split_front_matter(text, reader)
    if parts is None:
        return None
    front, body, offset = parts
    data = reader.yaml(front, offset)
    if data is None and reader.problems:
        return None
    if not isinstance(data, dict):
        reader.add((), f"front matter must be a YAML mapping of key: value, got {_shown(data)}", 2)
        return None
    kind = data.get("kind", "exercise")
    if kind == "exercise":
        return _exercise(path, data, body, reader)
    if kind == "narration":
        return _narration(path, data, body, reader)
    reader.add(("kind",), f"must be exercise or narration in a .md file, got {_shown(kind)}")
    return None


# -- exercises ----------------------------------------------------------------------------------

EXERCISE_KEYS = ("kind", "id", "title", "lab", "practice", "scenario", "questions")
SCENARIO_KEYS = ("params", "seed", "variables", "commands")
QUESTION_KEYS = (
    "id",
    "type",
    "prompt",
    "points",
    "query",
    "goal",
    "options",
    "options_from",
    "tolerance",
    "partial",
    "explain",
)


def _exercise(path: Path, data: dict[str, Any], body: str, r: _Reader) -> Exercise | None:
    c = _Checker(r)
    c.keys(data, (), EXERCISE_KEYS)
    data.setdefault("id", path.stem)
    ex_id = c.ident(data, "id", (), ID_RE, "1 to 48 lowercase letters, digits and dashes")
    r.item_id = ex_id
    title = c.text(data, "title", (), required=True)
    practice = c.boolean(data, "practice", (), True)
    lab_slug = data.get("lab")
    if lab_slug is None:
        r.add(("lab",), "is required")
    elif lab_slug not in LABS:
        r.add(("lab",), f"must be one of {', '.join(LABS.slugs())}, got {_shown(lab_slug)}")
        lab_slug = None

    # the scenario
    scen = c.mapping(data.get("scenario"), ("scenario",)) if "scenario" in data else None
    if "scenario" not in data:
        r.add(("scenario",), "is required (params, seed, commands)")
    seed: int | None = None
    params: dict[str, Any] = {}
    commands: list[dict[str, Any]] = []
    variables: list[Variable] = []
    if scen is not None:
        c.keys(scen, ("scenario",), SCENARIO_KEYS)
        raw_seed = scen.get("seed")
        if raw_seed == PER_STUDENT:
            seed = None
        elif isinstance(raw_seed, int) and not isinstance(raw_seed, bool) and 0 <= raw_seed < 2**63:
            seed = raw_seed
        else:
            r.add(
                ("scenario", "seed"),
                f'must be an integer from 0 to 2**63-1 or "{PER_STUDENT}", got {_shown(raw_seed)}',
            )
        params = c.mapping(scen.get("params", {}), ("scenario", "params")) or {}
        variables = _variables(scen.get("variables", {}), c)
        raw_commands = scen.get("commands", [])
        if not isinstance(raw_commands, list) or len(raw_commands) > MAX_SETUP_COMMANDS:
            r.add(
                ("scenario", "commands"),
                f"must be a list of at most {MAX_SETUP_COMMANDS} commands, got {_shown(raw_commands)}",
            )
        else:
            for i, command in enumerate(raw_commands):
                where: Path_ = ("scenario", "commands", i)
                if not isinstance(command, dict):
                    r.add(
                        where,
                        f"must be a command like {{action: add_node, name: E}}, got {_shown(command)}",
                    )
                elif "tick" in command:
                    if set(command) != {"tick"}:
                        r.add(where, "a tick entry must only have the key tick")
                    elif not (
                        isinstance(command["tick"], int)
                        and not isinstance(command["tick"], bool)
                        and 1 <= command["tick"] <= MAX_TICKS
                    ):
                        r.add(
                            (*where, "tick"),
                            f"must be an integer between 1 and {MAX_TICKS}, got {_shown(command['tick'])}",
                        )
                    else:
                        commands.append(command)
                elif not isinstance(command.get("action"), str):
                    r.add(
                        (*where, "action"),
                        f"is required and must name a command, got {_shown(command.get('action'))}",
                    )
                else:
                    commands.append(command)
    names = {v.name for v in variables}

    # the questions
    questions: list[Question] = []
    numbered: list[tuple[int, Question]] = []  # (index in the file, question)
    raw_questions = data.get("questions")
    if raw_questions is None:
        r.add(("questions",), "is required: a list of questions")
    elif not isinstance(raw_questions, list) or not 1 <= len(raw_questions) <= MAX_QUESTIONS:
        r.add(
            ("questions",),
            f"must be a list of 1 to {MAX_QUESTIONS} questions, got {_shown(raw_questions)}",
        )
    else:
        seen: set[str] = set()
        for i, raw in enumerate(raw_questions):
            q = _question(raw, ("questions", i), lab_slug, c)
            if q is None:
                continue
            if q.id in seen:
                r.add(("questions", i, "id"), f"duplicate question id {q.id!r}")
                continue
            seen.add(q.id)
            questions.append(q)
            numbered.append((i, q))

    # variables referenced but not declared
    for where, value in (
        (("scenario", "params"), params),
        (("scenario", "commands"), commands),
        *(
            (("questions", i), raw)
            for i, raw in enumerate(raw_questions or [])
            if isinstance(raw, dict)
        ),
    ):
        for ref in _references(value):
            if ref not in names:
                r.add(
                    where,
                    f"uses ${ref}, which is not a declared variable (declared: {', '.join(sorted(names)) or 'none'})",
                )
    for where, text in (
        ((), body),
        *((("questions", i, "prompt"), q.prompt) for i, q in enumerate(questions)),
    ):
        for m in markup.PLACEHOLDER.finditer(text):
            if m.group(1) not in names:
                r.add(where, f"uses {{{{ {m.group(1)} }}}}, which is not a declared variable")

    # Run the engine as far as the file allows, so that one pass reports every
    # problem: the scenario when it is well-formed, then each well-formed question.
    # A broken title or question never hides a refused parameter or query.
    if lab_slug is None or scen is None:
        return None
    scenario_ok = not any(p.key.startswith("scenario") for p in r.problems)
    runnable = [
        q
        for i, q in numbered
        if not any(
            p.key == f"questions[{i}]" or p.key.startswith(f"questions[{i}].") for p in r.problems
        )
    ]
    digest = hashlib.sha256(
        json.dumps([data, body], sort_keys=True, default=str).encode()
    ).hexdigest()[:16]
    exercise = Exercise(
        ex_id or path.stem,
        title or "",
        lab_slug,
        r.file,
        body,
        seed,
        params,
        tuple(commands),
        tuple(variables),
        tuple(runnable),
        practice,
        digest,
    )
    _check_by_running(exercise, r, scenario_ok, {q.id: i for i, q in numbered})
    if r.problems or ex_id is None or title is None:
        return None
    return exercise


def _variables(raw: Any, c: _Checker) -> list[Variable]:
    r = c.r
    base: Path_ = ("scenario", "variables")
    if raw is None:
        return []
    if not isinstance(raw, dict) or len(raw) > MAX_VARIABLES:
        r.add(base, f"must be a mapping of at most {MAX_VARIABLES} name: spec entries")
        return []
    out: list[Variable] = []
    for name, spec in raw.items():
        path: Path_ = (*base, str(name))
        if not isinstance(name, str) or not VAR_RE.match(name):
            r.add(path, "a variable name must be letters, digits and _ (not starting with a digit)")
            continue
        if not isinstance(spec, dict):
            r.add(path, f"must be {{int: [lo, hi]}} or {{choice: [...]}}, got {_shown(spec)}")
            continue
        c.keys(spec, path, ("int", "choice", "format"))
        fmt = spec.get("format")
        if fmt is not None and (not isinstance(fmt, str) or fmt.count("{}") != 1 or len(fmt) > 80):
            r.add(
                (*path, "format"),
                f"must be a text with one {{}} where the value goes, got {_shown(fmt)}",
            )
            fmt = None
        if ("int" in spec) == ("choice" in spec):
            r.add(path, "must have exactly one of int: [lo, hi] or choice: [...]")
            continue
        if "int" in spec:
            bounds = spec["int"]
            if (
                not isinstance(bounds, list)
                or len(bounds) != 2
                or not all(isinstance(b, int) and not isinstance(b, bool) for b in bounds)
                or not -(10**9) <= bounds[0] <= bounds[1] <= 10**9
            ):
                r.add(
                    (*path, "int"),
                    f"must be [lo, hi], two integers with lo <= hi, got {_shown(bounds)}",
                )
                continue
            out.append(Variable(name, "int", bounds[0], bounds[1], format=fmt))
        else:
            choices = spec["choice"]
            if (
                not isinstance(choices, list)
                or not 1 <= len(choices) <= 1000
                or not all(
                    isinstance(x, str | int | float) and not isinstance(x, bool) for x in choices
                )
            ):
                r.add(
                    (*path, "choice"),
                    f"must be a list of 1 to 1000 texts or numbers, got {_shown(choices)}",
                )
                continue
            out.append(Variable(name, "choice", choices=tuple(choices), format=fmt))
    return out


def _question(raw: Any, path: Path_, lab: str | None, c: _Checker) -> Question | None:
    r = c.r
    if not isinstance(raw, dict):
        r.add(path, f"must be a mapping (id, type, prompt, query...), got {_shown(raw)}")
        return None
    c.keys(raw, path, QUESTION_KEYS)
    qid = c.ident(raw, "id", path, QID_RE, "1 to 32 letters, digits, _ and -")
    qtype = raw.get("type")
    if qtype not in QUESTION_TYPES:
        r.add((*path, "type"), f"must be one of {', '.join(QUESTION_TYPES)}, got {_shown(qtype)}")
        qtype = None
    prompt = c.text(raw, "prompt", path, required=True, limit=4000)
    points = c.number(raw, "points", path, 0, 1000, 1)
    explain = c.text(raw, "explain", path, required=False, limit=4000) or ""
    query = goal = options_from = None
    options: tuple[Any, ...] | None = None
    tolerance, relative = 0.0, False
    if qtype == "construct":
        for key in ("query", "options", "options_from", "tolerance", "partial"):
            if key in raw:
                r.add((*path, key), "does not apply to a construct task (it has a goal)")
        if "goal" not in raw:
            r.add((*path, "goal"), "is required for a construct task")
        else:
            goal = c.ref(raw["goal"], (*path, "goal"))
            if goal is not None and lab is not None:
                known = goals_of(lab)
                if goal.name not in known:
                    r.add(
                        (*path, "goal", "name"),
                        f"must be a goal of {lab} ({', '.join(known) or 'none declared'}), got {goal.name!r}",
                    )
                    goal = None
    elif qtype is not None:
        if "goal" in raw:
            r.add((*path, "goal"), "only applies to construct tasks")
        if "query" not in raw:
            r.add((*path, "query"), "is required: the query the lab answers")
        else:
            query = c.ref(raw["query"], (*path, "query"))
        if query is not None and lab is not None:
            known_q = queries_of(lab)
            if query.name not in known_q:
                r.add(
                    (*path, "query", "name"),
                    f"must be a query of {lab} ({', '.join(known_q) or 'none declared'}), got {query.name!r}",
                )
                query = None
            elif known_q[query.name].answer not in QUESTION_TYPES[qtype]:
                kind = known_q[query.name].answer
                fits = [t for t, kinds in QUESTION_TYPES.items() if kind in kinds]
                r.add(
                    (*path, "type"),
                    f"{qtype} does not fit query {query.name}, which answers a {kind} (use type {' or '.join(fits)})",
                )
                query = None
        if qtype == "numeric":
            for key in ("options", "options_from", "partial"):
                if key in raw:
                    r.add((*path, key), "does not apply to a numeric question")
            tol = raw.get("tolerance", 0)
            m = PERCENT_RE.match(tol) if isinstance(tol, str) else None
            if m:
                tolerance, relative = float(m.group(1)) / 100, True
            elif (
                isinstance(tol, int | float)
                and not isinstance(tol, bool)
                and math.isfinite(tol)
                and tol >= 0
            ):
                tolerance = float(tol)
            else:
                r.add(
                    (*path, "tolerance"),
                    f"must be a number >= 0 or a percentage like '2%', got {_shown(tol)}",
                )
        else:
            if "tolerance" in raw:
                r.add((*path, "tolerance"), "only applies to numeric questions")
            if "partial" in raw and qtype != "multiple":
                r.add((*path, "partial"), "only applies to multiple-choice questions")
            if "options" in raw and "options_from" in raw:
                r.add((*path, "options"), "give options or options_from, not both")
            elif "options" in raw:
                opts = raw["options"]
                if (
                    not isinstance(opts, list)
                    or not 2 <= len(opts) <= MAX_OPTIONS
                    or not all(
                        isinstance(o, str | int | float) and not isinstance(o, bool) for o in opts
                    )
                ):
                    r.add(
                        (*path, "options"),
                        f"must be a list of 2 to {MAX_OPTIONS} texts or numbers, got {_shown(opts)}",
                    )
                else:
                    options = tuple(opts)
            elif "options_from" in raw:
                options_from = c.ref(raw["options_from"], (*path, "options_from"))
                if options_from is not None and lab is not None:
                    known_o = options_of(lab)
                    if options_from.name not in known_o:
                        r.add(
                            (*path, "options_from", "name"),
                            f"must be an option generator of {lab} ({', '.join(known_o) or 'none'}), got {options_from.name!r}",
                        )
                        options_from = None
            elif query is not None and lab is not None:
                q = queries_of(lab)[query.name]
                if q.options is None and q.answer != "bool":
                    r.add(
                        (*path, "options"),
                        f"are required: query {query.name} declares no options (give options or options_from)",
                    )
    partial = c.boolean(raw, "partial", path, False)
    if qid is None or qtype is None or prompt is None or points is None:
        return None
    return Question(
        qid,
        qtype,
        prompt,
        points,
        query,
        goal,
        options,
        options_from,
        tolerance,
        relative,
        partial,
        explain,
    )


# -- running the exercise for several variants ---------------------------------------------------


def resolve_options(
    exercise: Exercise, question: Question, ctx: Context, variant: Variant
) -> list[str]:
    """The options a student chooses from, for this variant (as texts)."""
    lab = exercise.lab
    if question.options is not None:
        return [str(o) for o in substitute(list(question.options), variant.values)]
    if question.query is not None and exercise.kind_of(question) == "bool":
        return list(BOOL_OPTIONS)
    gen_ref = question.options_from
    args: dict[str, Any]
    if gen_ref is not None:
        gen = options_of(lab)[gen_ref.name]
        args = check_args(
            "options_from.args", gen.args, substitute(dict(gen_ref.args), variant.values)
        )
    else:
        assert question.query is not None
        declared = queries_of(lab)[question.query.name]
        gen = options_of(lab)[declared.options or ""]
        query_args = substitute(dict(question.query.args), variant.values)
        args = check_args(
            "options", gen.args, {k: v for k, v in query_args.items() if k in gen.args}
        )
    try:
        return [str(o) for o in gen.fn(ctx, **args)]
    except (CommandError, KeyError, ValueError, IndexError, QueryError) as err:
        raise QueryError(str(err)) from err


def answer_query(exercise: Exercise, question: Question, ctx: Context, variant: Variant) -> Answer:
    """Run the question's query for this variant (raises CommandError / QueryError)."""
    assert question.query is not None
    declared = queries_of(exercise.lab)[question.query.name]
    args = check_args(
        "query.args", declared.args, substitute(dict(question.query.args), variant.values)
    )
    answer = declared.run(ctx, args)
    value = answer.value
    if declared.answer == "number":
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise QueryError(f"the query gave {value!r}, not a number")
    elif declared.answer == "bool":
        value = "yes" if value else "no"
    elif declared.answer in ("choices", "pick"):
        value = sorted(str(v) for v in value)
    else:
        value = str(value)
    return Answer(value, answer.step, answer.commands, answer.why, answer.lab_params)


def _params_problems(exercise: Exercise, variant: Variant) -> list[CommandError]:
    """Every refused parameter, not only the first one the engine stops at.

    The engine stops at the first; that parameter is then left at its default and the
    rest checked again, until the engine accepts them (each refusal is one the given
    values cause, never one of a parameter checked alone against the defaults).
    """
    params_class = LABS[exercise.lab].engine_class().Params
    given = substitute(dict(exercise.params), variant.values)
    found: list[CommandError] = []
    for _ in range(len(given) + 1):
        try:
            params_class.from_dict(given)
            break
        except CommandError as err:
            found.append(err)
            key = str(err.value) if err.field == "params" else err.field
            if key not in given:
                break
            del given[key]
    return found


def _run_setup(exercise: Exercise, scenario: Scenario, r: _Reader, label: str) -> Timeline | None:
    """Run the set-up; report every refused command (skipping it), None if any was."""
    lab = LABS[exercise.lab]
    timeline = Timeline(
        lab.engine_class(), lab.slug, scenario.params, scenario.seed, lab.checkpoint_every
    )
    ok = True
    for i, command in enumerate(scenario.commands):
        where: Path_ = ("scenario", "commands", i)
        if "tick" in command:
            for _ in range(int(command["tick"])):
                if timeline.forward() is None:
                    r.add(
                        (*where, "tick"),
                        f"is more ticks than the engine runs (idle after step "
                        f"{timeline.position}){label}",
                    )
                    ok = False
                    break
            continue
        try:
            timeline.act(command)
        except CommandError as err:
            # Later commands still run (without this one), so their problems show too.
            r.add(_field_path(where, err.field), f"{_rule(err)}{label}")
            ok = False
    return timeline if ok else None


def _check_args_only(exercise: Exercise, r: _Reader, numbers: Mapping[str, int]) -> None:
    """Without a runnable scenario, still check each question's arguments."""
    values = check_variants(exercise)[0].values
    for q in exercise.questions:
        base: Path_ = ("questions", numbers.get(q.id, 0))
        try:
            if q.goal is not None:
                declared = goals_of(exercise.lab)[q.goal.name].args
                check_args("goal.args", declared, substitute(dict(q.goal.args), values))
            elif q.query is not None:
                declared = queries_of(exercise.lab)[q.query.name].args
                check_args("query.args", declared, substitute(dict(q.query.args), values))
        except CommandError as err:
            r.add(_field_path(base, err.field), _rule(err))


def _check_by_running(
    exercise: Exercise, r: _Reader, scenario_ok: bool, numbers: Mapping[str, int]
) -> None:
    if not scenario_ok:
        _check_args_only(exercise, r, numbers)
        return
    for variant in check_variants(exercise):
        label = f" (variant seed {variant.seed})" if exercise.per_student else ""
        refused = _params_problems(exercise, variant)
        for err in refused:
            field = err.field if err.field != "params" else str(err.value)
            r.add(_field_path(("scenario", "params"), field), f"{_rule(err)}{label}")
        if refused:
            _check_args_only(exercise, r, numbers)
            return
        scenario = exercise.scenario(variant)
        timeline = _run_setup(exercise, scenario, r, label)
        if timeline is None:
            _check_args_only(exercise, r, numbers)
            return
        ctx = Context(timeline)
        for q in exercise.questions:
            base: Path_ = ("questions", numbers.get(q.id, 0))
            try:
                if q.goal is not None:
                    goal = goals_of(exercise.lab)[q.goal.name]
                    check_args(
                        "goal.args", goal.args, substitute(dict(q.goal.args), variant.values)
                    )
                    continue
                answer = answer_query(exercise, q, ctx, variant)
                if q.type == "numeric":
                    continue
                opts = resolve_options(exercise, q, ctx, variant)
                if len(opts) != len(set(opts)):
                    r.add((*base, "options"), f"must not repeat an option, got {opts[:10]}{label}")
                if len(opts) < 2 and q.type != "pick":
                    r.add((*base, "options"), f"must give at least 2 options, got {opts}{label}")
                expected = answer.value if isinstance(answer.value, list) else [answer.value]
                missing = [e for e in expected if e not in opts]
                if q.type == "pick" and len(missing) < len(expected):
                    continue
                if missing:
                    r.add(
                        (*base, "options"),
                        f"must include the answer {', '.join(missing)} (options: {', '.join(opts[:12])}){label}",
                    )
            except CommandError as err:
                r.add(_field_path(base, err.field), f"{_rule(err)}{label}")
            except QueryError as err:
                what = q.query.name if q.query else q.goal.name if q.goal else "?"
                r.add(base, f"{what} cannot be answered for this scenario: {err}{label}")


# -- narrations ------------------------------------------------------------------------------------

NARRATION_KEYS = ("kind", "id", "title", "lab", "params", "seed", "steps")


def _narration(path: Path, data: dict[str, Any], body: str, r: _Reader) -> Narration | None:
    c = _Checker(r)
    c.keys(data, (), NARRATION_KEYS)
    data.setdefault("id", path.stem)
    nid = c.ident(data, "id", (), ID_RE, "1 to 48 lowercase letters, digits and dashes")
    title = c.text(data, "title", (), required=True)
    lab_slug = data.get("lab")
    if lab_slug not in LABS:
        r.add(("lab",), f"must be one of {', '.join(LABS.slugs())}, got {_shown(lab_slug)}")
        return None
    seed = c.integer(data, "seed", (), 0, 2**63 - 1, None)
    if "seed" not in data:
        r.add(("seed",), "is required")
    params = c.mapping(data.get("params", {}), ("params",)) or {}
    steps = data.get("steps")
    if not isinstance(steps, list) or not steps:
        r.add(
            ("steps",),
            "is required: a list of {do: command} or {tick: n}, each with an optional caption",
        )
        return None
    # The steps are run even when the id, title or seed has a problem (seed 0 stands
    # in), so that one pass reports every problem of the file.
    complete = not r.problems and nid is not None and title is not None and seed is not None
    lab = LABS[lab_slug]
    try:
        timeline = Timeline(lab.engine_class(), lab.slug, params, seed or 0, lab.checkpoint_every)
    except CommandError as err:
        field = err.field if err.field != "params" else str(err.value)
        r.add(_field_path(("params",), field), _rule(err))
        return None
    captions: dict[str, str] = {}
    intro = body.strip()
    if intro:
        captions["0"] = intro
    for i, step in enumerate(steps):
        where: Path_ = ("steps", i)
        if not isinstance(step, dict):
            r.add(
                where,
                f"must be a mapping like {{do: {{action: add_node}}, caption: ...}}, got {_shown(step)}",
            )
            continue
        c.keys(step, where, ("do", "tick", "caption"))
        if "do" in step and "tick" in step:
            r.add(where, "give do or tick, not both")
            continue
        try:
            if "do" in step:
                command = c.mapping(step["do"], (*where, "do"), "a command mapping with an action")
                if command is None:
                    continue
                timeline.act(command)
            elif "tick" in step:
                ticks = c.integer(step, "tick", where, 1, MAX_TICKS, None)
                for _ in range(ticks or 0):
                    if timeline.forward() is None:
                        r.add(
                            (*where, "tick"),
                            f"is more ticks than the engine runs (idle after step {timeline.position})",
                        )
                        break
        except CommandError as err:
            r.add(_field_path((*where, "do"), err.field), _rule(err))
            continue
        caption = step.get("caption")
        if caption is not None:
            if not isinstance(caption, str) or len(caption) > 2000:
                r.add((*where, "caption"), "must be a text of at most 2000 characters")
            else:
                captions[str(timeline.position)] = caption.strip()
    if r.problems or not complete or nid is None or title is None:
        return None
    return Narration(nid, title, lab_slug, r.file, timeline.recording(), captions)


# -- quizzes -----------------------------------------------------------------------------------------

QUIZ_KEYS = (
    "kind",
    "id",
    "title",
    "description",
    "opens",
    "closes",
    "attempts",
    "time_limit",
    "reveal",
    "instructors",
    "instructor_groups",
    "exercises",
    "course",
)


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


def _load_quiz_file(
    path: Path, r: _Reader, exercises: Mapping[str, Exercise], invalid: set[str]
) -> QuizSpec | None:
    text = _read(path, r)
    if text is None:
        return None
    data = r.yaml(text, 0)
    if data is None and r.problems:
        return None
    if not isinstance(data, dict):
        r.add((), f"must be a YAML mapping of key: value, got {_shown(data)}", 1)
        return None
    c = _Checker(r)
    c.keys(data, (), QUIZ_KEYS)
    if data.get("kind", "quiz") != "quiz":
        r.add(("kind",), f"must be quiz in a .yaml file, got {_shown(data.get('kind'))}")
    data.setdefault("id", path.stem)
    qid = c.ident(data, "id", (), ID_RE, "1 to 48 lowercase letters, digits and dashes")
    if qid in RESERVED_QUIZ_IDS:
        r.add(
            ("id",),
            f"must not be one of the reserved ids {', '.join(sorted(RESERVED_QUIZ_IDS))} "
            f"(they name public seed spaces), got {qid!r}",
        )
        qid = None
    title = c.text(data, "title", (), required=True)
    description = c.text(data, "description", (), required=False, limit=20_000) or ""
    when: dict[str, datetime | None] = {}
    for key in ("opens", "closes"):
        try:
            when[key] = parse_when(data.get(key))
        except ValueError:
            r.add(
                (key,),
                f"must be a date and time like 2025-03-01T09:00:00Z, got {_shown(data.get(key))}",
            )
            when[key] = None
    if when["opens"] and when["closes"] and when["closes"] <= when["opens"]:
        r.add(
            ("closes",),
            f"must be after opens ({when['opens'].isoformat()}), got {when['closes'].isoformat()}",
        )
    attempts = c.integer(data, "attempts", (), 1, 100, 1)
    time_limit = c.integer(data, "time_limit", (), 1, 24 * 60, None)
    reveal = data.get("reveal", REVEAL[0])
    if reveal not in REVEAL:
        r.add(("reveal",), f"must be one of {', '.join(REVEAL)}, got {_shown(reveal)}")
    people: dict[str, tuple[str, ...]] = {}
    for key in ("instructors", "instructor_groups"):
        value = data.get(key, [])
        if value is None:
            value = []
        if not isinstance(value, list) or not all(
            isinstance(v, str) and 0 < len(v) <= 150 for v in value
        ):
            r.add((key,), f"must be a list of names, got {_shown(value)}")
            value = []
        people[key] = tuple(value)
    entries: list[QuizEntry] = []
    raw = data.get("exercises")
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_QUESTIONS:
        r.add(
            ("exercises",),
            f"is required: a list of 1 to {MAX_QUESTIONS} {{exercise: id, points: n}} entries",
        )
        raw = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        where: Path_ = ("exercises", i)
        if isinstance(item, str):
            item = {"exercise": item}
        if not isinstance(item, dict):
            r.add(where, f"must be {{exercise: id, points: n}}, got {_shown(item)}")
            continue
        c.keys(item, where, ("exercise", "points"))
        ex_id = item.get("exercise")
        points = c.number(item, "points", where, 0, 10_000, 1) if "points" in item else None
        if not isinstance(ex_id, str):
            r.add((*where, "exercise"), f"is required: the id of an exercise, got {_shown(ex_id)}")
            continue
        if ex_id in seen:
            r.add((*where, "exercise"), f"lists {ex_id!r} twice")
            continue
        seen.add(ex_id)
        exercise = exercises.get(ex_id)
        if exercise is None:
            why = "has problems (see above)" if ex_id in invalid else "does not exist"
            r.add((*where, "exercise"), f"exercise {ex_id!r} {why}")
            continue
        if exercise.practice and not exercise.per_student:
            r.add(
                (*where, "exercise"),
                f"exercise {ex_id!r} is a practice exercise with a fixed seed, so its answers "
                "are public: set practice: false or seed: per student",
            )
            continue
        entries.append(QuizEntry(ex_id, points))
    course = data.get("course", "")
    if course is None:
        course = ""
    if not isinstance(course, str) or (course and not ID_RE.match(course)):
        r.add(
            ("course",),
            f"must be a course id (lowercase letters, digits, dashes), got {_shown(course)}",
        )
        course = ""
    if r.problems or qid is None or title is None or attempts is None:
        return None
    return QuizSpec(
        qid,
        title,
        r.file,
        description,
        when["opens"],
        when["closes"],
        attempts,
        time_limit,
        str(reveal),
        people["instructors"],
        people["instructor_groups"],
        tuple(entries),
        course,
    )


# -- the installed content, reloaded when a file changes -------------------------------------------

_lock = threading.Lock()
_cache: tuple[tuple[Any, ...], ContentSet] | None = None


def content_dirs() -> list[Path]:
    return [Path(p) for p in settings.PAPERLABS_CONTENT_DIRS]


def _signature(paths: Sequence[Path]) -> tuple[Any, ...]:
    out: list[Any] = [tuple(str(p) for p in paths)]
    for path in content_files(paths):
        try:
            st = path.stat()
        except OSError:
            continue
        out.append((str(path), st.st_mtime_ns, st.st_size))
    return tuple(out)


logger = logging.getLogger("paperlabs.content")


def installed() -> ContentSet:
    """The content of the configured folders; reloaded when any file changes.

    Each (re)load logs every problem as a warning: a file with problems is left out,
    and the server's log and the admin (Quizzes › Content files) say which and why.
    """
    global _cache
    paths = content_dirs()
    signature = _signature(paths)
    with _lock:
        if _cache is None or _cache[0] != signature:
            loaded = load(paths)
            _cache = (signature, loaded)
            for problem in loaded.problems:
                logger.warning("content file not served: %s", problem)
            if loaded.invalid:
                logger.warning(
                    "%d of %d content files have problems and are not served "
                    "(python manage.py check_exercises lists them)",
                    len(loaded.invalid),
                    len(loaded.files),
                )
        return _cache[1]


def exercise(exercise_id: str) -> Exercise | None:
    return installed().exercises.get(exercise_id)


__all__ = [
    "ANSWER_KINDS",
    "BOOL_OPTIONS",
    "PER_STUDENT",
    "RESERVED_QUIZ_IDS",
    "ContentSet",
    "Exercise",
    "Narration",
    "Problem",
    "Question",
    "QuizEntry",
    "QuizSpec",
    "Scenario",
    "Variant",
    "answer_query",
    "check_variants",
    "installed",
    "load",
    "parse_when",
    "practice_variant_seed",
    "quiz_variant_seed",
    "resolve_options",
    "substitute",
    "variant_seed",
]
