"""Keys and membership can't be turned against the firm: one test per attack, each in a
temporary firm, showing that the attacker gains nothing (no key handed over, nothing written,
a clear Chinese error); the public demo key never guards real data."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pyrage
import pytest
import yaml
from baodan.core import layout
from baodan.core.errors import BaodanError
from baodan.store import identity as who
from baodan.store import members, vault
from pyrage import x25519

from . import githelp
from .conftest import REPO
from .helpers import read_record, run_cli, tree_digest, write_record

MEMBERS = "records/.keys/members.yaml"


@pytest.fixture
def repo(firm, monkeypatch):
    githelp.init(firm.root, monkeypatch)
    return firm


def _add(capsys, name: str) -> x25519.Identity:
    ident = x25519.Identity.generate()
    code, _, err = run_cli(capsys, "member", "add", name, "-r", str(ident.to_public()))
    assert code == 0, err
    return ident


def _opens_any_key_file(root, ident) -> bool:
    for path in (root / layout.KEYS_DIR).glob("*.age"):
        try:
            pyrage.decrypt(path.read_bytes(), [ident])
            return True
        except pyrage.DecryptError:
            pass
    return False


def _edit_members(root, change) -> None:
    path = root / MEMBERS
    data = yaml.safe_load(path.read_text("utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")


# --- removing a member really cuts them off -------------------------------------------------


def test_a_key_appended_to_a_colleagues_entry_is_caught_by_check_diff_and_rotation(repo, capsys):
    bob = _add(capsys, "bob")
    _add(capsys, "carol")
    githelp.commit(repo.root, "加入 bob、carol")
    # A member (who holds the record key) slips Mallory in through Bob's entry: her key
    # appended to his list, and his key file re-encrypted to both.
    mallory = x25519.Identity.generate()
    record_keys = repo.vault().identities
    (repo.root / "records/.keys/bob.age").write_bytes(
        vault.encrypt(members.key_file_text(record_keys), [bob.to_public(), mallory.to_public()])
    )
    _edit_members(repo.root, lambda d: d["bob"]["keys"].append(str(mallory.to_public())))

    code, _, err = run_cli(capsys, "check")
    assert code == 1 and "成员 bob 的公钥和校验码对不上" in err and "baodan member add" in err

    code, out, _ = run_cli(capsys, "diff", "--public")
    assert code == 0
    assert f"成员名单 bob：加入公钥 {members.fingerprint(str(mallory.to_public()))}" in out
    assert "⚠ 成员 bob 的公钥和校验码对不上" in out

    before = tree_digest(repo.root)
    for command in (["member", "remove", "carol", "--yes"], ["member", "rotate", "--yes"]):
        code, _, err = run_cli(capsys, *command)
        assert code == 1 and "来历不明" in err and "没有做任何改动" in err
    assert tree_digest(repo.root) == before  # no new record key went anywhere


def test_a_key_file_encrypted_to_someone_off_the_list_is_caught_and_rotation_cuts_them_off(
    repo, capsys
):
    bob = _add(capsys, "bob")
    githelp.commit(repo.root, "加入 bob")
    mallory = x25519.Identity.generate()
    (repo.root / "records/.keys/bob.age").write_bytes(
        vault.encrypt(
            members.key_file_text(repo.vault().identities), [bob.to_public(), mallory.to_public()]
        )
    )
    code, _, err = run_cli(capsys, "check")
    assert code == 1 and "bob 的密钥文件加密给了 2 个公钥，成员名单里他只有 1 个" in err
    code, out, _ = run_cli(capsys, "diff", "--public")
    assert "更新 bob" in out and "⚠ bob 的密钥文件加密给了 2 个公钥" in out

    code, _, err = run_cli(capsys, "member", "rotate", "--yes")
    assert code == 0, err
    assert not _opens_any_key_file(repo.root, mallory)
    assert _opens_any_key_file(repo.root, bob)
    assert run_cli(capsys, "check")[0] == 0


def test_an_entry_added_by_someone_without_a_key_gets_nothing_from_a_removal(repo, capsys):
    _add(capsys, "bob")
    githelp.commit(repo.root, "加入 bob")
    # Someone who can push a branch but holds no key lists herself, hoping the next
    # rotation encrypts the new record key to her.
    mallory = x25519.Identity.generate()
    _edit_members(
        repo.root, lambda d: d.update(mallory={"keys": [str(mallory.to_public())], "mac": "0" * 64})
    )
    code, _, err = run_cli(capsys, "check")
    assert code == 1 and "成员 mallory" in err and "mallory 在名单里，却没有密钥文件" in err
    before = tree_digest(repo.root)
    code, _, err = run_cli(capsys, "member", "remove", "bob", "--yes")
    assert code == 1 and "mallory 的公钥来历不明" in err
    assert tree_digest(repo.root) == before
    assert not _opens_any_key_file(repo.root, mallory)


def test_member_remove_lists_every_recipient_and_asks_first(repo, capsys, monkeypatch):
    bob = _add(capsys, "bob")
    carol = _add(capsys, "carol")
    before = tree_digest(repo.root)
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    code, out, err = run_cli(capsys, "member", "remove", "carol")
    assert code == 1 and "已取消，没有做任何改动" in err
    assert tree_digest(repo.root) == before
    assert "新的记录密钥只交给下面 2 位" in out and "开始换钥" in out
    for ident in (repo.identity, bob):
        assert members.fingerprint(str(ident.to_public())) in out
    assert members.fingerprint(str(carol.to_public())) not in out

    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    code, out, err = run_cli(capsys, "member", "remove", "carol")
    assert code == 0 and "已移除" in out, err
    assert not _opens_any_key_file(repo.root, carol)

    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # a script: no one to answer
    code, out, err = run_cli(capsys, "member", "remove", "bob", "--yes")
    assert code == 0 and "开始换钥" not in out, err


def test_a_record_on_a_branch_opened_before_a_removal_is_refused_until_reencrypted(repo, capsys):
    _add(capsys, "bob")
    carol = _add(capsys, "carol")
    githelp.commit(repo.root, "加入 bob、carol")
    carol_keys = vault.open_vault(repo.root, who.IdentitySource([carol], "t")).identities
    githelp.git(repo.root, "branch", "feature")  # opened before Carol leaves
    assert run_cli(capsys, "member", "remove", "carol", "--yes")[0] == 0
    githelp.commit(repo.root, "移除 carol")

    githelp.git(repo.root, "checkout", "-q", "feature")
    existing = min(repo.root.glob("records/clients/*/interactions/*.yaml.age"))
    text = read_record(repo.root, existing.relative_to(repo.root).as_posix(), repo.identities)
    new = existing.with_name(existing.name.replace(".yaml.age", "9.yaml.age"))
    rel = new.relative_to(repo.root).as_posix()
    write_record(repo.root, rel, text, repo.identities)  # to this branch's (retired) key
    assert pyrage.decrypt(new.read_bytes(), carol_keys)  # what Carol could read
    githelp.git(repo.root, "add", rel)

    code, _, err = run_cli(capsys, "precommit")
    assert code == 1 and "提交被拒绝" in err
    assert "记录密钥已经停用" in err and "git rebase" in err and "baodan reencrypt" in err
    code, _, err = run_cli(capsys, "check")
    assert code == 1 and "记录密钥已经停用" in err

    githelp.commit(repo.root, "新互动（旧密钥）")
    githelp.git(repo.root, "rebase", "-q", "main")
    code, _, err = run_cli(capsys, "check")
    assert code == 1 and new.name in err and "baodan reencrypt" in err
    code, out, err = run_cli(capsys, "reencrypt")
    assert code == 0 and f"已重新加密 {rel}" in out, err
    assert run_cli(capsys, "check")[0] == 0
    githelp.git(repo.root, "add", rel)
    assert run_cli(capsys, "precommit")[0] == 0
    with pytest.raises(pyrage.DecryptError):  # Carol's old key no longer opens it
        pyrage.decrypt(new.read_bytes(), carol_keys)


def test_the_rotation_marker_holds_no_public_key_and_cannot_be_committed(repo, capsys, monkeypatch):
    _add(capsys, "bob")
    githelp.commit(repo.root, "加入 bob")
    real = members.write_atomic
    written = []

    def crash_after_first_key_file(path, data, *args, **kwargs):
        real(path, data, *args, **kwargs)
        written.append(path.name)
        if path.suffix == ".age" and layout.ROTATION_MARKER in written:
            raise KeyboardInterrupt

    monkeypatch.setattr(members, "write_atomic", crash_after_first_key_file)
    with pytest.raises(KeyboardInterrupt):
        members.member_remove(repo.vault(), "bob")
    monkeypatch.setattr(members, "write_atomic", real)

    pending = repo.vault()
    assert pending.rotating
    marker = repo.root / layout.KEYS_DIR / layout.ROTATION_MARKER
    with pytest.raises(BaodanError):  # nothing anyone could encrypt a forged record to
        who.parse_recipient(marker.read_text())
    for key in pending.identities:  # the new record key's public half is nowhere on disk
        public = str(key.to_public()).encode()
        assert not [p for p in repo.root.rglob("*") if p.is_file() and public in p.read_bytes()]

    githelp.git(repo.root, "add", "-f", marker.relative_to(repo.root).as_posix())
    code, _, err = run_cli(capsys, "precommit")
    assert code == 1 and layout.ROTATION_MARKER in err and "绝不能提交" in err
    githelp.git(repo.root, "rm", "-q", "--cached", marker.relative_to(repo.root).as_posix())

    code, out, err = run_cli(capsys, "member", "remove", "bob", "--yes")
    assert code == 0 and "上次的换钥没有完成" in out, err
    assert not marker.exists()


# --- the public demo key never guards real data ---------------------------------------------


def _demo_identity() -> x25519.Identity:
    return who.parse_identities((REPO / layout.DEMO_IDENTITY_FILE).read_text(), "demo")[0]


def _give_demo_key_a_seat(firm, monkeypatch) -> None:
    """What an older baodan allowed: the public demo key added as a member."""
    with monkeypatch.context() as m:
        m.setattr(members, "is_demo_recipient", lambda key: False)
        members.member_add(firm.vault(), "demo", who.DEMO_PUBLIC_KEY)


@pytest.mark.parametrize("how", ["member", "identity file"])
def test_a_real_firm_refuses_the_demo_key_in_check_precommit_edit_and_build(
    repo, capsys, monkeypatch, how
):
    if how == "member":
        _give_demo_key_a_seat(repo, monkeypatch)
    else:
        shutil.copy(REPO / layout.DEMO_IDENTITY_FILE, repo.root / layout.DEMO_IDENTITY_FILE)
    code, _, err = run_cli(capsys, "check")
    assert code == 1 and "谁都能解密" in err and "baodan init" in err

    githelp.git(repo.root, "add", "-A")
    code, _, err = run_cli(capsys, "precommit")
    assert code == 1 and "谁都能解密" in err

    client = min(repo.root.glob("records/clients/*/client.yaml.age"))
    before = tree_digest(repo.root)
    code, _, err = run_cli(capsys, "edit", client.parent.name)
    assert code == 1 and "谁都能解密" in err
    code, _, err = run_cli(capsys, "build")
    assert code == 1 and "谁都能解密" in err
    assert tree_digest(repo.root) == before and not (repo.root / "site").exists()


def test_member_add_refuses_the_demo_public_key(firm, capsys):
    before = tree_digest(firm.root)
    code, _, err = run_cli(capsys, "member", "add", "trial", "-r", who.DEMO_PUBLIC_KEY)
    assert code == 1 and "演示密钥" in err and "age-keygen" in err
    assert tree_digest(firm.root) == before


def test_the_committed_demo_is_a_demo_and_uses_the_known_demo_key():
    from baodan.store.keyguard import is_demo_firm

    assert is_demo_firm(REPO)
    assert str(_demo_identity().to_public()) == who.DEMO_PUBLIC_KEY


def test_baodan_demo_inside_a_real_firm_changes_nothing(firm, capsys):
    before = tree_digest(firm.root)
    for target in (".", "records", "empty-subfolder"):
        code, _, err = run_cli(capsys, "demo", target)
        assert code == 1 and "真实公司" in err and "什么都没有改动" in err, target
    code, _, err = run_cli(capsys, "demo")  # no folder named: refused, not "."
    assert code == 2
    assert tree_digest(firm.root) == before


def test_baodan_demo_refuses_a_folder_with_other_files(tmp_path, capsys):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "客户名单.txt").write_text("张三\n", "utf-8")
    code, _, err = run_cli(capsys, "demo", str(folder))
    assert code == 1 and "不是空目录，也不是演示公司" in err
    assert [p.name for p in folder.iterdir()] == ["客户名单.txt"]


# --- losing keys loses nothing ---------------------------------------------------------------


def _kit_key(kit) -> str:
    """The key a printed kit's QR code carries, read back with a QR decoder."""
    import base64
    import re

    import zxingcpp
    from PIL import Image

    page = kit.read_text("utf-8")
    png = re.search(r'src="data:image/png;base64,([^"]+)"', page)[1]
    image = Image.open(io.BytesIO(base64.b64decode(png)))
    (code,) = zxingcpp.read_barcodes(image)
    return code.text


