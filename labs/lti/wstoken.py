"""Signed, short-lived tokens that authenticate a websocket without a cookie.

In an LMS's iframe the browser drops third-party cookies, so the lab's websocket
cannot carry the session. A launch hands the page a token (the user's id, signed with
the site's secret, valid for ``MAX_AGE`` seconds); the socket presents it in its query
string and ``user_from_token`` returns the user, or None for a bad or stale token.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing

SALT = "paperlabs.lti.websocket"
MAX_AGE = 10 * 60


def make(user: AbstractBaseUser) -> str:
    return signing.dumps({"u": user.pk}, salt=SALT, compress=True)


def user_from_token(token: str, max_age: int = MAX_AGE) -> AbstractBaseUser | None:
    """The token's active user, or None (bad signature, expired, unknown or inactive user)."""
    if not token or len(token) > 512:
        return None
    try:
        data: Any = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = get_user_model().objects.filter(pk=data["u"], is_active=True).first()
    return user


async def authenticate(scope: dict[str, Any]) -> None:
    """Sign the socket in from its ``ws_token`` when the session cookie did not come along.

    An LMS's iframe drops third-party cookies, so a lab opened from a launch has no
    session on its socket; a valid, unexpired token puts its user in ``scope["user"]``.
    A bad or stale token changes nothing (the socket stays anonymous).
    """
    from urllib.parse import parse_qs

    from channels.db import database_sync_to_async

    current = scope.get("user")
    if current is not None and getattr(current, "is_authenticated", False):
        return
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    token = (query.get("ws_token") or [""])[0]
    if not token:
        return
    user = await database_sync_to_async(user_from_token)(token)
    if user is not None:
        scope["user"] = user
