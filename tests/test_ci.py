"""CI templates: written by `baodan init --ci` and `baodan ci`, and their jobs' commands
really work: run here, step by step, as the CI runner would run them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from . import githelp
from .helpers import change_record, run_cli

REPO = Path(__file__).resolve().parents[1]


def _shell(root: Path, script: str, env: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    """Run a CI script with `baodan` meaning this worktree's code."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "baodan").write_text(f'#!/bin/sh\nexec {sys.executable} -m baodan "$@"\n')
    (bin_dir / "baodan").chmod(0o755)
    full_env = {
        **os.environ,
        **env,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "PYTHONPATH": str(REPO / "generator"),
    }
    full_env.pop("BAODAN_IDENTITY", None)  # CI has only the secret
    return subprocess.run(
        ["bash", "-eo", "pipefail", "-c", script],
        cwd=root,
        env=full_env,
        capture_output=True,
        text=True,
    )


def _pull_request(firm, monkeypatch) -> str:
    """main with the firm; a branch that renews one policy. Returns its registry number."""
    githelp.init(firm.root, monkeypatch)
    githelp.git(firm.root, "checkout", "-q", "-b", "renewal")
    path = min(firm.root.glob("records/clients/*/policies/*.yaml.age"))
    rel = path.relative_to(firm.root).as_posix()
    change_record(firm.root, rel, firm.identities, lambda d: d.update(notes="客户确认续保"))
    githelp.commit(firm.root, "续保意向")
    return path.name.removesuffix(".yaml.age")


def test_init_and_ci_write_the_template_the_firm_picks(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(capsys, "init", "new-firm", "--ci", "gitlab", "-r", "age1" + "q" * 58)
    # A made-up recipient is refused before anything is written.
    assert code == 1 and not (tmp_path / "new-firm" / ".gitlab-ci.yml").exists()
    from pyrage import x25519

    recipient = str(x25519.Identity.generate().to_public())
    code, out, err = run_cli(capsys, "init", "new-firm", "--ci", "gitlab", "-r", recipient)
    assert code == 0, err
    assert "已写入 CI 配置 .gitlab-ci.yml" in out and "BAODAN_IDENTITY_KEY" in out
    assert (tmp_path / "new-firm/.gitlab-ci.yml").is_file()

    code, out, err = run_cli(capsys, "ci", "github", "-C", "new-firm")
    assert code == 0, err
    workflow = tmp_path / "new-firm/.github/workflows/baodan.yml"
    assert "BAODAN_IDENTITY_KEY" in workflow.read_text("utf-8")
    code, _, err = run_cli(capsys, "ci", "github", "-C", "new-firm")
    assert code == 1 and "已存在" in err and "--force" in err


def test_no_template_builds_or_uploads_the_staff_site():
    from baodan.services.ci import HOSTS, render

    for host in HOSTS:
        text = render(host)
        assert "--staff" not in text and "mkdocs.staff.yml" not in text
        assert "test ! -e site-staff" in text
        assert "--delete" in text  # object storage variants remove retired portals


@pytest.mark.slow
def test_github_pull_request_job_checks_builds_and_summarises(firm, monkeypatch, tmp_path):
    number = _pull_request(firm, monkeypatch)
    # actions/checkout with fetch-depth 0 leaves the target branch as origin/main.
    githelp.git(firm.root, "update-ref", "refs/remotes/origin/main", "main")
    workflow = yaml.safe_load((REPO / "generator/baodan/data/ci/github.yml").read_text("utf-8"))
    steps = [s for s in workflow["jobs"]["check"]["steps"] if "run" in s]
    script = "\n".join(s["run"] for s in steps if not s["run"].startswith("pip install"))
    script = script.replace("${{ github.base_ref }}", "main")
    assert "${{" not in script
    summary = tmp_path / "summary.md"
    done = _shell(
        firm.root,
        script,
        {
            "BAODAN_IDENTITY_KEY": firm.identity_file.read_text(),
            "GITHUB_STEP_SUMMARY": str(summary),
        },
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    text = summary.read_text("utf-8")
    assert "本次改动摘要（不含个人信息）" in text and f"保单 {number}" in text and "备注" in text
    assert "客户确认续保" not in text
    assert (firm.root / "site/index.html").is_file() and not (firm.root / "site-staff").exists()


def test_gitlab_merge_request_job_summarises_and_checks(firm, monkeypatch, tmp_path):
    number = _pull_request(firm, monkeypatch)
    pipeline = yaml.safe_load((REPO / "generator/baodan/data/ci/gitlab-ci.yml").read_text("utf-8"))
    script = "\n".join(
        line for line in pipeline["check"]["script"] if not line.startswith("baodan build")
    )
    base = githelp.git(firm.root, "rev-parse", "main").strip()
    done = _shell(
        firm.root,
        script,
        {
            "BAODAN_IDENTITY_KEY": firm.identity_file.read_text(),
            "CI_MERGE_REQUEST_DIFF_BASE_SHA": base,
        },
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    text = (firm.root / "baodan-diff.md").read_text("utf-8")
    assert f"保单 {number}" in text and "修改 备注" in text
    assert re.search(r"检查通过", done.stdout)
