"""The query page at ``/``: one self-contained HTML file (no CDN), in en and zh.

The named queries of :func:`miikg.queries.catalogue` are written into the page as JSON;
a click loads a query into the editor and runs it, its ``lang`` parameter bound to the
page's language (as ``$lang``, a binding the endpoint passes to the engine).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from miikg.queries import catalogue

__all__ = ["render_page"]


def catalogue_json() -> str:
    """Return the named queries as JSON safe to place inside a ``<script>`` element."""
    entries = [
        {
            "name": q.name,
            "title": q.title,
            "description": q.description,
            "text": q.text,
            "params": [{"name": p.name, "kind": p.kind, "doc": p.doc} for p in q.params],
        }
        for q in catalogue().values()
    ]
    text = json.dumps(entries, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@cache
def render_page() -> str:
    """Return the page's HTML with the catalogue in it."""
    template = resources.files(__package__).joinpath("page.html").read_text(encoding="utf-8")
    return template.replace("/*CATALOGUE*/[]", catalogue_json())
