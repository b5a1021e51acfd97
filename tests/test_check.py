"""`baodan check`: passes on a good firm; on each kind of bad input, names file and field in
Chinese, exits 1 and changes nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from baodan.store import identity as who

from .helpers import read_record, run_cli, tree_digest, write_record


def _a_policy(firm) -> str:
    path = sorted(firm.root.glob("records/clients/*/policies/*.yaml.age"))[0]
    return path.relative_to(firm.root).as_posix()


def _a_client(firm) -> str:
    """The first client who is a person (the bad-ID cases need an id_number)."""
    for path in sorted(firm.root.glob("records/clients/*/client.yaml.age")):
        rel = path.relative_to(firm.root).as_posix()
        if "kind: person" in read_record(firm.root, rel, firm.identities):
            return rel
    raise AssertionError("no person among the fixture's clients")


def _set_line(firm, rel: str, key: str, new_line: str) -> None:
    """Rewrite one record's line ``key: …`` as ``new_line``, encrypted as before."""
    text = read_record(firm.root, rel, firm.identities)
    write_record(firm.root, rel, _replace_line(text, key, new_line), firm.identities)


def _replace_line(text: str, key: str, new_line: str) -> str:
    pattern = re.compile(rf"^{key}:.*$", re.MULTILINE)
    assert pattern.search(text), f"{key} not in record"
    return pattern.sub(new_line, text, count=1)


def test_check_passes_and_counts(firm, capsys):
    code, out, err = run_cli(capsys, "check")
    assert code == 0, err
    assert "检查通过" in out and "客户 8" in out and "保单 30" in out


EDITS = {
    "broken_yaml": (
        "policy",
        lambda t: t.replace("product:", "product: [未闭合", 1),
        "YAML 格式错误",
        "",
    ),
    "unknown_field": ("policy", lambda t: t + "produkt: 拼错的字段\n", "不认识的字段", "produkt"),
    "wrong_type": (
        "policy",
        lambda t: _replace_line(t, "effective", "effective: 明年"),
        "应为日期",
        "effective",
    ),
    "bad_id_number": (
        "client",
        lambda t: _replace_line(t, "id_number", "id_number: '110105194912310021'"),
        "校验位",
        "id_number",
    ),
    "bad_mobile": (
        "client",
        lambda t: _replace_line(t, "mobile", "mobile: '1234567'"),
        "手机号",
        "mobile",
    ),
    "money_3_decimals": (
        "policy",
        lambda t: _replace_line(t, "premium", "premium: 1234.567"),
        "金额",
        "premium",
    ),
    "money_exponent": (
        "policy",
        lambda t: _replace_line(t, "sum_insured", "sum_insured: 1e5"),
        "金额",
        "sum_insured",
    ),
    "ends_before_start": (
        "policy",
        lambda t: _replace_line(
            _replace_line(t, "effective", "effective: 2026-05-01"),
            "terminates",
            "terminates: 2026-04-30",
        ),
        "满期日",
        "",
    ),
    "unknown_insurer": (
        "policy",
        lambda t: _replace_line(t, "insurer", "insurer: no-such-insurer"),
        "没有保险公司",
        "insurer",
    ),
    "unknown_staff": (
        "client",
        lambda t: _replace_line(t, "manager", "manager: nobody"),
        "没有员工",
        "manager",
    ),
}


@pytest.mark.parametrize("case", sorted(EDITS))
def test_bad_record_is_reported_with_file_and_field(firm, capsys, case):
    kind, edit, message, field = EDITS[case]
    rel = _a_policy(firm) if kind == "policy" else _a_client(firm)
    text = read_record(firm.root, rel, firm.identities)
    write_record(firm.root, rel, edit(text), firm.identities)
    before = tree_digest(firm.root)
    code, out, err = run_cli(capsys, "check")
    assert code == 1
    assert rel in err and message in err
    if field:
        assert f"字段 {field}" in err
    assert "处理办法" in err or case == "broken_yaml"
    assert tree_digest(firm.root) == before


def test_duplicate_registry_number_is_reported(firm, capsys):
    rel = _a_policy(firm)
    other_client = sorted(firm.root.glob("records/clients/*/client.yaml.age"))[-1].parent
    copy = other_client / "policies" / Path(rel).name
    copy.parent.mkdir(exist_ok=True)
    copy.write_bytes((firm.root / rel).read_bytes())
    code, _, err = run_cli(capsys, "check")
    assert code == 1 and "重复" in err and Path(rel).stem.removesuffix(".yaml") in err


