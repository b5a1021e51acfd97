"""A claim's stages follow the rules: no silent reopening of a paid, refused or closed claim,
a payment records its amount, submitting with materials missing asks first, a material received
twice asks first, and every step records who did it. `check` flags a history that breaks them."""

from __future__ import annotations

import io
from datetime import date

import pytest
from baodan.core.errors import BaodanError
from baodan.core.rules import Rules
from baodan.domain import claims
from baodan.services.policyfile import acting_staff, member_on_staff

from . import factories as f
from .helpers import read_record, run_cli, write_record

CLAIM_ID = "cl-0000beef"


def _claim_text(policy: str, stages: str, extra: str = "") -> str:
    return f"""\
id: {CLAIM_ID}
policy: {policy}
type: medical
incident_date: 2026-10-01
reported_on: 2026-10-02
amount_claimed: 30000
handler: li-qiang
stages:
{stages}{extra}"""


CLOSED = """\
  - stage: reported
    date: 2026-10-02
  - stage: submitted
    date: 2026-10-10
  - stage: paid
    date: 2026-10-30
    amount: 28000
  - stage: closed
    date: 2026-11-02
"""
COLLECTING = """\
  - stage: reported
    date: 2026-10-02
  - stage: collecting
    date: 2026-10-03
"""


@pytest.fixture
def put_claim(firm, monkeypatch):
    """Write a claim with the given stages into the first client with a policy; li-qiang is
    the staff member at work (BAODAN_STAFF). Returns the record's path."""
    monkeypatch.setenv("BAODAN_STAFF", "li-qiang")
    policy = next(  # a medical claim needs the client's consent to sensitive information
        p
        for p in sorted(firm.root.glob("records/clients/*/policies/*.yaml.age"))
        if "sensitive: true"
        in read_record(
            firm.root, f"{p.parent.parent.relative_to(firm.root)}/client.yaml.age", firm.identities
        )
    )
    rel = (policy.parent.parent.relative_to(firm.root) / f"claims/{CLAIM_ID}.yaml.age").as_posix()

    def put(stages: str, extra: str = "") -> str:
        text = _claim_text(policy.name.removesuffix(".yaml.age"), stages, extra)
        write_record(firm.root, rel, text, firm.identities)
        return rel

    return put


def _no_input(monkeypatch, answer: str = "") -> None:
    """The keyboard: ``answer`` then the end of input (a script that gives no answer)."""
    monkeypatch.setattr("sys.stdin", io.StringIO(answer))


# ---- transitions --------------------------------------------------------------------------------


def test_a_closed_claim_cannot_silently_go_back_to_work(firm, put_claim, capsys):
    rel = put_claim(CLOSED)
    before = read_record(firm.root, rel, firm.identities)
    code, _out, err = run_cli(capsys, "claim", "stage", CLAIM_ID, "collecting")
    assert code == 1
    assert "已是“已结案”，不能直接改为“收集材料”" in err
    assert f"baodan claim reopen {CLAIM_ID}" in err and "--reason" in err
    assert read_record(firm.root, rel, firm.identities) == before
    code, _out, err = run_cli(capsys, "claim", "stage", CLAIM_ID, "paid", "--amount", "1")
    assert code == 1 and "不能从“已结案”改为“已赔付”" in err


def test_reopening_is_recorded_with_its_reason_and_who(firm, put_claim, capsys):
    rel = put_claim(CLOSED)
    code, _out, err = run_cli(capsys, "claim", "reopen", CLAIM_ID, "--on", "2026-11-05")
    assert code != 0 and "--reason" in err  # the reason is not optional
    code, out, err = run_cli(
        capsys, "claim", "reopen", CLAIM_ID, "--reason", "客户补交了复查报告", "--on", "2026-11-05"
    )
    assert code == 0, err
    assert "已重新打开" in out and "收集材料" in out
    text = read_record(firm.root, rel, firm.identities)
    assert (
        "  - stage: collecting\n    date: 2026-11-05\n    reopen_reason: 客户补交了复查报告\n"
        "    by: li-qiang\n"
    ) in text
    code, out, err = run_cli(capsys, "check")
    assert code == 0, err
    # an open claim is not reopened
    code, _out, err = run_cli(capsys, "claim", "reopen", CLAIM_ID, "--reason", "又一次")
    assert code == 1 and "不需要重新打开" in err


def test_check_flags_a_history_that_breaks_the_transitions(firm, put_claim, capsys):
    put_claim(CLOSED + "  - stage: under_review\n    date: 2026-11-03\n")
    code, _out, err = run_cli(capsys, "check")
    assert code == 1
    assert f"claims/{CLAIM_ID}.yaml.age" in err and "字段 stages[4].stage" in err
    assert "进度不能从“已结案”改为“审核中”" in err and "baodan claim reopen" in err


