"""A lab opened from an LTI launch hands the launch's websocket token to its socket."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from labs.lti import wstoken

pytestmark = pytest.mark.django_db


def test_the_lab_page_passes_a_valid_launch_token_to_its_socket() -> None:
    user = get_user_model().objects.create_user("launched")
    token = wstoken.make(user)
    html = Client().get("/labs/snapshots/", {"ws_token": token}).content.decode()
    assert "ws_token=" in html
    forged = Client().get("/labs/snapshots/", {"ws_token": token[:-3] + "abc"}).content
    assert b"ws_token=" not in forged
