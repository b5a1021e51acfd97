"""Service-quality figures by month: renewal retention, claim turnaround, satisfaction and NPS,
new clients and policies; and cover per client by category, with cross-sell suggestions.

Definitions (the staff report prints them too):
- retention: of the policies whose term ends in the month (``terminates``; cancelled and
  terminated contracts left out), the share that some later policy renews (``renewal_of``);
- turnaround: days from ``reported_on`` to the first decision stage (paid, partly_paid or
  refused), for claims decided in the month; the median;
- satisfaction: mean ``survey.score`` (1–5) of surveys dated in the month; NPS: % of 9–10
  answers minus % of 0–6 answers of ``survey.nps``;
- new clients: ``since`` in the month; new policies: ``intake.received_on`` in the month.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

from pydantic import Field, ValidationInfo, field_validator

from baodan.core.errors import Problem
from baodan.domain.schedule import in_force
from baodan.models import ClientFile, Firm, Policy
from baodan.models.base import Model
from baodan.models.context import taxonomy_of
from baodan.models.taxonomy import taxonomy

DECISIONS = ("paid", "partly_paid", "refused")
NOT_RENEWABLE = ("cancelled", "terminated")


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def last_months(today: date, n: int) -> list[str]:
    """The n months up to and including today's, oldest first."""
    y, m = today.year, today.month
    out = []
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def rounded(value: Decimal | float, places: int = 1) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@dataclass
class MonthKpis:
    month: str
    ending: int = 0
    renewed: int = 0
    turnarounds: list[int] = field(default_factory=list)
    scores: list[int] = field(default_factory=list)
    nps_answers: list[int] = field(default_factory=list)
    new_clients: int = 0
    new_policies: int = 0

    @property
    def retention(self) -> Decimal | None:
        """Per cent, one decimal."""
        return rounded(Decimal(100 * self.renewed) / self.ending) if self.ending else None

    @property
    def median_turnaround(self) -> Decimal | None:
        return rounded(median(self.turnarounds)) if self.turnarounds else None

    @property
    def satisfaction(self) -> Decimal | None:
        return rounded(Decimal(sum(self.scores)) / len(self.scores), 2) if self.scores else None

    @property
    def nps(self) -> int | None:
        if not self.nps_answers:
            return None
        promoters = sum(a >= 9 for a in self.nps_answers)
        detractors = sum(a <= 6 for a in self.nps_answers)
        return int(rounded(Decimal(100 * (promoters - detractors)) / len(self.nps_answers), 0))


def monthly_kpis(firm: Firm, today: date, months: int = 12) -> list[MonthKpis]:
    """The KPIs of the last ``months`` months (today's month included), oldest first."""
    keys = last_months(today, months)
    by_month = {k: MonthKpis(k) for k in keys}
    renewed = {p.renewal_of for _, p in firm.policies() if p.renewal_of}

    def bucket(day: date | None) -> MonthKpis | None:
        return by_month.get(month_key(day)) if day and day <= today else None

    for cf in firm.clients.values():
        if m := bucket(cf.client.since):
            m.new_clients += 1
        for p in cf.policies:
            if m := bucket(p.intake.received_on):
                m.new_policies += 1
            if p.status not in NOT_RENEWABLE and (m := bucket(p.terminates)):
                m.ending += 1
                m.renewed += p.registry_no in renewed
        for c in cf.claims:
            decided = next((s.date for s in c.stages if s.stage in DECISIONS), None)
            if m := bucket(decided):
                m.turnarounds.append((decided - c.reported_on).days)
        for i in cf.interactions:
            if i.survey and (m := bucket(i.date)):
                if i.survey.score is not None:
                    m.scores.append(i.survey.score)
                if i.survey.nps is not None:
                    m.nps_answers.append(i.survey.nps)
    return [by_month[k] for k in keys]


def is_in_force(p: Policy, today: date) -> bool:
    """Running today: in force (schedule.in_force) and not past its end."""
    return in_force(p) and (p.terminates is None or p.terminates >= today)


@dataclass
class CategoryCover:
    category: str
    name: str
    clients: int  # active clients holding at least one policy of the category
    policies: int
    share: Decimal  # per cent of active clients


def cover_by_category(firm: Firm, today: date) -> tuple[int, int, list[CategoryCover]]:
    """(active clients, policies in force, per category): how many clients hold each category."""
    holders: dict[str, set[str]] = defaultdict(set)
    counts: Counter[str] = Counter()
    active = [cf for cf in firm.clients.values() if cf.client.left_on is None]
    for cf in active:
        for p in cf.policies:
            if is_in_force(p, today):
                holders[p.category].add(cf.client.id)
                counts[p.category] += 1
    n = len(active)
    rows = [
        CategoryCover(
            code,
            spec.name,
            len(holders[code]),
            counts[code],
            rounded(Decimal(100 * len(holders[code])) / n) if n else Decimal(0),
        )
        for code, spec in taxonomy(firm.rules).categories.items()
    ]
    return n, sum(counts.values()), rows


class CrossSellRule(Model):
    code: str
    kind: str | None = Field(None, description="person / company；不填则都适用")
    has: list[str] = Field([], description="已有其中任一险种时才建议")
    lacks: list[str] = Field(min_length=1, description="这些险种一个都没有时建议")
    earner: bool | None = None
    employees_at_least: int | None = None
    suggest: str
    reason: str

    @field_validator("has", "lacks")
    @classmethod
    def _known(cls, codes: list[str], info: ValidationInfo) -> list[str]:
        categories = taxonomy_of(info).categories
        for code in codes:
            cat, _, sub = code.partition("/")
            if cat not in categories or (sub and sub not in categories[cat].subcategories):
                raise Problem(
                    f"不认识的险种“{code}”",
                    "写大类编号（如 health）或 大类/小类（如 life/term），见 data/taxonomy.yaml",
                )
        return codes


class CrossSellRules(Model):
    rules: list[CrossSellRule]


def _holds(codes: set[str], wanted: list[str]) -> bool:
    return any(w in codes for w in wanted)


def cross_sell(firm: Firm, today: date) -> list[tuple[ClientFile, list[CrossSellRule]]]:
    """Active clients with the suggestions whose conditions hold, in client order."""
    table = firm.rules.get("cross_sell", CrossSellRules).rules
    out = []
    for cf in firm.clients.values():
        c = cf.client
        if c.left_on is not None:
            continue
        codes = set()
        for p in cf.policies:
            if is_in_force(p, today):
                codes |= {p.category, f"{p.category}/{p.subcategory}"}
        fired = [
            r
            for r in table
            if (r.kind is None or r.kind == c.kind)
            and (r.earner is None or r.earner == c.earner)
            and (r.employees_at_least is None or (c.employees or 0) >= r.employees_at_least)
            and (not r.has or _holds(codes, r.has))
            and not _holds(codes, r.lacks)
        ]
        if fired:
            out.append((cf, fired))
    return out
