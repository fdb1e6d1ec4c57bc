"""``{% module_preload "lab-page.js" lab.script %}``: fetch a page's ES modules at once.

Without it the browser finds a module's imports only after fetching and parsing it, and
a lab's view only when the page module imports it: one round trip per level, on the way
to the first chart. The links name every module the given ones import (relative static
imports, read from the static files), each once.
"""

from __future__ import annotations

import posixpath
import re
from functools import lru_cache
from pathlib import Path

from django import template
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

register = template.Library()

# `import ... from "./x.js"`, `export ... from "../x.js"`, `import "./x.js"`.
IMPORT = re.compile(r'^\s*(?:import|export)\b(?:[^;"]*?\bfrom)?\s*"(\.{1,2}/[^"]+)"', re.M)


@lru_cache(maxsize=128)
def module_graph(*paths: str) -> tuple[str, ...]:
    """The static paths of ``paths`` and of every module they import, in load order."""
    seen: list[str] = []
    todo = list(paths)
    while todo:
        path = todo.pop(0)
        if path in seen:
            continue
        found = finders.find(path)
        if not found:
            continue
        seen.append(path)
        text = Path(str(found)).read_text(encoding="utf-8")
        base = posixpath.dirname(path)
        todo += [posixpath.normpath(posixpath.join(base, m)) for m in IMPORT.findall(text)]
    return tuple(seen)


@register.simple_tag
def module_preload(*paths: str) -> SafeString:
    return format_html_join(
        "\n", '<link rel="modulepreload" href="{}">', ((static(p),) for p in module_graph(*paths))
    )
