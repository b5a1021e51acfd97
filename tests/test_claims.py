"""Claims assistance: materials checklists from the data file, what is missing, the queues a
claim waits in and its age for a fixed Shanghai today; the `baodan claim` commands."""

from __future__ import annotations

from datetime import date
from importlib import resources

import pytest
import yaml
from baodan.core.rules import Rules
from baodan.core.today import today
from baodan.domain import claims
from baodan.models import ClientFile
from baodan.models.vocab import CLAIM_TYPES

from . import factories as f
from .helpers import read_record, run_cli, write_record

DATA = yaml.safe_load(
    resources.files("baodan").joinpath("data/claim_materials.yaml").read_text("utf-8")
)


@pytest.mark.parametrize("kind", sorted(DATA["types"]))
def test_checklist_is_the_data_files_list_for_the_claim_type(kind):
    claim = f.claim("cl-1", "BD-2026-AAAAA", [("reported", date(2026, 11, 20))], type=kind)
    items = claims.checklist(claim, Rules())
    expected = [(m["item"], m.get("required", True)) for m in DATA["types"][kind]]
    assert [(i.item, i.required) for i in items] == expected
    assert all(i.received_on is None for i in items)
    assert [i.item for i in claims.missing_materials(claim, Rules())] == [
        item for item, required in expected if required
    ]


def test_domain_lists_are_in_the_data_file():
    names = {kind: [m["item"] for m in items] for kind, items in DATA["types"].items()}
    assert {"病历", "诊断证明", "费用清单", "出院小结"} <= set(names["medical"])
    assert {"意外事故证明", "伤残鉴定报告"} <= set(names["accident"])
    assert {"死亡证明", "亲属关系证明"} <= set(names["death"])
    assert {"损失清单", "现场照片", "维修报价单"} <= set(names["property"])
    assert {"驾驶证", "行驶证", "交通事故认定书"} <= set(names["auto"])


def test_every_claim_type_has_its_materials_list():
    """A type without a list would give an empty checklist: nothing to ask the client for."""
    assert set(DATA["types"]) == set(CLAIM_TYPES)
    assert all(DATA["types"][kind] for kind in CLAIM_TYPES)


@pytest.mark.parametrize(
    ("kind", "name", "items"),
    [
        ("critical_illness", "重大疾病", {"诊断证明", "病理检查报告", "检查报告", "病历"}),
        ("outpatient", "门急诊医疗", {"门急诊病历", "医疗费用发票", "费用清单"}),
        ("inpatient", "住院医疗", {"住院病历", "出院小结", "住院费用发票", "费用清单"}),
        ("accident_medical", "意外医疗", {"意外事故证明", "医疗费用发票"}),
        ("disability", "伤残", {"伤残鉴定报告", "意外事故证明"}),
        ("long_term_care", "护理", {"护理状态鉴定报告"}),
        ("liability", "责任", {"第三者索赔材料", "损失证明"}),
        ("auto_single", "车险单方事故", {"事故经过说明", "定损单", "驾驶证", "行驶证"}),
        ("auto_multi", "车险双方事故", {"交通事故认定书", "对方车辆信息", "定损单"}),
        ("death", "身故", {"死亡证明", "户籍注销证明", "亲属关系证明", "受益人银行卡"}),
    ],
)
def test_claims_of_every_common_kind(kind, name, items):
    assert CLAIM_TYPES[kind] == name
    listed = {m["item"]: m for m in DATA["types"][kind]}
    assert items <= set(listed)
    assert {"理赔申请书", "银行卡"} & set(listed) or kind == "death"  # paid into an account
    assert all(m.get("note") for m in listed.values() if m.get("required") is False)


def test_new_claim_template_lists_every_claim_type():
    from baodan.cli.app import _claim_types, _template

    text = _template("claim", claim_id="cl-0000abcd", staff="li-qiang", claim_types=_claim_types())
    assert all(f"{code} {name}" in text for code, name in CLAIM_TYPES.items())
    assert "$" not in text


def test_claim_record_overrides_and_extends_the_standard_list():
    claim = f.claim(
        "cl-1",
        "BD-2026-AAAAA",
        [("reported", date(2026, 11, 1)), ("collecting", date(2026, 11, 2))],
        materials=[
            {"item": "理赔申请书", "received_on": date(2026, 11, 3)},
            {"item": "出院小结", "required": False},  # out-patient: not needed
            {"item": "门诊记录复印件"},  # the insurer asked for it
        ],
    )
    items = {i.item: i for i in claims.checklist(claim, Rules())}
    assert items["理赔申请书"].received_on == date(2026, 11, 3)
    assert not items["出院小结"].missing
    assert items["门诊记录复印件"].missing and not items["门诊记录复印件"].standard
    missing = [i.item for i in claims.missing_materials(claim, Rules())]
    assert "理赔申请书" not in missing and "出院小结" not in missing
    assert missing[-1] == "门诊记录复印件"


