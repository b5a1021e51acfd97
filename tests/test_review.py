"""Reviewing changes with a key (`baodan diff`, `baodan log`) and without personal data
(`baodan diff --public`), on a real git history."""

from __future__ import annotations

import pytest
from baodan.core import yamlio

from . import githelp
from .helpers import read_record, run_cli, write_record


def _policy_with_beneficiary(firm) -> tuple[str, str]:
    for path in sorted(firm.root.glob("records/clients/*/policies/*.yaml.age")):
        rel = path.relative_to(firm.root).as_posix()
        text = read_record(firm.root, rel, firm.identities)
        if "beneficiaries:" in text and "\nterminates:" in text:
            return rel, text
    raise AssertionError("no policy with named beneficiaries in the fixture")


@pytest.fixture
def history(firm, monkeypatch):
    """The small firm committed; then one policy's end date moved a year on and a child added
    as a second beneficiary, committed again."""
    githelp.init(firm.root, monkeypatch)
    rel, old = _policy_with_beneficiary(firm)
    data = yamlio.load_roundtrip(old)
    before = data["terminates"]
    data["terminates"] = before.replace(year=before.year + 1)
    first = data["beneficiaries"][0]
    data["beneficiaries"] = [first, {"name": "赵小新", "relation": "子女", "share": 40}]
    first["share"] = 60
    write_record(firm.root, rel, yamlio.dump_roundtrip(data), firm.identities)
    githelp.commit(firm.root, "满期日顺延一年，增加受益人")
    return firm, rel, yamlio.load(old), (before, data["terminates"])


def test_diff_shows_each_field_change_with_values(history, capsys):
    _, _, old, (before, after) = history
    code, out, err = run_cli(capsys, "diff", "HEAD~1..HEAD")
    assert code == 0, err
    number = old["registry_no"]
    assert f"保单 {number}" in out
    assert f"满期日：{before} → {after}" in out
    assert "新增受益人 赵小新" in out
    assert f"受益人 {old['beneficiaries'][0]['name']} › 受益比例（%）：100 → 60" in out


def test_public_diff_names_fields_and_counts_but_no_value(history, capsys):
    firm, rel, old, (before, after) = history
    code, out, err = run_cli(capsys, "diff", "--public", "HEAD~1..HEAD")
    assert code == 0, err
    assert f"保单 {old['registry_no']}" in out
    assert "满期日" in out and "受益人（新增 1）" in out
    client = yamlio.load(
        read_record(firm.root, str(rel).rsplit("/", 2)[0] + "/client.yaml.age", firm.identities)
    )
    secrets = [
        client["name"],
        client.get("id_number") or client.get("uscc"),
        "赵小新",
        str(before),
        str(after),
    ]
    secrets += [b["name"] for b in old["beneficiaries"]] + [
        old["policy_no"],
        old["policyholder"]["name"],
    ]
    for value in filter(None, secrets):
        assert str(value) not in out


def test_diff_of_the_working_tree_and_log_of_one_record(history, capsys):
    firm, rel, old, (before, after) = history
    data = yamlio.load_roundtrip(read_record(firm.root, rel, firm.identities))
    data["status"] = "renewed"
    write_record(firm.root, rel, yamlio.dump_roundtrip(data), firm.identities)
    code, out, _ = run_cli(capsys, "diff")
    assert code == 0 and "状态：有效 → 已续保" in out

    code, out, err = run_cli(capsys, "log", old["registry_no"])
    assert code == 0, err
    assert "2 次提交" in out
    first, second = out.split("初始记录")[1].split("满期日顺延一年，增加受益人")
    assert "新建：" in first and "王芳" in first
    assert f"满期日：{before} → {after}" in second


def test_log_of_a_deleted_record_comes_from_history(history, capsys):
    firm, rel, old, _ = history
    (firm.root / rel).unlink()
    githelp.commit(firm.root, "删除保单")
    code, out, err = run_cli(capsys, "log", old["registry_no"])
    assert code == 0, err
    assert "3 次提交" in out
    last = out.split("删除保单")[1]
    assert "删除：" in last and "险种大类" in last


def test_public_diff_points_out_configuration_ci_and_key_files(history, capsys):
    """Changes that are not records but decide what runs and who decrypts: each named on a
    line of its own at the top, for the reviewer."""
    firm = history[0]
    (firm.root / "mkdocs.yml").write_text(
        (firm.root / "mkdocs.yml").read_text("utf-8") + "hooks:\n  - evil.py\n", "utf-8"
    )
    (firm.root / ".github/workflows").mkdir(parents=True)
    (firm.root / ".github/workflows/baodan.yml").write_text("on: push\n", "utf-8")
    (firm.root / ".gitlab-ci.yml").write_text("job: {script: [env]}\n", "utf-8")
    (firm.root / "overrides").mkdir()
    (firm.root / "overrides/main.html").write_text("{{ config }}", "utf-8")
    key_file = min((firm.root / "records/.keys").glob("*.age"))
    (firm.root / "records/.keys/mallory.age").write_bytes(key_file.read_bytes())
    githelp.commit(firm.root, "顺手改了些设置")
    code, out, err = run_cli(capsys, "diff", "--public", "HEAD~1..HEAD")
    assert code == 0, err
    for line in (
        "⚠ 网站配置改动：mkdocs.yml",
        "⚠ CI 配置改动：.github/workflows/baodan.yml",
        "⚠ CI 配置改动：.gitlab-ci.yml",
        "⚠ 网站模板改动：overrides/main.html",
        "⚠ 密钥文件改动：records/.keys/mallory.age",
    ):
        assert f"- {line}\n" in out, line
    assert out.index("请仔细审查") < out.index("记录内容没有改动")
