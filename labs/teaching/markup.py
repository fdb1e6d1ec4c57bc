"""Instructor Markdown, rendered with markdown-it-py and sanitized with nh3.

Exercise bodies, prompts and explanations are Markdown. Raw HTML is allowed in the
source but everything goes through :func:`nh3.clean`, which keeps a small allowlist of
tags and attributes: ``<script>`` and ``<style>`` disappear with their content, event
handler attributes (``onerror=...``) are dropped and ``javascript:`` URLs are removed.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": True, "linkify": False}).enable("table")

_ALLOWED_TAGS = set(nh3.ALLOWED_TAGS) | {"details", "summary", "sup", "sub", "kbd", "mark"}
_ALLOWED_TAGS -= {"img"}
_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "td": {"align"},
    "th": {"align"},
    "code": {"class"},
}

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def clean(html: str) -> str:
    """Sanitize HTML with nh3 (allowlist; script/style content removed)."""
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def fill(text: str, values: Mapping[str, Any]) -> str:
    """Replace ``{{ name }}`` placeholders with the variant's values, HTML-escaped."""
    return PLACEHOLDER.sub(lambda m: html.escape(str(values.get(m.group(1), m.group(0)))), text)


def render_markdown(text: str, values: Mapping[str, Any] | None = None) -> str:
    """Markdown to sanitized HTML; ``{{ name }}`` placeholders are filled first."""
    if values:
        text = fill(text, values)
    return clean(_md.render(text))


def render_inline(text: str, values: Mapping[str, Any] | None = None) -> str:
    """One paragraph of Markdown without the wrapping ``<p>`` (for prompts and labels)."""
    out = render_markdown(text, values).strip()
    if out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1:
        out = out[3:-4]
    return out
