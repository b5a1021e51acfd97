"""Risk assessment: every rule in data/risk_rules.yaml fires on a crafted case and stays quiet on
its counterpart; levels, reasons and the plain-words advice a client portal shows."""

from __future__ import annotations

from datetime import date

import pytest
from baodan.core.rules import Rules
from baodan.domain.risk import RiskRule, assess, client_advice, risk_rules
from pydantic import ValidationError

from . import factories as c

TODAY = date(2026, 11, 27)


def rule_ids(firm, client_id="c-00000001") -> dict[str, list]:
    book = assess(firm, TODAY)
    found: dict[str, list] = {}
    for f in book.by_client.get(client_id, []):
        found.setdefault(f.rule.id, []).append(f)
    return found


def one(client=None, policies=(), interactions=()):
    return c.firm(c.client_file(client or c.person(), policies, interactions))


def test_every_rule_in_the_data_file_is_exercised_here():
    tested = {
        name.removeprefix("test_").split("__")[0] for name in globals() if name.startswith("test_")
    }
    assert {r.id for r in risk_rules(Rules())} <= tested


def test_insurer_below_requirement():
    weak = one(policies=[c.policy("BD-2026-AAAA1", insurer="weak")])
    found = rule_ids(weak)["insurer_below_requirement"]
    assert found[0].level == "高" and found[0].registry_no == "BD-2026-AAAA1"
    assert "示例财险" in found[0].reason and "96" in found[0].reason and "评级 C" in found[0].reason
    assert "insurer_below_requirement" not in rule_ids(one(policies=[c.policy("BD-2026-AAAA1")]))


def test_insurer_figures_stale():
    assert (
        "2025Q4"
        in rule_ids(one(policies=[c.policy("BD-2026-AAAA1", insurer="stale")]))[
            "insurer_figures_stale"
        ][0].reason
    )
    assert "insurer_figures_stale" not in rule_ids(one(policies=[c.policy("BD-2026-AAAA1")]))


def _home(sum_insured: int) -> dict:
    return c.policy(
        "BD-2026-AAAA2",
        category="home",
        subcategory="home_contents",
        insured=[],
        sum_insured=sum_insured,
        insured_property={"address": "杭州市西湖区文三路 1 号", "declared_value": 2000000},
    )


def test_under_insured():
    found = rule_ids(one(policies=[_home(1500000)]))["under_insured"][0]
    assert found.level == "中" and "150万元" in found.reason and "75%" in found.reason
    assert "under_insured" not in rule_ids(one(policies=[_home(2000000)]))


def test_ending_without_intention():
    ending = c.policy("BD-2026-AAAA3", effective=date(2025, 12, 20))  # ends 2026-12-19
    assert "22 天后" in rule_ids(one(policies=[ending]))["ending_without_intention"][0].reason
    told = [c.contact("BD-2026-AAAA3", date(2026, 11, 20), "renew")]
    assert "ending_without_intention" not in rule_ids(one(policies=[ending], interactions=told))
    later = c.policy("BD-2026-AAAA3", effective=date(2026, 3, 1))  # ends 2027-02-28
    assert "ending_without_intention" not in rule_ids(one(policies=[later]))


def _life(**over) -> dict:
    return c.policy(
        "BD-2026-AAAA4",
        category="life",
        subcategory="term",
        effective=date(2020, 1, 1),
        terminates=date(2040, 12, 31),
        **over,
    )


def test_beneficiary_statutory():
    found = rule_ids(one(policies=[_life(statutory_beneficiary=True)]))["beneficiary_statutory"]
    assert found[0].level == "低" and "张伟" in found[0].reason
    named = _life(beneficiaries=[{"name": "李娜", "relation": "配偶", "id_number": c.SPOUSE}])
    assert "beneficiary_statutory" not in rule_ids(one(policies=[named]))


def test_parties_inconsistent():
    stranger = c.policy(
        "BD-2026-AAAA5",
        insured=[
            {"name": "王小红", "relation": "子女", "id_number": c.resident_id("20120505", 44)}
        ],
    )
    found = rule_ids(one(policies=[stranger]))["parties_inconsistent"][0]
    assert "被保险人" in found.reason
    assert "parties_inconsistent" not in rule_ids(one(policies=[c.policy("BD-2026-AAAA5")]))


def _auto(regno: str, sub: str) -> dict:
    return c.policy(
        regno,
        category="auto",
        subcategory=sub,
        insured=[],
        vehicle={"plate": "浙A12345", "vin": "LSVAM4187C2184357"},
    )


def test_vehicle_without_compulsory():
    found = rule_ids(one(policies=[_auto("BD-2026-AAAA6", "commercial")]))
    assert "浙A12345" in found["vehicle_without_compulsory"][0].reason
    both = [_auto("BD-2026-AAAA6", "commercial"), _auto("BD-2026-AAAA7", "compulsory")]
    assert "vehicle_without_compulsory" not in rule_ids(one(policies=both))


