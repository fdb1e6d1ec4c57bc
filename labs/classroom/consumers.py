"""The classroom sockets: the instructor drives, every student follows.

``/ws/classroom/<code>/teach/`` speaks the lab protocol (docs/protocol.md) plus the
poll actions; each frame it makes is numbered and committed with the session's
recording (labs/classroom/store.py), then sent to the class's group. Any process
serves any student: ``/ws/classroom/<code>/follow/`` registers with this process's hub
for the session (labs/classroom/fanout.py: one subscription to the class's group per
process), sends the last committed frame, then forwards newer frames in sequence order. A student may branch off
(``explore``) into a private timeline from the current step and ``follow`` again.

The role is the socket's, fixed when it connects from the signed session cookie: a
student's socket refuses instructor actions whatever the page sends.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings

from algorithms.engine import CommandError
from algorithms.recording import Recording, Timeline
from labs.classroom import fanout, store
from labs.classroom.models import ClassSession
from labs.classroom.questions import judge_lab, poll_from_question
from labs.consumers import CLOSE_TOO_MANY, SEEK_WAIT_SECONDS, LabConsumer
from labs.live.frames import dumps
from labs.live.limits import SOCKETS, client_of_scope
from labs.live.messages import check_fields, error_frame
from labs.registry import LABS
from labs.runtime import HEAVY, Budget

log = logging.getLogger(__name__)

TEACH_ACTIONS: dict[str, tuple[str, ...]] = {
    "poll_open": ("prompt", "options", "correct", "explanation"),
    "poll_question": ("question",),
    "poll_close": (),
    "poll_reveal": (),
    "end": (),
}
FOLLOW_ACTIONS: dict[str, tuple[str, ...]] = {
    "answer": ("poll", "choice"),
    "submit_lab": ("poll",),
    "explore": (),
    "follow": (),
}
PRESENCE_EVERY = 0.25
"""The instructor's counts are recomputed at most this often (answers arrive in bursts)."""

db = database_sync_to_async


# Named by the join code, unique for good: a group never outlives its session's code into
# another session (Redis keeps groups after a database is reset).
def students_group(session: ClassSession) -> str:
    return f"classroom-{session.code}"


def teachers_group(session: ClassSession) -> str:
    return f"classroom-{session.code}-teach"


class _ClassroomSocket(LabConsumer):
    session: ClassSession

    def _setup(self) -> None:
        """The attributes LabConsumer.connect sets, for a socket that connects its own way."""
        self._setup_socket()

    def _count(self, client: str, following: bool) -> bool:
        """Count this socket against the process's and the client's caps."""
        self.client = client
        SOCKETS.open(client, following=following)
        self.counted = not following  # LabConsumer.disconnect gives a lab socket back
        return True

    async def _refuse(self, err: CommandError, code: int) -> None:
        await self.accept()
        await self.send_json(error_frame(err))
        await self.close(code=code)

    async def _find_session(self) -> ClassSession | None:
        code = str(self.scope["url_route"]["kwargs"]["code"])
        session = await db(store.live_session)(code)
        if session is None:
            await self._refuse(
                CommandError("code", code[:16], "must be the join code of a live session"), 4404
            )
            return None
        self.session = session
        self.lab = LABS.get(session.lab)
        return session

    def _session_timeline(self, recording: dict[str, Any], position: int) -> Timeline:
        """The live timeline rebuilt from its committed recording, at its position."""
        assert self.lab is not None
        timeline = Timeline.from_recording(
            self.lab.engine_class(),
            Recording.from_json(recording),
            self.lab.checkpoint_every,
            run=False,
        )
        timeline.seek(min(position, timeline.length))
        return timeline

    def _class_hello(self, read_only: bool) -> dict[str, Any]:
        recording = self.session.recording
        return {
            "type": "hello",
            "lab": self.session.lab,
            "params": recording.get("params", {}),
            "seed": recording.get("seed", 0),
            "read_only": read_only,
            "replay": None,
            "title": self.session.title,
            "captions": self.session.captions,
            "classroom": {"code": self.session.code},
            "limits": {
                "max_message_bytes": settings.PAPERLABS_MAX_MESSAGE_BYTES,
                "rate_per_second": settings.PAPERLABS_RATE_PER_SECOND,
                "burst": settings.PAPERLABS_RATE_BURST,
            },
        }


