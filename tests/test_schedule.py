"""What is due when: premium dates (month ends, payment years), renewal contacts, birthdays,
claim decision deadlines, and the window a feed shows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from baodan.domain.schedule import (
    INSTALMENT_MONTHS,
    Window,
    add_months,
    birthdays,
    claim_decision_due,
    month_window,
    premium_due_dates,
    renewal_contacts,
)
from baodan.models import Claim, Client, Policy
from baodan.models.claim import Stage
from baodan.models.client import Consent, has_left
from baodan.models.policy import Payment
from dateutil.relativedelta import relativedelta

ALL = Window(date(2000, 1, 1), date(2100, 12, 31))


def policy(effective: date, terminates: date | None, frequency: str, years: int | None = None):
    # Schedules read only dates and payment terms; the rest of the intake form is not needed.
    return Policy.model_construct(
        effective=effective,
        terminates=terminates,
        payment=Payment(frequency=frequency, years=years),
        status="active",
    )


def dues(p, window=ALL) -> list[date]:
    return [i.due for i in premium_due_dates(p, window)]


def test_monthly_from_the_31st_falls_on_each_months_last_day():
    p = policy(date(2026, 1, 31), date(2027, 1, 30), "monthly")
    assert dues(p) == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
        date(2026, 5, 31),
        date(2026, 6, 30),
        date(2026, 7, 31),
        date(2026, 8, 31),
        date(2026, 9, 30),
        date(2026, 10, 31),
        date(2026, 11, 30),
        date(2026, 12, 31),
    ]


def test_leap_year_february_and_numbering():
    p = policy(date(2027, 11, 30), date(2028, 11, 29), "quarterly")
    found = premium_due_dates(p, ALL)
    assert [(i.number, i.due) for i in found] == [
        (1, date(2027, 11, 30)),
        (2, date(2028, 2, 29)),
        (3, date(2028, 5, 30)),
        (4, date(2028, 8, 30)),
    ]


def test_annual_instalments_stop_before_the_end_date():
    p = policy(date(2024, 3, 1), date(2028, 2, 29), "annual")
    assert dues(p) == [date(2024, 3, 1), date(2025, 3, 1), date(2026, 3, 1), date(2027, 3, 1)]


def test_payment_years_end_the_schedule_of_a_whole_life_policy():
    p = policy(date(2015, 6, 10), None, "annual", years=10)
    assert dues(p)[-1] == date(2024, 6, 10)
    assert len(dues(p)) == 10
    assert dues(p, Window(date(2026, 1, 1), date(2027, 1, 31))) == []


def test_single_premium_has_no_schedule():
    assert dues(policy(date(2026, 1, 1), date(2046, 1, 1), "single")) == []


def test_window_of_an_old_monthly_policy_holds_only_its_months():
    p = policy(date(2012, 5, 31), None, "monthly")
    found = premium_due_dates(p, Window(date(2026, 11, 1), date(2027, 1, 31)))
    assert [(i.number, i.due) for i in found] == [
        (175, date(2026, 11, 30)),
        (176, date(2026, 12, 31)),
        (177, date(2027, 1, 31)),
    ]


def test_month_window_is_thirteen_calendar_months_from_the_first():
    assert month_window(date(2026, 11, 27)) == Window(date(2026, 11, 1), date(2027, 11, 30))
    assert month_window(date(2027, 2, 1)) == Window(date(2027, 2, 1), date(2028, 2, 29))


def test_renewal_contacts_earliest_first_and_none_before_the_start():
    p = policy(date(2026, 11, 20), date(2027, 1, 30), "single")
    assert renewal_contacts(p, [90, 60, 30, 7]) == [
        (60, date(2026, 12, 1)),
        (30, date(2026, 12, 31)),
        (7, date(2027, 1, 23)),
    ]
    assert renewal_contacts(policy(date(2020, 1, 1), None, "annual"), [90]) == []


def test_birthdays_keep_29_february_on_the_28th_in_common_years():
    window = Window(date(2026, 1, 1), date(2028, 12, 31))
    assert birthdays(date(1988, 2, 29), window) == [
        date(2026, 2, 28),
        date(2027, 2, 28),
        date(2028, 2, 29),
    ]


def claim(*stages: tuple[str, date]) -> Claim:
    return Claim.model_construct(stages=[Stage(stage=s, date=d) for s, d in stages])


@pytest.mark.parametrize(
    ("stages", "due"),
    [
        ((("reported", date(2026, 10, 1)), ("submitted", date(2026, 10, 20))), date(2026, 11, 19)),
        (
            (
                ("submitted", date(2026, 10, 20)),
                ("under_review", date(2026, 10, 25)),
                ("collecting", date(2026, 11, 2)),  # the insurer asked for more
                ("submitted", date(2026, 11, 10)),
                ("under_review", date(2026, 11, 12)),
            ),
            date(2026, 12, 10),
        ),
        ((("reported", date(2026, 10, 1)), ("collecting", date(2026, 10, 3))), None),
        ((("submitted", date(2026, 9, 1)), ("paid", date(2026, 9, 20))), None),
    ],
)
def test_claim_decision_is_due_thirty_days_after_the_last_submission(stages, due):
    assert claim_decision_due(claim(*stages)) == due


def test_a_client_who_left_or_withdrew_consent_has_left():
    today = date(2026, 11, 27)
    consent = Consent(signed_on=date(2024, 1, 1), method="纸质签字", purposes=["续保提醒"])
    client = Client.model_construct(left_on=None, consent=consent)
    assert not has_left(client, today)
    assert has_left(client.model_copy(update={"left_on": today}), today)
    assert not has_left(client.model_copy(update={"left_on": date(2026, 12, 31)}), today)
    withdrawn = consent.model_copy(update={"withdrawn_on": date(2026, 6, 1)})
    assert has_left(client.model_copy(update={"consent": withdrawn}), today)


def test_add_months_is_relativedeltas_month_arithmetic():
    day = date(2023, 1, 1)
    while day < date(2026, 1, 1):
        for months in (-25, -13, -1, 0, 1, 2, 3, 6, 11, 12, 13, 25, 48, 1200):
            assert add_months(day, months) == day + relativedelta(months=months), (day, months)
        day += timedelta(days=1)


def _dues_by_relativedelta(p, window: Window) -> list[tuple[int, date]]:
    """The schedule counted with relativedelta, as it was before add_months."""
    step = INSTALMENT_MONTHS.get(p.payment.frequency)
    if step is None:
        return []
    last_month = p.payment.years * 12 if p.payment.years else None
    elapsed = relativedelta(window.start, p.effective)
    n = max(0, (elapsed.years * 12 + elapsed.months) // step - 1)
    found = []
    while True:
        due = p.effective + relativedelta(months=n * step)
        if due > window.end or (last_month is not None and n * step >= last_month):
            break
        if p.terminates is not None and due >= p.terminates:
            break
        if due >= window.start:
            found.append((n + 1, due))
        n += 1
    return found


def test_premium_dates_are_those_relativedelta_counts():
    starts = [date(2020, 1, 31), date(2023, 2, 28), date(2024, 2, 29), date(2025, 8, 30)]
    starts += [date(2026, 11, 27), date(2026, 12, 1), date(2027, 3, 31)]
    windows = [month_window(date(2026, 11, 27)), Window(date(2026, 11, 27), date(2027, 11, 27))]
    windows += [
        Window(date(2024, 2, 29), date(2024, 3, 31)),
        Window(date(2019, 1, 1), date(2030, 1, 1)),
    ]
    for effective in starts:
        for frequency in [*INSTALMENT_MONTHS, "single"]:
            for terminates in (None, effective + relativedelta(years=1), date(2027, 1, 31)):
                for years in (None, 1, 3):
                    p = policy(effective, terminates, frequency, years)
                    for window in windows:
                        found = [(i.number, i.due) for i in premium_due_dates(p, window)]
                        assert found == _dues_by_relativedelta(p, window), (p, window)
