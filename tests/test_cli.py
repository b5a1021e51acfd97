"""The CLI as a new staff member uses it: init, new, edit, show, schema, textconv, build."""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from baodan.services import editing
from baodan.store import identity as who

from .conftest import REPO
from .helpers import read_record, run_cli, tree_digest


def _editor(tmp_path: Path, script: str) -> str:
    """A fake $EDITOR: a Python script run on the temp file's path."""
    path = tmp_path / "editor.py"
    path.write_text(
        "import sys, re\np = sys.argv[1]\ntext = open(p, encoding='utf-8').read()\n" + script
    )
    return f"{sys.executable} {path}"


def _start(*args: str, **env: str) -> subprocess.Popen:
    """`baodan ARGS` in a process (and session) of its own, as a person starts it."""
    return subprocess.Popen(
        [sys.executable, "-m", "baodan", *map(str, args)],
        env={**os.environ, "PYTHONPATH": str(REPO / "generator"), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _wait_until(process: subprocess.Popen, ready, seconds: float = 60) -> None:
    """Until ``ready()`` (the command got to the point a test interrupts it at)."""
    deadline = time.monotonic() + seconds
    while not ready():
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.01)


def _client_rel(firm) -> str:
    for path in sorted(firm.root.glob("records/clients/*/client.yaml.age")):
        rel = path.relative_to(firm.root).as_posix()
        if "kind: person" in read_record(firm.root, rel, firm.identities):
            return rel
    raise AssertionError


def test_init_makes_a_firm_that_checks_and_builds(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(who, "default_identity_path", lambda: tmp_path / "cfg" / "identity.txt")
    monkeypatch.delenv("BAODAN_IDENTITY", raising=False)
    code, out, _ = run_cli(
        capsys, "init", str(tmp_path / "new"), "--name", "新公司", "--member", "boss"
    )
    assert code == 0 and "新公司" in out and "请备份" in out
    key = tmp_path / "cfg" / "identity.txt"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    for name in (
        "mkdocs.yml",
        ".gitignore",
        ".gitattributes",
        "records/firm.yaml",
        "records/.keys/boss.age",
    ):
        assert (tmp_path / "new" / name).is_file(), name
    code, out, err = run_cli(capsys, "check", "-C", str(tmp_path / "new"))
    assert code == 0, err
    code, _, err = run_cli(capsys, "init", str(tmp_path / "new"))
    assert code == 1 and "不是空目录" in err


def test_a_new_firm_set_up_as_the_readme_says_checks(tmp_path, capsys, monkeypatch):
    """README's 新建一家公司: init, fill site_url, write the staff and insurer files shown."""
    import re

    monkeypatch.setattr(who, "default_identity_path", lambda: tmp_path / "cfg" / "identity.txt")
    monkeypatch.delenv("BAODAN_IDENTITY", raising=False)
    firm = tmp_path / "new"
    assert run_cli(capsys, "init", str(firm), "--member", "wang-fang")[0] == 0
    settings = firm / "records/firm.yaml"
    text = settings.read_text("utf-8")
    assert "\nsite_url:\n" in text
    settings.write_text(text.replace("\nsite_url:\n", "\nsite_url: https://x.example/\n"))
    readme = (REPO / "README.md").read_text("utf-8")
    examples = re.findall(r"```yaml\n# (records/\S+\.yaml)\n(.*?)```", readme, re.S)
    assert [rel for rel, _ in examples] == [
        "records/staff/wang-fang.yaml",
        "records/insurers/pingan.yaml",
    ]
    for rel, body in examples:
        (firm / rel).write_text(body, "utf-8")
    code, out, err = run_cli(capsys, "check", "-C", str(firm))
    assert code == 0 and "保险公司 1，员工 1" in out, err


def test_firm_skeleton_matches_this_repository():
    """`baodan init` gives a new firm the same site configuration as the demo firm."""
    skeleton = REPO / "generator/baodan/data/skeleton"
    assert (skeleton / "mkdocs.yml").read_text() == (REPO / "mkdocs.yml").read_text()
    assert (skeleton / "gitattributes").read_text() == (REPO / ".gitattributes").read_text()


def test_edit_saves_valid_change_encrypted_and_leaves_no_temp_file(
    firm, capsys, monkeypatch, tmp_path
):
    rel = _client_rel(firm)
    monkeypatch.setenv(
        "EDITOR",
        _editor(
            tmp_path,
            "open(p, 'w', encoding='utf-8').write(text.replace('tier: ', 'notes: 新备注\\ntier: ', 1))",
        ),
    )
    monkeypatch.setenv("TMPDIR", str(tmp_path / "private"))
    (tmp_path / "private").mkdir()
    code, out, err = run_cli(capsys, "edit", rel.split("/")[2])
    assert code == 0, err
    assert "已保存" in out
    assert "notes: 新备注" in read_record(firm.root, rel, firm.identities)
    assert (firm.root / rel).read_bytes().startswith(b"-----BEGIN AGE ENCRYPTED FILE-----")
    assert list((tmp_path / "private").iterdir()) == []


def test_edit_reopens_with_errors_and_gives_up_without_writing(firm, capsys, monkeypatch, tmp_path):
    rel = _client_rel(firm)
    before = tree_digest(firm.root)
    log = tmp_path / "shown.txt"
    # First save: a bad mobile. Second time the editor sees the errors on top and closes unchanged.
    monkeypatch.setenv(
        "EDITOR",
        _editor(
            tmp_path,
            f"""
if text.startswith('# baodan:'):
    open({str(log)!r}, 'w', encoding='utf-8').write(text)
else:
    open(p, 'w', encoding='utf-8').write(re.sub(r'(?m)^mobile: .*$', 'mobile: 12345', text))
""",
        ),
    )
    code, out, err = run_cli(capsys, "edit", rel)
    # After the editor closes, the terminal still says what was wrong and that nothing was saved.
    assert code == 1 and f"{rel}:" in err and "手机号" in err and "没有保存" in err
    shown = log.read_text(encoding="utf-8")
    assert "mobile" in shown and "手机号" in shown and "第" in shown
    assert tree_digest(firm.root) == before


def test_edit_refuses_an_insurer_or_staff_the_firm_does_not_have(
    firm, capsys, monkeypatch, tmp_path
):
    """A typo in a reference is shown in the editor at once, not only by a later check."""
    policy = sorted(firm.root.glob("records/clients/*/policies/*.yaml.age"))[0]
    rel = policy.relative_to(firm.root).as_posix()
    before = tree_digest(firm.root)
    monkeypatch.setenv(
        "EDITOR",
        _editor(
            tmp_path,
            "if not text.startswith('# baodan:'):\n"
            "    text = re.sub(r'(?m)^insurer: .*$', 'insurer: pingann', text)\n"
            "    text = re.sub(r'(?m)^  received_by: .*$', '  received_by: wang-fan', text)\n"
            "    open(p, 'w', encoding='utf-8').write(text)\n",
        ),
    )
    code, _, err = run_cli(capsys, "edit", rel)
    assert code == 1 and "没有保存" in err
    assert re.search(rf"{rel}:\d+: 字段 insurer: 没有保险公司“pingann”", err), err
    assert re.search(rf"{rel}:\d+: 字段 intake.received_by: 没有员工“wang-fan”", err), err
    assert tree_digest(firm.root) == before


def test_edit_interrupted_removes_temp_file(firm, capsys, monkeypatch, tmp_path):
    rel = _client_rel(firm)
    monkeypatch.setenv("TMPDIR", str(tmp_path / "private"))
    (tmp_path / "private").mkdir()

    def interrupted(path):
        assert path.read_text().startswith("#") or "id:" in path.read_text()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        raise KeyboardInterrupt

    monkeypatch.setattr(editing, "run_editor", interrupted)
    code, _, err = run_cli(capsys, "edit", rel)
    assert code == 130 and "已取消" in err
    assert list((tmp_path / "private").iterdir()) == []


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTERM], ids=["hangup", "kill"])
def test_edit_ended_by_a_closed_terminal_or_kill_removes_temp_file(firm, tmp_path, sig):
    """Closing the terminal window (SIGHUP) or `kill` (SIGTERM) while the editor is open: the
    decrypted temp file is removed as on Ctrl-C, and the record is unchanged."""
    opened = tmp_path / "opened.txt"
    editor = tmp_path / "slow_editor.py"
    editor.write_text(
        f"import sys, time\nopen({str(opened)!r}, 'w').write(sys.argv[1])\ntime.sleep(60)\n"
    )
    before = tree_digest(firm.root)
    temp = tmp_path / "tmp"
    temp.mkdir()
    edit = _start(
        "edit",
        _client_rel(firm),
        "-C",
        firm.root,
        EDITOR=f"{sys.executable} {editor}",
        TMPDIR=str(temp),
    )
    _wait_until(edit, lambda: opened.exists() and opened.read_text())  # the editor has it open
    assert Path(opened.read_text()).is_file() and Path(opened.read_text()).parent.parent == temp
    os.killpg(edit.pid, sig)  # a closed terminal signals the editor and baodan alike
    _, err = edit.communicate(timeout=60)
    assert list(temp.iterdir()) == [] and edit.returncode == 130 and "已取消" in err, err
    assert tree_digest(firm.root) == before