class TeachConsumer(_ClassroomSocket):
    """The instructor's socket: the lab protocol, and every frame goes to the class."""

    async def connect(self) -> None:
        session = await self._find_session()
        if session is None:
            return
        allowed = session.code in self.scope.get("session", {}).get("classroom_teach", [])
        user = self.scope.get("user")
        if session.owner_id is not None and user is not None and user.pk == session.owner_id:
            allowed = True
        if not allowed or self.lab is None:
            await self._refuse(
                CommandError("role", "student", "must be the instructor who started this session"),
                4403,
            )
            return
        try:
            self._count(client_of_scope(self.scope), following=False)
        except CommandError as err:
            await self._refuse(err, CLOSE_TOO_MANY)
            return
        self._setup()
        self.captions = dict(session.captions)
        self.title = session.title
        self.presence_task: asyncio.Task[None] | None = None
        self.presence_sent: dict[str, Any] | None = None
        self.publishing = False
        try:
            self.timeline = await asyncio.to_thread(
                self._session_timeline, session.recording, session.position
            )
        except BaseException:
            self.counted = False
            SOCKETS.close(self.client)
            raise
        await self.accept()
        await self.channel_layer.group_add(teachers_group(session), self.channel_name)
        await self.send_json(self._hello())
        await LabConsumer.send_frame(self, with_log=True)
        await self._presence()
        self.publishing = True
        # Recounted now and then even when nobody pings: a killed process's students
        # age out of the count without a word from anyone.
        self.recount_task = asyncio.create_task(self._recount())

    async def disconnect(self, code: int) -> None:
        await super().disconnect(code)
        if hasattr(self, "recount_task"):
            self.recount_task.cancel()
        if hasattr(self, "session") and hasattr(self, "presence_task"):
            await self.channel_layer.group_discard(teachers_group(self.session), self.channel_name)

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels closes stale database connections in a worker thread before every
        # handler; a ping touches no database itself (store calls close their own).
        if message.get("type") == "classroom.ping":
            await self.classroom_ping(message)
            return
        await super().dispatch(message)

    async def _presence(self) -> None:
        data = await db(store.presence)(self.session.pk)
        self.presence_sent = data
        await self.send_json(data)

    async def _recount(self) -> None:
        while True:
            await asyncio.sleep(float(settings.PAPERLABS_CLASSROOM_HEARTBEAT))
            try:
                data = await db(store.presence)(self.session.pk)
                if data != self.presence_sent:
                    self.presence_sent = data
                    await self.send_json(data)
            except Exception:
                log.exception("classroom %s: presence failed", self.session.code)

    # -- every frame the instructor sees goes to the class --------------------------

    def _encoded_frame(self, with_log: bool, extra: Any = None) -> str:
        text = super()._encoded_frame(with_log, extra)
        timeline = self.timeline
        assert timeline is not None
        # The class's copy: the whole state (students join at any time), no private
        # notices or look-up answers, no log (students append events as they come).
        public = self._frame(False)
        public["state"] = timeline.engine.state()
        self._public = (dumps(public), timeline.recording().to_json(), timeline.position)
        return text

    async def send_frame(self, with_log: bool = False) -> None:
        await super().send_frame(with_log)
        await self._publish()

    async def move(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        result = await super().move(fn, *args, **kwargs)
        await self._publish()
        return result

    async def send_json(self, data: Any) -> None:
        await super().send_json(data)
        # New parameters change what the class's views are built for.
        if data.get("type") == "hello" and getattr(self, "publishing", False):
            assert self.timeline is not None
            self.session.recording = self.timeline.recording().to_json()
            hello = dumps(self._class_hello(read_only=True))
            await self.channel_layer.group_send(
                students_group(self.session), {"type": "classroom.hello", "text": hello}
            )

    async def _publish(self) -> None:
        public = getattr(self, "_public", None)
        if public is None or not self.publishing:
            return
        self._public = None
        body, recording, position = public
        seq, text = await db(store.publish)(self.session.pk, body, recording, position)
        await self.channel_layer.group_send(
            students_group(self.session), {"type": "classroom.frame", "seq": seq, "text": text}
        )

    # -- polls and the session ------------------------------------------------------

    async def _dispatch(self, message: dict[str, Any]) -> None:
        action = message["action"]
        if action not in TEACH_ACTIONS:
            await super()._dispatch(message)
            return
        check_fields(message, TEACH_ACTIONS[action])
        assert self.timeline is not None
        if action in ("poll_open", "poll_question"):
            if action == "poll_question":
                # The engine answers the question at this step (labs/classroom/questions.py).
                spec = await asyncio.to_thread(
                    poll_from_question, message.get("question"), self.timeline
                )
            else:
                spec = store.check_poll(message)
            poll = await db(store.open_poll)(self.session.pk, spec, self.timeline.position)
        elif action in ("poll_close", "poll_reveal"):
            poll = await db(store.close_poll)(self.session.pk, action == "poll_reveal")
        else:
            await db(store.end)(self.session.pk)
            await self.channel_layer.group_send(
                students_group(self.session), {"type": "classroom.ended"}
            )
            await self.send_json(
                {"type": "ended", "results": f"/classroom/{self.session.code}/results/"}
            )
            return
        tally = await db(store.summary)(poll) if poll.revealed else None
        await self.channel_layer.group_send(
            students_group(self.session), {"type": "classroom.poll", "poll": poll.to_json(tally)}
        )
        await self._presence()

    async def classroom_ping(self, event: dict[str, Any]) -> None:
        if self.presence_task is None:
            self.presence_task = asyncio.create_task(self._send_presence())

    async def _send_presence(self) -> None:
        await asyncio.sleep(PRESENCE_EVERY)
        self.presence_task = None
        try:
            await self._presence()
        except Exception:
            log.exception("classroom %s: presence failed", self.session.code)


class FollowConsumer(_ClassroomSocket):
    """A student's socket: the live frames, polls, and a private branch on request."""

    # The lecture reaches this socket through the process's hub, not a channel of its own.
    channel_layer_alias = "no channel layer"

    async def connect(self) -> None:
        session = await self._find_session()
        if session is None:
            return
        joined = self.scope.get("session", {}).get("classroom_join", {})
        participant = joined.get(session.code)
        if not isinstance(participant, int) or self.lab is None:
            await self._refuse(
                CommandError("participant", None, "must join the session first"), 4403
            )
            return
        self.participant = participant
        user = self.scope.get("user")
        signed_in = user is not None and getattr(user, "is_authenticated", False)
        # A lecture hall shares one address: a student is their account or their seat.
        try:
            self._count(
                f"user:{user.pk}" if signed_in else f"participant:{participant}", following=True
            )
        except CommandError as err:
            await self._refuse(err, CLOSE_TOO_MANY)
            return
        self.in_class = True
        self._setup()
        self.following = True
        self.holds_lab = False
        self.seen = 0
        self.read_only = True
        self.mine: dict[int, Any] = {}
        await self.accept()
        # Registered before reading the last frame: nothing falls in between, and
        # frames already sent (seq <= seen) are skipped.
        self.hub = await fanout.join(
            students_group(session), teachers_group(session), session.pk, self
        )
        await self.send_json(self._class_hello(read_only=True))
        # A page reconnecting after a drop may have been exploring: it follows again.
        await self.send_json({"type": "following", "following": True})
        await self._send_latest()
        poll = await db(store.current_poll)(session.pk)
        if poll is not None:
            self.mine[poll.pk] = await db(store.my_answer)(participant, poll.pk)
            summary = await db(store.summary)(poll) if poll.revealed else None
            await self._send_poll(poll.to_json(summary))
        await fanout.ready(self.hub, self)
        self.hub.ping()

    async def disconnect(self, code: int) -> None:
        await super().disconnect(code)
        if getattr(self, "in_class", False):
            self.in_class = False
            SOCKETS.close(self.client, following=not self.holds_lab)
            if hasattr(self, "hub"):
                self.hub.ping()
                await fanout.leave(self.hub, self)

    async def _send_latest(self) -> None:
        seq, text = await db(store.latest_frame)(self.session.pk)
        if text and seq >= self.seen:
            self.seen = seq
            await self.send(text_data=text)

    async def _send_poll(self, poll: dict[str, Any]) -> None:
        poll["mine"] = _own_answer(self.mine.get(poll["id"]), poll.get("revealed", False))
        await self.send_json({"type": "poll", "poll": poll})

    async def _dispatch(self, message: dict[str, Any]) -> None:
        action = message["action"]
        if action in FOLLOW_ACTIONS:
            check_fields(message, FOLLOW_ACTIONS[action])
            await getattr(self, f"class_{action}")(message)
            return
        if self.following:
            # Checked here, on every message: the page's buttons are no authority.
            raise CommandError(
                "action",
                action,
                "is the instructor's while you follow the lecture: press Explore to try "
                "it yourself from this step",
            )
        await super()._dispatch(message)

    async def class_answer(self, message: dict[str, Any]) -> None:
        answer = await db(store.record_answer)(
            self.participant, message.get("poll"), message.get("choice")
        )
        self.mine[answer.poll_id] = answer.value
        # Committed above, acknowledged only now.
        await self.send_json({"type": "ack", "poll": answer.poll_id, "choice": answer.value})
        self.hub.ping()

    async def class_submit_lab(self, message: dict[str, Any]) -> None:
        """A construct poll's answer: this student's explored lab, judged by the goal."""
        poll_id = message.get("poll")
        poll, lecture, step = await db(store.construct_setup)(self.participant, poll_id)
        if self.following or self.timeline is None:
            raise CommandError(
                "lab",
                "none explored",
                "must be explored first: press Explore from this step, act in the lab, "
                "then Use my lab for this poll",
            )
        # Judging re-runs the lecture and the student's steps: heavy work, budgeted.
        budget = Budget(
            "goal check", settings.PAPERLABS_SEEK_CPU_SECONDS, self.cancelled, field="lab"
        )
        async with HEAVY.slot("goal check", wait=SEEK_WAIT_SECONDS):
            judged = await asyncio.to_thread(
                judge_lab, dict(poll.expected or {}), lecture, step, self.timeline, budget
            )
        answer = await db(store.record_answer)(self.participant, poll_id, "your lab", judged)
        self.mine[answer.poll_id] = answer.value
        # Committed above, acknowledged only now; the verdict waits for the reveal, so a
        # student cannot resubmit until the goal check says yes.
        shown = _own_answer(answer.value, False)
        await self.send_json({"type": "ack", "poll": answer.poll_id, "choice": shown})
        self.hub.ping()

    async def class_explore(self, message: dict[str, Any]) -> None:
        if not self.holds_lab:
            # A private timeline is a lab like any other: it takes a lab socket's place.
            SOCKETS.take_lab()
            self.holds_lab = True
        try:
            session = await db(ClassSession.objects.get)(pk=self.session.pk)
            self.timeline = await asyncio.to_thread(
                self._session_timeline, session.recording, session.position
            )
        except BaseException:
            self._give_lab()
            raise
        self.following = False
        self.read_only = False
        self.encoder.forget()
        await self.send_json({"type": "following", "following": False})
        await LabConsumer.send_frame(self, with_log=True)

    def _give_lab(self) -> None:
        if self.holds_lab:
            self.holds_lab = False
            SOCKETS.give_lab()

    async def class_follow(self, message: dict[str, Any]) -> None:
        self._stop_playing()
        self._give_lab()
        self.following = True
        self.read_only = True
        self.timeline = None
        self.seen = 0
        await self.send_json({"type": "following", "following": True})
        await self._send_latest()

    # -- from the instructor, through this process's hub -----------------------------

    async def hub_message(self, event: dict[str, Any]) -> None:
        kind = event["type"]
        if kind == "classroom.frame":
            if self.following and event["seq"] > self.seen:
                self.seen = event["seq"]
                await self.send(text_data=event["text"])
        elif kind == "classroom.hello":
            if self.following:
                await self.send(text_data=event["text"])
        elif kind == "classroom.poll":
            await self._send_poll(dict(event["poll"]))
        elif kind == "classroom.ended":
            await self.send_json({"type": "ended"})
            await self.close(code=4410)


def _own_answer(value: Any, revealed: bool) -> Any:
    """What a student is shown of their own answer: a construct poll's verdict (``done``
    and its ``message``) only once the instructor reveals the answer."""
    if isinstance(value, dict) and not revealed:
        return {"actions": value.get("actions")}
    return value
