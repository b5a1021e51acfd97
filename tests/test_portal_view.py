"""What a client reads on their portal: when the next premium is due, what ends soon."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from baodan.core.parse import parse_record
from baodan.models import Policy
from baodan.store.portal_crypto import decrypt_portal
from baodan.web.context import TEMPLATES, make_env
from baodan.web.portal_view import next_premium, portal_view

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


def _shown(public_site, cf) -> str:
    """A client's portal as they read it once it is open."""
    page = (public_site.site / "p" / cf.client.portal.id / "index.html").read_text("utf-8")
    return decrypt_portal(cf.client.portal.key, portal_payload(page))


def _claim_cards(html: str) -> list[str]:
    return [
        part.split("</article>")[0] for part in html.split('<article class="bd-card bd-claim">')[1:]
    ]


def _disputed(public_site):
    return next(
        (cf, claim)
        for cf in public_site.firm.clients.values()
        for claim in cf.claims
        if claim.stage == "dispute" and cf.client.portal
    )


def test_a_disputed_claim_says_what_the_client_can_do(public_site):
    cf, claim = _disputed(public_site)
    shown = _shown(public_site, cf)
    card = next(c for c in _claim_cards(shown) if "纠纷处理</span>" in c)
    assert "请等待保险公司处理" not in card  # the insurer has decided; nothing to wait for
    assert "我们正在协助您处理这笔理赔的争议" in card
    assert 'href="#bd-dispute"' in card and 'href="#bd-dispute"' in shown.split("</nav>")[0]
    guide = shown[shown.index('<section id="bd-dispute">') :].split("</section>")[0]
    assert "对理赔结果有异议怎么办" in guide
    assert "12378" in guide and "人寿保险 5 年，其他保险 2 年" in guide


def test_a_refused_claim_stays_in_view_with_the_way_to_object(public_site):
    cf, claim = _disputed(public_site)
    assert [s.stage for s in claim.stages][-2:] == ["refused", "dispute"]
    refused = claim.model_copy(update={"stages": claim.stages[:-1]})
    others = [c for c in cf.claims if c is not claim]
    cf = dataclasses.replace(cf, claims=[*others, refused])
    view = portal_view(public_site.firm, cf, date(2026, 11, 27), None)
    html = (
        make_env(TEMPLATES)
        .get_template("portal_body.html.j2")
        .render(view=view, settings=public_site.firm.settings)
    )
    in_progress = html[html.index('id="bd-claims"') : html.index('id="bd-policies"')]
    card = next(c for c in _claim_cards(in_progress) if "拒赔</span>" in c)
    assert "保险公司已作出拒赔决定" in card and 'href="#bd-dispute"' in card
    assert '<section id="bd-dispute">' in html


def test_a_car_claim_names_the_car(public_site):
    cf, claim, policy = next(
        (cf, claim, p)
        for cf in public_site.firm.clients.values()
        if cf.client.portal and not cf.client.left_on
        for claim in cf.claims
        for p in cf.policies
        if p.registry_no == claim.policy and p.vehicle
    )
    titles = [card.split("</h3>")[0] for card in _claim_cards(_shown(public_site, cf))]
    assert any(policy.product in t and policy.vehicle.plate in t for t in titles)
