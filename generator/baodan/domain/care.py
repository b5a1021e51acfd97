"""Client care: holiday and birthday greetings, follow-up visits and follow-ups due.

Occasions, messages and visit intervals come from data/care.yaml; lunar holidays are turned
into Gregorian dates for each year with lunardate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Literal

from pydantic import Field, model_validator

from baodan.core.errors import Problem
from baodan.core.rules import Rules
from baodan.domain.schedule import Window, birthdays
from baodan.models import Client, ClientFile, Firm, Interaction
from baodan.models.base import Model
from baodan.models.client import has_consent

ZODIAC = "鼠牛虎兔龙蛇马羊猴鸡狗猪"
PLACEHOLDERS = {"salutation", "firm", "manager", "year", "zodiac"}


class Occasion(Model):
    name: str
    lunar: tuple[int, int] | None = Field(None, description="农历 [月, 日]")
    solar: tuple[int, int] | None = Field(None, description="公历 [月, 日]")
    birthday: bool = False
    person: str = Field(description="给个人客户的问候语")
    company: str | None = Field(None, description="给企业客户的问候语；不填则不问候企业")

    @model_validator(mode="after")
    def _one_date(self) -> Occasion:
        if (
            sum(x is not None and x is not False for x in (self.lunar, self.solar, self.birthday))
            != 1
        ):
            raise Problem("每个节日只能写 lunar、solar、birthday 其中一个", "例如 lunar: [8, 15]")
        for text in (self.person, self.company or ""):
            try:
                text.format(**{k: "" for k in PLACEHOLDERS})
            except (KeyError, IndexError, ValueError) as e:
                raise Problem(
                    f"问候语里有不认识的占位符 {e}",
                    "只能用 " + "、".join("{" + p + "}" for p in sorted(PLACEHOLDERS)),
                ) from None
        return self


class CareRules(Model):
    visit_interval_days: dict[Literal["A", "B", "C"], int]
    visit_kinds: list[str] = Field(default_factory=lambda: ["visit"])
    visit_horizon_days: int = 30
    greeting_days: int = Field(7, ge=1)
    greeting_sent_window: int = Field(30, ge=0)
    compound_surnames: list[str] = Field(default_factory=list)
    occasions: dict[str, Occasion]


def care_rules(rules: Rules) -> CareRules:
    return rules.get("care", CareRules)


def lunar_to_solar(year: int, month: int, day: int) -> date:
    """The Gregorian date of a lunar date in lunar year ``year`` (not a leap month)."""
    import lunardate

    d = lunardate.LunarDate(year, month, day)
    # lunardate 0.3 renamed toSolarDate (kept as a deprecated alias)
    return d.to_solar_date() if hasattr(d, "to_solar_date") else d.toSolarDate()


@cache
def holidays(year: int, rules: Rules) -> tuple[tuple[date, str], ...]:
    """The firm's festival occasions in a Gregorian year: (date, occasion code), by date."""
    days = []
    for code, occ in care_rules(rules).occasions.items():
        if occ.lunar:
            days.append((lunar_to_solar(year, *occ.lunar), code))
        elif occ.solar:
            days.append((date(year, *occ.solar), code))
    return tuple(sorted(days))


def birthday_in(client: Client, year: int) -> date | None:
    """The client's birthday in ``year``; 29 February falls on the 28th in common years."""
    born = client.birthday if client.kind == "person" else None
    if born is None:
        return None
    days = birthdays(born, Window(date(year, 1, 1), date(year, 12, 31)))
    return days[0] if days else None


def occasion_date(client: Client, code: str, near: date, rules: Rules) -> date | None:
    """The occasion's date that a greeting sent on ``near`` is for: the first one from three
    days before ``near`` on (a New Year greeting sent on 30 December is for next year's)."""
    start = near - timedelta(days=3)
    for year in (start.year, start.year + 1):
        if care_rules(rules).occasions[code].birthday:
            day = birthday_in(client, year)
        else:
            day = next((d for d, c in holidays(year, rules) if c == code), None)
        if day and day >= start:
            return day
    return None


def occasion_code(text: str, rules: Rules) -> str | None:
    """An occasion's code from its code or its Chinese name (春节 → spring_festival)."""
    occasions = care_rules(rules).occasions
    if text in occasions:
        return text
    return next((code for code, occ in occasions.items() if occ.name == text), None)


def salutation(client: Client, rules: Rules) -> str:
    if client.kind == "company":
        return client.name
    name = client.name
    surname = name[:2] if name[:2] in care_rules(rules).compound_surnames else name[:1]
    if client.sex is None or len(name) <= len(surname):
        return name
    return surname + ("先生" if client.sex == "男" else "女士")


def greeting_message(firm: Firm, client: Client, code: str, day: date) -> str | None:
    """The suggested message for a client and occasion, or None if the firm does not send one."""
    manager = firm.staff.get(client.manager)
    return compose_greeting(
        client,
        code,
        day,
        firm=firm.settings.short_name or firm.settings.name,
        manager=manager.name if manager else "",
        rules=firm.rules,
    )


