"""Quizzes, their items and students' attempts.

A quiz comes from a file in the content folders (``source="file"``, refreshed by
``manage.py load_content``) or is made in the Django admin. Each item names an
exercise by id; the exercise itself always comes from its checked file.

An attempt holds the student's variant (one seed per exercise), their answers and,
once submitted, the results and score. At most one attempt per student and quiz is
open at a time, and (quiz, user, number) is unique, so a second click on *Start* or a
second *Submit* can never create or grade a second attempt.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group
from django.db import models
from django.db.models import Q
from django.utils import timezone

REVEAL_CHOICES = [
    ("after_last_attempt", "after the student's last attempt (or when the quiz closes)"),
    ("after_close", "when the quiz closes"),
    ("immediately", "right after each submission"),
    ("never", "never (only points and right/wrong)"),
]


def new_token() -> str:
    return secrets.token_urlsafe(16)


class Quiz(models.Model):
    SOURCES = [("file", "content file"), ("admin", "made in the admin")]

    slug = models.SlugField(max_length=48, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="Markdown, shown on the quiz page.")
    opens = models.DateTimeField(null=True, blank=True, help_text="Empty: open now.")
    closes = models.DateTimeField(null=True, blank=True, help_text="Empty: never closes.")
    max_attempts = models.PositiveIntegerField(default=1)
    time_limit = models.PositiveIntegerField(
        null=True, blank=True, help_text="Minutes per attempt; empty for no limit."
    )
    reveal = models.CharField(max_length=24, choices=REVEAL_CHOICES, default="after_last_attempt")
    instructors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="managed_quizzes"
    )
    instructor_groups = models.ManyToManyField(Group, blank=True, related_name="managed_quizzes")
    # A quiz file names its instructors and groups; the names are kept and matched at
    # each request, so an account (or group) created after load_content manages the
    # quiz at once.
    instructor_names = models.JSONField(
        default=list, blank=True, help_text="Usernames named by the quiz file."
    )
    instructor_group_names = models.JSONField(
        default=list, blank=True, help_text="Group names named by the quiz file."
    )
    source = models.CharField(max_length=8, choices=SOURCES, default="admin")
    source_path = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "quizzes"
        constraints = [
            models.CheckConstraint(
                condition=Q(opens__isnull=True)
                | Q(closes__isnull=True)
                | Q(closes__gt=models.F("opens")),
                name="quiz_closes_after_opens",
            ),
            models.CheckConstraint(
                condition=Q(max_attempts__gte=1), name="quiz_at_least_one_attempt"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/quizzes/{self.slug}/"

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return (self.opens is None or self.opens <= now) and (
            self.closes is None or now < self.closes
        )

    def has_closed(self, now: datetime | None = None) -> bool:
        return self.closes is not None and (now or timezone.now()) >= self.closes

    def named(self, user: AbstractBaseUser) -> bool:
        """Whether the quiz file names the user or one of the user's groups."""
        if user.get_username() in (self.instructor_names or []):
            return True
        groups = self.instructor_group_names or []
        return bool(groups) and Group.objects.filter(user=user, name__in=groups).exists()

    def can_manage(self, user: AbstractBaseUser | AnonymousUser) -> bool:
        """Superusers, the quiz's instructors and members of its instructor groups."""
        if not user.is_authenticated:
            return False
        assert isinstance(user, AbstractBaseUser)
        if getattr(user, "is_superuser", False):
            return True
        if self.instructors.filter(pk=user.pk).exists():
            return True
        if self.instructor_groups.filter(user=user).exists():
            return True
        return self.named(user)

    @classmethod
    def managed_by(cls, user: AbstractBaseUser | AnonymousUser) -> models.QuerySet[Quiz]:
        if not user.is_authenticated:
            return cls.objects.none()
        assert isinstance(user, AbstractBaseUser)
        if getattr(user, "is_superuser", False):
            return cls.objects.all()
        # Names are matched here rather than in SQL: JSON containment is not portable
        # to SQLite, and a course has a handful of quizzes.
        named = [
            q.pk
            for q in cls.objects.only("pk", "instructor_names", "instructor_group_names")
            if q.named(user)
        ]
        return cls.objects.filter(
            Q(instructors=user) | Q(instructor_groups__user=user) | Q(pk__in=named)
        ).distinct()


class QuizItem(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(default=1)
    exercise = models.CharField(max_length=48, help_text="The id of an exercise file.")
    points = models.FloatField(
        null=True, blank=True, help_text="Empty: the sum of the exercise's question points."
    )

    class Meta:
        ordering = ["quiz", "position"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "position"], name="quizitem_unique_position"),
            models.UniqueConstraint(fields=["quiz", "exercise"], name="quizitem_unique_exercise"),
            models.CheckConstraint(
                condition=Q(points__isnull=True) | Q(points__gt=0), name="quizitem_points_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quiz.slug} #{self.position}: {self.exercise}"


class Attempt(models.Model):
    OPEN, SUBMITTED, EXPIRED = "open", "submitted", "expired"
    STATUSES = [
        (OPEN, "open"),
        (SUBMITTED, "submitted"),
        (EXPIRED, "expired (graded at the deadline)"),
    ]

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=STATUSES, default=OPEN)
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    variant = models.JSONField(default=dict, help_text="exercise id: variant seed")
    started = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField(null=True, blank=True)
    submitted = models.DateTimeField(null=True, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    results = models.JSONField(default=dict, blank=True)
    score = models.FloatField(null=True, blank=True)
    max_score = models.FloatField(null=True, blank=True)
    graded = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["quiz", "user", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "user", "number"], name="attempt_unique_number"
            ),
            models.UniqueConstraint(
                fields=["quiz", "user"], condition=Q(status="open"), name="attempt_one_open"
            ),
        ]
        indexes = [models.Index(fields=["quiz", "status"])]

    def __str__(self) -> str:
        return f"{self.quiz.slug}: {self.user} attempt {self.number}"

    def get_absolute_url(self) -> str:
        return f"/attempts/{self.pk}/"

    @property
    def is_open(self) -> bool:
        return self.status == self.OPEN

    def past_deadline(self, now: datetime | None = None) -> bool:
        return self.deadline is not None and (now or timezone.now()) >= self.deadline

    def seconds_left(self, now: datetime | None = None) -> int | None:
        if self.deadline is None:
            return None
        return max(0, int((self.deadline - (now or timezone.now())).total_seconds()))

    @staticmethod
    def deadline_for(quiz: Quiz, started: datetime) -> datetime | None:
        ends: list[datetime] = []
        if quiz.time_limit:
            ends.append(started + timedelta(minutes=quiz.time_limit))
        if quiz.closes is not None:
            ends.append(quiz.closes)
        return min(ends) if ends else None

    def result_of(self, exercise: str, qid: str) -> dict[str, Any] | None:
        item = self.results.get("items", {}).get(exercise)
        if not item:
            return None
        result: dict[str, Any] | None = item.get("questions", {}).get(qid)
        return result
