"""The classroom's database work, each function one short transaction.

Consumers call these through ``database_sync_to_async``. Every write that the class
depends on (a frame's sequence number, an answer) is committed here before anything
is sent or acknowledged, so a process dying afterwards loses nothing acknowledged.
"""

from __future__ import annotations

import math
import unicodedata
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from algorithms.engine import CommandError
from labs.classroom.models import (
    DISPLAY_NAME_MAX,
    MAX_OPTIONS,
    MAX_QUESTION_OPTIONS,
    OPTION_MAX,
    POLL_KINDS,
    PROMPT_MAX,
    Answer,
    ClassSession,
    Participant,
    Poll,
    Presence,
)
from labs.teaching.grading import MAX_NUMBER, NUMBER_RE


def live_session(code: str) -> ClassSession | None:
    """The live session with this join code; ended or expired sessions are gone."""
    code = code.strip().upper()[:16]
    return ClassSession.live().filter(code=code).first() if code else None


def clean_name(raw: object) -> str:
    """A display name: plain text, one line, 1 to DISPLAY_NAME_MAX characters.

    >>> clean_name("  Ada\\u200b Lovelace\\n ")
    'Ada Lovelace'
    """
    if not isinstance(raw, str):
        raise CommandError("name", raw, "must be text")
    # Drop control and format characters (newlines, zero-width joiners, bidi overrides).
    text = "".join(c for c in raw if unicodedata.category(c)[0] != "C")
    text = " ".join(text.split())
    if not 1 <= len(text) <= DISPLAY_NAME_MAX:
        raise CommandError(
            "name", raw[:80], f"must be 1 to {DISPLAY_NAME_MAX} characters of plain text"
        )
    return text


def publish(
    session_id: int, frame_body: str, recording: dict[str, Any], position: int
) -> tuple[int, str]:
    """Number the instructor's new frame and store it with the recording, atomically.

    ``frame_body`` is a JSON object's text; the returned text carries ``"seq"`` first.
    """
    with transaction.atomic():
        session = ClassSession.objects.select_for_update().get(pk=session_id)
        if not session.is_live:
            raise CommandError("session", session.code, "has ended")
        seq = session.seq + 1
        text = f'{{"seq":{seq},' + frame_body[1:]
        ClassSession.objects.filter(pk=session_id).update(
            seq=seq, frame=text, recording=recording, position=position
        )
    return seq, text


def latest_frame(session_id: int) -> tuple[int, str]:
    row = ClassSession.objects.filter(pk=session_id).values_list("seq", "frame").first()
    return (row[0], row[1]) if row else (0, "")


# -- presence: heartbeats with a time to live ----------------------------------------


def present(session_id: int, participant_id: int, process: str) -> None:
    """This process now holds a socket of the participant."""
    now = timezone.now()
    Presence.objects.update_or_create(
        participant_id=participant_id,
        process=process,
        defaults={"session_id": session_id, "seen": now},
    )


def absent(participant_id: int, process: str) -> None:
    """This process holds no more sockets of the participant."""
    Presence.objects.filter(participant_id=participant_id, process=process).delete()


def heartbeat(session_id: int, process: str, participants: list[int]) -> None:
    """Refresh this process's rows for the session, and prune rows nobody refreshed.

    A row whose process died ages past the time to live and stops counting at once;
    it is deleted a little later, by whichever process beats next.
    """
    now = timezone.now()
    mine = Presence.objects.filter(session_id=session_id, process=process)
    if mine.filter(participant_id__in=participants).update(seen=now) < len(participants):
        Presence.objects.bulk_create(
            [
                Presence(session_id=session_id, participant_id=p, process=process, seen=now)
                for p in participants
            ],
            ignore_conflicts=True,
        )
        mine.filter(participant_id__in=participants).update(seen=now)
    mine.exclude(participant_id__in=participants).delete()
    stale = now - timedelta(seconds=3 * presence_ttl())
    Presence.objects.filter(session_id=session_id, seen__lt=stale).delete()


def presence_ttl() -> float:
    """Seconds a presence row counts without a heartbeat (three heartbeats)."""
    return 3 * float(settings.PAPERLABS_CLASSROOM_HEARTBEAT)


