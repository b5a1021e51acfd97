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
