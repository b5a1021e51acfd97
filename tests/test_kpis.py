"""Service-quality figures on a small hand-made firm, checked against values worked out by
hand; and the cross-sell suggestions of data/cross_sell.yaml."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from baodan.core.today import today
from baodan.domain import kpis
from baodan.models import ClientFile

from . import factories as f

D = date


def _renewal(no: str, of: str, effective: date, received: date):
    """A one-year policy renewing ``of``, registered on ``received``."""
    intake = {"received_on": received, "received_by": "wang-fang", "from_whom": "客户本人"}
    return f.policy_model(
        no,
        effective=effective,
        terminates=effective.replace(year=effective.year + 1) - timedelta(days=1),
        renewal_of=of,
        intake=intake | {"medium": "electronic"},
    )


def _firm():
    one = ClientFile(f.client("c-1", "张伟"))
    one.policies = [
        f.policy_model("BD-2025-AAAAA", terminates=D(2026, 10, 15), status="renewed"),
        _renewal("BD-2026-BBBBB", "BD-2025-AAAAA", D(2026, 10, 16), received=D(2026, 10, 10)),
        f.policy_model("BD-2025-CCCCC", terminates=D(2026, 10, 31), status="lapsed"),
        f.policy_model("BD-2025-DDDDD", terminates=D(2026, 10, 20), status="cancelled"),
        f.policy_model("BD-2025-EEEEE", terminates=D(2026, 9, 30), status="renewed"),
        _renewal("BD-2026-FFFFF", "BD-2025-EEEEE", D(2026, 10, 1), received=D(2026, 9, 25)),
    ]
    p = "BD-2026-BBBBB"
    one.claims = [
        f.claim("cl-1", p, [("reported", D(2026, 10, 1)), ("paid", D(2026, 10, 11))]),
        f.claim("cl-2", p, [("reported", D(2026, 9, 20)), ("refused", D(2026, 10, 20))]),
        f.claim(
            "cl-3",
            p,
            [
                ("reported", D(2026, 10, 5)),
                ("partly_paid", D(2026, 10, 12)),
                ("closed", D(2026, 11, 2)),
            ],
        ),
        f.claim("cl-4", p, [("reported", D(2026, 11, 1)), ("under_review", D(2026, 11, 10))]),
        f.claim("cl-5", p, [("reported", D(2026, 8, 1)), ("paid", D(2026, 9, 1))]),
        f.claim("cl-6", p, [("reported", D(2026, 9, 1)), ("paid", D(2026, 9, 11))]),
    ]
    one.interactions = [
        f.survey(D(2026, 10, 3), score=5, nps=10),
        f.survey(D(2026, 10, 9), score=4, nps=9),
        f.survey(D(2026, 10, 20), score=2, nps=6),
        f.survey(D(2026, 10, 28), nps=8),
        f.survey(D(2026, 11, 2), score=3),
    ]
    two = ClientFile(f.client("c-2", "李娜", sex="女", since=D(2026, 10, 5), earner=True))
    two.policies = [
        f.policy_model("BD-2026-GGGGG", category="health", sub="medical", terminates=D(2027, 10, 4))
    ]
    return f.firm(one, two)


def test_monthly_kpis_match_hand_computed_values():
    months = {m.month: m for m in kpis.monthly_kpis(_firm(), today())}
    assert next(iter(months)) == "2025-12" and list(months)[-1] == "2026-11"
    oct_, sep, nov = months["2026-10"], months["2026-09"], months["2026-11"]
    # Renewal retention: October ends A (renewed by B) and C (lapsed); D was cancelled.
    assert (oct_.ending, oct_.renewed, oct_.retention) == (2, 1, Decimal("50.0"))
    assert (sep.ending, sep.renewed, sep.retention) == (1, 1, Decimal("100.0"))
    assert nov.retention is None
    # Claim turnaround: October decisions took 10, 30 and 7 days; September 31 and 10.
    assert sorted(oct_.turnarounds) == [7, 10, 30] and oct_.median_turnaround == Decimal("10.0")
    assert sep.median_turnaround == Decimal("20.5")
    assert nov.median_turnaround is None  # cl-4 is still under review
    # Satisfaction: (5 + 4 + 2) / 3; NPS: 2 promoters, 1 detractor of 4 answers = 25.
    assert oct_.satisfaction == Decimal("3.67") and oct_.nps == 25
    assert nov.satisfaction == Decimal("3.00") and nov.nps is None
    # New clients and policies (by intake date).
    assert (oct_.new_clients, oct_.new_policies) == (1, 1)
    assert (sep.new_clients, sep.new_policies) == (0, 1)


def test_cover_by_category_counts_clients_and_policies_in_force():
    n_clients, n_policies, rows = kpis.cover_by_category(_firm(), today())
    by_code = {r.category: r for r in rows}
    assert (n_clients, n_policies) == (2, 3)  # B and F, and c-2's medical policy
    assert (by_code["liability"].clients, by_code["liability"].policies) == (1, 2)
    assert by_code["liability"].share == Decimal("50.0")
    assert (by_code["health"].clients, by_code["health"].share) == (1, Decimal("50.0"))
    assert by_code["auto"].clients == 0


def test_cross_sell_suggests_missing_cover():
    fired = {
        cf.client.id: [r.code for r in rules] for cf, rules in kpis.cross_sell(_firm(), today())
    }
    assert fired == {
        "c-1": ["health_cover", "accident_cover"],
        "c-2": ["earner_life", "accident_cover"],  # has medical, not life or critical illness
    }


def test_reports_page_gives_a_change_of_rate_in_percentage_points():
    from baodan.web.context import TEMPLATES, SiteContext, make_env
    from baodan.web.report_pages import report_pages

    ctx = SiteContext(_firm(), today(), True, make_env(TEMPLATES))
    page = next(p for p in report_pages(ctx) if p.uri == "staff/reports/index.md")
    row = next(line for line in page.content.splitlines() if line.startswith("| 续保率 |"))
    # October 50.0% against September's 100.0% (July and August had none ending)
    assert "↓ 50.0 个百分点" in row and "50.0%，前 3 个月平均 100.0%" in row