def connected(session_id: int) -> int:
    """Students with a socket on a live process: their rows were refreshed lately."""
    fresh = timezone.now() - timedelta(seconds=presence_ttl())
    return (
        Presence.objects.filter(session_id=session_id, seen__gte=fresh)
        .values("participant_id")
        .distinct()
        .count()
    )


# -- polls ----------------------------------------------------------------------------


def check_poll(message: dict[str, Any]) -> dict[str, Any]:
    """A quick poll from the instructor's form: one answer among 2 to MAX_OPTIONS."""
    prompt = message.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip() or len(prompt) > PROMPT_MAX:
        raise CommandError("prompt", prompt, f"must be 1 to {PROMPT_MAX} characters of text")
    options = message.get("options")
    if (
        not isinstance(options, list)
        or not 2 <= len(options) <= MAX_OPTIONS
        or not all(isinstance(o, str) and 0 < len(o.strip()) <= OPTION_MAX for o in options)
    ):
        raise CommandError(
            "options",
            options if not isinstance(options, list) else f"{len(options)} options",
            f"must be 2 to {MAX_OPTIONS} texts of 1 to {OPTION_MAX} characters",
        )
    correct = message.get("correct")
    if correct is not None and (
        not isinstance(correct, int) or isinstance(correct, bool) or not 0 <= correct < len(options)
    ):
        raise CommandError("correct", correct, f"must be an option number 0 to {len(options) - 1}")
    explanation = message.get("explanation", "")
    if not isinstance(explanation, str) or len(explanation) > PROMPT_MAX:
        raise CommandError("explanation", explanation, f"must be at most {PROMPT_MAX} characters")
    return {
        "kind": "single",
        "prompt": prompt.strip(),
        "options": [o.strip() for o in options],
        "correct": correct,
        "expected": None,
        "explanation": explanation.strip(),
    }


def open_poll(session_id: int, spec: dict[str, Any], step: int) -> Poll:
    """Open a poll (a checked quick poll, or one built from an exercise question)."""
    assert spec["kind"] in POLL_KINDS
    assert len(spec["options"]) <= MAX_QUESTION_OPTIONS
    with transaction.atomic():
        session = ClassSession.objects.select_for_update().get(pk=session_id)
        now = timezone.now()
        # One poll at a time: opening one closes the last.
        session.polls.filter(closed__isnull=True).update(closed=now)
        number = session.polls.count() + 1
        return Poll.objects.create(
            session=session,
            number=number,
            kind=spec["kind"],
            prompt=spec["prompt"],
            options=spec["options"],
            correct=spec.get("correct"),
            expected=spec.get("expected"),
            explanation=spec.get("explanation", ""),
            step=step,
        )


def current_poll(session_id: int) -> Poll | None:
    return Poll.objects.filter(session_id=session_id).order_by("-number").first()


def close_poll(session_id: int, reveal: bool) -> Poll:
    with transaction.atomic():
        poll = (
            Poll.objects.select_for_update()
            .filter(session_id=session_id)
            .order_by("-number")
            .first()
        )
        if poll is None:
            raise CommandError("poll", None, "must be opened first")
        if poll.closed is None:
            poll.closed = timezone.now()
        if reveal:
            poll.revealed = True
        poll.save(update_fields=["closed", "revealed"])
    return poll


NUMERIC_BINS = 8


def _numeric_rows(poll: Poll, numbers: list[float]) -> list[dict[str, Any]]:
    """A histogram of numbers: each value when few are distinct, else equal bins."""
    if not numbers:
        return []
    distinct = sorted(set(numbers))
    right = poll.right_answer()
    if len(distinct) <= NUMERIC_BINS:
        return [
            {
                "label": f"{v:.6g}",
                "count": numbers.count(v),
                "right": poll.is_right(v) if right is not None else None,
            }
            for v in distinct
        ]
    low, high = distinct[0], distinct[-1]
    width = (high - low) / NUMERIC_BINS
    counts = [0] * NUMERIC_BINS
    for v in numbers:
        counts[min(NUMERIC_BINS - 1, int((v - low) / width))] += 1
    rows = []
    for i, n in enumerate(counts):
        a, b = low + i * width, low + (i + 1) * width if i < NUMERIC_BINS - 1 else high
        hit = None
        if right is not None:
            want = float(right["value"])
            hit = a <= want <= b or poll.is_right(a) or poll.is_right(b)
        rows.append({"label": f"{a:.4g} to {b:.4g}", "count": n, "right": hit})
    return rows


