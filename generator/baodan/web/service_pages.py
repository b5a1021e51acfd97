"""Staff pages for client service: the claims queue, client care (greetings, visits,
follow-ups, surveys), hand-off tasks per department, and emergency-plan incidents.

Each builder works once per build over the loaded firm; none writes a page per record.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from baodan.domain import care, claims, incidents, kpis, tasks
from baodan.models.claim import CLAIM_TYPES, STAGES
from baodan.models.interaction import CHANNELS, KINDS
from baodan.models.staff import DEPARTMENTS
from baodan.models.task import TASK_STATUSES
from baodan.web.context import GeneratedPage, SiteContext

SECTION = "员工工作台"
LIST_DAYS = 90  # the surveys page lists this many days; counts cover a year
GREETING_DAYS = 30  # greetings are many (one per client per festival): list a month of them


def labels_for(ctx: SiteContext) -> dict:
    """What every service template uses besides the firm: labels and the staff's names."""
    return {
        "staff_name": lambda sid: ctx.firm.staff[sid].name if sid in ctx.firm.staff else sid or "",
        "claim_types": CLAIM_TYPES,
        "channels": CHANNELS,
        "kinds": KINDS,
    }


def claims_page(ctx: SiteContext) -> list[GeneratedPage]:
    queues = claims.claim_queues(ctx.firm, ctx.today)
    return [
        ctx.page(
            "staff/claims/index.md",
            "staff_claims.md.j2",
            nav=(SECTION, "理赔"),
            title="理赔队列",
            queues=queues,
            queue_names=claims.QUEUES,
            policies=ctx.firm.policy_index(),
            claim_stages=STAGES,
            **labels_for(ctx),
        )
    ]


def care_pages(ctx: SiteContext) -> list[GeneratedPage]:
    firm, today = ctx.firm, ctx.today
    rules = care.care_rules(firm.rules)
    ahead = care.occasions_between(today, today + timedelta(days=400), firm.rules)
    names = labels_for(ctx)
    index = ctx.page(
        "staff/care/index.md",
        "staff_care.md.j2",
        nav=(SECTION, "客户关怀"),
        title="客户关怀",
        greetings=care.greeting_queue(firm, today),
        greeting_days=rules.greeting_days,
        next_occasion=ahead[0] if ahead else None,
        occasions=rules.occasions,
        visits=care.visit_plan(firm, today),
        intervals=rules.visit_interval_days,
        horizon=rules.visit_horizon_days,
        follow_ups=care.pending_follow_ups(firm, today),
        **names,
    )
    calendar = [
        (
            code,
            occ,
            [
                d
                for y in (today.year, today.year + 1)
                for d, c in care.holidays(y, firm.rules)
                if c == code
            ],
        )
        for code, occ in rules.occasions.items()
        if not occ.birthday
    ]
    year_log = care.greeting_log(firm, today - timedelta(days=365))
    log = ctx.page(
        "staff/care/greetings.md",
        "staff_greetings.md.j2",
        nav=(SECTION, "客户关怀", "节日问候记录"),
        calendar=calendar,
        years=(today.year, today.year + 1),
        log=[x for x in year_log if x[1].date >= today - timedelta(days=GREETING_DAYS)],
        counts=_greeting_counts(year_log, list(rules.occasions), firm.rules),
        cared_for=sum(care.is_cared_for(cf.client, today) for cf in firm.clients.values()),
        list_days=GREETING_DAYS,
        occasions=rules.occasions,
        **names,
    )
    surveys = ctx.page(
        "staff/care/surveys.md",
        "staff_surveys.md.j2",
        nav=(SECTION, "客户关怀", "满意度调查"),
        **_surveys(ctx),
        **names,
    )
    return [index, log, surveys]


def _greeting_counts(log: list, order: list[str], rules) -> list[tuple[int, str | None, int]]:
    """(year, occasion, clients greeted) by year, then in the data file's order of occasions.
    The year is the occasion's: a New Year greeting sent on 31 December counts for the New
    Year it wishes well, with those sent on 1 January."""
    greeted: dict[tuple[int, str | None], set[str]] = {}
    for cf, i in log:
        day = (
            care.occasion_date(cf.client, i.occasion, i.date, rules)
            if i.occasion in order
            else None
        )
        greeted.setdefault(((day or i.date).year, i.occasion), set()).add(cf.client.id)
    rank = {code: n for n, code in enumerate(order)}
    return sorted(
        ((y, code, len(ids)) for (y, code), ids in greeted.items()),
        key=lambda r: (r[0], rank.get(r[1], len(rank))),
    )


def _surveys(ctx: SiteContext) -> dict:
    since = ctx.today - timedelta(days=365)
    rows = [
        (cf, i)
        for cf in ctx.firm.clients.values()
        for i in cf.interactions
        if i.survey and i.date >= since
    ]
    rows.sort(key=lambda x: (x[1].date, x[0].client.id), reverse=True)
    year = kpis.MonthKpis(
        "12m",
        scores=[i.survey.score for _, i in rows if i.survey.score is not None],
        nps_answers=[i.survey.nps for _, i in rows if i.survey.nps is not None],
    )
    recent = ctx.today - timedelta(days=LIST_DAYS)
    return {
        "rows": [(cf, i) for cf, i in rows if i.date >= recent],
        "list_days": LIST_DAYS,
        "n_year": len(rows),
        "low": [(cf, i) for cf, i in rows if _unhappy(i.survey) and i.date >= recent],
        "year": year,
        "claim_ids": {c.id for cf in ctx.firm.clients.values() for c in cf.claims},
    }


def _unhappy(survey) -> bool:
    return (survey.score is not None and survey.score <= 2) or (
        survey.nps is not None and survey.nps <= 6
    )


def tasks_page(ctx: SiteContext) -> list[GeneratedPage]:
    content = ctx.render(
        "staff_tasks.md.j2",
        queues=tasks.department_queues(ctx.firm, ctx.today),
        done=tasks.recently_done(ctx.firm, ctx.today - timedelta(days=30)),
        statuses=TASK_STATUSES,
        departments=DEPARTMENTS,
        **labels_for(ctx),
    )
    return [
        GeneratedPage(
            "staff/tasks/index.md", content, nav=(SECTION, "部门交接"), title="部门交接任务"
        )
    ]


def incidents_page(ctx: SiteContext) -> list[GeneratedPage]:
    open_, closed = incidents.incidents(ctx.firm, ctx.today)
    content = ctx.render(
        "staff_incidents.md.j2",
        open_incidents=open_,
        closed=closed,
        plans=incidents.plans(ctx.firm.rules),
        step_hint=partial(incidents.step_hint, rules=ctx.firm.rules),
        **labels_for(ctx),
    )
    return [
        GeneratedPage(
            "staff/incidents/index.md", content, nav=(SECTION, "应急事件"), title="应急事件"
        )
    ]
