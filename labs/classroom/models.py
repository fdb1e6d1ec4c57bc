"""A live classroom session: the instructor's recording, its frames, polls and answers.

Everything a process needs to serve a session lives here, so any Daphne process behind
the proxy can serve any student: the recording and position of the live lab, the last
frame sent with its sequence number, the polls and every acknowledged answer.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

# No 0/O, 1/I/L: codes are read off a projector and typed on phones.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
"""31**10 ≈ 8e14 codes: at the join form's rate limit, guessing one takes centuries."""
DISPLAY_NAME_MAX = 40
MAX_OPTIONS = 8
"""A quick poll's options ("what happens next?")."""
MAX_QUESTION_OPTIONS = 40
"""An exercise question's options in a poll (a pick question offers the diagram's
elements: every node, say)."""
OPTION_MAX = 200
PROMPT_MAX = 500


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def default_expiry() -> Any:
    return timezone.now() + timedelta(hours=settings.PAPERLABS_CLASSROOM_HOURS)


class ClassSession(models.Model):
    """One lecture's live lab. ``seq`` numbers the frames sent to the class."""

    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    lab = models.CharField(max_length=64)
    title = models.CharField(max_length=200, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    replay = models.CharField(max_length=64, blank=True)
    captions = models.JSONField(default=dict, blank=True)
    recording = models.JSONField(default=dict)
    position = models.PositiveIntegerField(default=0)
    seq = models.PositiveBigIntegerField(default=0)
    frame = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField(default=default_expiry)
    ended = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.title or self.lab} ({self.code})"

    @property
    def is_live(self) -> bool:
        return self.ended is None and self.expires > timezone.now()

    @classmethod
    def live(cls) -> models.QuerySet[ClassSession]:
        return cls.objects.filter(ended__isnull=True, expires__gt=timezone.now())


class Participant(models.Model):
    """A student in a session: signed in, or known by a display name and their cookie."""

    session = models.ForeignKey(ClassSession, on_delete=models.CASCADE, related_name="students")
    name = models.CharField(max_length=DISPLAY_NAME_MAX)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    joined = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Presence(models.Model):
    """A student connected to one server process, as that process last said.

    Each process refreshes ``seen`` on its rows every heartbeat
    (labs/classroom/fanout.py); the connected count takes rows seen within the time to
    live, so the students of a process that was killed drop out of it on their own.
    """

    session = models.ForeignKey(ClassSession, on_delete=models.CASCADE, related_name="present")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE)
    process = models.CharField(max_length=32)
    seen = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "process"], name="one_presence_each")
        ]


POLL_KINDS = ("single", "multiple", "numeric", "pick", "construct")


class Poll(models.Model):
    """A question put to the class at one step, one answer each.

    ``kind`` is the exercise question type it asks as (docs/exercises.md): ``single``
    (one option; ``correct`` is its index), ``multiple`` (any options; ``expected`` is
    the list of right indexes), ``pick`` (one element; ``expected`` lists the indexes of
    which any one is right), ``numeric`` (a number; ``expected`` is
    ``{"value", "tolerance", "relative"}``), ``construct`` (a goal each student reaches
    in their own explored lab; ``expected`` is ``{"goal", "args", "text"}``, an answer
    ``{"done", "message", "actions"}`` as the lab's goal predicate judged it).
    """

    session = models.ForeignKey(ClassSession, on_delete=models.CASCADE, related_name="polls")
    number = models.PositiveIntegerField()
    prompt = models.CharField(max_length=PROMPT_MAX)
    kind = models.CharField(max_length=16, default="single")
    options = models.JSONField(default=list, blank=True)
    correct = models.IntegerField(null=True, blank=True)
    expected = models.JSONField(null=True, blank=True)
    explanation = models.TextField(blank=True)
    step = models.PositiveIntegerField(default=0)
    opened = models.DateTimeField(auto_now_add=True)
    closed = models.DateTimeField(null=True, blank=True)
    revealed = models.BooleanField(default=False)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["session", "number"], name="one_poll_number")
        ]

    def right_answer(self) -> Any:
        """What is right, in the answers' own form (None: nothing is)."""
        if self.kind == "single":
            return self.correct
        return self.expected

    def is_right(self, value: Any) -> bool | None:
        """Whether an answer (as stored in ``Answer.value``) is right; None: no right answer."""
        right = self.right_answer()
        if right is None or value is None:
            return None
        if self.kind == "single":
            return bool(value == right)
        if self.kind == "construct":
            return bool(value.get("done")) if isinstance(value, dict) else False
        if self.kind == "pick":
            return value in right
        if self.kind == "multiple":
            return sorted(value) == sorted(right)
        want = float(right["value"])
        tolerance = float(right.get("tolerance", 0))
        if right.get("relative"):
            tolerance *= abs(want)
        return abs(float(value) - want) <= tolerance + 1e-9 * max(1.0, abs(want))

    def shown(self, value: Any) -> str:
        """An answer as the class reads it: option texts, or the number."""
        if value is None:
            return ""
        if self.kind == "numeric":
            return f"{float(value):.6g}"
        if self.kind == "construct":
            if not isinstance(value, dict):
                return ""
            verdict = "goal reached" if value.get("done") else "not yet"
            n = value.get("actions", 0)
            return f"{verdict} ({n} action{'' if n == 1 else 's'}): {value.get('message', '')}"
        picked = value if isinstance(value, list) else [value]
        return "; ".join(self.options[i] for i in picked if 0 <= i < len(self.options))

    def to_json(self, summary: dict[str, Any] | None = None, for_instructor: bool = False) -> dict:
        data: dict[str, Any] = {
            "id": self.pk,
            "number": self.number,
            "kind": self.kind,
            "prompt": self.prompt,
            "options": self.options,
            "step": self.step,
            "open": self.closed is None,
            "revealed": self.revealed,
        }
        if self.revealed or for_instructor:
            data["correct"] = self.correct
            data["expected"] = self.expected
            data["answer_text"] = self.answer_text()
            data["explanation"] = self.explanation
        if summary is not None and (self.revealed or for_instructor):
            data.update(summary)
        return data

    def answer_text(self) -> str:
        """The right answer in words, for the reveal."""
        right = self.right_answer()
        if right is None:
            return ""
        if self.kind == "construct":
            return f"goal: {right.get('text', '')}"
        if self.kind == "numeric":
            text = f"{float(right['value']):.6g}"
            tolerance = float(right.get("tolerance", 0))
            if tolerance:
                text += (
                    f" (within {tolerance * 100:g}%)"
                    if right.get("relative")
                    else (f" (within {tolerance:g})")
                )
            return text
        if self.kind == "pick":
            return " or ".join(self.options[i] for i in right if 0 <= i < len(self.options))
        if self.kind == "multiple":
            return self.shown(right) or "none of the options"
        return self.shown(right)


class Answer(models.Model):
    """A student's answer, stored before it is acknowledged; one per student and poll."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="answers")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE)
    # The option's index for single and pick polls (the histogram counts by it).
    choice = models.PositiveSmallIntegerField(null=True, blank=True)
    # Every kind: an index, a sorted list of indexes (multiple) or a number (numeric).
    value = models.JSONField(null=True)
    at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "participant"], name="one_answer_each")
        ]