def summary(poll: Poll) -> dict[str, Any]:
    """The class's answers at a glance: histogram rows, how many answered, how many right.

    ``rows`` are the options (single, pick, multiple: each tick counts) or the numbers'
    histogram; ``counts`` the same counts by option index, for choice polls.
    """
    values = [v for v in poll.answers.values_list("value", flat=True) if v is not None]
    data: dict[str, Any] = {"answered": len(values)}
    right = poll.right_answer()
    if right is not None:
        data["right"] = sum(1 for v in values if poll.is_right(v))
    if poll.kind == "construct":
        # Right or not yet: a lab each student built, judged by the lab's goal predicate.
        reached = sum(1 for v in values if poll.is_right(v))
        data["rows"] = [
            {"label": "goal reached", "count": reached, "right": True},
            {"label": "not yet", "count": len(values) - reached, "right": False},
        ]
        return data
    if poll.kind == "numeric":
        numbers = sorted(float(v) for v in values)
        data["rows"] = _numeric_rows(poll, numbers)
        if numbers:
            middle = len(numbers) // 2
            median = (
                numbers[middle] if len(numbers) % 2 else (numbers[middle - 1] + numbers[middle]) / 2
            )
            data["stats"] = {"min": numbers[0], "median": median, "max": numbers[-1]}
        return data
    tally = [0] * len(poll.options)
    nothing = 0
    for v in values:
        picked = v if isinstance(v, list) else [v]
        nothing += not picked
        for i in picked:
            if isinstance(i, int) and 0 <= i < len(tally):
                tally[i] += 1
    rows_right: list[bool | None]
    if right is None:
        rows_right = [None] * len(tally)
    elif poll.kind == "single":
        rows_right = [i == right for i in range(len(tally))]
    else:
        rows_right = [i in right for i in range(len(tally))]
    data["counts"] = tally
    data["rows"] = [
        {"label": o, "count": n, "right": r}
        for o, n, r in zip(poll.options, tally, rows_right, strict=True)
    ]
    if poll.kind == "multiple" and nothing:
        data["rows"].append(
            {"label": "(nothing ticked)", "count": nothing, "right": right == [] or None}
        )
    return data


def presence(session_id: int) -> dict[str, Any]:
    """How many students are connected, and the open poll's answers so far."""
    joined = Participant.objects.filter(session_id=session_id).count()
    poll = current_poll(session_id)
    data: dict[str, Any] = {"type": "presence", "students": connected(session_id), "joined": joined}
    if poll is not None:
        tally = summary(poll)
        data["poll"] = poll.to_json(tally, for_instructor=True)
        data["answered"] = tally["answered"]
    return data


def clean_answer(poll: Poll, raw: object) -> Any:
    """The answer as stored, or a CommandError naming the answer field, value and rule."""
    n = len(poll.options)
    if poll.kind == "construct":
        raise CommandError(
            "choice",
            raw if not isinstance(raw, list | str) else str(raw)[:80],
            f"must not be sent to poll {poll.number}: it asks you to act in your own lab; "
            "press Explore, act, then Use my lab for this poll",
        )
    if poll.kind == "numeric":
        value: Any = raw
        if isinstance(raw, str) and NUMBER_RE.match(raw.strip()):
            value = float(raw.strip())
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise CommandError("choice", raw, "must be a number like 42 or 0.25")
        if abs(value) > MAX_NUMBER:
            raise CommandError(
                "choice", raw, f"must be a number between -{MAX_NUMBER:.0e} and {MAX_NUMBER:.0e}"
            )
        return float(value)
    if poll.kind == "multiple":
        if not isinstance(raw, list) or len(raw) > n:
            raise CommandError(
                "choice",
                raw if not isinstance(raw, list) else f"{len(raw)} options",
                f"must be a list of the options ticked (0 to {n} of them)",
            )
        for i in raw:
            if not isinstance(i, int) or isinstance(i, bool) or not 0 <= i < n:
                raise CommandError("choice", i, f"must be option numbers 0 to {n - 1}")
        if len(set(raw)) != len(raw):
            raise CommandError("choice", raw, "must not tick the same option twice")
        return sorted(raw)
    if not isinstance(raw, int) or isinstance(raw, bool) or not 0 <= raw < n:
        raise CommandError("choice", raw, f"must be one of the options, 0 to {n - 1}")
    return raw