def test_record_encrypted_to_another_key(firm, capsys):
    from baodan.store import vault
    from pyrage import x25519

    rel = _a_policy(firm)
    stranger = x25519.Identity.generate().to_public()
    (firm.root / rel).write_bytes(vault.encrypt(b"registry_no: x\n", [stranger]))
    code, _, err = run_cli(capsys, "check")
    assert code == 1 and rel in err and "另一把密钥" in err


def test_a_required_field_left_blank_says_so(firm, capsys):
    """`name:` and `effective:` with nothing after them (a template not filled in): blank,
    not "should be text" or "should be a date"."""
    rel = _a_policy(firm)
    text = read_record(firm.root, rel, firm.identities)
    text = _replace_line(_replace_line(text, "product", "product:"), "effective", "effective:")
    write_record(firm.root, rel, text, firm.identities)
    code, _, err = run_cli(capsys, "check")
    assert code == 1
    assert f"{rel}:5: 字段 product: 必填，不能空着" in err
    assert (
        "字段 effective: 必填，不能空着\n    处理办法：在冒号后面填上内容（写成 2026-03-01" in err
    )
    assert "应为文字" not in err


@pytest.mark.parametrize("damage", ["yaml", "gbk"])
def test_a_broken_staff_file_is_the_one_problem_reported(firm, capsys, damage):
    """A staff file saved wrongly (a YAML slip; Notepad's GBK) is reported once, not again as
    '没有员工' on every record that names the member, which would bury it."""
    staff = firm.root / "records/staff/wang-fang.yaml"
    text = staff.read_text("utf-8")
    if damage == "yaml":
        staff.write_text(text.replace("name:", "name: [王芳", 1), "utf-8")
    else:
        staff.write_bytes(text.encode("gbk"))
    code, _, err = run_cli(capsys, "check")
    assert code == 1 and "records/staff/wang-fang.yaml" in err
    assert "没有员工" not in err and "共 1 处问题" in err


def test_a_whole_record_check_names_its_field_and_line(firm, capsys):
    """A rule over several fields (sub-category within category, dates in order) still says
    which field and which line, as every other problem does."""
    rel = _a_policy(firm)
    text = read_record(firm.root, rel, firm.identities)
    text = _replace_line(text, "subcategory", "subcategory: term_life")
    write_record(firm.root, rel, text, firm.identities)
    line = text.splitlines().index("subcategory: term_life") + 1
    code, _, err = run_cli(capsys, "check")
    assert code == 1 and f"{rel}:{line}: 字段 subcategory: 险种" in err


