"""Two staff change the same records on two branches of a real git repository: git merges
them through `baodan merge-driver`, field by field, and never leaves ciphertext with markers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from baodan.core import yamlio
from baodan.core.files import is_age
from baodan.services.gitsetup import ensure_attributes, git_settings, install_hooks, setup_clone
from baodan.store import members
from baodan.store import vault as vaults
from baodan.store.identity import IdentitySource

from tests import githelp
from tests.helpers import change_record, new_identity_file, read_record, run_cli, write_record

REPO = Path(__file__).resolve().parents[1]
BAODAN = f"{sys.executable} -m baodan"  # this checkout's baodan, whatever is on PATH


def git(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)


def commit(root: Path, message: str) -> None:
    githelp.git(root, "add", "-A")
    githelp.git(root, "commit", "-q", "--no-verify", "-m", message)


@pytest.fixture
def repo(firm, monkeypatch):
    """The small firm as a repository on main, registered with git as `baodan setup` does."""
    monkeypatch.setenv("PYTHONPATH", str(REPO / "generator"))  # for git's driver and hooks
    githelp.init(firm.root, monkeypatch)
    for key, value in git_settings(BAODAN).items():
        githelp.git(firm.root, "config", key, value)
    ensure_attributes(firm.root)
    commit(firm.root, "登记合并方式")
    return firm


def first_client(root: Path) -> str:
    folder = sorted((root / "records/clients").iterdir())[0]
    return f"records/clients/{folder.name}/client.yaml.age"


def setter(**values):
    def change(data):
        data.update(values)

    return change


def two_branches(firm, rel: str, on_main, on_other) -> None:
    """Branch `other` changes ``rel`` with ``on_other``; main, meanwhile, with ``on_main``."""
    githelp.git(firm.root, "checkout", "-q", "-b", "other")
    change_record(firm.root, rel, firm.identities, on_other)
    commit(firm.root, "other")
    githelp.git(firm.root, "checkout", "-q", "main")
    change_record(firm.root, rel, firm.identities, on_main)
    commit(firm.root, "main")


def record(firm, rel: str) -> dict:
    return yamlio.load(read_record(firm.root, rel, firm.identities))


def no_markers(path: Path) -> None:
    data = path.read_bytes()
    assert is_age(data) and b"<<<<<<<" not in data and b">>>>>>>" not in data


def test_setup_registers_the_driver_the_attribute_and_the_hooks(firm, monkeypatch):
    githelp.init(firm.root, monkeypatch)
    notes = setup_clone(firm.root)
    assert githelp.git(firm.root, "config", "merge.baodan.driver").strip() == (
        "baodan merge-driver %O %A %B %P"
    )
    assert githelp.git(firm.root, "config", "diff.baodan.textconv").strip() == "baodan textconv"
    assert "records/clients/**/*.age diff=baodan merge=baodan" in (
        (firm.root / ".gitattributes").read_text()
    )
    hooks = firm.root / ".git/hooks"
    assert "after-merge" in (hooks / "post-merge").read_text()
    assert "baodan precommit" in (hooks / "pre-commit").read_text()
    assert any(".gitattributes" in n for n in notes)
    assert not any(".gitattributes" in n for n in setup_clone(firm.root))  # once is enough


def test_different_fields_merge_cleanly(repo, capsys):
    rel = first_client(repo.root)
    two_branches(repo, rel, setter(city="宁波"), setter(tier="A"))
    done = git(repo.root, "merge", "--no-edit", "other")
    assert done.returncode == 0, done.stdout + done.stderr
    no_markers(repo.root / rel)
    merged = record(repo, rel)
    assert (merged["city"], merged["tier"]) == ("宁波", "A")
    assert run_cli(capsys, "check")[0] == 0


def test_a_comment_and_key_order_of_the_current_version_stay(repo):
    rel = first_client(repo.root)
    text = read_record(repo.root, rel, repo.identities)
    write_record(repo.root, rel, "# 重点客户，勿删此行\n" + text, repo.identities)
    commit(repo.root, "注释")
    two_branches(repo, rel, setter(city="宁波"), setter(tier="A"))
    assert git(repo.root, "merge", "--no-edit", "other").returncode == 0
    merged = read_record(repo.root, rel, repo.identities)
    assert merged.startswith("# 重点客户，勿删此行\n")
    assert [k for k in yamlio.load(merged)] == [k for k in yamlio.load(text)]


EDITOR_SCRIPT = """\
import pathlib, re, sys
path = pathlib.Path(sys.argv[-1])
shown = path.read_text("utf-8")
pathlib.Path({shown!r}).write_text(shown, "utf-8")
kept = [line for line in shown.splitlines(True) if not line.startswith("# baodan:")]
path.write_text(re.sub(r"(?m)^city: .*$", "city: 杭州", "".join(kept)), "utf-8")
"""


def test_the_same_field_is_a_conflict_kept_inside_the_encryption(repo, capsys, monkeypatch):
    rel = first_client(repo.root)
    two_branches(repo, rel, setter(city="宁波"), setter(city="温州"))
    done = git(repo.root, "merge", "--no-edit", "other")
    assert done.returncode != 0
    assert f"运行 baodan edit {rel}" in done.stderr  # the driver says what to do
    no_markers(repo.root / rel)
    text = read_record(repo.root, rel, repo.identities)
    note = yamlio.load(text)["_merge_conflicts"]
    assert note[0]["field"] == "city"
    assert (note[0]["ours"], note[0]["theirs"]) == ("宁波", "温州")

    code, _, err = run_cli(capsys, "check")
    assert code == 1 and "未解决的合并冲突" in err and rel in err and "city" in err
    assert "温州" not in err  # field names only: check output reaches CI logs

    githelp.git(repo.root, "add", rel)
    code, _, err = run_cli(capsys, "precommit")
    assert code == 1 and "未解决的合并冲突" in err

    # Closing the editor without a change leaves the conflict where it was.
    monkeypatch.setenv("EDITOR", f"{sys.executable} -c pass")
    code, _, err = run_cli(capsys, "edit", rel)
    assert code == 1 and "合并冲突还没有解决" in err
    assert "_merge_conflicts" in read_record(repo.root, rel, repo.identities)

    shown = repo.root.parent / "shown.yaml"
    script = repo.root.parent / "editor.py"
    script.write_text(EDITOR_SCRIPT.format(shown=str(shown)), "utf-8")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    code, out, err = run_cli(capsys, "edit", rel)
    assert code == 0, err
    marks = [line for line in shown.read_text("utf-8").splitlines() if line.startswith("# baodan:")]
    assert any("city" in line for line in marks)
    assert any("当前版本：宁波" in line for line in marks)
    assert any("合并进来的版本：温州" in line for line in marks)
    assert "city: 宁波" in shown.read_text("utf-8")  # the record itself, without the note
    assert record(repo, rel)["city"] == "杭州"
    assert "_merge_conflicts" not in read_record(repo.root, rel, repo.identities)
    assert git(repo.root, "diff", "--name-only", "--diff-filter=U").stdout == ""  # staged
    assert run_cli(capsys, "precommit")[0] == 0
    assert run_cli(capsys, "check")[0] == 0
    githelp.git(repo.root, "commit", "-q", "--no-edit", "--no-verify")


def test_list_items_added_on_both_sides_are_all_kept(repo, capsys):
    claim = sorted(repo.root.glob("records/clients/*/claims/*.yaml.age"))[0]
    rel = claim.relative_to(repo.root).as_posix()
    first = record(repo, rel)["stages"][0]["date"]

    def stage(day: int, note: str):
        def change(data):
            data["stages"].append({"stage": "collecting", "date": first.replace(day=day)})
            data["stages"][-1]["note"] = note
            data["materials"].append({"item": f"补充材料{day}", "required": False})

        return change

    day = min(first.day + 1, 27)
    two_branches(repo, rel, stage(day, "主分支"), stage(day + 1, "另一分支"))
    assert git(repo.root, "merge", "--no-edit", "other").returncode == 0
    merged = record(repo, rel)
    notes = [s.get("note") for s in merged["stages"]]
    assert notes[-2:] == ["主分支", "另一分支"]
    items = [m["item"] for m in merged["materials"]]
    assert f"补充材料{day}" in items and f"补充材料{day + 1}" in items
    assert run_cli(capsys, "check")[0] == 0


def test_rebase_and_cherry_pick_merge_by_field(repo, capsys):
    rel = first_client(repo.root)
    two_branches(repo, rel, setter(city="宁波"), setter(tier="A"))
    githelp.git(repo.root, "branch", "before-rebase", "other")
    githelp.git(repo.root, "checkout", "-q", "other")
    done = git(repo.root, "rebase", "main")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (record(repo, rel)["city"], record(repo, rel)["tier"]) == ("宁波", "A")
    no_markers(repo.root / rel)

    githelp.git(repo.root, "checkout", "-q", "main")
    done = git(repo.root, "cherry-pick", "before-rebase")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (record(repo, rel)["city"], record(repo, rel)["tier"]) == ("宁波", "A")
    assert run_cli(capsys, "check")[0] == 0


def test_a_merge_across_a_member_removal(repo, capsys, tmp_path):
    """One side removed a member (new record key, every record re-encrypted), the other edited
    a record under the old key: merged either way, the record is encrypted to the new key."""
    _, colleague = new_identity_file(tmp_path, "colleague")
    members.member_add(repo.vault(), "colleague", str(colleague.to_public()))
    commit(repo.root, "加入同事")
    rel = first_client(repo.root)
    old_key = str(repo.vault().current.to_public())

    githelp.git(repo.root, "checkout", "-q", "-b", "other")
    change_record(repo.root, rel, repo.identities, setter(city="宁波"))
    commit(repo.root, "改城市")
    githelp.git(repo.root, "checkout", "-q", "main")
    members.member_remove(repo.vault(), "colleague")
    commit(repo.root, "移除同事")
    new_key = repo.vault().current
    assert str(new_key.to_public()) != old_key

    githelp.git(repo.root, "branch", "rotated", "main")
    done = git(repo.root, "merge", "--no-edit", "other")  # ours rotated
    assert done.returncode == 0, done.stderr
    assert vaults.decrypt((repo.root / rel).read_bytes(), [new_key])
    assert record(repo, rel)["city"] == "宁波"
    assert run_cli(capsys, "check")[0] == 0

    githelp.git(repo.root, "checkout", "-q", "other")
    done = git(repo.root, "merge", "--no-edit", "rotated")  # theirs rotated
    assert done.returncode == 0, done.stderr
    assert vaults.decrypt((repo.root / rel).read_bytes(), [new_key])
    assert record(repo, rel)["city"] == "宁波"
    assert run_cli(capsys, "check")[0] == 0


def test_a_side_this_member_cannot_open_is_reported_not_guessed(repo, tmp_path):
    colleague_file, colleague = new_identity_file(tmp_path, "colleague")
    members.member_add(repo.vault(), "colleague", str(colleague.to_public()))
    commit(repo.root, "加入同事")
    rel = first_client(repo.root)
    my_keys = repo.vault().identities

    githelp.git(repo.root, "checkout", "-q", "-b", "other")  # the colleague removes me
    theirs = vaults.open_vault(repo.root, IdentitySource([colleague], "colleague"))
    change_record(repo.root, rel, [colleague], setter(tier="A"))
    members.member_remove(theirs, "tester")
    commit(repo.root, "移除 tester")
    githelp.git(repo.root, "checkout", "-q", "main")
    change_record(repo.root, rel, repo.identities, setter(city="宁波"))
    commit(repo.root, "改城市")

    done = git(repo.root, "merge", "--no-edit", "other")
    assert done.returncode != 0
    assert "无法解密" in done.stderr and rel in done.stderr
    no_markers(repo.root / rel)
    mine = yamlio.load(vaults.decrypt((repo.root / rel).read_bytes(), my_keys).decode())
    assert mine["city"] == "宁波" and "tier" not in mine["_merge_conflicts"][0]


def test_a_record_changed_on_one_side_and_deleted_on_the_other(repo, capsys):
    path = sorted(repo.root.glob("records/clients/*/interactions/*.yaml.age"))[0]
    rel = path.relative_to(repo.root).as_posix()
    githelp.git(repo.root, "checkout", "-q", "-b", "other")
    change_record(repo.root, rel, repo.identities, setter(summary="改过的摘要"))
    commit(repo.root, "改")
    githelp.git(repo.root, "checkout", "-q", "main")
    path.unlink()
    commit(repo.root, "删")
    assert git(repo.root, "merge", "--no-edit", "other").returncode != 0
    code, _, err = run_cli(capsys, "check")
    assert code == 1
    assert "当前版本删除了这份记录，合并进来的一方却修改过它" in err and rel in err
    assert f"git rm {rel}" in err


def _policy_as(firm, source: str, client_rel: str, number: str, product: str) -> None:
    """A copy of the policy at ``source`` for another client, number and product."""
    text = read_record(firm.root, source, firm.identities)
    data = yamlio.load_roundtrip(text)
    data["registry_no"], data["product"] = number, product
    data["policy_no"] = f"P-{number}-{product}"  # another contract (one policy twice is an error)
    folder = Path(client_rel).parent
    write_record(
        firm.root,
        f"{folder}/policies/{number}.yaml.age",
        yamlio.dump_roundtrip(data, like=text),
        firm.identities,
    )


def test_two_intakes_allocating_the_same_registry_number(repo, capsys):
    """Different clients: a clean merge, and the check after it (the post-merge hook) names
    the duplicate and `baodan renumber`. The same client: both added one file (add/add)."""
    install_hooks(repo.root, BAODAN)
    clients = sorted((repo.root / "records/clients").iterdir())
    a, b = (f"records/clients/{c.name}/client.yaml.age" for c in clients[:2])
    source = sorted(repo.root.glob(f"{Path(a).parent}/policies/*.yaml.age"))[0]
    source = source.relative_to(repo.root).as_posix()
    githelp.git(repo.root, "checkout", "-q", "-b", "other")
    _policy_as(repo, source, b, "BD-2026-SAME1", "乙产品")
    _policy_as(repo, source, a, "BD-2026-SAME2", "乙产品")
    commit(repo.root, "另一分支登记")
    githelp.git(repo.root, "checkout", "-q", "main")
    _policy_as(repo, source, a, "BD-2026-SAME1", "甲产品")
    _policy_as(repo, source, a, "BD-2026-SAME2", "甲产品")
    commit(repo.root, "主分支登记")

    done = git(repo.root, "merge", "--no-edit", "other")
    assert done.returncode != 0
    same_path = f"{Path(a).parent}/policies/BD-2026-SAME2.yaml.age"
    assert f"{same_path}：两边都新建了这个文件" in done.stderr
    no_markers(repo.root / same_path)
    note = record(repo, same_path)["_merge_conflicts"][0]
    assert note["theirs"]["product"] == "乙产品"

    code, _, err = run_cli(capsys, "check")
    assert code == 1 and "登记号 BD-2026-SAME1 重复" in err and "baodan renumber" in err


def test_the_post_merge_hook_checks_the_whole_firm(repo):
    install_hooks(repo.root, BAODAN)
    clients = sorted((repo.root / "records/clients").iterdir())
    a, b = (f"records/clients/{c.name}/client.yaml.age" for c in clients[:2])
    source = sorted(repo.root.glob(f"{Path(a).parent}/policies/*.yaml.age"))[0]
    source = source.relative_to(repo.root).as_posix()
    githelp.git(repo.root, "checkout", "-q", "-b", "other")
    _policy_as(repo, source, b, "BD-2026-SAME1", "乙产品")
    commit(repo.root, "另一分支登记")
    githelp.git(repo.root, "checkout", "-q", "main")
    _policy_as(repo, source, a, "BD-2026-SAME1", "甲产品")
    commit(repo.root, "主分支登记")
    done = git(repo.root, "merge", "--no-edit", "other")
    assert done.returncode == 0, done.stderr
    assert "合并已完成，但全公司检查发现" in done.stderr
    assert "登记号 BD-2026-SAME1 重复" in done.stderr and "baodan renumber" in done.stderr


def test_a_plaintext_side_is_not_merged_in(repo):
    """A branch that put a record in plaintext (hooks skipped) brings nothing into the merge:
    the file stays the encrypted current version, marked as a conflict."""
    rel = first_client(repo.root)
    text = read_record(repo.root, rel, repo.identities)
    githelp.git(repo.root, "checkout", "-q", "-b", "other")
    (repo.root / rel).write_text(text.replace("tier:", "notes: 明文\ntier:"), "utf-8")
    commit(repo.root, "明文")
    githelp.git(repo.root, "checkout", "-q", "main")
    change_record(repo.root, rel, repo.identities, setter(city="宁波"))
    commit(repo.root, "改城市")
    done = git(repo.root, "merge", "--no-edit", "other")
    assert done.returncode != 0 and "无法解密" in done.stderr
    no_markers(repo.root / rel)
    merged = record(repo, rel)
    assert merged["city"] == "宁波" and "明文" not in read_record(repo.root, rel, repo.identities)


def test_two_staff_recording_one_client_on_one_day_keep_both_records(repo, capsys, monkeypatch):
    monkeypatch.setenv("BAODAN_TODAY", "2026-12-30")
    cid = Path(first_client(repo.root)).parent.name
    githelp.git(repo.root, "checkout", "-q", "-b", "other")
    assert run_cli(capsys, "greet", cid, "--occasion", "元旦", "--channel", "sms")[0] == 0
    commit(repo.root, "短信问候")
    githelp.git(repo.root, "checkout", "-q", "main")
    assert run_cli(capsys, "greet", cid, "--occasion", "元旦", "--channel", "phone")[0] == 0
    commit(repo.root, "电话问候")
    merged = git(repo.root, "merge", "--no-edit", "other")
    assert merged.returncode == 0, merged.stdout + merged.stderr
    folder = repo.root / f"records/clients/{cid}/interactions"
    days = [p for p in folder.glob("2026-12-30-*.yaml.age")]
    texts = [
        read_record(repo.root, p.relative_to(repo.root).as_posix(), repo.identities) for p in days
    ]
    assert sorted(yamlio.load(t)["channel"] for t in texts) == ["phone", "sms"]
