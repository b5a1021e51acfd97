"""The staff privacy queue (staff build only): clients due for erasure after the retention
period, clients without a consent record, clients who withdrew consent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from baodan.models import ClientFile
from baodan.web.context import GeneratedPage, SiteContext

SOON_DAYS = 90  # how far ahead the queue shows erasures coming due


@dataclass
class Due:
    cf: ClientFile
    left_on: date
    erase_on: date


def privacy_queue(ctx: SiteContext) -> list[GeneratedPage]:
    years = ctx.firm.settings.retention_years
    clients = list(ctx.firm.clients.values())
    due = sorted(
        (
            Due(cf, cf.client.left_on, cf.client.left_on + relativedelta(years=years))
            for cf in clients
            if cf.client.left_on is not None
        ),
        key=lambda d: (d.erase_on, d.cf.client.id),
    )
    soon = ctx.today + timedelta(days=SOON_DAYS)
    content = ctx.render(
        "staff_privacy.md.j2",
        years=years,
        overdue=[d for d in due if d.erase_on <= ctx.today],
        upcoming=[d for d in due if ctx.today < d.erase_on <= soon],
        soon_days=SOON_DAYS,
        without_consent=[cf for cf in clients if cf.client.consent is None],
        withdrawn=[cf for cf in clients if cf.client.consent and cf.client.consent.withdrawn_on],
        total=len(clients),
        sensitive=sum(1 for cf in clients if cf.client.consent and cf.client.consent.sensitive),
    )
    return [GeneratedPage("staff/privacy/index.md", content, nav=("员工工作台", "个人信息保护"))]
