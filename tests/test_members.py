"""Members through the CLI: keys from a GitHub-style key list, removal with key rotation and
plain guidance on what the removed member can still read."""

from __future__ import annotations

import pyrage
import pytest
from baodan.core.errors import BaodanError
from baodan.store import identity as who
from baodan.store import members, vault
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from pyrage import x25519

from . import githelp
from .helpers import run_cli, ssh_key_pair


def test_member_added_from_a_github_keys_file_opens_with_any_usable_key(firm, capsys, tmp_path):
    laptop_private, laptop = ssh_key_pair(ed25519.Ed25519PrivateKey.generate())
    desktop_private, desktop = ssh_key_pair(rsa.generate_private_key(65537, 2048))
    _, token = ssh_key_pair(ec.generate_private_key(ec.SECP256R1()))
    keys = tmp_path / "li-qiang.keys"  # as https://github.com/USER.keys serves it
    keys.write_text(f"{laptop}\n{token}\n{desktop}\n")
    code, out, err = run_cli(capsys, "member", "add", "li-qiang", "--recipient-file", str(keys))
    assert code == 0, err
    assert "2 个公钥" in out and "跳过" in err and "ecdsa-sha2-nistp256" in err
    for private in (laptop_private, desktop_private):
        identity = who.parse_identities(private, "id")
        opened = vault.open_vault(firm.root, who.IdentitySource(identity, "id"))
        assert opened.member == "li-qiang"


def test_keys_file_without_a_usable_key_is_refused(firm, capsys, tmp_path):
    _, token = ssh_key_pair(ec.generate_private_key(ec.SECP256R1()))
    keys = tmp_path / "only-ecdsa.keys"
    keys.write_text(token + "\n")
    code, _, err = run_cli(capsys, "member", "add", "x", "--recipient-file", str(keys))
    assert code == 1 and "没有可用的公钥" in err and "ed25519" in err
    assert not (firm.root / "records/.keys/x.age").exists()


def test_removed_member_is_told_what_old_history_they_can_read(firm, capsys, monkeypatch):
    githelp.init(firm.root, monkeypatch)
    colleague = x25519.Identity.generate()
    code, _, err = run_cli(capsys, "member", "add", "colleague", "-r", str(colleague.to_public()))
    assert code == 0, err
    githelp.commit(firm.root, "加入同事")
    old_keys = vault.open_vault(firm.root, who.IdentitySource([colleague], "t")).identities

    code, out, err = run_cli(capsys, "member", "remove", "colleague", "--yes")
    assert code == 0, err
    clients = len(list(firm.root.glob("records/clients/*/client.yaml.age")))
    assert "colleague" in out and "加入（提交" in out and "王芳" in out
    assert f"共 1 个提交、涉及 {clients} 位客户" in out  # the whole firm as first committed
    assert "撤销此人的仓库权限" in out and "docs/privacy.md" in out
    # The removed member opens nothing now, not even with the record key they used to have.
    with pytest.raises(BaodanError, match="不是本公司成员"):
        vault.open_vault(firm.root, who.IdentitySource([colleague], "t"))
    for path in members.record_files(firm.root):
        with pytest.raises(pyrage.DecryptError):
            pyrage.decrypt(path.read_bytes(), old_keys)

    githelp.commit(firm.root, "移除同事")
    code, out, err = run_cli(capsys, "diff", "HEAD~1..HEAD")
    assert code == 0, err
    assert f"仅重新加密 {len(members.encrypted_files(firm.root))}" in out  # documents too
    code, out, _ = run_cli(capsys, "diff", "--public", "HEAD~1..HEAD")
    assert "移除 colleague" in out
