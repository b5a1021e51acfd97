"""What a client reads on their portal: when the next premium is due, what ends soon."""

from __future__ import annotations

from datetime import date

import pytest
from baodan.models import Policy
from baodan.portal_crypto import decrypt_portal
from baodan.records import parse_record
from baodan.web.portal_view import next_premium

from .test_public_site import portal_payload

POLICY = """\
registry_no: BD-2026-X454Y
category: health
subcategory: medical
insurer: pingan
product: 百万医疗保险（月缴版）
policy_no: QKV20263301001249063
policyholder: {{name: 吴雨萱, id_number: '330106199712179768'}}
insured: [{{name: 吴雨萱, id_number: '330106199712179768'}}]
sum_insured: 4000000
premium: 268.50
payment: {{frequency: {frequency}{years}}}
effective: {effective}
{terminates}
intake: {{received_on: 2026-02-20, received_by: wang-fang, from_whom: 客户本人, medium: electronic}}
"""


def _policy(frequency, effective, terminates=None, years=None) -> Policy:
    text = POLICY.format(
        frequency=frequency,
        years=f", years: {years}" if years else "",
        effective=effective,
        terminates=f"terminates: {terminates}" if terminates else "",
    )
    policy, errors = parse_record(Policy, text, "p.yaml")
    assert errors == []
    return policy


@pytest.mark.parametrize(
    ("today", "due"),
    [
        (date(2026, 2, 15), date(2026, 2, 28)),  # the 31st falls on February's last day
        (date(2026, 3, 1), date(2026, 3, 31)),
        (date(2026, 11, 27), date(2026, 11, 30)),  # and on the 30th in 30-day months
        (date(2027, 1, 1), None),  # the next would be after the policy ends
    ],
)
def test_monthly_premium_from_the_31st(today, due):
    assert next_premium(_policy("monthly", "2026-01-31", "2027-01-30"), today) == due


def test_paid_up_and_single_premium_policies_have_nothing_due():
    whole_life = _policy("annual", "2024-03-01", years=3)
    assert next_premium(whole_life, date(2025, 12, 1)) == date(2026, 3, 1)
    assert next_premium(whole_life, date(2026, 11, 27)) is None
    assert next_premium(_policy("single", "2026-01-31", "2027-01-30"), date(2026, 5, 1)) is None


def test_portal_lists_what_ends_soon_and_when_premiums_are_due(public_site):
    today = date(2026, 11, 27)
    cf, policy = next(
        (cf, p)
        for cf in public_site.firm.clients.values()
        if cf.client.portal and not cf.client.left_on
        for p in cf.policies
        if p.status == "active" and p.terminates and today <= p.terminates <= date(2027, 2, 28)
    )
    page = (public_site.site / "p" / cf.client.portal.id / "index.html").read_text("utf-8")
    shown = decrypt_portal(cf.client.portal.key, portal_payload(page))
    upcoming = shown[shown.index('id="bd-upcoming"') : shown.index('id="bd-policies"')]
    day = f"{policy.terminates.year}年{policy.terminates.month}月{policy.terminates.day}日"
    assert day in upcoming and "保单到期" in upcoming and policy.product in upcoming
    assert "即将到期" in shown
