"""A session carried by the page, for an LMS's iframe where the browser drops cookies.

A browser that blocks third-party cookies sends no session cookie to paperlabs inside
the LMS's iframe: after a launch every page would be anonymous, and every form would
fail its CSRF check. So a launch also hands the page a signed token (the user's id,
valid ``MAX_AGE`` seconds since the last page it came with). ``FrameSessionMiddleware``
signs the request's user in from it when no cookie did, puts a fresh token on the page
(``<meta name="paperlabs-frame-session">``, read by ``static/frame-session.js``, which
adds it to the links followed and the forms sent) and on the page's own redirects.

A POST that carries a valid token (in its URL's query string, where the script puts
it, so the body is left to the view) is exempt from the CSRF check: the token is a
secret of that user another site cannot read, which is what the CSRF cookie proves. A cookie session always wins over a token, and the admin never takes one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.http import HttpRequest, HttpResponseBase

PARAM = "frame_session"
SALT = "paperlabs.lti.frame-session"
MAX_AGE = 2 * 60 * 60
# Pages that never take a token: the admin and the log-in pages.
REFUSED_PREFIXES = ("/admin/", "/accounts/")


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
    user: AbstractBaseUser | None = (
        get_user_model().objects.filter(pk=data["u"], is_active=True).first()
    )
    return user


def with_token(url: str, token: str) -> str:
    """``url`` (of this site) with the token in its query string."""
    parts = urlsplit(url)
    query = "&".join(p for p in parts.query.split("&") if p and not p.startswith(PARAM + "="))
    query = f"{query}&" if query else ""
    return parts._replace(query=query + urlencode({PARAM: token})).geturl()


def _sign_in(request: HttpRequest) -> None:
    request.paperlabs_frame_token = ""  # type: ignore[attr-defined]
    if request.path.startswith(REFUSED_PREFIXES):
        return
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        return
    # Only from the query string: the body is left for the view to read (and refuse).
    token = request.GET.get(PARAM, "")[:512]
    user = user_from_token(token) if token else None
    if user is None:
        return
    request.user = user
    request.paperlabs_frame_token = make(user)  # type: ignore[attr-defined]
    if request.method == "POST":
        request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]


def _own_redirect(request: HttpRequest, location: str) -> bool:
    parts = urlsplit(location)
    if parts.scheme or parts.netloc:
        return parts.netloc == request.get_host() and parts.scheme in ("http", "https")
    return location.startswith("/") and not location.startswith("//")


def _finish(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    token = getattr(request, "paperlabs_frame_token", "")
    location = response.get("Location") if token else None
    if location and _own_redirect(request, location):
        response["Location"] = with_token(location, token)
    return response


class FrameSessionMiddleware:
    """Signs a cookieless request in from its frame-session token (after the auth middleware)."""

    sync_capable = True
    async_capable = True

    def __init__(
        self,
        get_response: Callable[[HttpRequest], HttpResponseBase | Awaitable[HttpResponseBase]],
    ) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if self.is_async:
            return self.__acall__(request)
        _sign_in(request)
        response = self.get_response(request)
        assert isinstance(response, HttpResponseBase)
        return _finish(request, response)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        await sync_to_async(_sign_in)(request)
        response = self.get_response(request)
        assert not isinstance(response, HttpResponseBase)
        return _finish(request, await response)


def context(request: HttpRequest) -> dict[str, str]:
    """Template context: the fresh token of a request signed in by one (else empty)."""
    return {"frame_session": getattr(request, "paperlabs_frame_token", "")}
