"""Working days in mainland China: weekends, the State Council's public holidays and the
make-up working days (调休) that move them, as the chinese-calendar package knows them.

The package is updated each year once the next year's schedule is published (usually in
November or December); for a year it does not know yet, Saturdays and Sundays are the days
off, and ``DaysOff.guessed`` says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar

LONGEST_BREAK = 14  # days; no public holiday with its weekends is longer


@dataclass(frozen=True)
class DaysOff:
    """The days off that follow a working day, up to the next working day."""

    days: tuple[date, ...]
    holidays: tuple[str, ...]  # Chinese names of the public holidays among them, in order
    guessed: bool  # a year without an official schedule in chinese-calendar: weekends only

    @property
    def last(self) -> date | None:
        return self.days[-1] if self.days else None


def is_workday(day: date) -> bool:
    return _is_workday(day)[0]


def _is_workday(day: date) -> tuple[bool, bool]:
    """(a working day?, from the official schedule?)"""
    try:
        return chinese_calendar.is_workday(day), True
    except NotImplementedError:  # a year the package has no schedule for yet
        return day.weekday() < 5, False


def days_off_after(today: date) -> DaysOff:
    """The days off between ``today`` and the next working day: none from Monday to
    Thursday of an ordinary week, the weekend on a Friday, the whole break before a public
    holiday."""
    days, holidays, guessed = [], [], False
    day = today + timedelta(days=1)
    while len(days) < LONGEST_BREAK:
        working, official = _is_workday(day)
        guessed = guessed or not official
        if working:
            break
        days.append(day)
        name = _holiday_name(day) if official else None
        if name and name not in holidays:
            holidays.append(name)
        day += timedelta(days=1)
    return DaysOff(tuple(days), tuple(holidays), guessed)


def _holiday_name(day: date) -> str | None:
    on_holiday, holiday = chinese_calendar.get_holiday_detail(day)
    if not on_holiday or holiday is None:
        return None
    return next(h.chinese for h in chinese_calendar.Holiday if h.value == holiday)
