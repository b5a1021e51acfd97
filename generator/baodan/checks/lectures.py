"""Lecture articles (records/lectures/*.md) are the firm's own Markdown, published as written:
they may format text, link to web pages and show the site's own images, and nothing else.

Raw HTML outside a small allowlist, an attribute that could run a script or restyle the page
(``onclick``, ``style``; attribute lists ``{: … }`` make those too), a link that is not a web,
e-mail, phone or relative address (``javascript:``, ``data:``) and an image from another host are
refused, with the file and line, rather than quietly removed: the author sees at once what will
not be published and why, and the build (which runs every check) can never publish it.

The body is rendered with Python-Markdown and the extensions of the site's mkdocs.yml that make
markup (not emoji: those are Material's own icons), and the HTML that comes out is read against
the allowlist, so whatever way the Markdown reaches a tag or an attribute, the tag is what counts.
"""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser

import markdown

from baodan.core.errors import RecordError, Source
from baodan.core.links import is_local_source, is_safe_link
from baodan.domain.lecture_reviews import due_for_review
from baodan.models import Firm, Lecture

EXTENSIONS = [
    "admonition",
    "attr_list",
    "md_in_html",
    "tables",
    "toc",
    "pymdownx.details",
    "pymdownx.superfences",
]
# What Markdown and these extensions write, and formatting tags an author may type.
TAGS = set(
    [
        "p",
        "br",
        "hr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "strong",
        "em",
        "b",
        "i",
        "u",
        "s",
        "del",
        "ins",
        "mark",
        "sub",
        "sup",
        "small",
        "code",
        "pre",
        "kbd",
        "blockquote",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "th",
        "td",
        "caption",
        "div",
        "span",
        "a",
        "img",
        "details",
        "summary",
        "abbr",
        "figure",
        "figcaption",
    ]
)
ATTRIBUTES = {"class", "id", "title"}  # on any allowed tag
TAG_ATTRIBUTES = {
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "th": {"style", "colspan", "rowspan"},
    "td": {"style", "colspan", "rowspan"},
    "ol": {"start"},
    "details": {"open"},
}
# The tables extension aligns a column with a style attribute, and that is the only style.
ALIGNMENT = re.compile(r"text-align:\s*(left|right|center);?")
# Characters without which a body can't make a tag, an attribute or a link.
MARKUP = re.compile(r"[<{\]]")
LONG = 60


def check_lecture_markup(firm: Firm, today: date) -> list[RecordError]:
    return [e for lec in firm.lectures if MARKUP.search(lec.body) for e in _problems(lec)]


def _problems(lec: Lecture) -> list[RecordError]:
    reader = _Reader()
    reader.feed(markdown.markdown(lec.body, extensions=EXTENSIONS))
    reader.close()
    errors = []
    for needle, message, hint in dict.fromkeys(reader.found):
        line = _line_of(lec.body, needle)
        source = Source(lec.path, lec.body_line + line if line is not None else 0)
        errors.append(RecordError(source, "正文", message, hint))
    return errors


class _Reader(HTMLParser):
    """Collects (what to look for in the source, message, hint) for each refused thing."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TAGS:
            self.found.append(
                (
                    f"<{tag}",
                    f"讲稿里不能用 HTML 标签 <{tag}>",
                    "讲稿会原样发布到公开网站，只能用 Markdown 写标题、列表、表格、粗体、链接和本站的图片；"
                    "请删除这个标签，或改用 Markdown 的写法",
                )
            )
            return
        for name, value in attrs:
            value = value or ""
            if name not in ATTRIBUTES and name not in TAG_ATTRIBUTES.get(tag, ()):
                self.found.append(
                    (
                        name,
                        f"讲稿里的 <{tag}> 不能带 {name} 属性",
                        "onclick 这类属性会在读者的浏览器里运行代码，样式会改变页面；"
                        "请删除这个属性（也包括 {: … } 里写的）",
                    )
                )
            elif name == "style" and not ALIGNMENT.fullmatch(value.strip()):
                self.found.append(
                    (
                        "style",
                        f"讲稿里的 <{tag}> 不能带样式 style=“{_short(value)}”",
                        "表格列的对齐请用 Markdown 表格的 :--- 和 ---: 写；请删除这个样式",
                    )
                )
            elif name == "href" and not is_safe_link(value):
                self.found.append(
                    (
                        value,
                        f"讲稿里的链接“{_short(value)}”不是网页、邮箱或电话地址",
                        "链接只能以 http://、https://、mailto:、tel: 开头，或是本站的相对地址；"
                        "javascript:、data: 这类地址会在读者的浏览器里运行，请删除",
                    )
                )
            elif name == "src" and not is_local_source(value):
                self.found.append(
                    (
                        value,
                        f"讲稿里的图片“{_short(value)}”不在本站",
                        "外站的图片会让每位读者的浏览器去访问那个网站；请把图片放进 records/public/ "
                        "下，用相对地址引用",
                    )
                )


def _short(text: str) -> str:
    return text if len(text) <= LONG else text[: LONG - 1] + "…"


def _line_of(body: str, needle: str) -> int | None:
    """The body's line (from 0) where ``needle`` first appears, ignoring case; None if it
    doesn't appear as written (written with character references, say)."""
    at = body.lower().find(needle.lower())
    return body.count("\n", 0, at) if at >= 0 else None


def review_reminders(firm: Firm, today: date) -> list[RecordError]:
    """Published articles due for review (domain/lecture_reviews.py): reminders, not errors,
    since the article stays true until someone finds otherwise; `baodan check` shows them."""
    return [
        RecordError(
            Source(lec.path, 1),
            "review",
            f"{why}：网站上的文章要有人对照依据核对过",
            "对照法律条文、监管文件核对全文后，在文章开头的 --- 之间写上\n"
            "review:\n  by: 审核人\n  date: 审核日期（如 2026-12-01）\n  sources:\n"
            "    - 《保险法》第十六条（每条依据一行）",
        )
        for lec, why in due_for_review(firm, today)
    ]
