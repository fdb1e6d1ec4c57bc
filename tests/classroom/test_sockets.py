"""The live classroom over Channels' WebsocketCommunicator, one process."""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from labs.classroom.models import Answer, ClassSession
from tests.classroom.helpers import ClassSocket, join, start

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def lecture(students: int = 2) -> tuple[str, ClassSocket, list[ClassSocket], list[Client]]:
    teacher_client = Client()
    code = await sync_to_async(start)(teacher_client)
    teacher = ClassSocket(f"/ws/classroom/{code}/teach/", teacher_client)
    await teacher.open()
    await teacher.until("frame")
    await teacher.until("presence")
    socks, clients = [], []
    for n in range(students):
        client = Client()
        await sync_to_async(join)(client, code, f"student {n}")
        sock = ClassSocket(f"/ws/classroom/{code}/follow/", client)
        await sock.open()
        assert (await sock.recv())["type"] == "hello"
        await sock.until("frame")
        socks.append(sock)
        clients.append(client)
    return code, teacher, socks, clients


async def test_students_see_the_instructors_frames_in_order() -> None:
    _code, teacher, students, _ = await lecture(2)
    await teacher.ask({"action": "add_node", "name": "E"})
    await teacher.ask({"action": "add_keys", "count": 20})
    await teacher.ask({"action": "back"})
    for sock in students:
        frames = [await sock.until("frame") for _ in range(3)]
        assert [f["step"] for f in frames] == [1, 2, 1]
        assert [f["seq"] for f in frames] == sorted({f["seq"] for f in frames})
        assert "E" in [n["name"] for n in sock.state["nodes"]]
        assert sock.state == teacher.state
    assert [f["seq"] for f in students[0].frames] == [f["seq"] for f in students[1].frames]
    for sock in [teacher, *students]:
        await sock.close()


async def test_a_students_socket_refuses_instructor_actions() -> None:
    code, teacher, (student,), _ = await lecture(1)
    for message in (
        {"action": "add_node", "name": "X"},
        {"action": "step"},
        {"action": "poll_open", "prompt": "?", "options": ["a", "b"]},
        {"action": "end"},
    ):
        error = await student.ask(message, want="error")
        assert error["field"] == "action"
    assert "frame" not in [m["type"] for m in await teacher.drain()]
    session = await sync_to_async(ClassSession.objects.get)(code=code)
    assert session.position == 0 and session.ended is None
    await teacher.close()
    await student.close()


async def test_a_poll_counts_each_student_once_and_closes() -> None:
    _code, teacher, students, _ = await lecture(2)
    await teacher.send(
        {"action": "poll_open", "prompt": "Which node owns k?", "options": ["A", "B"], "correct": 1}
    )
    presence = await teacher.until("presence")
    poll = presence["poll"]
    assert poll["counts"] == [0, 0] and poll["open"]
    for sock in students:
        shown = (await sock.until("poll"))["poll"]
        assert "correct" not in shown and shown["mine"] is None
    a, b = students
    assert (await a.ask({"action": "answer", "poll": poll["id"], "choice": 0}, "ack"))[
        "choice"
    ] == 0
    assert (await a.ask({"action": "answer", "poll": poll["id"], "choice": 1}, "ack"))[
        "choice"
    ] == 1
    await b.ask({"action": "answer", "poll": poll["id"], "choice": 1}, "ack")
    while (presence := await teacher.until("presence"))["answered"] < 2:
        pass
    assert presence["poll"]["counts"] == [0, 2]
    await teacher.send({"action": "poll_close"})
    closed = (await a.until("poll"))["poll"]
    assert not closed["open"] and closed["mine"] == 1
    refused = await a.ask({"action": "answer", "poll": poll["id"], "choice": 0}, "error")
    assert refused["field"] == "choice" and "poll 1 is open: it is closed" in refused["rule"]
    await teacher.send({"action": "poll_reveal"})
    while not (revealed := (await b.until("poll"))["poll"])["revealed"]:
        pass
    assert revealed["correct"] == 1 and revealed["counts"] == [0, 2]
    assert await sync_to_async(Answer.objects.count)() == 2
    for sock in [teacher, *students]:
        await sock.close()


