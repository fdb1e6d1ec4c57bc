"""``{% plotly_script %}``: the page loads Plotly, and its CSP allows what Plotly needs.

Plotly's WebGL traces (``scattergl``) compile their drawing code at run time with the
``Function`` constructor, which a policy without ``'unsafe-eval'`` refuses. Only the
pages that load Plotly get the relaxation (``settings.PAPERLABS_CSP_PLOTLY``); every
other page (admin, log-in, quiz lists, gradebooks) keeps the strict policy.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag(takes_context=True)
def plotly_script(context: dict[str, Any]) -> SafeString:
    request = context.get("request")
    if request is not None:
        request.paperlabs_loads_plotly = True
    # Deferred: plotly.js reads document.body as it loads; deferred scripts and the page's
    # modules run in document order, so Plotly is there before the modules that draw.
    return format_html('<script defer src="{}"></script>', static("vendor/plotly.min.js"))
