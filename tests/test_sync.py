"""`baodan sync` and `baodan status` against a local bare repository acting as the firm's
git host: first use, refusals, every git failure in one Chinese sentence, a conflict."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from baodan.core import yamlio
from baodan.services.gitsetup import ensure_attributes, git_settings
from baodan.services.sync import pull_request_link

from tests import githelp
from tests.helpers import change_record, read_record, run_cli, write_record
from tests.test_merge_driver import BAODAN, EDITOR_SCRIPT, first_client, setter

REPO = Path(__file__).resolve().parents[1]


def clone(remote: Path, folder: Path) -> Path:
    subprocess.run(["git", "clone", "-q", str(remote), str(folder)], check=True)
    for key, value in git_settings(BAODAN).items():
        githelp.git(folder, "config", key, value)
    return folder


@pytest.fixture
def office(firm, tmp_path, monkeypatch):
    """The firm's repository on a host (a bare repository), and Alice's clone of it."""
    monkeypatch.setenv("PYTHONPATH", str(REPO / "generator"))
    githelp.init(firm.root, monkeypatch)
    ensure_attributes(firm.root)
    githelp.commit(firm.root, "登记合并方式")
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(firm.root), str(remote)], check=True)
    alice = clone(remote, tmp_path / "alice")
    monkeypatch.chdir(alice)
    return SimpleNamespace(remote=remote, alice=alice, identities=firm.identities, tmp=tmp_path)


def remote_branches(remote: Path) -> list[str]:
    return githelp.git(remote, "for-each-ref", "--format=%(refname:short)", "refs/heads").split()


def last_message(root: Path) -> str:
    return githelp.git(root, "log", "-1", "--format=%B")


def test_first_sync_makes_the_branch_commits_in_chinese_and_pushes(office, capsys):
    rel = first_client(office.alice)
    change_record(office.alice, rel, office.identities, setter(city="宁波", tier="A"))
    code, out, err = run_cli(capsys, "sync")
    assert code == 0, err
    assert "已切换到你自己的分支 staff/tester" in err
    assert "staff/tester" in remote_branches(office.remote)
    message = last_message(office.alice)
    client = rel.split("/")[2]
    assert message.startswith(f"更新记录：客户 {client}")
    assert "修改" in message and "宁波" not in message  # fields named, values never
    assert "已发送分支 staff/tester" in out
    assert "没有网页地址" in out  # a folder as the remote: no web page to link to
    assert githelp.git(office.alice, "status", "--porcelain") == ""


def test_sync_refuses_when_the_check_fails(office, capsys):
    rel = first_client(office.alice)
    text = read_record(office.alice, rel, office.identities)
    data = yamlio.load_roundtrip(text)
    del data["city"]  # a required field
    write_record(office.alice, rel, yamlio.dump_roundtrip(data, like=text), office.identities)
    head = githelp.git(office.alice, "rev-parse", "HEAD")
    code, _, err = run_cli(capsys, "sync")
    assert code == 1
    assert "检查没有通过，没有提交也没有发送" in err and rel in err and "city" in err
    assert githelp.git(office.alice, "rev-parse", "HEAD") == head
    assert remote_branches(office.remote) == ["main"]


def test_no_remote(office, capsys):
    githelp.git(office.alice, "remote", "remove", "origin")
    code, _, err = run_cli(capsys, "sync")
    assert code == 1 and "没有远程仓库" in err and "git remote add origin" in err
    assert "没有远程仓库" in run_cli(capsys, "status")[1]


def test_an_unreachable_remote_keeps_the_work_committed(office, capsys):
    githelp.git(office.alice, "remote", "set-url", "origin", str(office.tmp / "gone.git"))
    rel = first_client(office.alice)
    change_record(office.alice, rel, office.identities, setter(city="宁波"))
    code, _, err = run_cli(capsys, "sync")
    assert code == 1
    assert "连不上远程仓库" in err and "你的改动已提交在本机，没有丢" in err
    assert last_message(office.alice).startswith("更新记录：")


def test_a_rejected_push_says_so_and_what_to_do(office, capsys):
    hook = office.remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'protected branch' >&2\nexit 1\n")
    hook.chmod(0o755)
    change_record(office.alice, first_client(office.alice), office.identities, setter(tier="A"))
    code, _, err = run_cli(capsys, "sync")
    assert code == 1
    assert "推送被拒绝" in err and "请管理员检查仓库设置" in err
    assert remote_branches(office.remote) == ["main"]


def test_a_conflict_is_resolved_with_edit_and_the_next_sync_sends_it(office, capsys, monkeypatch):
    rel = first_client(office.alice)
    bob = clone(office.remote, office.tmp / "bob")  # Bob's change reached main first
    change_record(bob, rel, office.identities, setter(city="温州"))
    githelp.commit(bob, "Bob 改城市")
    githelp.git(bob, "push", "-q", "origin", "main")

    change_record(office.alice, rel, office.identities, setter(city="宁波", tier="A"))
    code, _, err = run_cli(capsys, "sync")
    assert code == 1
    assert "两边改得不一样" in err and f"baodan edit {rel}" in err and "city" in err
    assert "staff/tester" not in remote_branches(office.remote)
    assert "有一次合并还没完成（1 个文件有冲突）" in run_cli(capsys, "status")[1]

    script = office.tmp / "editor.py"
    script.write_text(EDITOR_SCRIPT.format(shown=str(office.tmp / "shown.yaml")), "utf-8")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    assert run_cli(capsys, "edit", rel)[0] == 0
    code, out, err = run_cli(capsys, "sync")
    assert code == 0, err
    assert "已完成上次没做完的合并" in out
    sent = githelp.git(office.remote, "show", f"staff/tester:{rel}").encode()
    assert sent == (office.alice / rel).read_bytes()
    merged = yamlio.load(read_record(office.alice, rel, office.identities))
    assert (merged["city"], merged["tier"]) == ("杭州", "A")


def test_a_registry_number_taken_on_main_meanwhile_stops_the_sync(office, capsys):
    from tests.test_merge_driver import _policy_as

    clients = sorted((office.alice / "records/clients").iterdir())
    a, b = (f"records/clients/{c.name}/client.yaml.age" for c in clients[:2])
    source = sorted(office.alice.glob(f"{Path(a).parent}/policies/*.yaml.age"))[0]
    source = source.relative_to(office.alice).as_posix()
    bob = clone(office.remote, office.tmp / "bob")
    _policy_as(
        SimpleNamespace(root=bob, identities=office.identities), source, b, "BD-2026-SAME1", "乙"
    )
    githelp.commit(bob, "Bob 登记")
    githelp.git(bob, "push", "-q", "origin", "main")
    alice = SimpleNamespace(root=office.alice, identities=office.identities)
    _policy_as(alice, source, a, "BD-2026-SAME1", "甲")
    code, _, err = run_cli(capsys, "sync")
    assert code == 1
    assert "合并后的记录检查没有通过，没有发送" in err
    assert "登记号 BD-2026-SAME1 重复" in err and "baodan renumber" in err
    assert "staff/tester" not in remote_branches(office.remote)


def test_status_says_what_is_changed_and_not_sent(office, capsys):
    assert "没有未发送的改动" in run_cli(capsys, "status")[1]
    rel = first_client(office.alice)
    change_record(office.alice, rel, office.identities, setter(tier="A"))
    out = run_cli(capsys, "status")[1]
    assert "还没提交的改动（1 份记录）" in out and f"客户 {rel.split('/')[2]}" in out
    githelp.commit(office.alice, "自己提交的")
    out = run_cli(capsys, "status")[1]
    assert "已提交、还没发送的提交（1 个）" in out and "自己提交的" in out
    assert run_cli(capsys, "sync")[0] == 0
    assert "没有未发送的改动" in run_cli(capsys, "status")[1]


@pytest.mark.parametrize(
    ("url", "forge", "link"),
    [
        (
            "git@github.com:acme/firm.git",
            None,
            "https://github.com/acme/firm/compare/main...staff/wang?expand=1",
        ),
        (
            "https://user:secret-token@github.com/acme/firm.git",
            None,
            "https://github.com/acme/firm/compare/main...staff/wang?expand=1",
        ),
        (
            "git@gitlab.com:acme/office/firm.git",
            None,
            "https://gitlab.com/acme/office/firm/-/merge_requests/new?"
            "merge_request%5Bsource_branch%5D=staff%2Fwang&merge_request%5Btarget_branch%5D=main",
        ),
        (
            "ssh://git@git.example.cn:2222/acme/firm.git",
            None,
            "https://git.example.cn/acme/firm/compare/main...staff/wang",
        ),
        (
            "https://code.example.cn/acme/firm",
            "gitlab",
            "https://code.example.cn/acme/firm/-/merge_requests/new?"
            "merge_request%5Bsource_branch%5D=staff%2Fwang&merge_request%5Btarget_branch%5D=main",
        ),
        ("/srv/git/firm.git", None, None),
        ("file:///srv/git/firm.git", None, None),
    ],
)
def test_the_pull_request_link_comes_from_the_remote_url(url, forge, link):
    assert pull_request_link(url, "staff/wang", "main", forge) == link


def test_git_pull_merges_records_by_field(office, capsys):
    rel = first_client(office.alice)
    bob = clone(office.remote, office.tmp / "bob")
    change_record(bob, rel, office.identities, setter(city="温州"))
    githelp.commit(bob, "Bob 改城市")
    githelp.git(bob, "push", "-q", "origin", "main")
    change_record(office.alice, rel, office.identities, setter(tier="A"))
    githelp.commit(office.alice, "Alice 改等级")
    done = subprocess.run(
        ["git", "-C", str(office.alice), "pull", "--no-rebase", "--no-edit", "origin", "main"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    merged = yamlio.load(read_record(office.alice, rel, office.identities))
    assert (merged["city"], merged["tier"]) == ("温州", "A")
    assert run_cli(capsys, "check")[0] == 0
