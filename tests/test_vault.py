"""Keys and encryption: the envelope scheme, members, rotation, interop with the age CLI."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pyrage
import pytest
from baodan.core import files, layout
from baodan.core.errors import BaodanError
from baodan.store import identity as who
from baodan.store import members, vault
from cryptography.hazmat.primitives.asymmetric import ed25519
from pyrage import x25519

from .helpers import require_tool, ssh_key_pair


def _firm(tmp_path: Path, records: int = 5):
    me = x25519.Identity.generate()
    members.init_keys(tmp_path, "me", str(me.to_public()))
    v = vault.open_vault(tmp_path, who.IdentitySource([me], "test"))
    for n in range(records):
        path = tmp_path / f"records/clients/c-{n:08x}/client.yaml.age"
        path.parent.mkdir(parents=True)
        path.write_bytes(v.encrypt(f"id: c-{n:08x}\n".encode()))
    return me, v


def _can_read_all(root: Path, identity) -> bool:
    v = vault.open_vault(root, who.IdentitySource([identity], "test"))
    return all(v.decrypt(p.read_bytes()) for p in members.record_files(root))


def test_member_added_can_read_and_removed_member_cannot_read_new_files(tmp_path):
    me, v = _firm(tmp_path)
    colleague = x25519.Identity.generate()
    members.member_add(v, "colleague", str(colleague.to_public()))
    assert _can_read_all(tmp_path, colleague)

    assert members.member_remove(v, "colleague") == 5
    assert _can_read_all(tmp_path, me)
    assert not (tmp_path / "records/.keys/colleague.age").exists()
    with pytest.raises(BaodanError, match="不是本公司成员"):
        vault.open_vault(tmp_path, who.IdentitySource([colleague], "test"))
    # Even with the old record key (which the removed member had), new files stay closed.
    for path in members.record_files(tmp_path):
        with pytest.raises(pyrage.DecryptError):
            pyrage.decrypt(path.read_bytes(), v.identities)


def test_interrupted_rotation_leaves_every_record_readable_and_rerun_finishes(
    tmp_path, monkeypatch
):
    me, v = _firm(tmp_path)
    other = x25519.Identity.generate()
    members.member_add(v, "other", str(other.to_public()))
    removed = x25519.Identity.generate()
    members.member_add(v, "removed", str(removed.to_public()))
    real_write = files.write_atomic
    crash_points = 0
    while True:  # crash at the first write, then the second, … until a run completes
        calls = 0

        def crashing_write(*args, limit=crash_points, **kwargs):
            nonlocal calls
            calls += 1
            if calls > limit:
                raise KeyboardInterrupt("killed")
            return real_write(*args, **kwargs)

        monkeypatch.setattr(members, "write_atomic", crashing_write)
        try:
            members.member_remove(
                vault.open_vault(tmp_path, who.IdentitySource([me], "t")), "removed"
            )
            finished = True
        except KeyboardInterrupt:
            finished = False
        monkeypatch.setattr(members, "write_atomic", real_write)
        assert _can_read_all(tmp_path, me) and _can_read_all(tmp_path, other)
        if finished:
            break
        # Run again as the user would: it must finish the job.
        members.member_remove(vault.open_vault(tmp_path, who.IdentitySource([me], "t")), "removed")
        assert not (tmp_path / layout.KEYS_DIR / layout.ROTATION_MARKER).exists()
        assert _can_read_all(tmp_path, me) and _can_read_all(tmp_path, other)
        with pytest.raises(BaodanError):
            vault.open_vault(tmp_path, who.IdentitySource([removed], "t"))
        # Put the removed member back for the next crash point.
        members.member_add(
            vault.open_vault(tmp_path, who.IdentitySource([me], "t")),
            "removed",
            str(removed.to_public()),
        )
        crash_points += 1
    assert crash_points > 5  # the loop really crashed at many points


def test_ssh_ed25519_identity_opens_the_firm(tmp_path):
    private, public = ssh_key_pair(ed25519.Ed25519PrivateKey.generate())
    me, v = _firm(tmp_path)
    members.member_add(v, "ssh-user", public + " user@host")
    ssh_ids = who.parse_identities(private, "id_ed25519")
    assert _can_read_all(tmp_path, ssh_ids[0])


def test_reference_age_cli_reads_ours_and_we_read_its(tmp_path):
    age = require_tool("age")
    ident = x25519.Identity.generate()
    key_file = tmp_path / "key.txt"
    key_file.write_text(f"{ident}\n")
    ours = vault.encrypt(b"policy: ours\n", [ident.to_public()])
    (tmp_path / "ours.age").write_bytes(ours)
    result = subprocess.run(
        [age, "-d", "-i", str(key_file), str(tmp_path / "ours.age")],
        capture_output=True,
        check=True,
    )
    assert result.stdout == b"policy: ours\n"
    theirs = subprocess.run(
        [age, "-a", "-r", str(ident.to_public())],
        input=b"policy: theirs\n",
        capture_output=True,
        check=True,
    ).stdout
    assert vault.decrypt(theirs, [ident]) == b"policy: theirs\n"


def test_truncated_and_foreign_files_give_chinese_reasons(tmp_path):
    ident = x25519.Identity.generate()
    data = vault.encrypt(b"x: 1\n", [ident.to_public()])
    with pytest.raises(ValueError, match="损坏或被截断"):
        vault.decrypt(data[: len(data) // 2], [ident])
    with pytest.raises(ValueError, match="另一把密钥"):
        vault.decrypt(data, [x25519.Identity.generate()])
    with pytest.raises(ValueError, match="不是 age 加密文件"):
        vault.decrypt(b"name: plain\n", [ident])


def test_identity_lookup_order(tmp_path, monkeypatch):
    a, b, c = (x25519.Identity.generate() for _ in range(3))
    file_a = tmp_path / "a.txt"
    file_a.write_text(f"{a}\n")
    file_b = tmp_path / "b.txt"
    file_b.write_text(f"{b}\n")
    monkeypatch.setenv("BAODAN_IDENTITY", str(file_b))
    monkeypatch.setenv("BAODAN_IDENTITY_KEY", str(c))
    assert str(who.find_identity(tmp_path, file_a).identities[0]) == str(a)
    assert str(who.find_identity(tmp_path).identities[0]) == str(b)
    monkeypatch.delenv("BAODAN_IDENTITY")
    assert str(who.find_identity(tmp_path).identities[0]) == str(c)
    monkeypatch.delenv("BAODAN_IDENTITY_KEY")
    monkeypatch.setattr(who, "default_identity_path", lambda: tmp_path / "none.txt")
    with pytest.raises(BaodanError, match="找不到你的密钥"):
        who.find_identity(tmp_path)
    (tmp_path / layout.DEMO_IDENTITY_FILE).write_text(f"# DEMO\n{a}\n")
    assert who.find_identity(tmp_path).is_demo


def test_reference_age_cli_reads_the_committed_demo_with_the_demo_identity(tmp_path):
    from .conftest import REPO

    age = require_tool("age")
    demo_key = REPO / layout.DEMO_IDENTITY_FILE
    record_key = subprocess.run(
        [age, "-d", "-i", str(demo_key), str(REPO / layout.KEYS_DIR / "demo.age")],
        capture_output=True,
        check=True,
    ).stdout
    key_file = tmp_path / "record-key.txt"
    key_file.write_bytes(record_key)
    client = min((REPO / "records/clients").glob("*/client.yaml.age"))
    plain = subprocess.run(
        [age, "-d", "-i", str(key_file), str(client)], capture_output=True, check=True
    )
    assert b"kind:" in plain.stdout and b"consent:" in plain.stdout


def test_a_damaged_member_key_file_is_named_not_taken_for_a_stranger(tmp_path):
    """A member whose key file was truncated (a bad merge, a half-synced folder) is told which
    file is damaged and how to restore it, not that they are no member of the firm."""
    me, _ = _firm(tmp_path, records=1)
    key_file = tmp_path / layout.KEYS_DIR / "me.age"
    whole = key_file.read_bytes()
    for damaged in (whole[: len(whole) // 2], b"not age at all\n"):
        key_file.write_bytes(damaged)
        with pytest.raises(BaodanError) as caught:
            vault.open_vault(tmp_path, who.IdentitySource([me], "test"))
        message = str(caught.value)
        assert f"{layout.KEYS_DIR}/me.age" in message and "已损坏" in message
        assert "git checkout --" in message and "不是本公司成员" not in message
    key_file.write_bytes(whole)  # a stranger beside an intact firm: not a member
    with pytest.raises(BaodanError, match="不是本公司成员的密钥"):
        vault.open_vault(tmp_path, who.IdentitySource([x25519.Identity.generate()], "test"))
    assert _can_read_all(tmp_path, me)