def record_answer(
    participant_id: int, poll_id: object, raw: object, judged: dict[str, Any] | None = None
) -> Answer:
    """Store the answer (one per student: a second replaces the first) while the poll
    is open; committed before the caller acknowledges it.

    ``judged`` is a construct poll's answer, the goal predicate's verdict on the
    student's lab (see :func:`construct_setup`); ``raw`` is then only named in refusals.
    """
    if not isinstance(poll_id, int) or isinstance(poll_id, bool):
        raise CommandError("poll", poll_id, "must be the number id of the open poll")
    participant = Participant.objects.get(pk=participant_id)
    with transaction.atomic():
        # Locking the poll row orders this answer against the instructor closing it.
        poll = (
            Poll.objects.select_for_update()
            .filter(pk=poll_id, session_id=participant.session_id)
            .first()
        )
        if poll is None:
            raise CommandError("poll", poll_id, "must be a poll of this session")
        if poll.closed is not None:
            raise CommandError(
                "lab" if judged is not None else "choice",
                raw if not isinstance(raw, list | str) else str(raw)[:80],
                f"must be sent while poll {poll.number} is open: it is closed, "
                "answers are no longer accepted",
            )
        if judged is not None and poll.kind != "construct":
            raise CommandError(
                "poll",
                poll_id,
                f"must be a construct poll to take your lab (poll {poll.number} is a "
                f"{poll.kind} poll: answer it with the poll's own form)",
            )
        value = judged if judged is not None else clean_answer(poll, raw)
        fields = {"value": value, "choice": value if poll.kind in ("single", "pick") else None}
        try:
            with transaction.atomic():
                answer, _ = Answer.objects.update_or_create(
                    poll=poll, participant=participant, defaults=fields
                )
        except IntegrityError:
            # The same student answering through two sockets at once: keep one row.
            answer = Answer.objects.get(poll=poll, participant=participant)
            answer.value, answer.choice = fields["value"], fields["choice"]
            answer.save(update_fields=["value", "choice", "at"])
    return answer


def construct_setup(participant_id: int, poll_id: object) -> tuple[Poll, dict[str, Any], int]:
    """For a student's lab sent to a construct poll: the poll, the lecture's recording
    and the poll's step (the lab must begin with the lecture up to that step).

    Refuses early what :func:`record_answer` would refuse, before any replay is paid for.
    """
    if not isinstance(poll_id, int) or isinstance(poll_id, bool):
        raise CommandError("poll", poll_id, "must be the number id of the open poll")
    participant = Participant.objects.get(pk=participant_id)
    poll = (
        Poll.objects.select_related("session")
        .filter(pk=poll_id, session_id=participant.session_id)
        .first()
    )
    if poll is None:
        raise CommandError("poll", poll_id, "must be a poll of this session")
    if poll.kind != "construct":
        raise CommandError(
            "poll",
            poll_id,
            f"must be a construct poll to take your lab (poll {poll.number} is a {poll.kind} "
            "poll: answer it with the poll's own form)",
        )
    if poll.closed is not None:
        raise CommandError(
            "lab",
            "your lab",
            f"must be sent while poll {poll.number} is open: it is closed, "
            "answers are no longer accepted",
        )
    return poll, poll.session.recording, poll.step


def my_answer(participant_id: int, poll_id: int) -> Any:
    row = Answer.objects.filter(participant_id=participant_id, poll_id=poll_id).first()
    return row.value if row else None


def end(session_id: int) -> None:
    with transaction.atomic():
        ClassSession.objects.filter(pk=session_id, ended__isnull=True).update(ended=timezone.now())
        Poll.objects.filter(session_id=session_id, closed__isnull=True).update(
            closed=timezone.now()
        )
