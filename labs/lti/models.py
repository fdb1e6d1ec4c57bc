"""What paperlabs keeps of LTI launches: accounts, used nonces, line items and grade sends.

The platforms themselves (issuer, client id, key set URL, deployments) and the tool's
own signing keys are django-lti's ``LtiRegistration``, ``LtiDeployment`` and ``Key``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from lti_tool.models import LtiRegistration

from labs.teaching.models import Course, Quiz


class LtiAccount(models.Model):
    """The paperlabs user of one platform user (issuer + ``sub``)."""

    issuer = models.CharField(max_length=255)
    sub = models.CharField(max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_accounts"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "sub"], name="ltiaccount_unique_sub")
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.sub}: {self.user}"


class UsedNonce(models.Model):
    """A launch's nonce, stored once: a second launch with it is a replay."""

    issuer = models.CharField(max_length=255)
    nonce = models.CharField(max_length=255)
    expires = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "nonce"], name="usednonce_unique")]


class LineItem(models.Model):
    """A platform's gradebook column for one quiz in one course (Assignment and Grade Services)."""

    registration = models.ForeignKey(LtiRegistration, on_delete=models.CASCADE)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="line_items")
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="line_items")
    url = models.URLField(max_length=500)
    scopes = models.JSONField(default=list)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["registration", "url"], name="lineitem_unique_url")
        ]

    def __str__(self) -> str:
        return f"{self.quiz.slug} → {self.url}"


class GradeSend(models.Model):
    """A student's score for a line item: sent, waiting, or failed (and retried).

    The row is the queue: a sender (labs/lti/sender.py) claims it by setting
    ``claimed_until`` in one conditional UPDATE, so of several server processes exactly
    one sends it; a claim left by a process that died lapses at ``claimed_until``.
    """

    PENDING, SENT, FAILED = "pending", "sent", "failed"
    STATUSES = [(PENDING, "waiting to be sent"), (SENT, "sent"), (FAILED, "failed, retried")]

    line_item = models.ForeignKey(LineItem, on_delete=models.CASCADE, related_name="sends")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    score = models.FloatField()
    max_score = models.FloatField()
    sent_score = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=STATUSES, default=PENDING)
    tries = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # Not before this time (the back-off after a failure); a new score is due at once.
    next_try = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["line_item", "user"], name="gradesend_unique_user")
        ]
        indexes = [
            models.Index(fields=["status"], condition=~Q(status="sent"), name="gradesend_todo")
        ]

    def __str__(self) -> str:
        return f"{self.line_item}: {self.user} {self.score}/{self.max_score} ({self.status})"
