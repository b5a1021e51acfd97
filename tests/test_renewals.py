"""Renewals: a policy moves through the pipeline (upcoming → contacted → intention → renewed,
declined or lapsed) as staff log contacts with `baodan renew`, on the days firm.yaml sets."""

from __future__ import annotations

from datetime import date

import pytest
from baodan.checks import load_firm
from baodan.core.today import today
from baodan.domain.renewals import display_status, renewal_book

from . import factories as c
from .helpers import run_cli

REGNO = "BD-2026-RRRR1"  # 2026-01-01 to 2026-12-31: contact days 10-02, 11-01, 12-01, 12-24


def book(firm, day: str):
    """The pipeline as it stands on ``day`` (the loader checks dates against that day too)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BAODAN_TODAY", day)
        loaded, errors = load_firm(firm.root, firm.vault(), today())
        assert not errors, errors
        return renewal_book(loaded, date.fromisoformat(day)), loaded


def on(monkeypatch, day: str) -> None:
    monkeypatch.setenv("BAODAN_TODAY", day)


def renew(capsys, *args) -> str:
    code, out, err = run_cli(capsys, "renew", REGNO, "--staff", "wang-fang", *args)
    assert code == 0, err
    return out


def test_a_renewal_through_its_stages(firm, capsys, monkeypatch):
    c.reset_clients(firm)
    c.write_client(firm, c.person(), [c.policy(REGNO, effective=date(2026, 1, 1))])

    assert REGNO not in book(firm, "2026-10-01")[0]  # before the first contact day
    r = book(firm, "2026-10-02")[0][REGNO]
    assert (r.stage, r.next_due, r.is_due(date(2026, 10, 2))) == (
        "upcoming",
        date(2026, 10, 2),
        True,
    )

    on(monkeypatch, "2026-10-03")
    out = renew(capsys, "--note", "电话未接通，已发短信")
    assert "已联系，未表态" in out and "下次联系：2026-11-01" in out
    assert not book(firm, "2026-10-20")[0][REGNO].is_due(date(2026, 10, 20))
    assert book(firm, "2026-11-02")[0][REGNO].is_due(date(2026, 11, 2))

    on(monkeypatch, "2026-11-02")
    out = renew(capsys, "--intention", "undecided", "--follow-up", "2026-11-10")
    assert "尚未决定" in out and "下次联系：2026-11-10" in out

    on(monkeypatch, "2026-11-10")
    out = renew(capsys, "--intention", "renew", "--channel", "wechat")
    assert "愿意续保，待办理" in out and "下次联系：2026-12-01" in out and "renewal_of" in out
    r = book(firm, "2026-12-01")[0][REGNO]
    assert (r.stage, r.intention, len(r.contacts)) == ("renew", "renew", 3)
    assert r.is_due(date(2026, 12, 1))

    # Not renewed by the end: lapsed, shown as 已失效, though the record still says active.
    renewals, loaded = book(firm, "2027-01-01")
    assert renewals[REGNO].stage == "lapsed"
    policy = loaded.policy_index()[REGNO][1]
    assert policy.status == "active"
    assert display_status(policy, renewals[REGNO], date(2027, 1, 1)) == "lapsed"

    # The new policy arrives: renewed, whenever one looks.
    c.write_client(
        firm,
        c.person(),
        [
            c.policy(
                "BD-2026-RRRR2",
                effective=date(2027, 1, 1),
                renewal_of=REGNO,
                intake={**c.policy("x")["intake"], "received_on": date(2026, 12, 20)},
            )
        ],
    )
    renewals, loaded = book(firm, "2027-01-05")
    assert renewals[REGNO].stage == "renewed"
    assert renewals[REGNO].successor.registry_no == "BD-2026-RRRR2"
    assert (
        display_status(loaded.policy_index()[REGNO][1], renewals[REGNO], date(2027, 1, 5))
        == "renewed"
    )

    on(monkeypatch, "2027-01-05")
    code, _, err = run_cli(capsys, "renew", REGNO, "--staff", "wang-fang", "--intention", "renew")
    assert code == 1 and "已续保" in err


def test_declined_and_refusals(firm, capsys, monkeypatch):
    c.reset_clients(firm)
    life = c.policy(
        "BD-2026-RRRR3",
        category="life",
        subcategory="term",
        statutory_beneficiary=True,
        effective=date(2020, 1, 1),
        terminates=date(2040, 12, 31),
    )
    c.write_client(firm, c.person(), [c.policy(REGNO, effective=date(2026, 1, 1)), life])
    on(monkeypatch, "2026-12-02")
    out = renew(capsys, "--intention", "decline", "--note", "车已卖")
    assert "不再续保" in out and "下次联系" not in out
    r = book(firm, "2026-12-20")[0][REGNO]
    assert r.stage == "declined" and not r.is_due(date(2026, 12, 20))

    code, _, err = run_cli(capsys, "renew", "BD-2026-RRRR3", "--staff", "wang-fang")
    assert code == 1 and "不在续保跟进范围" in err
    code, _, err = run_cli(capsys, "renew", REGNO, "--staff", "wang-fang", "--intention", "maybe")
    assert code == 1 and "只能是：愿意续保、不再续保 或 尚未决定" in err
    code, _, err = run_cli(capsys, "renew", REGNO)
    assert code == 1 and "--staff" in err
