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
    sockets = models.IntegerField(default=0)

    def __str__(self) -> str:
        return self.name


class Poll(models.Model):
    """A question put to the class at one step: multiple choice, one answer each."""

    session = models.ForeignKey(ClassSession, on_delete=models.CASCADE, related_name="polls")
    number = models.PositiveIntegerField()
    prompt = models.CharField(max_length=PROMPT_MAX)
    options = models.JSONField(default=list)
    correct = models.IntegerField(null=True, blank=True)
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

    def to_json(self, counts: list[int] | None = None, for_instructor: bool = False) -> dict:
        data: dict[str, Any] = {
            "id": self.pk,
            "number": self.number,
            "prompt": self.prompt,
            "options": self.options,
            "step": self.step,
            "open": self.closed is None,
            "revealed": self.revealed,
        }
        if self.revealed or for_instructor:
            data["correct"] = self.correct
            data["explanation"] = self.explanation
        if counts is not None and (self.revealed or for_instructor):
            data["counts"] = counts
        return data


class Answer(models.Model):
    """A student's answer, stored before it is acknowledged; one per student and poll."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="answers")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE)
    choice = models.PositiveSmallIntegerField()
    at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "participant"], name="one_answer_each")
        ]
