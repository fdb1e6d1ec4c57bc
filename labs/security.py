"""The Content-Security-Policy header of every page, on Django 5.2 and 6.x alike.

Django 6 has a built-in CSP middleware and 5.2 has none; neither can name the
request's own websocket origin, which the labs' live connection needs (``ws://host``
over HTTP, ``wss://host`` over HTTPS; browsers older than CSP Level 3 do not match a
websocket with ``'self'``). So one small middleware serves both versions.

The policy is ``settings.PAPERLABS_CSP``: directive -> sources. ``WEBSOCKET_SELF``
among the sources stands for the request's own websocket origin. Pages that load
Plotly (``{% plotly_script %}``) add ``settings.PAPERLABS_CSP_PLOTLY`` to it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponseBase

WEBSOCKET_SELF = "websocket-self"
HEADER = "Content-Security-Policy"


def policy_for(
    request: HttpRequest,
    policy: Mapping[str, Sequence[str]],
    extra: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """The header value of ``policy`` (plus ``extra``) for ``request``.

    ``WEBSOCKET_SELF`` becomes ``ws://host`` or ``wss://host`` of the request.
    """
    try:
        own = ("wss://" if request.is_secure() else "ws://") + request.get_host()
    except DisallowedHost:
        own = ""
    extra = extra or {}
    parts = []
    for directive in dict.fromkeys([*policy, *extra]):
        sources = [*policy.get(directive, ()), *extra.get(directive, ())]
        values = [own if s == WEBSOCKET_SELF else s for s in sources]
        parts.append(" ".join([directive, *(v for v in dict.fromkeys(values) if v)]))
    return "; ".join(parts)


class ContentSecurityPolicyMiddleware:
    """Adds ``Content-Security-Policy`` to every response that has none yet."""

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
        response = self.get_response(request)
        assert isinstance(response, HttpResponseBase)
        return self._add(request, response)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        assert not isinstance(response, HttpResponseBase)
        return self._add(request, await response)

    def _add(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if HEADER not in response:
            plotly = getattr(request, "paperlabs_loads_plotly", False)
            extra = settings.PAPERLABS_CSP_PLOTLY if plotly else None
            response[HEADER] = policy_for(request, settings.PAPERLABS_CSP, extra)
        return response