def test_earner_without_protection():
    earner = c.person(earner=True)
    found = rule_ids(one(earner))["earner_without_protection"][0]
    assert found.registry_no is None and "张小明" in found.reason
    assert "earner_without_protection" not in rule_ids(
        one(earner, policies=[_life(statutory_beneficiary=True)])
    )
    assert "earner_without_protection" not in rule_ids(one(c.person(earner=False)))


def test_critical_illness_low():
    low = c.policy("BD-2026-CR1T2", subcategory="critical_illness", sum_insured=100000)
    found = rule_ids(one(policies=[low]))["critical_illness_low"][0]
    assert found.registry_no == "BD-2026-CR1T2" and "10万元" in found.client_text
    enough = c.policy("BD-2026-CR1T3", subcategory="critical_illness", sum_insured=500000)
    assert "critical_illness_low" not in rule_ids(one(policies=[enough]))
    medical = c.policy("BD-2026-MED03", sum_insured=100000)  # not critical illness
    assert "critical_illness_low" not in rule_ids(one(policies=[medical]))


def test_children_before_parents():
    child_ci = c.policy(
        "BD-2026-CH1D1",
        subcategory="critical_illness",
        insured=[{"name": "张小明", "relation": "子女", "id_number": c.CHILD}],
    )
    found = rule_ids(one(policies=[child_ci]))["children_before_parents"][0]
    assert found.registry_no is None and "孩子" in found.client_text
    parent_ci = c.policy("BD-2026-PRN71", subcategory="critical_illness")
    assert "children_before_parents" not in rule_ids(one(policies=[child_ci, parent_ci]))
    assert "children_before_parents" not in rule_ids(one(policies=[parent_ci]))


def test_company_without_employer_liability():
    firm = c.firm(c.client_file(c.company()))
    found = rule_ids(firm, "c-00000002")["company_without_employer_liability"][0]
    assert "12 名员工" in found.reason
    covered = c.policy(
        "BD-2026-AAAA8",
        category="liability",
        subcategory="employer",
        policyholder={
            "name": "杭州示例贸易有限公司",
            "relation": "本人",
            "uscc": "91350100M000100Y43",
        },
        insured=[],
    )
    firm = c.firm(c.client_file(c.company(), [covered]))
    assert "company_without_employer_liability" not in rule_ids(firm, "c-00000002")


def test_levels_and_client_advice():
    firm = one(
        c.person(earner=True), policies=[c.policy("BD-2026-AAAA1", insurer="weak"), _home(1500000)]
    )
    book = assess(firm, TODAY)
    assert book.client_level("c-00000001") == "高"
    assert book.policy_level("BD-2026-AAAA2") == "中"
    advice = client_advice(firm, "c-00000001", TODAY)
    assert [a.level for a in advice] == sorted(
        (a.level for a in advice), key="低中高".index, reverse=True
    )
    assert any("经济支柱" in a.text for a in advice)
    assert all("{" not in a.text for a in advice)
    calm = one(policies=[c.policy("BD-2026-AAAA1")])
    assert assess(calm, TODAY).client_level("c-00000001") == "低"


def test_a_rule_with_an_unknown_placeholder_is_refused_in_chinese():
    with pytest.raises(ValidationError) as e:
        RiskRule.model_validate(
            {
                "id": "x",
                "check": "under_insured",
                "level": "中",
                "title": "t",
                "reason": "保额 {amount}",
                "advice": "a",
            }
        )
    problem = e.value.errors()[0]["ctx"]["error"]
    assert "{amount}" in problem.message and "{sum_insured}" in problem.hint


def _life_for_spouse(regno: str = "BD-2026-SPS01") -> dict:
    return c.policy(
        regno,
        category="life",
        subcategory="term",
        beneficiaries=[{"name": "李娜", "relation": "配偶", "id_number": c.SPOUSE}],
    )


def test_beneficiary_outdated__a_beneficiary_who_died_is_on_today_s_queue():
    family = [
        {"name": "李娜", "relation": "配偶", "id_number": c.SPOUSE, "died_on": date(2026, 5, 3)}
    ]
    firm = one(c.person(family=family), [_life_for_spouse()])
    [found] = rule_ids(firm)["beneficiary_outdated"]
    assert found.level == "高" and found.registry_no == "BD-2026-SPS01"
    assert "李娜已于 2026-05-03 去世" in found.reason
    from baodan.domain.renewals import renewal_book
    from baodan.domain.worklist import queues

    today = queues(firm, TODAY, renewal_book(firm, TODAY), assess(firm, TODAY))
    assert [i.client.client.id for i in today.high_risk] == ["c-00000001"]  # a work-queue item
    assert "beneficiary_outdated" not in rule_ids(one(policies=[_life_for_spouse()]))


def test_beneficiary_outdated__a_spouse_no_longer_the_spouse_prompts_an_update():
    remarried = [{"name": "王丽", "relation": "配偶"}]  # the family record changed
    [found] = rule_ids(one(c.person(family=remarried), [_life_for_spouse()]))[
        "beneficiary_outdated"
    ]
    assert "李娜不再是客户记录中的配偶" in found.reason
