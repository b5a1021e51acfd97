"""The pre-commit hook refuses each kind of bad commit in a real repository and lets a good
one through; installed as a git hook, `git commit` itself is refused."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from . import githelp
from .helpers import change_record, read_record, run_cli

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def repo(firm, monkeypatch):
    githelp.init(firm.root, monkeypatch)
    return firm


def _a_policy(firm) -> str:
    path = min(firm.root.glob("records/clients/*/policies/*.yaml.age"))
    return path.relative_to(firm.root).as_posix()


def _refused(capsys, *expected: str) -> str:
    code, _, err = run_cli(capsys, "precommit")
    assert code == 1
    assert "提交被拒绝" in err
    for text in expected:
        assert text in err
    return err


def test_plaintext_record_among_clients_is_refused(repo, capsys):
    rel = _a_policy(repo)
    plain = repo.root / rel.removesuffix(".age")
    plain.write_text(read_record(repo.root, rel, repo.identities), "utf-8")
    githelp.git(repo.root, "add", "-A")
    _refused(capsys, plain.relative_to(repo.root).as_posix(), "客户资料以明文暂存")


def test_non_age_file_in_an_encrypted_slot_is_refused(repo, capsys):
    rel = _a_policy(repo)
    (repo.root / rel).write_text("registry_no: BD-2026-AAAAA\n", "utf-8")
    githelp.git(repo.root, "add", "-A")
    _refused(capsys, rel, "只能放 age 加密文件")


def test_id_and_mobile_numbers_in_a_plain_record_are_refused(repo, capsys):
    staff = min((repo.root / "records/staff").glob("*.yaml"))
    text = staff.read_text("utf-8")
    # The staff member's work mobile is public by intent; a client's number in a note is not.
    staff.write_text(text + "email: 客户张三 13912345678 转告\n", "utf-8")
    insurer = min((repo.root / "records/insurers").glob("*.yaml"))
    insurer.write_text(insurer.read_text("utf-8") + "# 11010519491231002X\n", "utf-8")
    githelp.git(repo.root, "add", "-A")
    err = _refused(capsys, "像是手机号", "像是身份证号")
    assert f"records/staff/{staff.name}:{len(text.splitlines()) + 1}" in err


def test_commit_failing_the_check_is_refused(repo, capsys, monkeypatch, tmp_path):
    """The index is checked out into a private folder of the run, gone afterwards."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    rel = _a_policy(repo)
    change_record(repo.root, rel, repo.identities, lambda d: d.update(insurer="no-such-insurer"))
    githelp.git(repo.root, "add", "-A")
    _refused(capsys, rel, "没有保险公司“no-such-insurer”")
    assert list(temp.iterdir()) == []


def test_only_what_is_staged_counts(repo, capsys):
    rel = _a_policy(repo)
    change_record(repo.root, rel, repo.identities, lambda d: d.update(notes="续保意向已确认"))
    githelp.git(repo.root, "add", "-A")
    # A broken file left unstaged in the working tree does not block the good staged change.
    (repo.root / "records/clients/stray.yaml").write_text("name: 张三\n", "utf-8")
    code, out, err = run_cli(capsys, "precommit")
    assert code == 0, err
    assert "提交前检查通过" in out and "暂存文件 1 个" in out


