"""Days off ahead of today: weekends, public holidays with their make-up working days, and a
year whose schedule is not published yet."""

from __future__ import annotations

from datetime import date

from baodan.core.workdays import days_off_after


def test_an_ordinary_weekday_has_no_days_off_ahead():
    off = days_off_after(date(2026, 11, 25))  # Wednesday
    assert off.days == () and not off.guessed


def test_friday_looks_over_the_weekend():
    off = days_off_after(date(2026, 11, 27))
    assert off.days == (date(2026, 11, 28), date(2026, 11, 29)) and off.holidays == ()


def test_the_eve_of_national_day_looks_over_the_whole_break():
    off = days_off_after(date(2026, 9, 30))
    assert off.days[0] == date(2026, 10, 1) and off.last == date(2026, 10, 7)
    assert off.holidays == ("国庆节",) and not off.guessed


def test_a_make_up_working_day_on_a_weekend_is_a_working_day():
    # Saturday 10 October 2026 is worked in lieu of the National Day break.
    assert days_off_after(date(2026, 10, 9)).days == ()
    assert days_off_after(date(2026, 10, 10)).days == (date(2026, 10, 11),)


def test_a_year_without_a_published_schedule_counts_weekends_and_says_so():
    off = days_off_after(date(2099, 3, 6))  # a Friday, far beyond any published schedule
    assert off.days == (date(2099, 3, 7), date(2099, 3, 8)) and off.guessed
