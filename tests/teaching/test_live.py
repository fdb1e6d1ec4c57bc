"""The live lab on an exercise's scenario: signed token, set-up applied, no answers sent."""

from __future__ import annotations

import html as htmllib
import json
import re
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import User
from django.core import signing
from django.test import Client

from labs.live.limits import SOCKETS
from labs.models import Replay
from labs.teaching import content, services
from labs.teaching.content import Scenario
from labs.teaching.grading import prepare
from labs.teaching.models import Quiz
from labs.teaching.scenario import SALT, scenario_token
from tests.labs.wsclient import LabSocket
from tests.teaching.conftest import prepared_of

CH = "/ws/labs/consistent-hashing/"
SECRET_WORDS = ("expected", "solution", "answer", "questions", "tolerance")


def ws_query(page: str) -> str:
    match = re.search(r'data-ws-query="([^"]+)"', page)
    assert match, "no live lab on the page"
    return htmllib.unescape(match.group(1))


@pytest.mark.django_db
def test_the_token_holds_the_scenario_and_nothing_else() -> None:
    exercise = content.exercise("ch-what-if")
    assert exercise is not None
    prepared = prepare(exercise, exercise.variant(5))
    page = Client().get("/exercises/ch-what-if/?variant=3").content.decode()
    token = ws_query(page).removeprefix("?scenario=")
    data = signing.loads(token, salt=SALT)
    assert set(data) == {"lab", "params", "seed", "commands"}
    assert data["commands"] == [{"action": "remove_node", "name": "C"}]
    assert scenario_token(prepared.scenario) != token  # another variant, another token
    with pytest.raises(signing.BadSignature):
        signing.loads(token[:-2] + "xx", salt=SALT)


async def _session(query: str, *messages: dict[str, Any]) -> tuple[LabSocket, list[dict[str, Any]]]:
    sock = LabSocket(CH + query)
    first = await sock.open()
    seen: list[dict[str, Any]] = [sock.hello or {}, first]
    for message in messages:
        seen.append(await sock.ask(message, want=message.get("want", "frame")))
    return sock, seen


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_the_live_lab_opens_on_the_students_variant_without_answers() -> None:
    user = await database_sync_to_async(User.objects.create_user)("carol")
    quiz = await database_sync_to_async(Quiz.objects.create)(slug="live", title="Live")
    await database_sync_to_async(quiz.items.create)(exercise="ch-what-if", position=1)
    attempt = await database_sync_to_async(services.start_attempt)(quiz, user)
    client = Client()
    await database_sync_to_async(client.force_login)(user)
    page = (await database_sync_to_async(client.get)(attempt.get_absolute_url())).content.decode()
    prepared = await database_sync_to_async(prepared_of)(attempt, "ch-what-if")
    sock, seen = await _session(ws_query(page))
    hello, frame = seen
    assert hello["params"] == dict(prepared.scenario.params)
    assert hello["seed"] == prepared.variant.seed
    assert frame["length"] == frame["step"] == 1  # the set-up's one command, applied
    assert "C" not in [n["name"] for n in frame["state"]["nodes"]]
    joiner = prepared.variant.values["joiner"]
    payload = json.dumps(seen)
    for word in SECRET_WORDS:
        assert f'"{word}' not in payload.lower()
    for expected in prepared.expected.values():
        assert expected.why not in payload and expected.why not in page
    # The what-if join the questions ask about has not happened anywhere.
    assert f'"name":"{joiner}"' not in payload.replace(" ", "")
    assert f"Node {joiner} joins" not in payload
    await sock.close()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_scenario_sessions_keep_the_scenario() -> None:
    exercise = content.exercise("ch-join-basics")
    assert exercise is not None
    scenario = prepare(exercise, exercise.variant(0)).scenario
    query = "?scenario=" + scenario_token(scenario)
    sock, seen = await _session(
        query,
        {"action": "add_node", "name": "Z"},
        {"action": "set_params", "params": {"nodes": 9}},
    )
    assert seen[2]["length"] == 2
    refused = seen[3]
    assert refused["type"] == "error" and refused["field"] == "action"
    assert "is not allowed in an exercise: its scenario fixes them" in refused["message"]
    back = await sock.ask({"action": "reset"})
    assert back["length"] == 1 and "Z" not in [n["name"] for n in back["state"]["nodes"]]
    await sock.ask({"action": "add_node", "name": "Y"})
    saved = await sock.ask({"action": "save", "title": "Answer"}, want="saved")
    replay = await database_sync_to_async(Replay.objects.get)(pk=saved["id"])
    assert (
        replay.source == "exercise" and replay.length == 2 and replay.commands[0][1]["name"] == "E"
    )
    listing = (await database_sync_to_async(Client().get)("/replays/")).content.decode()
    assert saved["id"] not in listing
    await sock.close()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_forged_or_foreign_tokens_are_refused() -> None:
    sock = LabSocket(CH + "?scenario=not-a-token")
    connected, _ = await sock.comm.connect()
    assert connected
    error = await sock.recv()
    assert error["type"] == "error" and error["field"] == "scenario"
    assert "must be a scenario link made by an exercise page" in error["message"]
    await sock.comm.wait()
    other = Scenario("vector-clocks", {}, 1, ())
    token = signing.dumps(other.to_json(), salt=SALT, compress=True)
    sock = LabSocket(CH + "?scenario=" + token)
    await sock.comm.connect()
    error = await sock.recv()
    assert "must be a scenario of the consistent-hashing lab" in error["message"]
    await sock.comm.wait()
    # A refused socket gives its place back even if the client never acknowledges the close.
    assert SOCKETS.total == 0
