"""What is due when: premium instalments, renewal contacts, birthdays, claim decision deadlines.

Pure functions over the models: no I/O and no clock (callers pass the dates they care about),
so the calendar feeds, the client portal and the staff work queues all read the same dates.
"""

from __future__ import annotations

from calendar import isleap
from dataclasses import dataclass
from datetime import date, timedelta

from baodan.models import Claim, Policy

# Months between two instalments; a single premium (趸交) has no schedule.
INSTALMENT_MONTHS = {"monthly": 1, "quarterly": 3, "semiannual": 6, "annual": 12}
IN_FORCE = ("active", "on_hold")
# 保险法第二十三条: the insurer decides a claim promptly, within 30 days when it is complex.
CLAIM_DECISION_DAYS = 30
AWAITING_DECISION = ("submitted", "under_review")


@dataclass(frozen=True)
class Window:
    """A run of calendar days, both ends included."""

    start: date
    end: date

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


def add_months(day: date, months: int) -> date:
    """``day + relativedelta(months=months)``, a tenth of its cost (feeds and portals count
    every instalment with it): the same day of the month, or the month's last day when that
    month is shorter (31 January + 1 month = 28 or 29 February)."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    if month == 2:
        last = 29 if isleap(year) else 28
    else:
        last = 30 if month in (4, 6, 9, 11) else 31
    return date(year, month, min(day.day, last))


def month_window(today: date, months: int = 13) -> Window:
    """From the first of today's month through the last day ``months`` calendar months on.

    Month-aligned on purpose: what falls in the window changes once a month, not every day,
    so a daily rebuild of unchanged records gives the same files."""
    start = today.replace(day=1)
    return Window(start, add_months(start, months) - timedelta(days=1))


@dataclass(frozen=True)
class Instalment:
    number: int  # 1 is the first premium, due on the effective date
    due: date
    months: int  # months until the next one


def in_force(policy: Policy) -> bool:
    """Active or on hold: the policy still runs, so its dates still matter."""
    return policy.status in IN_FORCE


def premium_due_dates(policy: Policy, window: Window) -> list[Instalment]:
    """The instalments falling due within ``window``.

    Each is counted from the effective date (effective + n × 1/3/6/12 months), so a policy
    effective on the 31st falls due on the last day of shorter months (28/29 February,
    30 April …) and on the 31st again after them. Payments run for ``payment.years`` years,
    or while the policy runs: a date on or after the termination date is not an instalment.
    """
    step = INSTALMENT_MONTHS.get(policy.payment.frequency)
    if step is None:
        return []
    last_month = policy.payment.years * 12 if policy.payment.years else None
    start, effective = window.start, policy.effective
    elapsed = (start.year - effective.year) * 12 + start.month - effective.month - 1
    n = max(0, elapsed // step - 1)  # skip the far past (all before the window)
    found = []
    while True:
        due = add_months(effective, n * step)
        if due > window.end or (last_month is not None and n * step >= last_month):
            break
        if policy.terminates is not None and due >= policy.terminates:
            break
        if due >= window.start:
            found.append(Instalment(n + 1, due, step))
        n += 1
    return found


def renewal_contacts(policy: Policy, days_before: list[int]) -> list[tuple[int, date]]:
    """(days before the end, date) on which the firm contacts the client about a policy's end,
    earliest first; none for a policy without an end date, nor before the policy starts."""
    if policy.terminates is None:
        return []
    contacts = [(d, policy.terminates - timedelta(days=d)) for d in sorted(set(days_before))]
    return sorted(((d, day) for d, day in contacts if day >= policy.effective), key=lambda c: c[1])


def birthdays(born: date, window: Window) -> list[date]:
    """Birthdays within the window; one born on 29 February has it on the 28th in common
    years (the day before, so the greeting is never late)."""
    found = []
    for year in range(window.start.year, window.end.year + 1):
        try:
            day = born.replace(year=year)
        except ValueError:
            day = date(year, 2, 28)
        if day in window and day > born:
            found.append(day)
    return found


def claim_decision_due(claim: Claim) -> date | None:
    """When the insurer's decision is due: 30 days after the claim was (last) submitted, while
    it waits for that decision; None at any other stage."""
    if claim.stage not in AWAITING_DECISION:
        return None
    submissions = [s.date for s in claim.stages if s.stage == "submitted"]
    reviews = [s.date for s in claim.stages if s.stage == "under_review"]
    return (submissions[-1:] or reviews[:1])[0] + timedelta(days=CLAIM_DECISION_DAYS)
