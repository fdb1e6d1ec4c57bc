"""The classroom's database work, each function one short transaction.

Consumers call these through ``database_sync_to_async``. Every write that the class
depends on (a frame's sequence number, an answer) is committed here before anything
is sent or acknowledged, so a process dying afterwards loses nothing acknowledged.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone

from algorithms.engine import CommandError
from labs.classroom.models import (
    DISPLAY_NAME_MAX,
    MAX_OPTIONS,
    OPTION_MAX,
    PROMPT_MAX,
    Answer,
    ClassSession,
    Participant,
    Poll,
)


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


def count_socket(participant_id: int, delta: int) -> None:
    Participant.objects.filter(pk=participant_id).update(sockets=F("sockets") + delta)


def check_poll(message: dict[str, Any]) -> tuple[str, list[str], int | None, str]:
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
    return prompt.strip(), [o.strip() for o in options], correct, explanation.strip()


def open_poll(session_id: int, message: dict[str, Any], step: int) -> Poll:
    prompt, options, correct, explanation = check_poll(message)
    with transaction.atomic():
        session = ClassSession.objects.select_for_update().get(pk=session_id)
        now = timezone.now()
        # One poll at a time: opening one closes the last.
        session.polls.filter(closed__isnull=True).update(closed=now)
        number = session.polls.count() + 1
        return Poll.objects.create(
            session=session,
            number=number,
            prompt=prompt,
            options=options,
            correct=correct,
            explanation=explanation,
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


def counts(poll: Poll) -> list[int]:
    tally = [0] * len(poll.options)
    for row in poll.answers.values("choice").annotate(n=Count("id")):
        if 0 <= row["choice"] < len(tally):
            tally[row["choice"]] = row["n"]
    return tally


def presence(session_id: int) -> dict[str, Any]:
    """How many students are connected, and the open poll's answers so far."""
    connected = Participant.objects.filter(session_id=session_id, sockets__gt=0).count()
    joined = Participant.objects.filter(session_id=session_id).count()
    poll = current_poll(session_id)
    data: dict[str, Any] = {"type": "presence", "students": connected, "joined": joined}
    if poll is not None:
        tally = counts(poll)
        data["poll"] = poll.to_json(tally, for_instructor=True)
        data["answered"] = sum(tally)
    return data


def record_answer(participant_id: int, poll_id: object, choice: object) -> Answer:
    """Store the answer (one per student: a second replaces the first) while the poll
    is open; committed before the caller acknowledges it."""
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
            raise CommandError("poll", poll_id, "is closed: answers are no longer accepted")
        if (
            not isinstance(choice, int)
            or isinstance(choice, bool)
            or not 0 <= choice < len(poll.options)
        ):
            raise CommandError("choice", choice, f"must be 0 to {len(poll.options) - 1}")
        try:
            with transaction.atomic():
                answer, _ = Answer.objects.update_or_create(
                    poll=poll, participant=participant, defaults={"choice": choice}
                )
        except IntegrityError:
            # The same student answering through two sockets at once: keep one row.
            answer = Answer.objects.get(poll=poll, participant=participant)
            answer.choice = choice
            answer.save(update_fields=["choice", "at"])
    return answer


def my_answer(participant_id: int, poll_id: int) -> int | None:
    row = Answer.objects.filter(participant_id=participant_id, poll_id=poll_id).first()
    return row.choice if row else None


def end(session_id: int) -> None:
    with transaction.atomic():
        ClassSession.objects.filter(pk=session_id, ended__isnull=True).update(ended=timezone.now())
        Poll.objects.filter(session_id=session_id, closed__isnull=True).update(
            closed=timezone.now()
        )