async def test_a_student_who_drops_resumes_at_the_current_step_with_their_answer() -> None:
    code, teacher, (student,), clients = await lecture(1)
    await teacher.send({"action": "poll_open", "prompt": "Next?", "options": ["a", "b", "c"]})
    poll = (await student.until("poll"))["poll"]
    await student.ask({"action": "answer", "poll": poll["id"], "choice": 2}, "ack")
    await student.close()
    await teacher.ask({"action": "add_node", "name": "F"})
    await teacher.ask({"action": "add_keys", "count": 5})
    again = ClassSocket(f"/ws/classroom/{code}/follow/", clients[0])
    await again.open()
    frame = await again.until("frame")
    assert frame["step"] == 2 and again.state == teacher.state
    resumed = (await again.until("poll"))["poll"]
    assert resumed["mine"] == 2 and resumed["open"]
    await teacher.ask({"action": "add_node", "name": "G"})
    assert (await again.until("frame"))["step"] == 3
    await again.close()
    await teacher.close()


async def test_explore_privately_then_follow_again() -> None:
    _code, teacher, (student,), _ = await lecture(1)
    await teacher.ask({"action": "add_node", "name": "E"})
    await student.until("frame")
    await student.send({"action": "explore"})
    assert (await student.until("following"))["following"] is False
    mine = await student.until("frame")
    assert mine["step"] == 1
    mine = await student.ask({"action": "add_node", "name": "S"})
    assert mine["step"] == 2 and "S" in [n["name"] for n in student.state["nodes"]]
    # The lecture goes on; the explorer's picture stays theirs.
    await teacher.ask({"action": "add_keys", "count": 3})
    assert "frame" not in [m["type"] for m in await student.drain()]
    await student.send({"action": "follow"})
    assert (await student.until("following"))["following"] is True
    live = await student.until("frame")
    assert live["step"] == 2 and student.state == teacher.state
    await teacher.close()
    await student.close()


async def test_ending_the_session_expires_its_code() -> None:
    code, teacher, (student,), clients = await lecture(1)
    await teacher.send({"action": "end"})
    assert (await student.until("ended"))["type"] == "ended"
    again = ClassSocket(f"/ws/classroom/{code}/follow/", clients[0])
    await again.open()
    error = await again.recv()
    assert error["type"] == "error" and error["field"] == "code"
    await student.close()
    await teacher.close()


async def test_a_poll_from_an_exercise_question_is_answered_by_the_engine() -> None:
    from labs.classroom.questions import poll_from_question, questions_for

    _, teacher, (student,), _ = await lecture(1)
    asked = [q["value"] for q in questions_for("consistent-hashing")]
    assert "ch-join-basics/owner" in asked
    await teacher.send({"action": "poll_question", "question": "ch-join-basics/owner"})
    poll = (await teacher.until("presence"))["poll"]
    assert poll["prompt"] == "Which node stores key-42 now?"
    # The same question asked of a timeline at the same step gives the same answer.
    from algorithms.consistent_hashing import ConsistentHashingEngine
    from algorithms.recording import Timeline

    timeline = Timeline(ConsistentHashingEngine, "consistent-hashing", {}, 1)
    expected = poll_from_question("ch-join-basics/owner", timeline)
    assert poll["options"] == expected["options"] and poll["correct"] == expected["correct"]
    shown = (await student.until("poll"))["poll"]
    assert shown["prompt"] == poll["prompt"] and "correct" not in shown
    refused = await teacher.ask(
        {"action": "poll_question", "question": "sw-small-world/c0"}, "error"
    )
    assert refused["field"] == "question" and "consistent-hashing exercise" in refused["rule"]
    await teacher.close()
    await student.close()


async def opened(teacher: ClassSocket, question: str) -> dict[str, Any]:
    """The instructor's view of the poll just opened from ``question``."""
    await teacher.send({"action": "poll_question", "question": question})
    while True:
        message = await teacher.recv()
        assert message["type"] != "error", message
        if message["type"] == "presence" and message.get("poll", {}).get("open"):
            poll: dict[str, Any] = message["poll"]
            return poll