def test_new_policy_gets_a_fresh_registry_number(firm, capsys, monkeypatch, tmp_path):
    client = _client_rel(firm).split("/")[2]
    fill = {
        "category": "health",
        "subcategory": "medical",
        "insurer": "picc",
        "product": "测试医疗险",
        "policy_no": "P123456789012345",
        "sum_insured": "2000000",
        "premium": "300",
        "effective": "2026-12-01",
        "terminates": "2027-11-30",
    }
    script = "".join(f"text = re.sub(r'(?m)^{k}: *$', '{k}: {v}', text)\n" for k, v in fill.items())
    script += "text = text.replace('received_by: ', 'received_by: wang-fang', 1).replace('original_location: ', 'original_location: 档案柜A-01', 1)\n"
    script += "open(p, 'w', encoding='utf-8').write(text)\n"
    monkeypatch.setenv("EDITOR", _editor(tmp_path, script))
    code, out, err = run_cli(capsys, "new", "policy", client)
    assert code == 0, err + out
    assert "已新建" in out
    code, out, err = run_cli(capsys, "check")
    assert code == 0, err
    assert "保单 31" in out


def test_every_record_command_takes_the_staff_member_from_baodan_staff(
    firm, capsys, monkeypatch, tmp_path
):
    """README: record commands take --staff, or BAODAN_STAFF set once for the day."""
    monkeypatch.setenv("BAODAN_STAFF", "chen-jing")
    fill = (
        "if not text.startswith('# baodan:'):\n"  # reopened with problems: give up
        "    open(p, 'w', encoding='utf-8').write(text.replace('summary: ', 'summary: 来电', 1))"
    )
    monkeypatch.setenv("EDITOR", _editor(tmp_path, fill))
    client = _client_rel(firm).split("/")[2]
    code, out, err = run_cli(capsys, "new", "interaction", client)
    assert code == 0 and "已新建" in out, err + out
    (path,) = (firm.root / "records/clients" / client / "interactions").glob("2026-11-27-*")
    rel = path.relative_to(firm.root).as_posix()
    assert "staff: chen-jing" in read_record(firm.root, rel, firm.identities)
    code, out, err = run_cli(capsys, "survey", client, "--score", "5")
    assert code == 0, err
    (path,) = set(
        (firm.root / "records/clients" / client / "interactions").glob("2026-11-27-*")
    ) - {path}
    rel = path.relative_to(firm.root).as_posix()
    assert "staff: chen-jing" in read_record(firm.root, rel, firm.identities)


