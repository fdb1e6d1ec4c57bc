"""Quiz scores back to the LMS through Assignment and Grade Services (AGS).

Each (line item, student) has one ``GradeSend`` row holding the score to send (the
student's best finished attempt) and the last score the platform accepted. Grading a
quiz only records the score in that row (committed with the request); the sender of
each server process (labs/lti/sender.py) sends it in the background, so no student's
submit waits on the LMS. A grade that did not change is not sent again. A failed send
keeps its row as ``failed`` with the platform's answer and a time for the next try
(back-off doubling from ``BACKOFF_FIRST`` to ``BACKOFF_MAX``), is shown to the course's
staff beside the gradebook with a *Send now* button, and is retried until it goes
through; ``manage.py send_grades`` does the same from cron. Nothing is lost: the row is
only marked ``sent`` when the platform said so for that very score.

Several processes may send: a row is sent by whoever claims it first (one conditional
UPDATE on ``claimed_until``), so a grade is never sent twice at once.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from datetime import timedelta
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
# After the n-th failure the next try is BACKOFF_FIRST * 2**(n-1) later, at most BACKOFF_MAX.
BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
# A claim outlives the two requests of one send (token, score), each at most TIMEOUT.
CLAIM_LEASE = timedelta(seconds=4 * TIMEOUT)
# How long staff's *Send now* sends before it leaves the rest to the background sender.
RETRY_NOW_SECONDS = 15.0


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
    """Record the student's current best score for the line item; None if nothing to send.

    A changed score is due at once; an unchanged one is left as it is (a score the
    platform already holds is not sent again).
    """
    best = best_score(line_item.quiz, user_id)
    if best is None:
        return None
    score, max_score = best
    send = GradeSend.objects.filter(line_item=line_item, user_id=user_id).first()
    if send is None:
        return GradeSend.objects.create(
            line_item=line_item, user_id=user_id, score=score, max_score=max_score
        )
    if send.score == score and send.max_score == max_score:
        return send
    send.score, send.max_score = score, max_score
    if send.sent_score == score:
        # Back to the score the platform holds: nothing to send.
        send.status = GradeSend.SENT
    else:
        send.status = GradeSend.PENDING if send.status == GradeSend.SENT else send.status
        send.next_try = timezone.now()
    send.save(update_fields=["score", "max_score", "status", "next_try", "updated"])
    return send


def _line_items_for(quiz: Quiz, user: AbstractBaseUser | None = None) -> Iterable[LineItem]:
    items = LineItem.objects.filter(quiz=quiz).select_related("registration", "course", "quiz")
    if user is not None:
        items = items.filter(
            course__memberships__user=user,
            registration__issuer__in=LtiAccount.objects.filter(user=user).values("issuer"),
        )
    return items


def queue_attempt(attempt: Attempt) -> int:
    """After a grade changed: record the student's score for each of the quiz's line items.

    Nothing is sent here: the sender sends it after the request (see labs/lti/sender.py).
    Returns how many rows now wait to be sent.
    """
    count = 0
    for line_item in _line_items_for(attempt.quiz, attempt.user):
        send = queue(line_item, attempt.user_id)
        count += send is not None and send.status != GradeSend.SENT
    return count


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


def claim(send: GradeSend) -> bool:
    """Take the row for this process, if it still waits and no one else holds it."""
    now = timezone.now()
    taken = (
        GradeSend.objects.filter(pk=send.pk)
        .exclude(status=GradeSend.SENT)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + CLAIM_LEASE)
    )
    return taken == 1


def backoff(tries: int) -> timedelta:
    """How long to wait after the ``tries``-th failed send in a row."""
    return min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** max(0, min(tries, 20) - 1))


def deliver(send: GradeSend) -> bool:
    """Send one claimed score; record the outcome (never raises for the platform's failures)."""
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
    now = timezone.now()
    if error:
        tries = send.tries + 1
        GradeSend.objects.filter(pk=send.pk).update(
            status=GradeSend.FAILED,
            tries=tries,
            last_error=error,
            next_try=now + backoff(tries),
            claimed_until=None,
            updated=now,
        )
        send.refresh_from_db()
        return False
    # Marked sent only if the score is still the one sent (it may have changed meanwhile).
    done = GradeSend.objects.filter(pk=send.pk, score=score).update(
        status=GradeSend.SENT,
        sent_score=score,
        tries=0,
        last_error="",
        claimed_until=None,
        updated=now,
    )
    if not done:
        GradeSend.objects.filter(pk=send.pk).update(
            sent_score=score, tries=0, last_error="", claimed_until=None, next_try=now
        )
    send.refresh_from_db()
    return True


def send_due(
    quiz: Quiz | None = None,
    limit: int = 500,
    now_too: bool = False,
    budget: float | None = None,
) -> tuple[int, int]:
    """Send waiting or failed scores whose time has come (of one quiz, or all); (sent, failed).

    ``now_too`` also sends those still backing off (staff's *Send now*); ``budget``
    stops after that many seconds, leaving the rest to the background sender. Rows
    another process holds are skipped.
    """
    todo = GradeSend.objects.exclude(status=GradeSend.SENT).select_related(
        "line_item__registration", "line_item__quiz"
    )
    if not now_too:
        todo = todo.filter(next_try__lte=timezone.now())
    if quiz is not None:
        todo = todo.filter(line_item__quiz=quiz)
    start = time.monotonic()
    sent = failed = 0
    for send in todo.order_by("next_try", "pk")[:limit]:
        if budget is not None and time.monotonic() - start > budget:
            break
        if not claim(send):
            continue
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
        "waiting": counts[GradeSend.PENDING] + counts[GradeSend.FAILED],
    }