async def test_polls_of_every_question_type_take_their_own_answers() -> None:
    from algorithms.consistent_hashing import ConsistentHashingEngine
    from algorithms.recording import Timeline
    from labs.classroom.questions import poll_from_question

    _, teacher, (a, b), _ = await lecture(2)
    timeline = Timeline(ConsistentHashingEngine, "consistent-hashing", {}, 1)

    # numeric: a number (or its text), within the question's tolerance
    poll = await opened(teacher, "ch-what-if/moved-if")
    expected = poll_from_question("ch-what-if/moved-if", timeline)["expected"]
    assert poll["kind"] == "numeric" and poll["options"] == []
    assert poll["expected"] == expected and "expected" not in (await a.until("poll"))["poll"]
    right = expected["value"]
    for bad, rule in (
        ("lots", "must be a number like 42 or 0.25"),
        (True, "must be a number like 42 or 0.25"),
        (1e300, "must be a number between"),
        ([1], "must be a number like 42 or 0.25"),
    ):
        refused = await a.ask({"action": "answer", "poll": poll["id"], "choice": bad}, "error")
        assert refused["field"] == "choice" and rule in refused["rule"], refused
    ack = await a.ask({"action": "answer", "poll": poll["id"], "choice": str(right)}, "ack")
    assert ack["choice"] == right
    await b.ask({"action": "answer", "poll": poll["id"], "choice": right + 1000}, "ack")
    while (presence := await teacher.until("presence"))["answered"] < 2:
        pass
    assert presence["poll"]["right"] == 1
    assert [r["count"] for r in presence["poll"]["rows"]] == [1, 1]
    assert presence["poll"]["stats"]["min"] == right

    # multiple: the list of options ticked; nothing ticked is an answer too
    poll = await opened(teacher, "ch-join-basics/pref")
    assert poll["kind"] == "multiple" and len(poll["options"]) >= 2
    n = len(poll["options"])
    for bad, rule in (
        (0, "must be a list of the options ticked"),
        ([n], f"must be option numbers 0 to {n - 1}"),
        ([0, 0], "must not tick the same option twice"),
    ):
        refused = await a.ask({"action": "answer", "poll": poll["id"], "choice": bad}, "error")
        assert refused["field"] == "choice" and rule in refused["rule"], refused
    want = poll["expected"]
    assert (await a.ask({"action": "answer", "poll": poll["id"], "choice": want[::-1]}, "ack"))[
        "choice"
    ] == sorted(want)
    await b.ask({"action": "answer", "poll": poll["id"], "choice": []}, "ack")
    while (presence := await teacher.until("presence"))["answered"] < 2:
        pass
    assert presence["poll"]["right"] == (2 if not want else 1)

    # pick: one element of the diagram, any of the right ones counts
    poll = await opened(teacher, "ch-join-basics/biggest")
    assert poll["kind"] == "pick" and poll["expected"]
    refused = await a.ask({"action": "answer", "poll": poll["id"], "choice": [0]}, "error")
    assert refused["field"] == "choice" and "must be one of the options" in refused["rule"]
    await a.ask({"action": "answer", "poll": poll["id"], "choice": poll["expected"][0]}, "ack")
    await teacher.send({"action": "poll_reveal"})
    while not (shown := (await b.until("poll"))["poll"])["revealed"]:
        pass
    assert shown["answer_text"] and shown["right"] == 1 and shown["mine"] is None
    for sock in (teacher, a, b):
        await sock.close()


async def refused_with(sock: ClassSocket) -> tuple[dict[str, Any], dict[str, Any]]:
    """A socket refused on connect: its error frame, then its close."""
    connected, _ = await sock.comm.connect()
    assert connected
    refusal = json.loads(await sock.comm.receive_from())
    return refusal, await sock.comm.receive_output()


async def test_classroom_sockets_count_in_the_socket_caps(settings) -> None:  # type: ignore[no-untyped-def]
    from labs.live.limits import SOCKETS

    lab, classroom = SOCKETS.total, SOCKETS.classroom  # sockets of other tests, if any
    code, teacher, (student,), clients = await lecture(1)
    assert (SOCKETS.total - lab, SOCKETS.classroom - classroom) == (1, 1)
    # A student is their seat, not their address (a lecture hall shares one).
    settings.PAPERLABS_MAX_SOCKETS_PER_CLIENT = 1
    second_tab = ClassSocket(f"/ws/classroom/{code}/follow/", clients[0])
    refusal, closed = await refused_with(second_tab)
    assert refusal["field"] == "connection" and "PER_CLIENT" in refusal["message"]
    assert closed == {"type": "websocket.close", "code": 4429}
    neighbour = Client()
    await sync_to_async(join)(neighbour, code, "neighbour")
    other = ClassSocket(f"/ws/classroom/{code}/follow/", neighbour)
    await other.open()
    await other.until("frame")
    assert SOCKETS.classroom - classroom == 2
    await other.close()
    # Students following hold no lab: their own cap; exploring takes a lab's place.
    settings.PAPERLABS_MAX_SOCKETS_PER_CLIENT = 12
    settings.PAPERLABS_MAX_CLASSROOM_SOCKETS = classroom + 1
    refusal, _ = await refused_with(ClassSocket(f"/ws/classroom/{code}/follow/", neighbour))
    assert "PAPERLABS_MAX_CLASSROOM_SOCKETS" in refusal["message"]
    settings.PAPERLABS_MAX_SOCKETS = lab + 1  # the instructor's lab holds the last
    refused = await student.ask({"action": "explore"}, "error")
    assert refused["field"] == "connection" and "PAPERLABS_MAX_SOCKETS" in refused["message"]
    settings.PAPERLABS_MAX_SOCKETS = lab + 2
    await student.ask({"action": "explore"}, "frame")
    assert (SOCKETS.total - lab, SOCKETS.classroom - classroom) == (2, 0)
    await student.ask({"action": "follow"}, "frame")
    assert (SOCKETS.total - lab, SOCKETS.classroom - classroom) == (1, 1)
    await student.close()
    await teacher.close()
    assert (SOCKETS.total, SOCKETS.classroom) == (lab, classroom)