def test_installed_git_hook_refuses_the_commit(repo, capsys, tmp_path):
    code, out, _ = run_cli(capsys, "precommit", "--install")
    assert code == 0 and ".git/hooks/pre-commit" in out
    # The hook runs `baodan`; point it at this worktree's code.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "baodan").write_text(f'#!/bin/sh\nexec {sys.executable} -m baodan "$@"\n')
    (bin_dir / "baodan").chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "PYTHONPATH": str(REPO / "generator"),
    }
    rel = _a_policy(repo)
    (repo.root / rel).write_text("registry_no: BD-2026-AAAAA\n", "utf-8")
    githelp.git(repo.root, "add", "-A")
    done = subprocess.run(
        ["git", "-C", str(repo.root), "commit", "-m", "坏提交"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode != 0
    assert "只能放 age 加密文件" in done.stderr
    assert githelp.git(repo.root, "log", "--format=%s") == "初始记录\n"


# A resident ID number with a valid check digit, and a mainland mobile number.
AN_ID = "11010519491231002X"
A_MOBILE = "13912345678"


@pytest.mark.parametrize(
    "path",
    [
        "客户备注.txt",  # a note anywhere in the repository
        "records/public/contact-extra.md",  # a page of the public site
        "records/lectures/2026-01-10-note.md",  # a lecture body
        "records/training/.gitkeep",  # a placeholder nobody reads
        "forms/张三登记表.yaml",  # a filled-in intake form
    ],
)
def test_an_id_number_in_any_staged_text_file_is_refused(repo, capsys, path):
    file = repo.root / path
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(f"客户 张三\n证件 {AN_ID}\n", "utf-8")
    githelp.git(repo.root, "add", "-A")
    _refused(capsys, f"{path}:2", "像是身份证号")


def test_published_numbers_are_allowed_and_others_are_not(repo, capsys):
    firm_yaml = repo.root / "records/firm.yaml"
    firm_yaml.write_text(
        firm_yaml.read_text("utf-8") + f"public_numbers: ['{A_MOBILE}']\n", "utf-8"
    )
    staff = min((repo.root / "records/staff").glob("*.yaml"))
    staff.write_text(staff.read_text("utf-8") + "work_mobile: '13700001111'\n", "utf-8")
    page = repo.root / "records/public/contact-extra.md"
    page.write_text(f"值班手机 {A_MOBILE}，理赔专员 13700001111\n", "utf-8")
    githelp.git(repo.root, "add", "-A")
    code, out, err = run_cli(capsys, "precommit")
    assert code == 0, err
    page.write_text(page.read_text("utf-8") + "客户李四 13600002222\n", "utf-8")
    githelp.git(repo.root, "add", "-A")
    _refused(capsys, "records/public/contact-extra.md:2", "像是手机号")


@pytest.mark.parametrize(
    ("path", "content", "message"),
    [
        ("site/index.html", b"<html></html>", "生成的网站不能提交"),
        ("site-staff/clients/index.html", b"<html></html>", "生成的网站不能提交"),
        (".site-staff-building-x1/index.html", b"<html></html>", "生成的网站不能提交"),
        ("export/c-1a2b3c4d/index.html", b"<html></html>", "导出的客户资料"),
        ("扫描件.png", b"\x89PNG\r\n\x1a\n\0\0", "图片不能放在这里"),
        ("notes/link.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "图片不能放在这里"),
        ("records/public/baodan-portal-c-1a2b3c4d.png", b"\x89PNG\r\n\x1a\n\0", "二维码"),
        ("客户清单.xlsx", b"PK\x03\x04\0\0\0", "二进制文件"),
    ],
)
def test_files_that_never_belong_in_git_are_refused(repo, capsys, path, content, message):
    file = repo.root / path
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes(content)
    githelp.git(repo.root, "add", "-A", "--force")  # even past a .gitignore
    _refused(capsys, path, message)


def test_the_sites_own_pictures_may_be_committed(repo, capsys):
    (repo.root / "records/public/assets").mkdir(parents=True, exist_ok=True)
    (repo.root / "records/public/assets/logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0")
    (repo.root / "overrides").mkdir()
    (repo.root / "overrides/banner.svg").write_text("<svg/>", "utf-8")
    githelp.git(repo.root, "add", "-A")
    code, out, err = run_cli(capsys, "precommit")
    assert code == 0, err


def test_ci_scan_finds_what_no_verify_let_through(repo, capsys):
    code, out, err = run_cli(capsys, "precommit", "--all")
    assert code == 0, err
    assert "仓库文件检查通过" in out
    (repo.root / "跟进.md").write_text(f"回电 {A_MOBILE}\n", "utf-8")
    githelp.git(repo.root, "add", "-A")
    githelp.git(repo.root, "commit", "-q", "--no-verify", "-m", "绕过钩子")
    code, _, err = run_cli(capsys, "precommit", "--all")
    assert code == 1
    assert "仓库里有不该提交的文件" in err and "跟进.md:1" in err and "像是手机号" in err


def test_a_new_firm_ignores_forms_exports_and_qr_codes(tmp_path, capsys, monkeypatch):
    from pyrage import x25519

    monkeypatch.chdir(tmp_path)
    recipient = str(x25519.Identity.generate().to_public())
    code, _, err = run_cli(capsys, "init", "new-firm", "-r", recipient)
    assert code == 0, err
    root = tmp_path / "new-firm"
    githelp.git(root, "init", "-q")
    written = [
        "登记表.yaml",  # baodan intake --blank > 登记表.yaml, as the README suggests
        "forms/张三登记表.yaml",
        "export/c-1a2b3c4d/index.html",
        "export/c-1a2b3c4d.zip",
        "baodan-portal-c-1a2b3c4d.png",  # baodan portal link --qr
        "订阅二维码.svg",
        "qr.svg",  # baodan feed link --qr qr.svg
        "site-staff/index.html",
    ]
    kept = ["records/public/assets/logo.png", "overrides/main.html", "records/public/index.md"]
    for path in written + kept:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text("x", "utf-8")
    ignored = githelp.git(
        root, "-c", "core.quotePath=false", "status", "--porcelain", "--ignored", "-uall"
    )
    for path in written:
        assert f"!! {path}" in ignored, path
    for path in kept:
        assert f"?? {path}" in ignored, path
