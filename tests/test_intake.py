"""`baodan intake`: a good uniform form registers an encrypted policy with a fresh registry
number; a bad one lists every problem (form file, line, field) in Chinese and writes nothing;
without --from the same form is asked question by question."""

from __future__ import annotations

import io
import re
import sys

from baodan.services.intake import blank_form

from . import factories as c
from .helpers import read_record, run_cli, tree_digest

GOOD = f"""\
client: c-00000001
category: auto
subcategory: commercial
insurer: pingan
product: 平安机动车商业保险
policy_no: 'PDZA2026330100000123'
insurer_phone: '95511'
policyholder:
  name: 张伟
  relation: 本人
  id_number: '{c.ME}'
  mobile: ''
sum_insured: 1500000
premium: '3210.50'
payment:
  frequency: annual
effective: 2026-11-20
terminates: 2027-11-19
vehicle:
  plate: 浙A12345
  vin: LSVAM4187C2184357
intake:
  received_on: 2026-11-25
  received_by: wang-fang
  from_whom: 客户本人
  medium: electronic
notes:
"""

BAD = """\
client: c-99999999
category: auto
subcategory: commercial
insurer: nosuch
product:
policy_no: 'X1'
status: active
policyholder:
  name: 张伟
  id_number: '110105194912310021'
sum_insured: 1e5
premium: 100
payment:
  frequency: yearly
effective: 2026-11-20
intake:
  received_on: 2026-11-25
  received_by: wang-fang
  from_whom: 客户本人
  medium: paper
"""


def _setup(firm):
    c.reset_clients(firm)
    c.write_client(firm, c.person())


def test_a_good_form_registers_the_policy(firm, capsys, tmp_path):
    _setup(firm)
    form = tmp_path / "form.yaml"
    form.write_text(GOOD, "utf-8")
    code, out, err = run_cli(capsys, "intake", "--from", str(form))
    assert code == 0, err
    number = re.search(r"登记号 (BD-2026-[0-9A-Z]{5})", out).group(1)
    assert f"baodan audit {number}" in out and "请删除该文件" in out
    rel = f"records/clients/c-00000001/policies/{number}.yaml.age"
    text = read_record(firm.root, rel, firm.identities)
    assert text.startswith(f"registry_no: {number}\ncategory: auto\n")
    assert "client:" not in text and "mobile" not in text and "notes" not in text  # blanks dropped
    assert "vin: LSVAM4187C2184357" in text and "premium: '3210.50'" in text
    assert run_cli(capsys, "check")[0] == 0


def test_a_bad_form_names_file_line_and_field_and_writes_nothing(firm, capsys, tmp_path):
    _setup(firm)
    form = tmp_path / "bad.yaml"
    form.write_text(BAD, "utf-8")
    before = tree_digest(firm.root)
    code, out, err = run_cli(capsys, "intake", "--from", str(form))
    assert code == 1 and "已登记" not in out
    expected = [
        (1, "client", "没有客户“c-99999999”"),
        (5, "product", "缺少必填字段"),
        (7, "status", "登记表里不填这一项"),
        (10, "policyholder.id_number", "校验位"),
        (11, "sum_insured", "金额"),
        (14, "payment.frequency", "不是可选值"),
    ]
    for line, field, message in expected:
        assert re.search(
            rf"{re.escape(str(form))}:{line}: 字段 {re.escape(field)}: .*{message}", err
        ), (
            field,
            err,
        )
    assert tree_digest(firm.root) == before


def test_cross_references_are_checked_before_writing(firm, capsys, tmp_path):
    _setup(firm)
    form = tmp_path / "refs.yaml"
    form.write_text(
        GOOD.replace("insurer: pingan", "insurer: nosuch")
        .replace("received_by: wang-fang", "received_by: nobody")
        .replace("notes:", "renewal_of: BD-2025-ZZZZZ"),
        "utf-8",
    )
    before = tree_digest(firm.root)
    code, _, err = run_cli(capsys, "intake", "--from", str(form))
    assert code == 1
    assert "字段 insurer: 没有保险公司“nosuch”" in err and "pingan（" in err
    assert "字段 intake.received_by: 没有员工“nobody”" in err
    assert "字段 renewal_of: 没有登记号为 BD-2025-ZZZZZ 的保单" in err
    assert tree_digest(firm.root) == before


def test_the_blank_form_is_the_uniform_form(capsys):
    code, out, _ = run_cli(capsys, "intake", "--blank")
    assert code == 0 and out == blank_form()
    for field in (
        "client:",
        "policyholder:",
        "insured:",
        "beneficiaries:",
        "vehicle:",
        "insured_property:",
    ):
        assert field in out


INTERVIEW = [
    "c-00000001",  # 客户编号
    "",  # nothing typed: asked again
    "healthx",  # not a category: asked again
    "健康保险",  # a category by its Chinese name
    "medical",
    "pingan",
    "平安e生保",
    "P2026000001",
    "95511",
    "张伟",  # 投保人
    "",  # 关系：本人
    c.ME,
    "",  # 联系电话
    "",  # 地址
    "张伟",  # 被保险人
    "",
    "110105194912310021",  # wrong check digit: asked again
    c.ME,
    "也许",  # neither yes nor no: asked again
    "n",  # 没有其他被保险人
    "3000000",
    "800",
    "",  # 年缴
    "",
    "明年",  # not a date: asked again
    "2026-03-01",
    "2027-02-28",
    "",  # 纸质
    "",  # 接收日期：今天
    "",  # 接收员工：--staff
    "",  # 交件人：客户本人
    "档案柜B-02",
    "",
    "",
    "是",  # the summary is right: save
]


def test_interactive_intake_asks_in_chinese_and_asks_again(firm, capsys, monkeypatch):
    _setup(firm)
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(INTERVIEW) + "\n"))
    code, out, err = run_cli(capsys, "intake", "--staff", "wang-fang")
    assert code == 0, err + out
    assert "客户：张伟" in out and "身份证号校验位不对" in out and "应为日期" in out
    assert "没有“healthx”这一项" in out and "请回答 是 或 否（也可以写 y 或 n）" in out
    assert "这一项必填：请写上面列出的一项" in out and "[是/否]" in out
    assert "险种大类，只能是：人寿保险、健康保险" in out and "或 信用保证保险" in out
    assert "请核对登记内容" in out and "险种小类：医疗保险" in out and f"身份证号：{c.ME}" in out
    assert "Please" not in out
    (path,) = (firm.root / "records/clients/c-00000001/policies").glob("*.yaml.age")
    text = read_record(firm.root, path.relative_to(firm.root).as_posix(), firm.identities)
    assert "original_location: 档案柜B-02" in text and "received_on: 2026-11-27" in text
    assert "sum_insured: 3000000\n" in text and "premium: 800\n" in text  # as typed, no !!float
    assert run_cli(capsys, "check")[0] == 0