async def test_presence_counts_students_whose_process_beats(settings) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from django.utils import timezone

    from labs.classroom import store
    from labs.classroom.models import Presence

    code, teacher, students, _ = await lecture(2)
    session = await sync_to_async(ClassSession.objects.get)(code=code)
    assert await sync_to_async(store.connected)(session.pk) == 2
    # Another process held a third student, then died without a word.
    participant = await sync_to_async(session.students.create)(name="on a dead process")
    await sync_to_async(store.present)(session.pk, participant.pk, "dead-process")
    assert await sync_to_async(store.connected)(session.pk) == 3
    old = timezone.now() - timedelta(seconds=store.presence_ttl() + 1)
    await sync_to_async(Presence.objects.filter(process="dead-process").update)(seen=old)
    assert await sync_to_async(store.connected)(session.pk) == 2
    settings.PAPERLABS_CLASSROOM_HEARTBEAT = 0.2
    while (await teacher.until("presence", timeout=5))["students"] != 2:
        pass
    await students[0].close()
    while (await teacher.until("presence", timeout=5))["students"] != 1:
        pass
    # The living process's heartbeat keeps its rows fresh and prunes the dead one's.
    very_old = timezone.now() - timedelta(seconds=4 * store.presence_ttl())
    await sync_to_async(Presence.objects.filter(process="dead-process").update)(seen=very_old)
    from labs.classroom.fanout import PROCESS

    await sync_to_async(store.heartbeat)(session.pk, PROCESS, [])
    assert not await sync_to_async(Presence.objects.filter(process="dead-process").exists)()
    await students[1].close()
    await teacher.close()


def joining_names(seed: int, key: str) -> tuple[str, str]:
    """A node name whose joining takes ``key`` over, and one whose joining does not,
    in the lecture's lab at step 0 (found by the lab's own goal predicate)."""
    from algorithms.recording import Timeline
    from labs.classroom.questions import judge_lab
    from labs.registry import LABS

    lab = LABS["consistent-hashing"]
    expected = {"goal": "key_moves_on_join", "args": {"key": key}}
    found: dict[bool, str] = {}
    for n in range(400):
        timeline = Timeline(lab.engine_class(), lab.slug, {}, seed, lab.checkpoint_every)
        timeline.act({"action": "add_node", "name": f"N{n}"})
        lecture = timeline.recording().to_json()
        found.setdefault(judge_lab(expected, lecture, 0, timeline)["done"], f"N{n}")
        if len(found) == 2:
            return found[True], found[False]
    raise AssertionError("no joining node takes the key")


