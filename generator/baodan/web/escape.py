"""Every value a page shows is text, escaped for where it lands.

Values come from records, and so from clients, insurers' papers and intake forms: any of them
may hold ``<script>``, ``](javascript:…)`` or a ``|`` that ends a table column. HTML templates
(``*.html.j2``) are escaped by Jinja's autoescape. Markdown templates (``*.md.j2``) are
autoescaped too, and ``finalize`` first turns each value into Markdown that reads as the value
(``md_text``): the characters HTML and Markdown (with the site's extensions) give a meaning to
become character references, which Python-Markdown passes through and a browser shows as the
characters. So a value opens no tag, link, image, table column, attribute list (``{: onclick=…}``),
emphasis or code span. Markup (macros of autoescaped templates, fragments, charts, the filters
below that build a link) is markup by design and passes as it is. Link targets go through
``link``: only web, e-mail, phone and calendar addresses or relative ones (core/links.py).
"""

from __future__ import annotations

import html
import json
import re

import jinja2
from markupsafe import Markup

from baodan.core.links import is_safe_link

# HTML's specials, and every character Python-Markdown or an enabled extension reads inside a
# line: \ ` * _ { } [ ] (escapes, code, emphasis, links, attribute lists), # ! | (headings and
# ids, images and admonitions, tables), ~ ^ = + $ (extensions a firm may turn on). A colon
# only where it opens an emoji (:name:), an underscore only where it may start or end emphasis
# (not inside a word: lost_policy): times (9:00) and codes stay as they are.
_REFERENCES = {c: f"&#{ord(c)};" for c in "\\`*{}[]#!|~^=+$"}
_REFERENCES.update({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"})
# One line: a value in a table cell or a list item must not end it.
_REFERENCES.update({"\r": "", "\n": "<br>"})
_TEXT = str.maketrans(_REFERENCES)
_EMOJI = re.compile(r":(?=[\w+-]+:)")
_EMPHASIS = re.compile(r"(?<![^\W_])_|_(?![^\W_])")  # not between two letters or digits
# What starts a block only at the start of a line: a list item ("- ", "1. "), a rule ("---"),
# a collapsible block ("???"), a definition (": ").
_BLOCK_START = re.compile(r"\d+(\.)(?:\s|$)|(-)(?:[\s-]|$)|(\?)\?\?|(:)")
# In a link target: what would end it in Markdown (space, parentheses), a table column (|) or
# an HTML attribute (quotes, <>); & is written as &amp; so that no character reference in the
# value becomes a character (a scheme's colon) in the browser.
_URL = str.maketrans(
    {
        **{c: f"%{ord(c):02X}" for c in " \"'<>()`\\|[]{}^"},
        **{chr(c): f"%{c:02X}" for c in range(0x20)},
        "&": "&amp;",
    }
)
_NOT_IN_ID = re.compile(r"[^\w-]+")


def md_text(value) -> Markup:
    """``value`` as Markdown (and HTML) that shows exactly its text, on one line (None shows
    nothing)."""
    if hasattr(value, "__html__"):
        return Markup(value.__html__())
    if value is None:
        return Markup()
    text = str(value).translate(_TEXT)
    if ":" in text:
        text = _EMOJI.sub("&#58;", text)
    if "_" in text:
        text = _EMPHASIS.sub("&#95;", text)
    if text and text[0] in "-?:0123456789":
        found = _BLOCK_START.match(text)
        if found:
            i = next(found.start(g) for g in (1, 2, 3, 4) if found.group(g))
            text = f"{text[:i]}&#{ord(text[i])};{text[i + 1 :]}"
    return Markup(text)


@jinja2.pass_context
def finalize(context, value):
    """Each value a template writes: Markdown templates' values as ``md_text``; HTML templates'
    as they are, for autoescape to escape."""
    if context.name and context.name.endswith(".md.j2") and not hasattr(value, "__html__"):
        return md_text(value)
    return value


def link(url) -> Markup:
    """A link target (Markdown link or href): the address if it is a web, e-mail, phone,
    calendar or relative one, with what would end the link encoded; "#" otherwise."""
    text = str(url)
    return Markup(text.translate(_URL) if is_safe_link(text) else "#")


def front_matter(value) -> Markup:
    """A YAML front matter value (title, description, tag) that Material writes into the page
    as HTML (<title>, the header, the nav, <meta content="…">): escaped HTML, quoted."""
    return Markup(json.dumps(html.escape(str(value))))


def anchor(value) -> Markup:
    """A value as a heading's id ({ #id } in Markdown) and a link's #fragment: letters,
    digits, _ and -, so it can't end the attribute list or add an attribute to it."""
    return Markup(_NOT_IN_ID.sub("-", str(value)))


def code(value) -> Markup:
    """A value as inline code. A Markdown code span would show character references as
    they are written, so this is HTML: <code>…</code>."""
    return Markup(f"<code>{md_text(value)}</code>")