def compose_greeting(
    client: Client, code: str, day: date, *, firm: str, manager: str, rules: Rules
) -> str | None:
    occ = care_rules(rules).occasions[code]
    template = occ.person if client.kind == "person" else occ.company
    if template is None:
        return None
    return template.format(
        salutation=salutation(client, rules),
        firm=firm,
        manager=manager,
        year=day.year,
        zodiac=ZODIAC[(day.year - 4) % 12],
    )


def is_cared_for(client: Client, today: date) -> bool:
    """Still a client, who has consented to being contacted (and not withdrawn it)."""
    return has_consent(client, today)


@dataclass
class Greeting:
    cf: ClientFile
    occasion: str
    occasion_name: str
    day: date
    message: str
    sent: Interaction | None = None

    @property
    def key(self) -> tuple[date, str]:
        return self.day, self.occasion


def sent_greeting(cf: ClientFile, code: str, day: date, rules: Rules) -> Interaction | None:
    """The greeting logged for this occasion (within the window before it, or 3 days after)."""
    window = care_rules(rules).greeting_sent_window
    return next(
        (
            i
            for i in reversed(cf.interactions)
            if i.kind == "greeting"
            and i.occasion == code
            and day - timedelta(days=window) <= i.date <= day + timedelta(days=3)
        ),
        None,
    )


def occasions_between(start: date, end: date, rules: Rules) -> list[tuple[date, str]]:
    """Festival occasions from start to end, both included."""
    return [
        (d, code)
        for year in range(start.year, end.year + 1)
        for d, code in holidays(year, rules)
        if start <= d <= end
    ]


def greeting_queue(firm: Firm, today: date, days: int | None = None) -> list[Greeting]:
    """Greetings due from today for ``days`` days (data/care.yaml greeting_days): every
    cared-for client on each festival, and each person on their birthday; by date."""
    r = care_rules(firm.rules)
    days = days or r.greeting_days
    end = today + timedelta(days=days - 1)
    festivals = occasions_between(today, end, firm.rules)
    birthdays = [code for code, occ in r.occasions.items() if occ.birthday]
    queue = []
    for cf in firm.clients.values():
        client = cf.client
        if not is_cared_for(client, today):
            continue
        due = list(festivals)
        for year in {today.year, end.year}:
            bday = birthday_in(client, year)
            if bday and today <= bday <= end:
                due += [(bday, code) for code in birthdays]
        for day, code in due:
            message = greeting_message(firm, client, code, day)
            if message is not None:
                sent = sent_greeting(cf, code, day, firm.rules)
                queue.append(Greeting(cf, code, r.occasions[code].name, day, message, sent))
    queue.sort(key=lambda g: (g.day, g.occasion, g.cf.client.id))
    return queue


def greeting_log(firm: Firm, since: date) -> list[tuple[ClientFile, Interaction]]:
    """Greetings sent since a date, newest first."""
    log = [
        (cf, i)
        for cf in firm.clients.values()
        for i in cf.interactions
        if i.kind == "greeting" and i.date >= since
    ]
    log.sort(key=lambda x: (x[1].date, x[0].client.id), reverse=True)
    return log


@dataclass
class VisitDue:
    cf: ClientFile
    last: date | None  # the last visit; None: never visited
    due: date

    def overdue_days(self, today: date) -> int:
        return max((today - self.due).days, 0) if self.last else 0


def visit_plan(firm: Firm, today: date) -> list[VisitDue]:
    """Follow-up visits due within visit_horizon_days, overdue, or never made: the last visit
    (or the day the client joined) plus the tier's interval. A client never visited whose
    first visit is already due is due today. Soonest first."""
    r = care_rules(firm.rules)
    horizon = today + timedelta(days=r.visit_horizon_days)
    plan = []
    for cf in firm.clients.values():
        if not is_cared_for(cf.client, today):
            continue
        last = max((i.date for i in cf.interactions if i.kind in r.visit_kinds), default=None)
        due = (last or cf.client.since) + timedelta(days=r.visit_interval_days[cf.client.tier])
        if last is None:
            due = max(due, today)
        if due <= horizon:
            plan.append(VisitDue(cf, last, due))
    plan.sort(key=lambda v: (v.due, v.last is not None, v.cf.client.id))
    return plan


def pending_follow_ups(
    firm: Firm, today: date, days: int = 7
) -> list[tuple[ClientFile, Interaction]]:
    """Interactions whose follow-up date is due within ``days`` (or past) and that no later
    contact (other than a greeting) has answered yet; soonest first."""
    out = []
    end = today + timedelta(days=days)
    for cf in firm.clients.values():
        if cf.client.left_on:
            continue
        contacts = [i.date for i in cf.interactions if i.kind != "greeting"]
        latest = max(contacts, default=None)
        for i in cf.interactions:
            if i.follow_up and i.follow_up <= end and not (latest and latest > i.date):
                out.append((cf, i))
    out.sort(key=lambda x: (x[1].follow_up, x[0].client.id))
    return out