def test_check_flags_a_reopen_reason_where_nothing_was_reopened(firm, put_claim, capsys):
    put_claim(COLLECTING + "  - stage: submitted\n    date: 2026-10-05\n    reopen_reason: 无\n")
    code, _out, err = run_cli(capsys, "check")
    assert code == 1 and "字段 stages[2].reopen_reason" in err and "不是重新打开" in err


def test_transitions_are_one_table():
    """The rules the command and `check` share: forward, back only for more materials."""
    assert claims.may_follow("reported", "paid")  # staff skip steps they did not record
    assert claims.may_follow("under_review", "collecting")  # the insurer asks for more
    assert not claims.may_follow("collecting", "reported")
    for done in ("paid", "refused", "closed"):
        assert not any(claims.may_follow(done, s) for s in claims.REOPEN_TO if s != "dispute")
    assert not claims.NEXT["closed"]
    claim = f.claim(
        "cl-1",
        "BD-2026-AAAAA",
        [("reported", date(2026, 1, 1)), ("refused", date(2026, 2, 1))],
    )
    assert claims.stage_problems(claim) == []
    claim.stages.append(claim.stages[0].model_copy(update={"date": date(2026, 3, 1)}))
    [problem] = claims.stage_problems(claim)
    assert problem.field == "stages[2].stage" and "拒赔" in problem.message


# ---- amounts --------------------------------------------------------------------------------


def test_paid_and_partly_paid_record_the_amount(firm, put_claim, capsys):
    rel = put_claim(COLLECTING)
    code, _out, err = run_cli(capsys, "claim", "stage", CLAIM_ID, "partly_paid")
    assert code == 1 and "--amount" in err and "赔付金额" in err
    code, _out, err = run_cli(
        capsys, "claim", "stage", CLAIM_ID, "partly_paid", "--amount", "1.234"
    )
    assert code == 1 and "--amount" in err and "两位小数" in err
    code, _out, err = run_cli(capsys, "claim", "stage", CLAIM_ID, "refused", "--amount", "5")
    assert code == 1 and "只有已赔付、部分赔付才写金额" in err
    code, _out, err = run_cli(
        capsys, "claim", "stage", CLAIM_ID, "partly_paid", "--amount", "12,000.50"
    )
    assert code == 0, err
    text = read_record(firm.root, rel, firm.identities)
    assert "amount_paid: 12000.50\n" in text
    assert "  - stage: partly_paid\n" in text and "    amount: 12000.50\n" in text
    run_cli(capsys, "claim", "stage", CLAIM_ID, "dispute")
    code, _out, err = run_cli(capsys, "claim", "stage", CLAIM_ID, "paid", "--amount", "8000")
    assert code == 0, err
    text = read_record(firm.root, rel, firm.identities)
    assert "amount_paid: 20000.50\n" in text, text  # both payments
    code, _out, err = run_cli(capsys, "check")
    assert code == 0, err


def test_a_payment_on_an_older_record_adds_to_its_total(firm, put_claim, capsys):
    """Records from before amounts were kept per payment carry only amount_paid."""
    old = COLLECTING + "  - stage: partly_paid\n    date: 2026-10-20\n"
    rel = put_claim(old, "amount_paid: 10000\n")
    assert run_cli(capsys, "claim", "stage", CLAIM_ID, "dispute")[0] == 0
    code, _out, err = run_cli(capsys, "claim", "stage", CLAIM_ID, "paid", "--amount", "2500")
    assert code == 0, err
    assert "amount_paid: 12500\n" in read_record(firm.root, rel, firm.identities)
    code, _out, err = run_cli(capsys, "check")
    assert code == 0, err


def test_check_flags_a_total_that_is_not_the_sum_of_the_payments(firm, put_claim, capsys):
    stages = COLLECTING + "  - stage: paid\n    date: 2026-10-20\n    amount: 28000\n"
    put_claim(stages, "amount_paid: 30000\n")
    code, _out, err = run_cli(capsys, "check")
    assert code == 1 and "字段 amount_paid" in err
    assert "赔付金额合计 3万元 与各次赔付之和 2.8万元 不一致" in err


def test_check_flags_a_payment_without_its_amount(firm, put_claim, capsys):
    put_claim(COLLECTING + "  - stage: paid\n    date: 2026-10-20\n")
    code, _out, err = run_cli(capsys, "check")
    assert code == 1 and "字段 stages[2].amount" in err and "要写赔付金额" in err


# ---- submitting with materials missing -----------------------------------------------------------