def _received_all(kind: str, day: date) -> list[dict]:
    return [{"item": m["item"], "received_on": day} for m in DATA["types"][kind]]


def test_queues_and_ages_for_a_fixed_today(monkeypatch):
    monkeypatch.setenv("BAODAN_TODAY", "2026-11-27")
    d = date
    cf = ClientFile(f.client("c-1"), policies=[f.policy_model("BD-2026-AAAAA")])
    cf.claims = [
        f.claim("cl-new", "BD-2026-AAAAA", [("reported", d(2026, 11, 25))]),
        f.claim(
            "cl-wait",
            "BD-2026-AAAAA",
            [("reported", d(2026, 11, 1)), ("collecting", d(2026, 11, 7))],
            materials=[{"item": "病历", "received_on": d(2026, 11, 8)}],
        ),
        f.claim(
            "cl-ready",
            "BD-2026-AAAAA",
            [("reported", d(2026, 11, 10)), ("collecting", d(2026, 11, 11))],
            materials=_received_all("medical", d(2026, 11, 20)),
        ),
        f.claim(
            "cl-review",
            "BD-2026-AAAAA",
            [
                ("reported", d(2026, 9, 1)),
                ("collecting", d(2026, 9, 2)),
                ("submitted", d(2026, 9, 20)),
                ("under_review", d(2026, 9, 25)),
            ],
            materials=_received_all("medical", d(2026, 9, 15)),
        ),
        f.claim(
            "cl-dispute",
            "BD-2026-AAAAA",
            [("reported", d(2026, 6, 1)), ("refused", d(2026, 7, 1)), ("dispute", d(2026, 7, 5))],
        ),
        f.claim(
            "cl-done",
            "BD-2026-AAAAA",
            [("reported", d(2026, 1, 1)), ("paid", d(2026, 2, 1)), ("closed", d(2026, 2, 3))],
        ),
    ]
    queues = claims.claim_queues(f.firm(cf), today())
    ids = {q: [o.claim.id for o in items] for q, items in queues.items()}
    assert ids == {
        "us": ["cl-ready", "cl-new"],  # oldest first
        "client": ["cl-wait"],
        "insurer": ["cl-review"],
        "dispute": ["cl-dispute"],
    }
    by_id = {o.claim.id: o for items in queues.values() for o in items}
    assert (by_id["cl-new"].age_days, by_id["cl-new"].stage_days) == (2, 2)
    assert (by_id["cl-wait"].age_days, by_id["cl-wait"].stage_days) == (26, 20)
    assert "病历" not in [i.item for i in by_id["cl-wait"].missing]
    assert len(by_id["cl-wait"].missing) == 7  # 8 medical items, all required; 病历 is in
    assert by_id["cl-review"].age_days == 87
    assert by_id["cl-review"].overdue  # 68 days since submitted > 30 (Insurance Law art. 23)
    assert by_id["cl-dispute"].incident is None


def test_age_follows_the_shanghai_date(monkeypatch):
    monkeypatch.setenv("BAODAN_TODAY", "2026-12-01")
    cf = ClientFile(f.client("c-1"), policies=[f.policy_model("BD-2026-AAAAA")])
    cf.claims = [f.claim("cl-new", "BD-2026-AAAAA", [("reported", date(2026, 11, 25))])]
    [item] = claims.claim_queues(f.firm(cf), today())["us"]
    assert item.age_days == 6


CLAIM = """\
id: cl-0000abcd
policy: {policy}
type: auto
incident_date: 2026-11-10
reported_on: 2026-11-10
handler: li-qiang
stages:
  - stage: reported
    date: 2026-11-10
  - stage: collecting
    date: 2026-11-12
# the insurer's own list always wins
materials:
  - item: 理赔申请书
    received_on: 2026-11-12
"""


@pytest.fixture
def claim_file(firm, monkeypatch):
    """An auto claim in the fixture firm, collecting materials, one item in; li-qiang at work."""
    monkeypatch.setenv("BAODAN_STAFF", "li-qiang")
    policy = min(firm.root.glob("records/clients/*/policies/*.yaml.age"))
    rel = policy.parent.parent.relative_to(firm.root) / "claims/cl-0000abcd.yaml.age"
    write_record(
        firm.root,
        rel.as_posix(),
        CLAIM.format(policy=policy.stem.removesuffix(".yaml")),
        firm.identities,
    )
    return rel.as_posix()


