"""Firm members: who holds the record key (records/.keys/members.yaml and one key file each),
adding one, and removing one with a rotation of the record key.

Every member's key file holds the record key encrypted to that member's own public keys. Removing
a member makes a new record key, re-encrypts every record to it and gives it to the others.
"""

from __future__ import annotations

from pathlib import Path

import pyrage
import yaml
from pyrage import x25519

from baodan.core import yamlio
from baodan.core.errors import BaodanError, RecordError, Source, shown
from baodan.core.files import write_atomic
from baodan.core.layout import KEYS_DIR, MEMBERS_FILE, ROTATION_MARKER
from baodan.models.base import ID
from baodan.store.identity import parse_recipient
from baodan.store.vault import Vault, decrypt, encrypt
from baodan.store.workspace import ID_HINT, checked_id


def recipients_in_file(text: str, origin: str) -> tuple[list[str], list[str]]:
    """Usable public keys in a key list such as https://github.com/USER.keys (one per line):
    age, ssh-ed25519 and ssh-rsa keys; returns (usable, skipped) lines."""
    usable, skipped = [], []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        (usable if line.startswith(("age1", "ssh-ed25519 ", "ssh-rsa ")) else skipped).append(line)
    for line in usable:
        parse_recipient(line)
    if not usable:
        raise BaodanError(
            f"{origin} 里没有可用的公钥",
            "需要 age 公钥（age1…）或 ssh-ed25519 / ssh-rsa 公钥；"
            "ecdsa 和硬件密钥（sk-…）age 不支持，请对方另生成一个 ed25519 密钥",
        )
    return usable, skipped


def member_recipients(value: str | list[str]) -> list:
    """A member's public keys as members.yaml holds them: one key, or a list of keys."""
    return [parse_recipient(v) for v in ([value] if isinstance(value, str) else value)]


def read_members(root: Path) -> dict[str, str | list[str]]:
    path = root / KEYS_DIR / MEMBERS_FILE
    if not path.is_file():
        return {}
    try:  # yamlio: no anchors (no bombs), the size limit of a record
        data = yamlio.load(path.read_bytes())
    except yamlio.YamlError as e:
        raise BaodanError(
            RecordError(Source(f"{KEYS_DIR}/{MEMBERS_FILE}", e.line), "", str(e), e.hint)
        ) from None
    members = dict(data or {})
    for name in members:  # names become key file names: records/.keys/<member>.age
        if not isinstance(name, str) or not ID.fullmatch(name):
            raise BaodanError(
                RecordError(
                    Source(f"{KEYS_DIR}/{MEMBERS_FILE}"),
                    "",
                    f"“{shown(name)}”不是有效的成员编号",
                    ID_HINT,
                )
            )
    return members


def write_members(root: Path, members: dict[str, str | list[str]]) -> None:
    header = "# Firm members and their public keys; each has records/.keys/<member>.age\n"
    write_atomic(
        root / KEYS_DIR / MEMBERS_FILE,
        (header + yaml.safe_dump(dict(sorted(members.items())), allow_unicode=True)).encode(),
    )


def key_file_text(identities: list) -> bytes:
    return ("".join(f"{i}\n" for i in identities)).encode()


def init_keys(root: Path, member: str, recipient: str) -> None:
    """A new record key, given to the first member."""
    checked_id(member, "成员编号")
    record_key = x25519.Identity.generate()
    write_atomic(
        root / KEYS_DIR / f"{member}.age",
        encrypt(key_file_text([record_key]), [parse_recipient(recipient)]),
    )
    write_members(root, {member: recipient.strip()})


def member_add(vault: Vault, member: str, recipient: str | list[str]) -> Path:
    """Give a new member the record key, encrypted to their public key (or each of their keys)."""
    checked_id(member, "成员编号")
    members = read_members(vault.root)
    if member in members:
        raise BaodanError(f"成员 {member} 已存在", "换一个编号，或先 baodan member remove")
    keys = [recipient.strip()] if isinstance(recipient, str) else [r.strip() for r in recipient]
    path = vault.keys_dir / f"{member}.age"
    write_atomic(path, encrypt(key_file_text(vault.identities), member_recipients(keys)))
    members[member] = keys[0] if len(keys) == 1 else keys
    write_members(vault.root, members)
    return path


def record_files(root: Path) -> list[Path]:
    return sorted((root / "records" / "clients").rglob("*.yaml.age"))


def member_remove(vault: Vault, member: str, progress=None) -> int:
    """Remove a member and rotate the record key; returns how many records were re-encrypted.

    Restartable: every key file holds the new *and* the old record key until each record
    is re-encrypted, so a kill at any point leaves every record readable; the marker file
    names the new key, and running the command again finishes the job.
    """
    checked_id(member, "成员编号")
    root = vault.root
    members = read_members(root)
    marker = vault.keys_dir / ROTATION_MARKER
    if not marker.is_file():
        if member not in members:
            raise BaodanError(f"没有成员 {member}", "运行 baodan member list 查看成员")
        if len(members) == 1:
            raise BaodanError("不能移除最后一个成员", "先用 baodan member add 加入另一位成员")
    pending = marker.is_file() and str(vault.current.to_public()) == marker.read_text().strip()
    # Without a usable pending key no record has been re-encrypted yet: start afresh.
    new_key = vault.current if pending else x25519.Identity.generate()
    if not pending:
        write_atomic(marker, f"{new_key.to_public()}\n".encode())
    new_public = str(new_key.to_public())
    old = [i for i in vault.identities if str(i.to_public()) != new_public]
    members.pop(member, None)
    _write_key_files(vault.keys_dir, members, [new_key, *old])
    write_members(root, members)
    (vault.keys_dir / f"{member}.age").unlink(missing_ok=True)
    changed = 0
    for path in record_files(root):
        data = path.read_bytes()
        try:
            pyrage.decrypt(data, [new_key])
        except pyrage.DecryptError:
            write_atomic(path, encrypt(decrypt(data, old), [new_key.to_public()]))
            changed += 1
        if progress:
            progress(path)
    _write_key_files(vault.keys_dir, members, [new_key])
    marker.unlink()
    return changed


def _write_key_files(keys_dir: Path, members: dict, record_keys: list) -> None:
    for m, rcpt in members.items():
        write_atomic(
            keys_dir / f"{m}.age", encrypt(key_file_text(record_keys), member_recipients(rcpt))
        )
