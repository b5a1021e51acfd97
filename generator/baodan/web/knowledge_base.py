"""The knowledge base: one article per lecture, an index, topics (Material tags) and years.

Lectures are pages we generate (File.generated) rather than Material blog posts: the blog
plugin reads each post from its source file on disk (``Post`` opens ``file.abs_src_path``)
and writes its entry page and archive views into the docs folder, so generated in-memory
pages cannot be posts. Material's own tags plugin does the topic index: each article carries
``tags:`` with the Chinese category names, and kb/topics.md holds the tags listing.
"""

from __future__ import annotations

from itertools import groupby

from markupsafe import Markup

from baodan.core.rules import Rules
from baodan.models import Lecture
from baodan.models.taxonomy import Taxonomy, taxonomy
from baodan.web.context import GeneratedPage, SiteContext
from baodan.web.feeds import DEFAULT_DIR, LECTURES, subscribe_links

WEEKDAYS = "一二三四五六日"


def knowledge_base(ctx: SiteContext) -> list[GeneratedPage]:
    kb = ctx.options.get("kb_dir", "kb")
    lectures = ctx.firm.lectures
    upcoming = [lec for lec in lectures if lec.date >= ctx.today]
    past = sorted(
        (lec for lec in lectures if lec.date < ctx.today),
        key=lambda lec: (lec.date, lec.start_time),
        reverse=True,
    )
    by_year = [(year, list(group)) for year, group in groupby(past, key=lambda lec: lec.date.year)]
    values = {
        "upcoming": upcoming,
        "by_year": by_year,
        "topics": topics(lectures, taxonomy(ctx.firm.rules)),
        "weekday": weekday,
        "lecture_feed": subscribe_links(
            ctx.firm.settings, LECTURES, ctx.options.get("calendar_dir", DEFAULT_DIR)
        ),
    }
    pages = [
        GeneratedPage(f"{kb}/index.md", ctx.render("kb_index.md.j2", **values), nav=("知识库",)),
        GeneratedPage(
            f"{kb}/topics.md", ctx.render("kb_topics.md.j2", **values), nav=("知识库", "按主题")
        ),
    ]
    sections = [("近期讲座", upcoming)] + [(f"{year} 年", group) for year, group in by_year]
    for section, group in sections:
        for lec in group:
            pages.append(
                GeneratedPage(
                    f"{kb}/{lec.slug}.md",
                    ctx.render(
                        "lecture.md.j2",
                        lecture=lec,
                        upcoming=lec.date >= ctx.today,
                        # The firm's own Markdown, checked by checks/lectures.py
                        article=Markup(article(lec)),
                        weekday=weekday,
                    ),
                    nav=("知识库", section, lec.title),
                    title=lec.title,
                )
            )
    return pages


def article(lec: Lecture) -> str:
    """The lecture's text without a heading of its own: the page puts the title (from the
    front matter) first, then the lecture's date and place, then the text."""
    body = lec.body.lstrip("\n")
    return body.split("\n", 1)[1] if body.startswith("# ") and "\n" in body else body


def weekday(lec: Lecture) -> str:
    return "周" + WEEKDAYS[lec.date.weekday()]


def topics(lectures: list[Lecture], tax: Taxonomy) -> list[tuple[str, int]]:
    """(category name, number of lectures) in the order of the firm's taxonomy, for categories
    with lectures."""
    counts: dict[str, int] = {}
    for lec in lectures:
        for tag in lec.tags:
            counts[tag] = counts.get(tag, 0) + 1
    return [(tax.category_name(code), counts[code]) for code in tax.categories if code in counts]


def topic_order(tag, *_) -> tuple[int, str]:
    """Sort key for Material's tag listings (mkdocs.yml: listings_tags_sort_by): the
    taxonomy's order, not the characters' code points. Material calls it with the tag alone,
    so it knows the package's taxonomy only: a firm's own categories sort after it, by name."""
    names = [spec.name for spec in taxonomy(Rules()).categories.values()]
    return (names.index(tag.name), "") if tag.name in names else (len(names), tag.name)
