"""Staff reports and reference pages: service-quality KPIs with charts, cover by category and
cross-sell suggestions, staff training and lecture attendance, partners."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from baodan.domain import kpis
from baodan.domain.lecture_reviews import due_for_review, next_review
from baodan.models.partner import PARTNER_KINDS
from baodan.models.taxonomy import taxonomy
from baodan.web import charts
from baodan.web.context import GeneratedPage, SiteContext
from baodan.web.service_pages import SECTION, labels_for

TREND_MONTHS = 3


def _month_label(key: str) -> str:
    return f"{int(key[5:])}月"


def _trend(values: list, higher_is_better: bool = True) -> dict | None:
    """The last complete month against the mean of the TREND_MONTHS before it."""
    if len(values) < TREND_MONTHS + 2 or values[-2] is None:
        return None
    before = [v for v in values[-2 - TREND_MONTHS : -2] if v is not None]
    if not before:
        return None
    mean = sum(Decimal(str(v)) for v in before) / len(before)
    delta = Decimal(str(values[-2])) - mean
    good = delta == 0 or (delta > 0) == higher_is_better
    return {
        "latest": values[-2],
        "mean": kpis.rounded(mean),
        "delta": kpis.rounded(delta),
        "good": good,
    }


def report_pages(ctx: SiteContext) -> list[GeneratedPage]:
    months = kpis.monthly_kpis(ctx.firm, ctx.today)
    labels = [_month_label(m.month) for m in months]
    series = {
        "retention": [m.retention for m in months],
        "turnaround": [m.median_turnaround for m in months],
        "satisfaction": [m.satisfaction for m in months],
        "nps": [m.nps for m in months],
        "new_clients": [m.new_clients for m in months],
        "new_policies": [m.new_policies for m in months],
    }
    period = f"{months[0].month} 至 {months[-1].month}"
    partial = True  # the last month is today's, counted up to today: drawn as not over yet
    figures = {
        "retention": charts.line_chart(
            labels,
            [("续保率", series["retention"])],
            title=f"续保率（{period}）",
            unit="%",
            y_range=(0, 100),
            partial=partial,
        ),
        "turnaround": charts.bar_chart(
            labels,
            series["turnaround"],
            title=f"理赔时效中位数（{period}）",
            unit="天",
            partial=partial,
        ),
        "satisfaction": charts.line_chart(
            labels,
            [("满意度", series["satisfaction"])],
            title=f"满意度平均分（{period}）",
            unit="分",
            y_range=(1, 5),  # the survey's scale
            partial=partial,
        ),
        "nps": charts.line_chart(
            labels,
            [("NPS", series["nps"])],
            title=f"NPS（{period}）",
            y_range=(-100, 100),
            partial=partial,
        ),
        "growth": charts.line_chart(
            labels,
            [("新客户", series["new_clients"]), ("新保单", series["new_policies"])],
            title=f"新客户和新保单（{period}）",
            unit="个",
            partial=partial,
        ),
    }
    trends = {
        "retention": _trend(series["retention"]),
        "turnaround": _trend(series["turnaround"], higher_is_better=False),
        "satisfaction": _trend(series["satisfaction"]),
        "nps": _trend(series["nps"]),
        "new_clients": _trend(series["new_clients"]),
        "new_policies": _trend(series["new_policies"]),
    }
    n_clients, n_policies, cover = kpis.cover_by_category(ctx.firm, ctx.today)
    suggestions = kpis.cross_sell(ctx.firm, ctx.today)
    by_rule: dict[str, list] = defaultdict(list)
    rule_of = {}
    for cf, fired in suggestions:
        for r in fired:
            by_rule[r.code].append(cf)
            rule_of[r.code] = r
    names = labels_for(ctx)
    index = ctx.render(
        "staff_reports.md.j2",
        months=months,
        figures=figures,
        trends=trends,
        trend_months=TREND_MONTHS,
        **names,
    )
    cross = ctx.page(
        "staff/reports/cross-sell.md",
        "staff_cross_sell.md.j2",
        nav=(SECTION, "报表", "险种覆盖与交叉销售"),
        n_clients=n_clients,
        n_policies=n_policies,
        cover=cover,
        lines=taxonomy(ctx.firm.rules).lines,
        line_of={code: c.line for code, c in taxonomy(ctx.firm.rules).categories.items()},
        by_rule=[(rule_of[code], cfs) for code, cfs in by_rule.items()],
        suggestions=sorted(
            suggestions, key=lambda x: (x[0].client.tier, -len(x[1]), x[0].client.id)
        ),
        **names,
    )
    return [
        GeneratedPage("staff/reports/index.md", index, nav=(SECTION, "报表"), title="服务质量报表"),
        cross,
    ]


def training_page(ctx: SiteContext) -> list[GeneratedPage]:
    year = ctx.today.year
    hours: dict[str, list] = {sid: [0, Decimal(0)] for sid in ctx.firm.staff}
    for t in ctx.firm.training:
        if t.date.year == year:
            for sid in t.attendees:
                hours[sid][0] += 1
                hours[sid][1] += t.hours
    attendance: dict[str, list] = defaultdict(list)
    for cf in ctx.firm.clients.values():
        for i in cf.interactions:
            if i.kind == "lecture" and i.lecture:
                attendance[i.lecture].append(cf)
    past = [lec for lec in reversed(ctx.firm.lectures) if lec.date < ctx.today]
    due = due_for_review(ctx.firm, ctx.today)
    content = ctx.render(
        "staff_training.md.j2",
        sessions=list(reversed(ctx.firm.training)),
        hours=hours,
        year=year,
        lectures=past,
        attendance=attendance,
        reviews_due=due,
        reviewed=[lec for lec in ctx.firm.lectures if lec.slug not in {d[0].slug for d in due}],
        next_review=next_review,
        kb=ctx.options.get("kb_dir", "kb"),
        **labels_for(ctx),
    )
    return [
        GeneratedPage(
            "staff/training/index.md", content, nav=(SECTION, "培训与讲座"), title="培训与讲座"
        )
    ]


def partners_page(ctx: SiteContext) -> list[GeneratedPage]:
    in_force: dict[str, int] = defaultdict(int)
    open_claims: dict[str, int] = defaultdict(int)
    index = ctx.firm.policy_index()
    for _, p in ctx.firm.policies():
        if kpis.is_in_force(p, ctx.today):
            in_force[p.insurer] += 1
    for cf in ctx.firm.clients.values():
        for c in cf.claims:
            if c.stage != "closed" and c.policy in index:
                open_claims[index[c.policy][1].insurer] += 1
    insurers = sorted(ctx.firm.insurers.values(), key=lambda i: (-in_force[i.code], i.code))
    partners = sorted(
        ctx.firm.partners.values(), key=lambda p: (PARTNER_KINDS.index(p.kind), p.code)
    )
    content = ctx.render(
        "staff_partners.md.j2",
        insurers=insurers,
        in_force=in_force,
        open_claims=open_claims,
        partners=partners,
        **labels_for(ctx),
    )
    return [
        GeneratedPage(
            "staff/partners/index.md", content, nav=(SECTION, "合作伙伴"), title="合作伙伴"
        )
    ]