def test_init_creates_a_recovery_member_whose_kit_opens_the_records(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(who, "default_identity_path", lambda: tmp_path / "me.txt")
    folder, kit = tmp_path / "新公司", tmp_path / "safe" / "应急包.html"
    code, out, err = run_cli(capsys, "init", str(folder), "--name", "诚信代账", "--kit", str(kit))
    assert code == 0 and "应急包已写入" in out, err
    entries = members.read_members(folder)
    assert entries["recovery"].recovery and len(entries) == 2
    page = kit.read_text("utf-8")
    assert "诚信代账" in page and "保险柜" in page and "2026-11-27" in page
    secret = _kit_key(kit)
    rescue = x25519.Identity.from_str(secret)
    assert entries["recovery"].keys == (str(rescue.to_public()),)
    assert secret not in out  # shown on the page only, and nothing in the firm folder holds it
    assert not [p for p in folder.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]
    assert "/records/.keys/rotation-in-progress" in (folder / ".gitignore").read_text()

    # Typed back from paper: spaces, line breaks and lower case do not matter.
    typed = " ".join(secret[i : i + 5] for i in range(0, len(secret), 5)).lower()
    monkeypatch.setattr("sys.stdin", io.StringIO(typed[:30] + "\n" + typed[30:] + "\n"))
    code, out, err = run_cli(capsys, "recovery", "check", "-C", str(folder))
    assert code == 0 and "应急包有效" in out and "应急恢复密钥" in out, err


def test_a_kit_is_never_written_inside_the_firm_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(who, "default_identity_path", lambda: tmp_path / "me.txt")
    folder = tmp_path / "firm"
    code, _, err = run_cli(capsys, "init", str(folder), "--kit", str(folder / "kit.html"))
    assert code == 1 and "不能放在公司目录里" in err
    assert not folder.exists()


def test_recovery_check_refuses_a_wrong_or_mistyped_key(firm, capsys, tmp_path):
    wrong = tmp_path / "wrong.txt"
    wrong.write_text(str(x25519.Identity.generate()))
    code, _, err = run_cli(capsys, "recovery", "check", str(wrong))
    assert code == 1 and "打不开本公司的任何一个密钥文件" in err
    typo = str(x25519.Identity.generate())
    wrong.write_text(typo[:-3] + ("Q" if typo[-3] != "Q" else "P") + typo[-2:])
    code, _, err = run_cli(capsys, "recovery", "check", str(wrong))
    assert code == 1 and "抄错的字符" in err


def test_recovery_new_adds_a_kit_and_replacing_it_retires_the_old_one(firm, capsys, tmp_path):
    code, _, err = run_cli(capsys, "check")
    assert code == 0 and "没有应急恢复密钥" in err and "只有一位成员" in err  # warnings
    first = tmp_path / "kit1.html"
    code, out, err = run_cli(capsys, "recovery", "new", "--kit", str(first))
    assert code == 0 and "已加入应急恢复密钥" in out, err
    code, _, err = run_cli(capsys, "check")
    assert code == 0 and "没有应急恢复密钥" not in err
    old_kit = tmp_path / "old.txt"
    old_kit.write_text(_kit_key(first))
    assert run_cli(capsys, "recovery", "check", str(old_kit))[0] == 0

    second = tmp_path / "kit2.html"
    code, out, err = run_cli(capsys, "recovery", "new", "--kit", str(second), "--yes")
    assert code == 0 and "已换新应急包" in out, err
    code, _, err = run_cli(capsys, "recovery", "check", str(old_kit))
    assert code == 1 and "已被换下" in err
    new_kit = tmp_path / "new.txt"
    new_kit.write_text(_kit_key(second))
    assert run_cli(capsys, "recovery", "check", str(new_kit))[0] == 0


def test_the_last_member_and_the_only_kit_cannot_be_removed(firm, capsys, tmp_path):
    kit = tmp_path / "kit.html"
    assert run_cli(capsys, "recovery", "new", "--kit", str(kit))[0] == 0
    before = tree_digest(firm.root)
    code, _, err = run_cli(capsys, "member", "remove", "recovery", "--yes")
    assert code == 1 and "不能移除应急恢复密钥" in err and "baodan recovery new" in err
    # Opened with the kit, the firm still refuses to lose its last person.
    rescue = tmp_path / "rescue.txt"
    rescue.write_text(_kit_key(kit) + "\n")
    code, _, err = run_cli(capsys, "member", "remove", "tester", "--yes", "-i", str(rescue))
    assert code == 1 and "不能移除最后一位成员" in err
    assert tree_digest(firm.root) == before


def test_every_rotation_gives_the_new_key_to_the_recovery_kit(firm, capsys, tmp_path):
    kit = tmp_path / "kit.html"
    assert run_cli(capsys, "recovery", "new", "--kit", str(kit))[0] == 0
    _add(capsys, "bob")
    assert run_cli(capsys, "member", "remove", "bob", "--yes")[0] == 0
    rescue = tmp_path / "rescue.txt"
    rescue.write_text(_kit_key(kit))
    code, out, err = run_cli(capsys, "recovery", "check", str(rescue))
    assert code == 0 and "应急包有效" in out, err


def test_without_kit_the_page_is_shown_in_the_browser_and_removed(tmp_path, capsys, monkeypatch):
    import urllib.parse
    import webbrowser

    from baodan.cli import members as member_cli

    monkeypatch.setattr(who, "default_identity_path", lambda: tmp_path / "me.txt")
    monkeypatch.setattr(member_cli, "interactive", lambda: True)
    shown = []

    def browser(uri: str) -> bool:
        path = Path(urllib.parse.unquote(uri.removeprefix("file://")))
        shown.append((path, path.read_text("utf-8")))
        return True

    monkeypatch.setattr(webbrowser, "open", browser)
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    code, out, err = run_cli(capsys, "init", str(tmp_path / "firm"))
    assert code == 0 and "应急包已在浏览器中打开" in out, err
    ((path, page),) = shown
    assert "AGE-SECRET-KEY" in page.replace(" ", "") and "保险柜" in page
    assert not path.exists()  # printed, then removed: never left on disk


def test_a_member_list_from_an_older_baodan_is_flagged_until_a_member_trusts_it(firm, capsys):
    path = firm.root / MEMBERS
    entries = members.read_members(firm.root)
    path.write_text(
        "".join(f"{name}: {m.keys[0]}\n" for name, m in entries.items()), "utf-8"
    )  # the format before authenticators
    code, _, err = run_cli(capsys, "check")
    assert code == 1 and "成员 tester 的公钥没有校验码" in err and "baodan member trust" in err
    code, _, err = run_cli(capsys, "member", "rotate", "--yes")
    assert code == 1 and "来历不明" in err
    code, out, err = run_cli(capsys, "member", "trust", "--yes")
    assert code == 0 and "已补上校验码" in out, err
    assert run_cli(capsys, "check")[0] == 0
