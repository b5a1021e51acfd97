"""The firm's public pages: home, services, contact, insurer directory, knowledge base."""

from __future__ import annotations

from itertools import groupby

from ..models.insurer import quarter_of
from .context import GeneratedPage, SiteContext


def firm_pages(ctx: SiteContext) -> list[GeneratedPage]:
    upcoming = [lec for lec in ctx.firm.lectures if lec.date >= ctx.today]
    insurers = sorted(ctx.firm.insurers.values(), key=lambda i: (i.kind, i.code))
    return [
        GeneratedPage("index.md", ctx.render("home.md.j2", upcoming=upcoming), nav=("首页",)),
        GeneratedPage("services.md", ctx.render("services.md.j2"), nav=("服务项目",)),
        GeneratedPage(
            "insurers.md",
            ctx.render("insurers.md.j2", insurers=insurers, current_quarter=quarter_of(ctx.today)),
            nav=("保险公司",),
        ),
        GeneratedPage("contact.md", ctx.render("contact.md.j2"), nav=("联系我们",)),
    ]


def knowledge_base(ctx: SiteContext) -> list[GeneratedPage]:
    kb = ctx.options.get("kb_dir", "kb")
    lectures = ctx.firm.lectures
    upcoming = [lec for lec in lectures if lec.date >= ctx.today]
    past = sorted(
        (lec for lec in lectures if lec.date < ctx.today), key=lambda lec: lec.date, reverse=True
    )
    by_year = [(year, list(group)) for year, group in groupby(past, key=lambda lec: lec.date.year)]
    pages = [
        GeneratedPage(
            f"{kb}/index.md",
            ctx.render("kb_index.md.j2", upcoming=upcoming, by_year=by_year, kb=kb),
            nav=("知识库",),
        )
    ]
    for lec in lectures:
        section = "近期讲座" if lec.date >= ctx.today else f"{lec.date.year} 年"
        pages.append(
            GeneratedPage(
                f"{kb}/{lec.slug}.md",
                ctx.render("lecture.md.j2", lecture=lec, upcoming=lec.date >= ctx.today),
                nav=("知识库", section, lec.title),
                title=lec.title,
            )
        )
    return pages