@pytest.mark.parametrize("damage", ["truncated", "not_age"])
def test_damaged_age_file(firm, capsys, damage):
    rel = _a_policy(firm)
    data = (firm.root / rel).read_bytes()
    (firm.root / rel).write_bytes(
        data[: len(data) // 2] if damage == "truncated" else b"just: text\n"
    )
    code, _, err = run_cli(capsys, "check")
    assert code == 1 and rel in err
    assert ("截断" in err) if damage == "truncated" else ("不是 age 加密文件" in err)
    assert "armor" not in err and "header" not in err  # no English from the age library


def test_plaintext_record_where_encrypted_belongs(firm, capsys):
    rel = _a_policy(firm)
    plain = firm.root / rel.removesuffix(".age")
    plain.write_text(read_record(firm.root, rel, firm.identities))
    code, _, err = run_cli(capsys, "check")
    assert code == 1 and plain.relative_to(firm.root).as_posix() in err and "明文" in err


def test_encrypting_a_stale_plain_copy_never_replaces_the_record(firm, capsys):
    """The hint above says `baodan encrypt`: an old copy (an export, a backup) dropped next to
    the record must not overwrite it; an identical one is just removed."""
    rel = _a_policy(firm)
    current = read_record(firm.root, rel, firm.identities)
    plain = firm.root / rel.removesuffix(".age")
    plain.write_text(current.replace("insurer_phone:", "# 旧副本\ninsurer_phone:", 1))
    before = tree_digest(firm.root)
    code, _, err = run_cli(capsys, "encrypt", str(plain))
    assert code == 1 and f"{rel} 已经存在" in err and "baodan edit" in err
    assert tree_digest(firm.root) == before
    plain.write_text(current)
    code, out, _ = run_cli(capsys, "encrypt", str(plain))
    assert code == 0 and "内容相同，明文已删除" in out and not plain.exists()
    assert read_record(firm.root, rel, firm.identities) == current


def test_no_identity_found(firm, capsys, monkeypatch, tmp_path):

    monkeypatch.delenv("BAODAN_IDENTITY")
    monkeypatch.setattr(who, "default_identity_path", lambda: tmp_path / "absent.txt")
    code, _, err = run_cli(capsys, "check")
    assert code == 1 and "找不到你的密钥" in err and "--identity" in err


def test_unknown_client_reference_in_claim(firm, capsys):
    claim = sorted(firm.root.glob("records/clients/*/claims/*.yaml.age"))[0]
    rel = claim.relative_to(firm.root).as_posix()
    text = read_record(firm.root, rel, firm.identities)
    write_record(
        firm.root, rel, _replace_line(text, "policy", "policy: BD-2020-ZZZZZ"), firm.identities
    )
    code, _, err = run_cli(capsys, "check")
    assert code == 1 and rel in err and "BD-2020-ZZZZZ" in err


def test_a_broken_policy_is_reported_once_not_again_by_its_claims(firm, capsys):
    claim = min(firm.root.glob("records/clients/*/claims/*.yaml.age"))
    number = re.search(
        r"(?m)^policy: (\S+)",
        read_record(firm.root, claim.relative_to(firm.root).as_posix(), firm.identities),
    ).group(1)
    policy = next(firm.root.glob(f"records/clients/*/policies/{number}.yaml.age"))
    rel = policy.relative_to(firm.root).as_posix()
    write_record(
        firm.root,
        rel,
        read_record(firm.root, rel, firm.identities) + "produkt: x\n",
        firm.identities,
    )
    code, _, err = run_cli(capsys, "check")
    assert code == 1 and rel in err and "不认识的字段" in err
    assert f"没有登记号为 {number} 的保单" not in err


def test_a_broken_policy_is_not_reported_again_by_tasks_or_renewal_contacts(firm, capsys):
    policy = min(firm.root.glob("records/clients/*/policies/*.yaml.age"))
    rel = policy.relative_to(firm.root).as_posix()
    number = policy.name.removesuffix(".yaml.age")
    task = policy.parent.parent / "tasks" / "t-00000001.yaml.age"
    write_record(
        firm.root,
        task.relative_to(firm.root).as_posix(),
        "id: t-00000001\ntitle: 通知客户\nfrom_department: 客户服务部\nto_department: 理赔部\n"
        f"policy: {number}\ncreated: 2026-11-01\n",
        firm.identities,
    )
    write_record(
        firm.root,
        rel,
        read_record(firm.root, rel, firm.identities) + "produkt: x\n",
        firm.identities,
    )
    code, _, err = run_cli(capsys, "check")
    assert code == 1 and rel in err
    assert err.count(number) == err.count(rel), (
        err
    )  # the number appears only in the broken file's path


def test_an_id_number_born_after_today_follows_the_pinned_date(firm, capsys, monkeypatch):
    """Checked ID numbers are remembered within a process; "today" is part of what is."""
    rel = _a_client(firm)
    # Born 2026-12-01, check character computed for it.
    _set_line(firm, rel, "id_number", "id_number: '110105202612010014'")
    code, _, err = run_cli(capsys, "check")
    assert code == 1 and rel in err and "出生日期在未来" in err
    monkeypatch.setenv("BAODAN_TODAY", "2026-12-02")
    code, _, err = run_cli(capsys, "check")
    assert "出生日期在未来" not in err


def test_an_impossible_date_is_named_in_each_record_that_has_it(firm, capsys):
    """Dates are parsed once per value; a bad one must still be reported in every file."""
    rels = [
        p.relative_to(firm.root).as_posix()
        for p in sorted(firm.root.glob("records/clients/*/policies/*.yaml.age"))[:2]
    ]
    for rel in rels:
        _set_line(firm, rel, "effective", "effective: 2026-02-30")
    code, _, err = run_cli(capsys, "check")
    assert code == 1 and all(rel in err for rel in rels)
    assert err.count("“2026-02-30”不是有效日期") == 2
