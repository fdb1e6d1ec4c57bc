"""The live protocol: one websocket per open lab, JSON both ways.

See docs/protocol.md for every message with an example. In short: the client sends
``{"action": ...}``; the server answers with ``frame`` messages (step, events,
state), and with an ``error`` message naming the field, the value and the rule for
anything it refuses. A refused message never closes the socket or changes the engine.

Engine work always runs in a worker thread (``asyncio.to_thread``), one message at a
time per socket, so a slow move never blocks other clients on the event loop. Work that
re-runs a recording (seeks, branch switches, opening a replay at a step) also takes a
slot of the process's heavy-work limit and runs under a CPU budget, and stops when its
client leaves (labs/runtime.py). Playing is paced on the server: one frame per
``1/fps`` seconds, never faster.

Bounds (docs/protocol.md, "Limits"): sockets per process and per client
(labs/live/limits.py); a frame larger than ``PAPERLABS_MAX_FRAME_BYTES`` is sent as
``part`` messages the player joins (labs/live/outbox.py), so every legal picture reaches
the client, and the delta encoding counts only what was sent (labs/live/frames.py); a
recording may not grow past ``PAPERLABS_MAX_RECORDING_BYTES``; saves are rate-limited
per client, and only a signed-in user's saves are listed publicly (labs/live/replays.py).
A lab's heavy actions are declared on its registry entry (labs/live/tasks.py).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import parse_qs

from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from algorithms.engine import CommandError, check_int, check_seed
from algorithms.recording import Timeline
from labs.inputs import small_int
from labs.live import replays, transport
from labs.live.frames import DeltaEncoder, branch_notice, dumps, frame_head
from labs.live.limits import SOCKETS, RecordingGrowth, client_of_scope
from labs.live.messages import (
    SERVER_FAILED,
    TokenBucket,
    check_fields,
    error_frame,
    limits,
    parse_message,
)
from labs.live.outbox import Outbox
from labs.live.pacing import MAX_FPS, pace
from labs.lti import wstoken
from labs.registry import LABS, Lab
from labs.replays import check_title
from labs.runtime import HEAVY, Budget, WorkCancelled
from labs.teaching.content import Scenario
from labs.teaching.scenario import open_scenario

# The player's actions and the fields each takes (besides "action").
NAVIGATION: dict[str, tuple[str, ...]] = {
    "step": (),
    "back": (),
    "seek": ("step",),
    "play": ("fps",),
    "pause": (),
    "speed": ("fps",),
    "reset": (),
    "switch_branch": ("branch",),
    "set_params": ("params", "seed"),
    "save": ("title",),
    "export": (),
}
log = logging.getLogger(__name__)
transport.install()


DEFAULT_FPS = 4
SEEK_WAIT_SECONDS = 5.0
"""How long a seek may wait for a free heavy-work slot before it is refused."""


CLOSE_TOO_MANY = 4429
"""Close code when a socket cap (per process or per client) refuses a connection."""


class LabConsumer(AsyncWebsocketConsumer):
    lab: Lab | None = None
    timeline: Timeline | None = None
    outbox: Outbox | None = None

    # -- connection -------------------------------------------------------------

    async def connect(self) -> None:
        await wstoken.authenticate(self.scope)  # an LMS iframe has no session cookie
        self.client = client_of_scope(self.scope)
        self.counted = False
        try:
            SOCKETS.open(self.client)
            self.counted = True
        except CommandError as err:
            await self.accept()
            await self.send_json(error_frame(err))
            await self.close(code=CLOSE_TOO_MANY)
            return
        try:
            await self._open()
        except BaseException:
            # A socket whose opening failed is never disconnected: give its place back.
            if self.counted:
                self.counted = False
                SOCKETS.close(self.client)
            raise

    async def _close_refused(self) -> None:
        """Close a socket refused while opening; its place is given back now, as a
        client that never acknowledges the close must not hold it."""
        if self.counted:
            self.counted = False
            SOCKETS.close(self.client)
        await self.close(code=4404)

    def _setup_socket(self) -> None:
        """The per-socket state every socket that speaks the lab protocol needs."""
        self.lock = asyncio.Lock()
        self.bucket = TokenBucket(settings.PAPERLABS_RATE_PER_SECOND, settings.PAPERLABS_RATE_BURST)
        self.play_task: asyncio.Task[None] | None = None
        self.fps = DEFAULT_FPS
        self.read_only = False
        self.captions: dict[str, str] = {}
        self.title = ""
        self.replay_id: str | None = None
        self.lab_tasks: dict[str, asyncio.Task[None]] = {}
        self.lab_cancels: dict[str, Callable[[], None]] = {}
        # Set when the client leaves: heavy work for it stops at its next step.
        self.cancelled = threading.Event()
        self.encoder = DeltaEncoder()
        self.growth = RecordingGrowth()
        self.scenario: Scenario | None = None

    async def _open(self) -> None:
        slug = self.scope["url_route"]["kwargs"]["slug"]
        self.lab = LABS.get(slug)
        if self.lab is None:
            await self.accept()
            await self.send_json(
                error_frame(CommandError("lab", slug, f"must be one of {', '.join(LABS.slugs())}"))
            )
            await self._close_refused()
            return
        self._setup_socket()
        await self.accept()

        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        replay_id = (query.get("replay") or [""])[0]
        scenario = (query.get("scenario") or [""])[0]
        try:
            if replay_id:
                await self._open_replay(replay_id, fork=(query.get("fork") or [""])[0] == "1")
            elif scenario:
                # An exercise page: the student's variant, set-up applied, editable.
                self.scenario = open_scenario(scenario[:8192], self.lab.slug)
                self.timeline = await self._run_scenario()
            else:
                self.timeline = await asyncio.to_thread(
                    self._new_timeline, {}, self.lab.default_seed
                )
            if step := (query.get("step") or [""])[0]:
                target = small_int(step)
                if target is None:
                    raise CommandError("step", step[:40], "must be a step number (0 or more)")
                assert self.timeline is not None
                await self._rerun(self.timeline.seek, min(target, self.timeline.length), send=False)
        except WorkCancelled:
            return
        except CommandError as err:
            await self.send_json(error_frame(err))
            if self.timeline is None:
                await self._close_refused()
                return
        await self.send_json(self._hello())
        await self.send_frame(with_log=True)

    async def _open_replay(self, replay_id: str, fork: bool) -> None:
        assert self.lab is not None
        replay, self.timeline = await replays.open_replay(self.lab, replay_id)
        self.read_only = not fork
        self.replay_id = replay.pk
        self.captions = replay.captions if not fork else {}
        self.title = replay.title

    async def _run_scenario(self) -> Timeline:
        """The exercise's scenario, run afresh, as every re-run of recorded steps is: in a
        heavy-work slot, under the seek budget, stopped when the client leaves."""
        assert self.scenario is not None
        budget = Budget("seek", settings.PAPERLABS_SEEK_CPU_SECONDS, self.cancelled)
        async with HEAVY.slot("scenario", wait=SEEK_WAIT_SECONDS):
            return await asyncio.to_thread(self.scenario.timeline, (), budget)

    def _new_timeline(self, params: Mapping[str, Any], seed: int) -> Timeline:
        assert self.lab is not None
        return Timeline(
            self.lab.engine_class(), self.lab.slug, params, seed, self.lab.checkpoint_every
        )

    async def disconnect(self, code: int) -> None:
        if getattr(self, "counted", False):
            self.counted = False
            SOCKETS.close(self.client)
        if hasattr(self, "cancelled"):
            self.cancelled.set()
        self._stop_playing()
        # Heavy work runs in threads: tell it to stop, then drop its streaming task.
        for cancel in getattr(self, "lab_cancels", {}).values():
            cancel()
        for task in getattr(self, "lab_tasks", {}).values():
            task.cancel()

    # -- sending ----------------------------------------------------------------

    async def send_json(self, data: Mapping[str, Any]) -> None:
        await self.deliver(dumps(data))

    async def deliver(self, text: str) -> None:
        """Send one message, in parts past the frame limit (labs/live/outbox.py)."""
        if self.outbox is None:
            self.outbox = Outbox(lambda text: self.send(text_data=text))
        await self.outbox.deliver(text)

    async def deliver_frame(self, text: str) -> None:
        """Send a frame from the delta encoder; only a frame handed to the transport
        counts as the client's picture, anything else makes the next frame whole."""
        try:
            await self.deliver(text)
        except BaseException:
            self.encoder.forget()
            raise
        self.encoder.delivered()

    def _hello(self) -> dict[str, Any]:
        assert self.lab is not None and self.timeline is not None
        return {
            "type": "hello",
            "lab": self.lab.slug,
            "params": self.timeline.params.to_dict(),
            "seed": self.timeline.seed,
            "read_only": self.read_only,
            "replay": self.replay_id,
            "title": self.title,
            "captions": self.captions,
            "limits": {**limits(), "max_fps": MAX_FPS},
        }

    def _frame(self, with_log: bool) -> dict[str, Any]:
        assert self.timeline is not None
        playing = self.play_task is not None
        return frame_head(self.timeline, self.captions, playing, self.fps, with_log)

    def _encoded_frame(self, with_log: bool, extra: Mapping[str, Any] | None = None) -> str:
        """The frame as JSON text, its state sent as a delta (labs/live/frames.py)."""
        assert self.timeline is not None
        state = self.timeline.engine.state()
        frame = self._frame(with_log)
        frame.update(extra or {})
        return self.encoder.encode(frame, state)

    async def send_frame(self, with_log: bool = False) -> None:
        try:
            text = await asyncio.to_thread(self._encoded_frame, with_log)
        except BaseException:
            self.encoder.forget()
            raise
        await self.deliver_frame(text)

    async def move(
        self,
        fn: Callable[..., Any],
        *args: Any,
        with_log: bool = False,
        extra: Callable[[Any], Mapping[str, Any]] | None = None,
    ) -> Any:
        """Run one timeline move and build its frame in one trip to a worker thread.

        Every move goes to a thread, whatever it cost last time: a cheap-looking
        history says nothing about the next command (100,000 keys at once).
        """

        def work() -> tuple[Any, str]:
            result = fn(*args)
            return result, self._encoded_frame(with_log, extra(result) if extra else None)

        try:
            result, text = await asyncio.to_thread(work)
        except BaseException:
            # Encoded or not, this frame is not going out: the next one is whole.
            self.encoder.forget()
            raise
        await self.deliver_frame(text)
        return result

    async def _rerun(
        self, fn: Callable[..., Any], *args: Any, with_log: bool = True, send: bool = True
    ) -> Any:
        """A move that re-runs recorded steps: a heavy-work slot, a CPU budget, and it
        stops when the client leaves."""
        budget = Budget("seek", settings.PAPERLABS_SEEK_CPU_SECONDS, self.cancelled)
        async with HEAVY.slot("seek", wait=SEEK_WAIT_SECONDS):
            if not send:
                return await asyncio.to_thread(fn, *args, budget)
            try:
                return await self.move(fn, *args, budget, with_log=with_log)
            except CommandError:
                # Stopped part-way: show where the timeline now stands, then refuse.
                await self.send_frame(with_log=True)
                raise

    # -- receiving --------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        message: dict[str, Any] = {}
        try:
            message = parse_message(self.bucket, text_data, bytes_data)
            async with self.lock:
                await self._dispatch(message)
        except WorkCancelled:
            return
        except CommandError as err:
            await self.send_json(error_frame(err, message.get("action")))
        except Exception:
            # A bug must not cost the student their session: report it, keep the socket.
            log.exception("lab %s: message failed", self.lab.slug if self.lab else "?")
            await self.send_json(SERVER_FAILED)

    async def _dispatch(self, message: dict[str, Any]) -> None:
        action = message["action"]
        handler: Callable[[dict[str, Any]], Awaitable[None]] | None = getattr(
            self, f"do_{action}", None
        )
        if action in NAVIGATION and handler is not None:
            check_fields(message, NAVIGATION[action])
            await handler(message)
            return
        assert self.lab is not None
        task = self.lab.tasks.get(action)
        if task is not None:
            check_fields(message, task.fields)
            await task.run(self, message)
            return
        assert self.timeline is not None
        timeline = self.timeline
        if timeline.engine_class.is_look_up(message):
            # A question about this step: answered, never recorded, allowed on replays.
            await self.move(
                timeline.look_up,
                message,
                extra=lambda events: {"answer": [e.to_json() for e in events]},
            )
            return
        if self.read_only:
            raise CommandError(
                "action",
                action,
                "is not allowed on a read-only replay: open it in the lab to try a what-if",
            )
        # Acting in the past starts a branch; the old future is kept as another branch.
        was = (timeline.branch_id, timeline.position, timeline.length)
        grown = await asyncio.to_thread(self.growth.check, timeline, message)
        await self.move(
            timeline.act,
            message,
            with_log=was[1] < was[2] or was[1] == 0,
            extra=lambda _: branch_notice(timeline, *was),
        )
        self.growth.grew(timeline, grown)

    # -- navigation (the player) ----------------------------------------------

    async def do_step(self, message: dict[str, Any]) -> None:
        self._stop_playing()
        assert self.timeline is not None
        if self.read_only and self.timeline.position >= self.timeline.length:
            raise CommandError("step", self.timeline.position, "is the end of this replay")
        events = await self.move(self.timeline.forward)
        if events is None:
            await self.send_json(
                {"type": "notice", "message": "Nothing left to run: the engine is idle."}
            )

    async def do_back(self, message: dict[str, Any]) -> None:
        self._stop_playing()
        assert self.timeline is not None
        await self._rerun(self.timeline.back)

    async def do_seek(self, message: dict[str, Any]) -> None:
        self._stop_playing()
        assert self.timeline is not None
        step = check_int("step", message.get("step"), 0, self.timeline.length)
        await self._rerun(self.timeline.seek, step)

    async def do_switch_branch(self, message: dict[str, Any]) -> None:
        self._stop_playing()
        assert self.timeline is not None
        branch = self.timeline.check_branch(message.get("branch"))
        await self._rerun(self.timeline.switch_branch, branch)

    async def do_play(self, message: dict[str, Any]) -> None:
        if "fps" in message:
            self.fps = check_int("fps", message["fps"], 1, MAX_FPS)
        if self.play_task is None:
            self.play_task = asyncio.create_task(self._play())
        await self.send_frame()

    async def do_pause(self, message: dict[str, Any]) -> None:
        self._stop_playing()
        await self.send_frame()

    async def do_speed(self, message: dict[str, Any]) -> None:
        self.fps = check_int("fps", message.get("fps"), 1, MAX_FPS)
        await self.send_frame()

    async def do_reset(self, message: dict[str, Any]) -> None:
        self._stop_playing()
        if self.read_only:
            raise CommandError("action", "reset", "is not allowed on a read-only replay")
        assert self.timeline is not None
        if self.scenario is not None:
            self.timeline = await self._run_scenario()
            await self.send_frame(with_log=True)
            return
        self.timeline = await asyncio.to_thread(
            self._new_timeline, self.timeline.params.to_dict(), self.timeline.seed
        )
        await self.send_frame(with_log=True)

    async def do_set_params(self, message: dict[str, Any]) -> None:
        if self.read_only:
            raise CommandError("action", "set_params", "is not allowed on a read-only replay")
        if self.scenario is not None:
            raise CommandError(
                "action", "set_params", "is not allowed in an exercise: its scenario fixes them"
            )
        assert self.timeline is not None
        params = message.get("params", {})
        if not isinstance(params, dict):
            raise CommandError("params", params, "must be an object of parameter values")
        seed = check_seed(message.get("seed", self.timeline.seed))
        merged = {**self.timeline.params.to_dict(), **params}
        timeline = await asyncio.to_thread(
            self._new_timeline, merged, seed
        )  # raises before replacing
        self._stop_playing()
        self.timeline = timeline
        await self.send_json(self._hello())
        await self.send_frame(with_log=True)

    async def do_save(self, message: dict[str, Any]) -> None:
        assert self.timeline is not None
        title = check_title(message.get("title", ""))
        exercise = self.scenario is not None
        replay = await replays.save(
            self.scope, self.client, self.timeline, title, self.captions, exercise
        )
        # An export from here on carries the title the replay was saved with.
        self.title = title
        await self.send_json(
            {
                "type": "saved",
                "id": replay.pk,
                "url": f"/replays/{replay.pk}/",
                "step": self.timeline.position,
            }
        )

    async def do_export(self, message: dict[str, Any]) -> None:
        assert self.timeline is not None
        data = replays.export(self.timeline, self.title, self.captions)
        await self.send_json({"type": "export", "replay": data})

    # -- playing ---------------------------------------------------------------

    def _stop_playing(self) -> None:
        task, self.play_task = getattr(self, "play_task", None), None
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    async def _play(self) -> None:
        await pace(self._play_tick, lambda: self.fps)

    async def _play_tick(self) -> bool:
        """One paced step; False (and playing stops) at the end of what can run."""
        async with self.lock:
            assert self.timeline is not None
            timeline = self.timeline
            at_end = self.read_only and timeline.position >= timeline.length
            events = None if at_end else await self.move(timeline.forward)
            if events is None:
                self.play_task = None
                await self.send_json(
                    {"type": "notice", "message": "Reached the end: playing stopped."}
                )
                await self.send_frame()
                return False
        return True
