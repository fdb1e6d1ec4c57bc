"""Quiz scores back to the LMS through Assignment and Grade Services (AGS).

Each (line item, student) has one ``GradeSend`` row holding the score to send (the
student's best finished attempt) and the last score the platform accepted. A grade
that did not change is not sent again; a failed send keeps its row as ``failed`` with
the platform's answer, is shown to the course's staff beside the gradebook, and is
retried by ``manage.py send_grades`` (and by the gradebook's *Retry* button) until it
goes through. Nothing is lost: the row is only marked ``sent`` when the platform said
so for that very score.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import requests
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Max, Q
from django.utils import timezone
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.service_connector import ServiceConnector

from labs.lti.models import GradeSend, LineItem, LtiAccount
from labs.teaching.models import Attempt, Quiz

SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
TIMEOUT = 10.0


class TimeoutSession(requests.Session):
    def request(self, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", TIMEOUT)
        return super().request(*args, **kwargs)


# The HTTP session used to reach platforms; tests put a fake platform here.
make_session: Callable[[], requests.Session] = TimeoutSession


def best_score(quiz: Quiz, user_id: int) -> tuple[float, float] | None:
    finished = Attempt.objects.filter(quiz=quiz, user_id=user_id).exclude(status=Attempt.OPEN)
    best = finished.aggregate(score=Max("score"), max_score=Max("max_score"))
    if best["score"] is None:
        return None
    return float(best["score"]), float(best["max_score"] or 0.0)


def queue(line_item: LineItem, user_id: int) -> GradeSend | None:
    """Record the student's current best score for the line item; None if nothing to send."""
    best = best_score(line_item.quiz, user_id)
    if best is None:
        return None
    score, max_score = best
    send = GradeSend.objects.filter(line_item=line_item, user_id=user_id).first()
    if send is None:
        return GradeSend.objects.create(
            line_item=line_item, user_id=user_id, score=score, max_score=max_score
        )
    if send.status == GradeSend.SENT and send.sent_score == score:
        return send
    send.score, send.max_score = score, max_score
    if send.status == GradeSend.SENT:
        send.status = GradeSend.PENDING
    send.save(update_fields=["score", "max_score", "status", "updated"])
    return send


def _line_items_for(quiz: Quiz, user: AbstractBaseUser | None = None) -> Iterable[LineItem]:
    items = LineItem.objects.filter(quiz=quiz).select_related("registration", "course", "quiz")
    if user is not None:
        items = items.filter(
            course__memberships__user=user,
            registration__issuer__in=LtiAccount.objects.filter(user=user).values("issuer"),
        )
    return items


def queue_and_send(attempt: Attempt) -> None:
    """After a grade changed: queue the student's score and try to send it now."""
    for line_item in _line_items_for(attempt.quiz, attempt.user):
        send = queue(line_item, attempt.user_id)
        if send is not None and send.status != GradeSend.SENT:
            deliver(send)


def queue_quiz(quiz: Quiz) -> int:
    """Queue every student of every line item of the quiz (a new line item, a regrade)."""
    count = 0
    for line_item in _line_items_for(quiz):
        users = Attempt.objects.filter(
            quiz=quiz, user__memberships__course=line_item.course
        ).values_list("user_id", flat=True)
        for user_id in set(users):
            send = queue(line_item, user_id)
            count += send is not None and send.status != GradeSend.SENT
    return count


def scores_url(line_item_url: str) -> str:
    """The line item's scores endpoint (``/scores`` before any query string)."""
    base, sep, query = line_item_url.partition("?")
    return f"{base.rstrip('/')}/scores{sep}{query}"


def deliver(send: GradeSend) -> bool:
    """Send one score; record the outcome (never raises for the platform's failures)."""
    line_item = send.line_item
    registration = line_item.registration
    account = LtiAccount.objects.filter(issuer=registration.issuer, user_id=send.user_id).first()
    score = send.score
    error = ""
    if account is None:
        error = "the student has no account on this platform"
    else:
        body = {
            "userId": account.sub,
            "scoreGiven": score,
            "scoreMaximum": send.max_score,
            "activityProgress": "Completed",
            "gradingProgress": "FullyGraded",
            "timestamp": timezone.now().isoformat(),
        }
        connector = ServiceConnector(registration.to_registration(), make_session())
        try:
            connector.make_service_request(
                [SCORE_SCOPE],
                scores_url(line_item.url),
                is_post=True,
                data=json.dumps(body),
                content_type=SCORE_TYPE,
            )
        except LtiServiceException as err:
            error = f"the platform answered {err}"[:2000]
        except (requests.RequestException, LtiException, KeyError, ValueError) as err:
            error = f"{type(err).__name__}: {err}"[:2000]
    if error:
        GradeSend.objects.filter(pk=send.pk).update(
            status=GradeSend.FAILED, tries=send.tries + 1, last_error=error, updated=timezone.now()
        )
        send.refresh_from_db()
        return False
    # Marked sent only if the score is still the one sent (it may have changed meanwhile).
    GradeSend.objects.filter(pk=send.pk, score=score).update(
        status=GradeSend.SENT,
        sent_score=score,
        tries=send.tries + 1,
        last_error="",
        updated=timezone.now(),
    )
    send.refresh_from_db()
    return True


def send_due(quiz: Quiz | None = None, limit: int = 500) -> tuple[int, int]:
    """Send every waiting or failed score (of one quiz, or all); (sent, failed)."""
    todo = GradeSend.objects.filter(~Q(status=GradeSend.SENT)).select_related(
        "line_item__registration", "line_item__quiz"
    )
    if quiz is not None:
        todo = todo.filter(line_item__quiz=quiz)
    sent = failed = 0
    for send in todo.order_by("updated")[:limit]:
        if deliver(send):
            sent += 1
        else:
            failed += 1
    return sent, failed


def status_for(quiz: Quiz) -> dict[str, Any]:
    """What the quiz's staff see of its grade passback."""
    sends = GradeSend.objects.filter(line_item__quiz=quiz).select_related("user", "line_item")
    counts = {GradeSend.SENT: 0, GradeSend.PENDING: 0, GradeSend.FAILED: 0}
    for send in sends:
        counts[send.status] = counts.get(send.status, 0) + 1
    return {
        "linked": LineItem.objects.filter(quiz=quiz).exists(),
        "counts": counts,
        "failures": [s for s in sends if s.status == GradeSend.FAILED],
    }