def test_show_prints_the_decrypted_record(firm, capsys):
    rel = _client_rel(firm)
    code, out, _ = run_cli(capsys, "show", rel.split("/")[2])
    assert code == 0 and "id_number" in out and rel in out


def test_show_prints_long_lines_whole(firm, capsys):
    """A long note is shown to its last character, not cut at the terminal's width."""
    from .helpers import change_record

    rel = _client_rel(firm)
    note = "客户说明：" + "每年三月体检后再决定是否加保重疾险，" * 8 + "完。"
    change_record(firm.root, rel, firm.identities, lambda d: d.insert(1, "notes", note))
    code, out, _ = run_cli(capsys, "show", rel.split("/")[2])
    assert code == 0 and f"notes: {note}\n" in out


def test_show_unknown_record_says_what_to_type(firm, capsys):
    code, _, err = run_cli(capsys, "show", "BD-1999-00000")
    assert code == 1 and "找不到记录" in err and "登记号" in err


def test_show_of_a_plain_file_says_it_is_not_an_encrypted_record(firm, capsys):
    code, _, err = run_cli(capsys, "show", "records/firm.yaml")
    assert code == 1 and "records/firm.yaml 不是加密记录" in err and "直接用编辑器" in err


def test_schema_is_written_for_every_record_type(tmp_path, capsys):
    code, _, _ = run_cli(capsys, "schema", "--out", str(tmp_path))
    assert code == 0
    policy = json.loads((tmp_path / "policy.schema.json").read_text())
    assert "registry_no" in policy["properties"]
    assert policy["properties"]["sum_insured"]["description"] == "保险金额（元）"


