"""The firm's recovery member: an age identity printed on a one-page emergency kit and kept in
the firm's safe (as 1Password's Emergency Kit and Bitwarden's recovery code are), so that
losing every member's key loses no record. It is an ordinary members.yaml entry marked
``recovery: true``, and every rotation gives it the new record key like any member.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pyrage import x25519

from baodan.core.errors import BaodanError
from baodan.store.documents import MAX_CONTENT_CIPHERTEXT
from baodan.store.identity import IdentitySource
from baodan.store.members import (
    RECOVERY,
    Member,
    encrypted_files,
    member_add,
    read_members,
    rotate,
)
from baodan.store.vault import Vault, decrypt, open_vault

# A typed or scanned kit: the key line, wherever spaces and line breaks fell (bech32 upper case).
KIT_KEY = re.compile(r"AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}")


def new_identity() -> x25519.Identity:
    return x25519.Identity.generate()


def kit_identity(text: str) -> x25519.Identity:
    """The identity on a kit, from what was typed or scanned: spaces, line breaks, lower case
    and the lines around it do not matter."""
    found = KIT_KEY.search(re.sub(r"\s+", "", text).upper())
    if not found:
        raise BaodanError(
            "没有找到应急恢复密钥（以 AGE-SECRET-KEY-1 开头的一行）",
            "照应急包逐字输入密钥，空格和换行可以不管；或用手机扫描二维码，把扫出的文字粘贴进来",
        )
    try:
        return x25519.Identity.from_str(found[0])
    except Exception:
        raise BaodanError(
            "密钥里有抄错的字符（校验不通过）",
            "逐字核对：容易混的是 0 和 Q、8 和 B（密钥里没有 B、I、O）；或改用扫描二维码",
        ) from None


def recovery_members(root: Path) -> list[str]:
    return [n for n, m in read_members(root).items() if m.recovery]


def set_recovery(vault: Vault, public_key: str, progress=None) -> int | None:
    """Make ``public_key`` the firm's recovery member. A firm without one simply gets it
    (None); an old kit is replaced with a rotation (a lost kit may be found by someone), and
    the number of records re-encrypted is returned. The caller has shown the new kit first."""
    members = read_members(vault.root)
    if not any(m.recovery for m in members.values()):
        member_add(vault, RECOVERY, public_key, recovery=True)
        return None
    after = {n: m for n, m in members.items() if not m.recovery}
    after[RECOVERY] = Member((public_key.strip(),), recovery=True)
    return rotate(vault, after, progress, vouched=(RECOVERY,), reason="更换应急恢复密钥")


@dataclass
class KitCheck:
    member: str  # the key file the kit opened
    is_recovery: bool
    records: int  # every record it decrypted
    matches_yours: bool | None  # the same record key as the member checking (None: not known)


def check_kit(root: Path, identity: x25519.Identity, yours: Vault | None = None) -> KitCheck:
    """Prove that a kit opens today's record key: a key file opens with it, and the record
    key in it decrypts every record (and is the checking member's own, when known)."""
    try:
        kit = open_vault(root, IdentitySource([identity], "应急包"))
    except BaodanError:
        raise BaodanError(
            "这份应急包打不开本公司的任何一个密钥文件：它已被换下（运行过 baodan recovery new），"
            "或者抄错了",
            "核对抄写的密钥；确认是最新的一份应急包。找不到有效的应急包时，"
            "请现有成员运行 baodan recovery new 换一份新的",
        ) from None
    unreadable = []
    files = encrypted_files(root)
    for path in files:
        try:
            decrypt(path.read_bytes(), kit.identities, MAX_CONTENT_CIPHERTEXT)
        except ValueError:
            unreadable.append(path.relative_to(root).as_posix())
    if unreadable:
        raise BaodanError(
            f"应急包能打开密钥文件 {kit.member}.age，但有 {len(unreadable)} 份记录用它解不开，"
            f"例如 {unreadable[0]}",
            "可能有换钥没有完成：请现有成员运行 baodan check 查看，再运行 baodan recovery new",
        )
    matches = None
    if yours is not None:
        matches = str(yours.current.to_public()) in {str(i.to_public()) for i in kit.identities}
    member = read_members(root).get(kit.member)
    return KitCheck(kit.member, bool(member and member.recovery), len(files), matches)
