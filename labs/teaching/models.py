"""Courses and their members, quizzes, their items and students' attempts.

A course has instructors, teaching assistants and students (one ``Membership`` each).
A quiz published to a course (``Quiz.course``) is seen only by the course's members,
taken only by its students, and managed (gradebook, statistics, regrade) only by its
staff. A quiz with no course keeps the older rule: any signed-in user takes it, and
the users and groups its file names manage it.

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


INSTRUCTOR, TA, STUDENT = "instructor", "ta", "student"
ROLE_CHOICES = [(INSTRUCTOR, "instructor"), (TA, "teaching assistant"), (STUDENT, "student")]
STAFF_ROLES = (INSTRUCTOR, TA)


class Course(models.Model):
    slug = models.SlugField(max_length=48, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    join_token = models.CharField(
        max_length=32, default=new_token, help_text="The secret of the course's join link."
    )
    join_open = models.BooleanField(
        default=False, help_text="Whether the join link enrols whoever follows it as a student."
    )
    # Set when the course comes from an LMS through an LTI launch.
    lti_issuer = models.CharField(max_length=255, blank=True)
    lti_deployment_id = models.CharField(max_length=255, blank=True)
    lti_context_id = models.CharField(max_length=255, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                fields=["lti_issuer", "lti_deployment_id", "lti_context_id"],
                condition=~Q(lti_context_id=""),
                name="course_unique_lti_context",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/courses/{self.slug}/"

    def role_of(self, user: AbstractBaseUser | AnonymousUser) -> str | None:
        """The user's role in the course, or None."""
        if not user.is_authenticated:
            return None
        role = self.memberships.filter(user_id=user.pk).values_list("role", flat=True).first()
        return str(role) if role else None

    def is_staff(self, user: AbstractBaseUser | AnonymousUser) -> bool:
        """Superusers, the course's instructors and teaching assistants."""
        if user.is_authenticated and getattr(user, "is_superuser", False):
            return True
        return self.role_of(user) in STAFF_ROLES

    def is_instructor(self, user: AbstractBaseUser | AnonymousUser) -> bool:
        if user.is_authenticated and getattr(user, "is_superuser", False):
            return True
        return self.role_of(user) == INSTRUCTOR

    def is_member(self, user: AbstractBaseUser | AnonymousUser) -> bool:
        return self.is_staff(user) or self.role_of(user) is not None

    @classmethod
    def of_user(cls, user: AbstractBaseUser | AnonymousUser) -> models.QuerySet[Course]:
        if not user.is_authenticated:
            return cls.objects.none()
        if getattr(user, "is_superuser", False):
            return cls.objects.all()
        return cls.objects.filter(memberships__user_id=user.pk).distinct()


class Membership(models.Model):
    SOURCES = [
        ("site", "added on the site or in the admin"),
        ("csv", "CSV upload"),
        ("join", "join link"),
        ("lti", "LTI launch"),
        ("file", "named by a quiz file"),
    ]

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=12, choices=ROLE_CHOICES, default=STUDENT)
    source = models.CharField(max_length=8, choices=SOURCES, default="site")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course", "role", "user"]
        constraints = [
            models.UniqueConstraint(fields=["course", "user"], name="membership_unique_user")
        ]

    def __str__(self) -> str:
        return f"{self.course.slug}: {self.user} ({self.role})"


class CourseExercise(models.Model):
    """A practice exercise published to a course, listed for its members between two times."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="exercises")
    exercise = models.CharField(max_length=48, help_text="The id of an exercise file.")
    opens = models.DateTimeField(null=True, blank=True, help_text="Empty: open now.")
    closes = models.DateTimeField(null=True, blank=True, help_text="Empty: never closes.")

    class Meta:
        ordering = ["course", "opens", "exercise"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "exercise"], name="courseexercise_unique_exercise"
            ),
            models.CheckConstraint(
                condition=Q(opens__isnull=True)
                | Q(closes__isnull=True)
                | Q(closes__gt=models.F("opens")),
                name="courseexercise_closes_after_opens",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course.slug}: {self.exercise}"

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return (self.opens is None or self.opens <= now) and (
            self.closes is None or now < self.closes
        )


class Quiz(models.Model):
    SOURCES = [("file", "content file"), ("admin", "made in the admin")]

    slug = models.SlugField(max_length=48, unique=True)
    title = models.CharField(max_length=200)
    course = models.ForeignKey(
        Course,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quizzes",
        help_text="Empty: any signed-in user takes the quiz (the older rule).",
    )
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
        """Superusers, the course's staff, the quiz's instructors and instructor groups."""
        if not user.is_authenticated:
            return False
        assert isinstance(user, AbstractBaseUser)
        if getattr(user, "is_superuser", False):
            return True
        if self.course_id is not None and self.course is not None and self.course.is_staff(user):
            return True
        if self.instructors.filter(pk=user.pk).exists():
            return True
        if self.instructor_groups.filter(user=user).exists():
            return True
        return self.named(user)

    def can_see(self, user: AbstractBaseUser | AnonymousUser) -> bool:
        """Whether the quiz page exists for the user: any member of its course."""
        if not user.is_authenticated:
            return False
        if self.course is None:
            return True
        return self.course.is_member(user) or self.can_manage(user)

    def can_take(self, user: AbstractBaseUser | AnonymousUser) -> bool:
        """Only a course's students take its quizzes; with no course, any signed-in user."""
        if not user.is_authenticated:
            return False
        if self.course is None:
            return True
        return self.course.role_of(user) == STUDENT

    @classmethod
    def visible_to(cls, user: AbstractBaseUser | AnonymousUser) -> models.QuerySet[Quiz]:
        if not user.is_authenticated:
            return cls.objects.none()
        if getattr(user, "is_superuser", False):
            return cls.objects.all()
        return cls.objects.filter(
            Q(course__isnull=True) | Q(course__memberships__user_id=user.pk)
        ).distinct()

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
            Q(instructors=user)
            | Q(instructor_groups__user=user)
            | Q(pk__in=named)
            | Q(course__memberships__user=user, course__memberships__role__in=STAFF_ROLES)
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
