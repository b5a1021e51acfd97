"""HTML fragments that bypass Python-Markdown: big tables and sections a template renders as
HTML straight away, swapped into the page after Markdown and the search plugin are done.

A Markdown template calls ``fragment(key, html)``: the page's Markdown gets a small
placeholder ``<div data-bd-fragment="key"></div>`` instead of the HTML, so Markdown and
Material's search plugin never read it, while the built page shows the full HTML: long lists
(the policy registry, work queues) then cost Markdown and search almost nothing. Staff
client pages skip Markdown altogether (web/client_shell.py).
"""

from __future__ import annotations

import re

from markupsafe import Markup

PLACEHOLDER = re.compile(r'<div data-bd-fragment="([\w-]+)"></div>')


class Fragments:
    """The fragments of one page, collected while its template renders."""

    def __init__(self) -> None:
        self.html: dict[str, str] = {}

    def __call__(self, key: str, html: str) -> Markup:
        if key in self.html:
            raise ValueError(f"fragment {key!r} used twice on one page")
        self.html[key] = str(html)
        return Markup(f'\n<div data-bd-fragment="{key}"></div>\n')


def insert(content: str, fragments: dict[str, str]) -> str:
    """The page's HTML with each placeholder replaced by its fragment."""
    return PLACEHOLDER.sub(lambda m: fragments[m.group(1)], content)
