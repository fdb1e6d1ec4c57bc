"""Flash messages for pages signed in by a frame session (an LMS's iframe, no cookies).

Django keeps "Submitted and saved." in a cookie or the session, and neither reaches a
page in an iframe whose third-party cookies are blocked. For a request signed in by its
frame session (labs/lti/frame_session.py) the messages wait in the cache under the
user's name instead, for the next page that user opens; every other request uses
Django's own fallback storage. With several server processes the cache is Redis
(``REDIS_URL``), shared as the launch's state and nonce are.
"""

from __future__ import annotations

from typing import Any

from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.cache import cache

__all__ = ["FrameAwareStorage"]

KEEP_SECONDS = 5 * 60
MAX_MESSAGES = 20  # a page shows a few; a loop that adds many must not grow the cache


class FrameAwareStorage(FallbackStorage):
    """Django's messages, kept in the cache for requests signed in by a frame session."""

    def _frame_key(self) -> str | None:
        user = getattr(self.request, "user", None)
        framed = getattr(self.request, "paperlabs_frame_token", "")
        if framed and user is not None and user.is_authenticated:
            return f"paperlabs:frame-messages:{user.pk}"
        return None

    def _get(self, *args: Any, **kwargs: Any) -> tuple[list[Message], bool]:
        key = self._frame_key()
        if key is None:
            return super()._get(*args, **kwargs)  # type: ignore[no-any-return]
        return list(cache.get(key) or []), True

    def _store(self, messages: list[Message], response: Any, *args: Any, **kwargs: Any) -> Any:
        key = self._frame_key()
        if key is None:
            return super()._store(messages, response, *args, **kwargs)
        if messages:
            cache.set(key, list(messages)[-MAX_MESSAGES:], KEEP_SECONDS)
        else:
            cache.delete(key)
        return []
