"""Today's work queues: policies on hold, open discrepancies, renewals due by stage, high-risk
clients and policies, tasks due. Pure: reads the Firm, today, the renewal pipeline and the
risk assessment; the staff "today" page and any other view render what it returns.

What falls due on the days off that follow today (a weekend, a public holiday) is due today:
nobody is at work to do it then."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from baodan.core.workdays import DaysOff, days_off_after
from baodan.domain.renewals import OPEN_STAGES, Renewal, renewal_rules
from baodan.domain.risk import Finding, RiskBook
from baodan.models import ClientFile, Firm, Policy, Task
from baodan.models.client import has_left
from baodan.models.policy import Discrepancy


@dataclass
class HoldItem:
    client: ClientFile
    policy: Policy
    since: date

    def days(self, today: date) -> int:
        return (today - self.since).days


@dataclass
class DiscrepancyItem:
    client: ClientFile
    policy: Policy
    number: int  # 1-based, as `baodan verify --confirm N` takes it
    discrepancy: Discrepancy


@dataclass
class RiskItem:
    client: ClientFile
    findings: list[Finding]  # the high ones, about a policy or the client as a whole


@dataclass
class TaskItem:
    client: ClientFile
    task: Task


@dataclass
class Queues:
    days_off: DaysOff
    on_hold: list[HoldItem] = field(default_factory=list)
    discrepancies: list[DiscrepancyItem] = field(default_factory=list)
    renewals: dict[str, list[Renewal]] = field(default_factory=dict)  # open stage → due items
    lapsed: list[Renewal] = field(default_factory=list)  # ended lately without a renewal
    high_risk: list[RiskItem] = field(default_factory=list)
    tasks_due: list[TaskItem] = field(default_factory=list)  # overdue, today, days off ahead

    @property
    def renewals_due(self) -> int:
        return sum(len(items) for items in self.renewals.values())


def queues(firm: Firm, today: date, renewals: dict[str, Renewal], risk: RiskBook) -> Queues:
    """What needs doing today, for current clients, oldest first."""
    q = Queues(days_off_after(today), renewals={stage: [] for stage in OPEN_STAGES})
    until = q.days_off.last or today
    lapse_window = timedelta(days=renewal_rules(firm.rules).recent_lapse_days)
    for cf in firm.clients.values():
        if has_left(cf.client, today):
            continue
        for p in cf.policies:
            if p.status == "on_hold":
                q.on_hold.append(HoldItem(cf, p, p.audit.date if p.audit else p.intake.received_on))
            for n, d in enumerate(p.discrepancies, 1):
                if d.status != "resolved":
                    q.discrepancies.append(DiscrepancyItem(cf, p, n, d))
            r = renewals.get(p.registry_no)
            if r is not None and r.is_due(until):
                q.renewals[r.stage].append(r)
            elif r is not None and r.stage == "lapsed" and today - p.terminates <= lapse_window:
                q.lapsed.append(r)
        high = [f for f in risk.by_client.get(cf.client.id, []) if f.level == "高"]
        if high:
            q.high_risk.append(RiskItem(cf, high))
        for t in cf.tasks:
            if t.status in ("open", "in_progress") and t.due and t.due <= until:
                q.tasks_due.append(TaskItem(cf, t))
    q.on_hold.sort(key=lambda i: (i.since, i.policy.registry_no))
    q.discrepancies.sort(key=lambda i: (i.discrepancy.found_on, i.policy.registry_no, i.number))
    for items in q.renewals.values():
        items.sort(key=lambda r: (r.next_due, r.policy.terminates, r.policy.registry_no))
    q.lapsed.sort(key=lambda r: (r.policy.terminates, r.policy.registry_no), reverse=True)
    q.high_risk.sort(key=lambda i: (-len(i.findings), i.client.client.name))
    q.tasks_due.sort(key=lambda i: (i.task.due, i.task.id))
    return q
