"""Verification (核对信息): each kind of difference between a policy and the client master
record is found on crafted records; `baodan verify` records them once and moves them from open
to confirmed to resolved, naming who closed each and when."""

from __future__ import annotations

from datetime import date

from baodan.domain.verification import differences
from baodan.models import Insurer, Policy

from . import factories as c
from .helpers import read_record, run_cli

PINGAN = Insurer.model_validate(c.INSURERS["pingan"])


def found(policy: dict, client: dict | None = None, predecessor: dict | None = None) -> dict:
    cf = c.client_file(client or c.person())
    p = Policy.model_validate(policy)
    prior = Policy.model_validate(predecessor) if predecessor else None
    return {d.field: d for d in differences(cf, p, PINGAN, prior)}


def test_a_policy_that_matches_the_record_has_no_differences():
    matching = c.policy(
        "BD-2026-VVVV1",
        insurer_phone="955-11",
        policyholder={
            "name": "张伟",
            "relation": "本人",
            "id_number": c.ME,
            "mobile": "13912345678",
            "address": "杭州市西湖区 文三路 1 号",
        },
        insured=[{"name": "李娜", "relation": "配偶", "id_number": c.SPOUSE}],
    )
    assert found(matching) == {}


def test_names_and_id_numbers_of_every_party():
    p = c.policy(
        "BD-2026-VVVV1",
        policyholder={
            "name": "张伟",
            "relation": "本人",
            "id_number": c.resident_id("19800101", 13),
        },
        insured=[
            {"name": "李丽娜", "relation": "配偶", "id_number": c.SPOUSE},
            {"name": "张小红", "relation": "子女", "id_number": c.resident_id("20150101", 44)},
        ],
        beneficiaries=[
            {"name": "张小明", "relation": "子女", "id_number": c.resident_id("20100303", 55)}
        ],
    )
    d = found(p)
    assert d["policyholder.id_number"].on_record == c.ME
    assert (d["insured[0].name"].on_policy, d["insured[0].name"].on_record) == ("李丽娜", "李娜")
    assert d["insured[1].name"].on_record is None  # a child the family record does not have
    assert "张小红" in d["insured[1].name"].subject
    assert d["beneficiaries[0].id_number"].on_record == c.CHILD


def test_birth_date_and_sex_encoded_in_the_id_number():
    client = c.person(sex="女", birth_date=date(1980, 1, 2))  # the ID says 1980-01-01, male
    cf = c.client_file(client)
    got = differences(cf, Policy.model_validate(c.policy("BD-2026-VVVV1")), PINGAN)
    assert {(d.subject, d.on_policy, d.on_record) for d in got} >= {
        ("投保人 张伟 身份证号所含出生日期", "1980-01-01", "1980-01-02"),
        ("投保人 张伟 身份证号所含性别", "男", "女"),
    }


def test_mobile_address_and_company_code():
    p = c.policy(
        "BD-2026-VVVV1",
        policyholder={
            "name": "张伟",
            "relation": "本人",
            "id_number": c.ME,
            "mobile": "13900000000",
            "address": "杭州市上城区解放路 9 号",
        },
    )
    d = found(p)
    assert d["policyholder.mobile"].on_record == "13912345678"
    assert d["policyholder.address"].on_record == "杭州市西湖区文三路 1 号"
    company_policy = c.policy(
        "BD-2026-VVVV2",
        category="liability",
        subcategory="employer",
        policyholder={
            "name": "杭州示例贸易有限公司",
            "relation": "本人",
            "uscc": "91110000600037341L",
        },
        insured=[],
    )
    d = found(company_policy, c.company())
    assert d["policyholder.uscc"].on_record == "91350100M000100Y43"


def test_dates_and_the_insurers_phone():
    prior = c.policy("BD-2025-VVVV0", effective=date(2025, 3, 1))  # ends 2026-02-28
    gap = c.policy(
        "BD-2026-VVVV1",
        effective=date(2026, 3, 5),
        terminates=date(2027, 3, 1),
        renewal_of="BD-2025-VVVV0",
        insurer_phone="400-123-4567",
    )
    d = found(gap, predecessor=prior)
    assert (d["effective"].on_policy, d["effective"].on_record) == ("2026-03-05", "2026-03-01")
    assert d["terminates"].on_record == "2027-03-04"
    assert d["insurer_phone"].on_record == "95511" and "伪造" in d["insurer_phone"].subject


def test_verify_records_confirms_and_resolves(firm, capsys):
    c.reset_clients(firm)
    wrong_mobile = c.policy(
        "BD-2026-VVVV1",
        policyholder={
            "name": "张伟",
            "relation": "本人",
            "id_number": c.ME,
            "mobile": "13900000000",
        },
    )
    c.write_client(firm, c.person(), [wrong_mobile])
    rel = "records/clients/c-00000001/policies/BD-2026-VVVV1.yaml.age"

    code, out, err = run_cli(capsys, "verify", "BD-2026-VVVV1", "--staff", "wang-fang")
    assert code == 0, err
    assert "投保人 张伟 的手机号" in out and "新发现 1 条" in out
    text = read_record(firm.root, rel, firm.identities)
    assert (
        "status: open" in text and "found_by: wang-fang" in text and "found_on: 2026-11-27" in text
    )

    code, out, _ = run_cli(capsys, "verify", "BD-2026-VVVV1", "--staff", "wang-fang")
    assert "新发现 0 条" in out  # recorded once, not again
    assert read_record(firm.root, rel, firm.identities).count("field: policyholder.mobile") == 1

    code, out, _ = run_cli(
        capsys, "verify", "BD-2026-VVVV1", "--confirm", "1", "--staff", "wang-fang"
    )
    assert code == 0 and "已与客户确认" in out
    code, out, _ = run_cli(
        capsys,
        "verify",
        "BD-2026-VVVV1",
        "--resolve",
        "1",
        "--note",
        "客户换了号码，已更新资料",
        "--staff",
        "chen-jing",
    )
    assert code == 0 and "已解决" in out
    text = read_record(firm.root, rel, firm.identities)
    assert "status: resolved" in text and "resolved_by: chen-jing" in text
    assert "confirmed_on: 2026-11-27" in text and "客户换了号码" in text

    code, _, err = run_cli(
        capsys, "verify", "BD-2026-VVVV1", "--resolve", "1", "--staff", "wang-fang"
    )
    assert code == 1 and "已于 2026-11-27 解决" in err
    code, _, err = run_cli(
        capsys, "verify", "BD-2026-VVVV1", "--confirm", "7", "--staff", "wang-fang"
    )
    assert code == 1 and "没有第 7 条差异" in err
    assert run_cli(capsys, "check")[0] == 0