def test_submitting_with_materials_missing_asks_first(firm, put_claim, capsys, monkeypatch):
    rel = put_claim(COLLECTING, "materials:\n  - item: 病历\n    received_on: 2026-10-03\n")
    before = read_record(firm.root, rel, firm.identities)
    _no_input(monkeypatch)  # a script without --yes: the end of input cancels
    code, out, err = run_cli(capsys, "claim", "stage", CLAIM_ID, "submitted")
    assert code == 130
    assert "还缺 7 项必需材料：理赔申请书、被保险人身份证" in out and "病历、" not in out
    assert "仍要记为已提交保险公司？" in out and "已取消" in err
    assert read_record(firm.root, rel, firm.identities) == before
    _no_input(monkeypatch, "n\n")
    code, _out, err = run_cli(capsys, "claim", "stage", CLAIM_ID, "submitted")
    assert code == 1 and "已取消，记录没有改动" in err
    assert read_record(firm.root, rel, firm.identities) == before
    _no_input(monkeypatch, "y\n")
    code, _out, err = run_cli(capsys, "claim", "stage", CLAIM_ID, "submitted", "--note", "客户急用")
    assert code == 0, err
    text = read_record(firm.root, rel, firm.identities)
    assert "  - stage: submitted\n" in text
    assert "    note: 客户急用；材料未齐即递交（缺：理赔申请书、被保险人身份证" in text


def test_submitting_with_yes_or_with_everything_in_asks_nothing(
    firm, put_claim, capsys, monkeypatch
):
    put_claim(COLLECTING)
    _no_input(monkeypatch)
    code, out, err = run_cli(capsys, "claim", "stage", CLAIM_ID, "submitted", "--yes")
    assert code == 0, err
    everything = "".join(
        f"  - item: {i.item}\n    received_on: 2026-10-04\n"
        for i in claims.checklist(
            f.claim("cl-1", "BD-2026-AAAAA", [("reported", date(2026, 1, 1))]), Rules()
        )
    )
    put_claim(COLLECTING, "materials:\n" + everything)
    code, out, err = run_cli(capsys, "claim", "stage", CLAIM_ID, "submitted")
    assert code == 0, err and "还缺" not in out


# ---- materials received twice --------------------------------------------------------------


def test_a_material_received_twice_asks_before_changing_the_date(
    firm, put_claim, capsys, monkeypatch
):
    rel = put_claim(COLLECTING, "materials:\n  - item: 病历\n    received_on: 2026-10-03\n")
    before = read_record(firm.root, rel, firm.identities)
    _no_input(monkeypatch)
    code, out, err = run_cli(capsys, "claim", "receive", CLAIM_ID, "病历", "--on", "2026-10-08")
    assert code == 130 and "病历（2026-10-03 已收到）" in out
    assert read_record(firm.root, rel, firm.identities) == before
    code, out, err = run_cli(
        capsys, "claim", "receive", CLAIM_ID, "病历", "--on", "2026-10-08", "--yes"
    )
    assert code == 0, err
    text = read_record(firm.root, rel, firm.identities)
    assert "item: 病历\n    received_on: 2026-10-08\n    received_by: li-qiang" in text


# ---- who did it ----------------------------------------------------------------------------


def test_steps_record_who_did_them(firm, put_claim, capsys, monkeypatch):
    rel = put_claim(COLLECTING)
    monkeypatch.delenv("BAODAN_STAFF")
    code, _out, err = run_cli(capsys, "claim", "receive", CLAIM_ID, "病历")
    assert code == 1 and "--staff" in err and "BAODAN_STAFF" in err
    code, _out, err = run_cli(capsys, "claim", "receive", CLAIM_ID, "病历", "--staff", "nobody")
    assert code == 1 and "没有员工“nobody”" in err
    code, _out, err = run_cli(capsys, "claim", "receive", CLAIM_ID, "病历", "--staff", "chen-jing")
    assert code == 0, err
    code, _out, err = run_cli(
        capsys, "claim", "stage", CLAIM_ID, "under_review", "--staff", "wang-fang"
    )
    assert code == 0, err
    text = read_record(firm.root, rel, firm.identities)
    assert "received_by: chen-jing" in text
    assert "  - stage: under_review\n" in text and "    by: wang-fang\n" in text


def test_task_done_records_who_closed_it(firm, capsys, monkeypatch):
    monkeypatch.setenv("BAODAN_STAFF", "wang-fang")
    task = next(
        p
        for p in sorted(firm.root.glob("records/clients/*/tasks/*.yaml.age"))
        if "status: open"
        in read_record(firm.root, p.relative_to(firm.root).as_posix(), firm.identities)
    )
    code, _out, err = run_cli(capsys, "task", "done", task.name.removesuffix(".yaml.age"))
    assert code == 0, err
    text = read_record(firm.root, task.relative_to(firm.root).as_posix(), firm.identities)
    assert "status: done" in text and "closed_by: wang-fang" in text


def test_the_acting_staff_member_is_the_option_or_the_members_own_id():
    firm = f.firm()
    assert acting_staff(firm, "chen-jing", "wang-fang") == "chen-jing"
    assert acting_staff(firm, None, "wang-fang") == "wang-fang"  # a member who is on the staff
    with pytest.raises(BaodanError, match="--staff"):
        acting_staff(firm, None, "ci")  # the CI member is nobody at the desk
    assert (member_on_staff(firm, "wang-fang"), member_on_staff(firm, "ci")) == ("wang-fang", None)