async def test_a_construct_poll_judges_each_students_own_lab() -> None:
    code, teacher, (a, b), _ = await lecture(2)
    poll = await opened(teacher, "ch-construct/make-it-move")
    assert poll["kind"] == "construct" and poll["options"] == []
    goal = poll["expected"]
    assert goal["goal"] == "key_moves_on_join" and "key" in goal["args"]
    assert poll["answer_text"].startswith("goal: Add exactly one node")
    shown = (await a.until("poll"))["poll"]
    assert shown["kind"] == "construct" and "expected" not in shown
    await b.until("poll")

    # Refusals: a choice instead of a lab, a lab not explored yet.
    refused = await a.ask({"action": "answer", "poll": poll["id"], "choice": 0}, "error")
    assert refused["field"] == "choice" and "Use my lab for this poll" in refused["rule"]
    refused = await a.ask({"action": "submit_lab", "poll": poll["id"]}, "error")
    assert refused["field"] == "lab" and refused["rule"].startswith("must be explored first")
    refused = await a.ask({"action": "submit_lab", "poll": "one"}, "error")
    assert refused["field"] == "poll"

    session = await sync_to_async(ClassSession.objects.get)(code=code)
    right, wrong = await sync_to_async(joining_names)(
        session.recording["seed"], goal["args"]["key"]
    )
    # Ann explores, joins the node that takes the key over; Bob one that does not.
    for sock, name in ((a, right), (b, wrong)):
        await sock.ask({"action": "explore"})
        await sock.ask({"action": "add_node", "name": name})
    # The acknowledgement keeps the verdict back until the reveal: a student cannot
    # resubmit until the goal check says yes.
    ack = await a.ask({"action": "submit_lab", "poll": poll["id"]}, "ack")
    assert ack["choice"] == {"actions": 1}
    ack = await b.ask({"action": "submit_lab", "poll": poll["id"]}, "ack")
    assert ack["choice"] == {"actions": 1}
    stored = await sync_to_async(
        lambda: sorted(x.value["done"] for x in Answer.objects.filter(poll_id=poll["id"]))
    )()
    assert stored == [False, True]
    # Sent again, Ann's lab still counts once.
    await a.ask({"action": "submit_lab", "poll": poll["id"]}, "ack")
    while (presence := await teacher.until("presence"))["answered"] < 2:
        pass
    assert presence["poll"]["right"] == 1
    assert [(r["label"], r["count"]) for r in presence["poll"]["rows"]] == [
        ("goal reached", 1),
        ("not yet", 1),
    ]
    assert await sync_to_async(Answer.objects.filter(poll_id=poll["id"]).count)() == 2

    # A lab explored from another step than the poll's is refused, naming "Your lab".
    await teacher.ask({"action": "add_node", "name": "Z"})
    await b.ask({"action": "follow"})
    poll2 = await opened(teacher, "ch-construct/make-it-move")
    await b.ask({"action": "explore"})
    await teacher.send({"action": "poll_close"})
    refused = await b.ask({"action": "submit_lab", "poll": poll2["id"]}, "error")
    assert refused["field"] == "lab" and "is closed" in refused["rule"]
    # A choice poll does not take a lab.
    choice = await opened(teacher, "ch-construct/nodes")
    refused = await b.ask({"action": "submit_lab", "poll": choice["id"]}, "error")
    assert refused["field"] == "poll" and "numeric poll" in refused["rule"]
    for sock in (teacher, a, b):
        await sock.close()


async def test_a_lab_from_another_step_is_refused_by_its_label() -> None:
    _, teacher, (a,), _ = await lecture(1)
    await a.ask({"action": "explore"})
    await teacher.ask({"action": "add_node", "name": "Z"})
    poll = await opened(teacher, "ch-construct/make-it-move")
    refused = await a.ask({"action": "submit_lab", "poll": poll["id"]}, "error")
    assert refused["field"] == "lab"
    assert "must begin with the lecture's 1 steps up to the poll unchanged" in refused["rule"]
    for sock in (teacher, a):
        await sock.close()


async def test_judging_a_lab_is_bounded_by_the_seek_budget(settings) -> None:  # type: ignore[no-untyped-def]
    _, teacher, (a,), _ = await lecture(1)
    for _ in range(6):
        await teacher.ask({"action": "add_keys", "count": 50})
    poll = await opened(teacher, "ch-construct/make-it-move")
    await a.until("poll")
    await a.ask({"action": "explore"})
    await a.ask({"action": "add_node", "name": "Q"})
    # No CPU time at all: the replay stops at its first step past the start.
    settings.PAPERLABS_SEEK_CPU_SECONDS = 0.0
    refused = await a.ask({"action": "submit_lab", "poll": poll["id"]}, "error")
    assert refused["field"] == "lab" and "goal check budget" in refused["rule"]
    assert await sync_to_async(Answer.objects.filter(poll_id=poll["id"]).count)() == 0
    settings.PAPERLABS_SEEK_CPU_SECONDS = 10.0
    assert (await a.ask({"action": "submit_lab", "poll": poll["id"]}, "ack"))["choice"][
        "actions"
    ] == 1
    for sock in (teacher, a):
        await sock.close()
