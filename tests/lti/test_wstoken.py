"""The websocket's signed, short-lived token: a user for a good one, nobody otherwise."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser, User
from django.core import signing

from labs.asgi import application
from labs.lti import wstoken


@pytest.mark.django_db
def test_a_token_names_its_user_until_it_expires() -> None:
    user = User.objects.create_user("sam")
    token = wstoken.make(user)
    assert wstoken.user_from_token(token) == user
    assert wstoken.user_from_token(token, max_age=-1) is None
    assert wstoken.user_from_token(token[:-2] + "xx") is None
    assert wstoken.user_from_token(signing.dumps({"u": user.pk}, salt="other")) is None
    assert wstoken.user_from_token("") is None and wstoken.user_from_token("x" * 600) is None
    user.is_active = False
    user.save()
    assert wstoken.user_from_token(token) is None


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_the_socket_is_signed_in_from_its_token() -> None:
    user = await sync_to_async(User.objects.create_user)("sam")
    token = await sync_to_async(wstoken.make)(user)
    scope: dict[str, Any] = {"user": AnonymousUser(), "query_string": f"ws_token={token}".encode()}
    await wstoken.authenticate(scope)
    assert scope["user"] == user
    stale: dict[str, Any] = {"user": AnonymousUser(), "query_string": b"ws_token=bad"}
    await wstoken.authenticate(stale)
    assert not stale["user"].is_authenticated
    # The lab's socket accepts the token and works as before.
    communicator = WebsocketCommunicator(
        application,
        f"/ws/labs/consistent-hashing/?ws_token={token}",
        headers=[(b"origin", b"http://localhost")],
    )
    connected, _ = await communicator.connect()
    assert connected
    hello = await communicator.receive_json_from(timeout=20)
    assert hello
    await communicator.disconnect()