def test_git_diff_shows_decrypted_yaml_to_members(firm):
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@x",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@x",
    }
    git = ["git", "-C", str(firm.root)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run(
        [*git, "config", "diff.baodan.textconv", f"{sys.executable} -m baodan textconv"], check=True
    )
    (firm.root / ".gitattributes").write_text((REPO / ".gitattributes").read_text())
    subprocess.run([*git, "add", "-A"], check=True, env=env)
    subprocess.run([*git, "commit", "-qm", "demo"], check=True, env=env)
    rel = _client_rel(firm)
    v = firm.vault()
    text = v.decrypt((firm.root / rel).read_bytes()).decode()
    (firm.root / rel).write_bytes(
        v.encrypt(text.replace("tier: ", "notes: 改过了\ntier: ", 1).encode())
    )
    env["PYTHONPATH"] = str(REPO / "generator")
    diff = subprocess.run(
        [*git, "diff", rel], capture_output=True, text=True, env=env, check=True
    ).stdout
    assert "+notes: 改过了" in diff
    assert "BEGIN AGE" not in diff


@pytest.mark.slow
def test_build_failure_leaves_the_previous_site_unchanged(firm, capsys):
    code, out, err = run_cli(capsys, "build")
    assert code == 0, err
    assert "已生成公开站" in out
    site_before = tree_digest(firm.root / "site")
    bad = sorted(firm.root.glob("records/clients/*/policies/*.yaml.age"))[0]
    bad.write_bytes(bad.read_bytes()[:100])
    code, _, err = run_cli(capsys, "build")
    assert code == 1 and "原来的 site/ 没有改动" in err and bad.name in err
    assert tree_digest(firm.root / "site") == site_before
    assert not [p for p in firm.root.iterdir() if p.name.startswith(".site")]


@pytest.mark.slow
def test_a_mistake_in_the_site_settings_is_named_and_the_site_kept(firm, capsys):
    code, _, err = run_cli(capsys, "build")
    assert code == 0, err
    site_before = tree_digest(firm.root / "site")
    settings = firm.root / "mkdocs.yml"
    text = settings.read_text("utf-8")
    settings.write_text(text.replace("use_directory_urls: true", "use_directory_urls: 也许"))
    code, _, err = run_cli(capsys, "build")
    assert code == 1 and "Traceback" not in err
    assert "mkdocs.yml: 网站设置有误" in err and "use_directory_urls" in err and "处理办法" in err
    assert tree_digest(firm.root / "site") == site_before


@pytest.mark.slow
def test_demo_in_a_new_folder_is_a_firm_that_checks_and_builds(tmp_path, capsys, monkeypatch):
    from baodan.demo import generator as demo

    folder = tmp_path / "演示公司"
    monkeypatch.delenv("BAODAN_IDENTITY", raising=False)  # the demo key is found in the folder
    monkeypatch.setattr(who, "default_identity_path", lambda: tmp_path / "absent.txt")
    monkeypatch.setenv("BAODAN_TODAY", demo.DEMO_TODAY.isoformat())
    code, out, err = run_cli(capsys, "demo", str(folder))
    assert code == 0 and "已生成演示公司" in out, err
    code, out, err = run_cli(capsys, "check", "-C", str(folder))
    assert code == 0 and "检查通过" in out and "讲座 8" in out, err  # a knowledge base too
    code, out, err = run_cli(capsys, "build", "--staff-site", "-C", str(folder))
    assert code == 0 and "已生成员工站" in out, err
    assert "site-staff" in (folder / ".gitignore").read_text()


@pytest.mark.slow
def test_a_killed_staff_build_leaves_no_half_built_folder(firm):
    """`kill` (SIGTERM, as a CI job's cancel sends) stops a build as Ctrl-C does: the folder
    it was writing, plaintext for the staff site, is removed."""
    build = _start("build", "--staff-site", "-C", firm.root, BAODAN_TODAY="2026-11-27")
    _wait_until(build, lambda: list(firm.root.glob(".site-staff-building-*/assets")))  # writing
    build.send_signal(signal.SIGTERM)
    _, err = build.communicate(timeout=60)
    assert build.returncode == 130 and "已取消" in err, err
    assert not [p.name for p in firm.root.iterdir() if p.name.startswith(".site")]
    assert not (firm.root / "site-staff").exists()


@pytest.mark.parametrize(("flag", "staff"), [([], True), (["--public"], False)])
def test_serve_previews_the_staff_site_or_the_public_one(firm, capsys, monkeypatch, flag, staff):
    from baodan.services import sitebuild

    seen = []
    monkeypatch.setattr(sitebuild, "serve_site", lambda ws, **kw: seen.append(kw["staff"]))
    assert run_cli(capsys, "serve", *flag)[0] == 0 and seen == [staff]


def test_build_with_the_demo_identity_warns(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("BAODAN_IDENTITY", raising=False)
    monkeypatch.setattr(who, "default_identity_path", lambda: tmp_path / "absent.txt")
    code, out, err = run_cli(capsys, "check", "-C", str(REPO))
    assert code == 0, err
    assert "演示密钥" in err


@pytest.mark.parametrize("target", ["client", "registry"])
def test_locate_by_client_id_or_registry_number(firm, capsys, target):
    policy = sorted(firm.root.glob("records/clients/*/policies/*.yaml.age"))[0]
    arg = policy.parts[-3] if target == "client" else policy.name.removesuffix(".yaml.age")
    code, out, _ = run_cli(capsys, "show", arg)
    assert code == 0
    assert ("kind:" in out) if target == "client" else ("registry_no" in out)


def test_the_staff_site_switch_has_its_own_name_and_the_old_one_still_works(firm, capsys):
    """`--staff` is the staff member everywhere; the site switch is `--staff-site`."""
    code, out, err = run_cli(capsys, "build", "--help")
    assert "--staff-site" in out and "--staff " not in out.replace("--staff-site", "")
    code, _, err = run_cli(capsys, "build", "--staff", "-C", str(firm.root))
    assert code == 0, err
    assert "员工站的开关已改名为 --staff-site" in err
    assert (firm.root / "site-staff/index.html").is_file()
