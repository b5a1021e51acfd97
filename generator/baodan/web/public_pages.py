"""The firm's public pages: home, services, contact, insurer directory."""

from __future__ import annotations

from itertools import groupby

from baodan.models.insurer import KINDS, published_quarter
from baodan.web.context import GeneratedPage, SiteContext


def firm_pages(ctx: SiteContext) -> list[GeneratedPage]:
    upcoming = [lec for lec in ctx.firm.lectures if lec.date >= ctx.today]
    insurers = sorted(ctx.firm.insurers.values(), key=lambda i: (KINDS.index(i.kind), i.code))
    groups = [(kind, list(group)) for kind, group in groupby(insurers, key=lambda i: i.kind)]
    return [
        GeneratedPage("index.md", ctx.render("home.md.j2", upcoming=upcoming), nav=("首页",)),
        GeneratedPage("services.md", ctx.render("services.md.j2"), nav=("服务项目",)),
        GeneratedPage(
            "insurers.md",
            ctx.render(
                "insurers.md.j2", groups=groups, published_quarter=published_quarter(ctx.today)
            ),
            nav=("保险公司",),
        ),
        GeneratedPage("contact.md", ctx.render("contact.md.j2"), nav=("联系我们",)),
    ]