def test_claim_materials_command_lists_what_is_missing(firm, claim_file, capsys):
    code, out, err = run_cli(capsys, "claim", "materials", "cl-0000abcd")
    assert code == 0, err
    assert "理赔申请书" in out and "2026-11-12" in out
    assert "还缺 5 项" in out and "交通事故认定书" in out and "现场照片" in out


def test_claim_receive_records_dates_and_keeps_comments(firm, claim_file, capsys):
    code, out, err = run_cli(
        capsys, "claim", "receive", "cl-0000abcd", "驾驶证", "行驶证", "--on", "2026-11-20"
    )
    assert code == 0, err
    assert "还缺 3 项" in out
    text = read_record(firm.root, claim_file, firm.identities)
    assert "# the insurer's own list always wins" in text
    assert "item: 驾驶证\n    received_on: 2026-11-20\n    received_by: li-qiang" in text
    code, out, err = run_cli(
        capsys, "claim", "receive", "cl-0000abcd", "交通事故认定书", "维修发票", "现场照片"
    )
    assert code == 0 and "必需材料已齐全" in out
    code, out, _ = run_cli(capsys, "claim", "queue")
    assert "cl-0000abcd" in out.split("等客户补材料")[0]  # now waiting on us to submit


def test_claim_receive_refuses_an_unknown_item(firm, claim_file, capsys):
    before = read_record(firm.root, claim_file, firm.identities)
    code, _out, err = run_cli(capsys, "claim", "receive", "cl-0000abcd", "驾照")
    assert code == 1
    assert "材料清单里没有：驾照" in err and "驾驶证" in err  # the hint lists the real names
    assert read_record(firm.root, claim_file, firm.identities) == before


def test_claim_stage_dispute_points_to_the_emergency_plan(firm, claim_file, capsys):
    code, out, err = run_cli(capsys, "claim", "stage", "cl-0000abcd", "refused")
    assert code == 0, err
    code, out, err = run_cli(
        capsys, "claim", "stage", "cl-0000abcd", "纠纷处理", "--note", "客户不认可"
    )  # a stage by its Chinese name, as the help and the staff site show it
    assert code == 0, err
    assert "--plan 理赔纠纷 --claim cl-0000abcd" in out
    code, out, err = run_cli(
        capsys, "claim", "stage", "cl-0000abcd", "paid", "--amount", "100", "--on", "2026-11-01"
    )
    assert code == 1 and "早于上一条进度" in err
    code, out, err = run_cli(capsys, "claim", "stage", "cl-0000abcd", "已付款")
    assert code == 1 and "进度：没有“已付款”这一项" in err and "只能是：已报案、" in err


def test_check_flags_a_claim_type_that_does_not_fit_its_policy(firm, capsys, monkeypatch):
    policy = min(firm.root.glob("records/clients/*/policies/*.yaml.age"))
    text = read_record(firm.root, policy.relative_to(firm.root).as_posix(), firm.identities)
    category = yaml.safe_load(text)["category"]
    wrong = "critical_illness" if category == "auto" else "auto_single"  # 重疾 on a car, or so
    claim = CLAIM.format(policy=policy.name.removesuffix(".yaml.age")).replace(
        "type: auto", f"type: {wrong}"
    )
    rel = policy.parent.parent.relative_to(firm.root) / "claims/cl-0000abcd.yaml.age"
    write_record(firm.root, rel.as_posix(), claim, firm.identities)
    code, _out, err = run_cli(capsys, "check")
    assert code == 1
    assert "claims/cl-0000abcd.yaml.age" in err and "字段 type" in err
    assert f"理赔类型“{CLAIM_TYPES[wrong]}”与保单" in err and "不符" in err


def test_a_firms_claim_categories_name_real_policy_categories(firm, capsys):
    rules = firm.root / "records/rules/claim_materials.yaml"
    rules.parent.mkdir(parents=True, exist_ok=True)
    text = resources.files("baodan").joinpath("data/claim_materials.yaml").read_text("utf-8")
    rules.write_text(text.replace("auto_single: [auto]", "auto_single: [autos]"), "utf-8")
    code, _out, err = run_cli(capsys, "check")
    assert code == 1
    assert "records/rules/claim_materials.yaml" in err and "不认识的险种大类“autos”" in err
