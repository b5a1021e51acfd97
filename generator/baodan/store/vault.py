"""The firm's record key (envelope) and age encryption of records with it.

Every record is an armored age file to one recipient, the firm's *record key*. The record
key's secret is stored once per member in ``records/.keys/<member>.age``, encrypted to that
member's own age or SSH public key (as git-crypt and SOPS do); ``members`` manages those files.
Only the store package imports this module (tests/test_layers.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyrage
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pyrage import x25519

from baodan.core.errors import BaodanError, Problem
from baodan.core.files import is_age
from baodan.core.layout import KEYS_DIR, ROTATION_MARKER
from baodan.store import age_x25519
from baodan.store.identity import IdentitySource, parse_identities


def encrypt(plaintext: bytes, recipients: list, armored: bool = True) -> bytes:
    """Records are armored (text git can diff and merge); attached documents are binary
    (armor would add a third to a scanned policy)."""
    return pyrage.encrypt(plaintext, recipients, armored=armored)


def key_tag(identity, purpose: str) -> bytes:
    """32 bytes derived from a record key's secret for ``purpose``, a fixed label with its
    version such as "members.yaml authenticator v1" (HKDF-SHA256): only those who hold the
    key can make or check them, and they say nothing about the key itself (not even its
    public half, to which anyone could encrypt forged records)."""
    info = f"baodan {purpose}".encode()
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=info).derive(str(identity).encode())


def marker_text(identity) -> str:
    """What the rotation marker holds: which record key the rotation moves to, as a tag."""
    return key_tag(identity, "rotation marker v1").hex()


@lru_cache(maxsize=8)
def _fast_keys(identities: tuple[str, ...]) -> list[age_x25519.X25519Key]:
    return age_x25519.keys_for(
        [x25519.Identity.from_str(i) for i in identities if i.startswith("AGE-SECRET-KEY-")]
    )


def decrypt(ciphertext: bytes, identities: list, limit: int | None = None) -> bytes:
    """Decrypt or raise ValueError with a Chinese reason (too big, not age, wrong key, damaged).
    ``limit``: the largest file accepted (MAX_CIPHERTEXT, a record's, unless said).

    age_x25519 checks every file's armor and header as strictly as age does and decrypts to
    X25519 identities (record keys, most members' keys) with OpenSSL's X25519, about 3x
    faster than pyrage's, which is most of loading a firm. pyrage decrypts only to SSH
    identities, and only files age_x25519 has checked: it lets some malformed headers pass."""
    limit = MAX_CIPHERTEXT if limit is None else limit
    if len(ciphertext) > limit:
        raise Problem(
            f"加密文件太大（{len(ciphertext) // 1024} KB，上限 {limit // 1024} KB），"
            "不像一份记录，没有解密",
            "请从 git 恢复上一次提交的版本：git checkout -- 这个文件",
        )
    if not is_age(ciphertext):
        raise Problem("文件不是 age 加密文件", "这个位置只能放加密记录；请用 baodan edit/new 生成")
    try:
        try:
            return age_x25519.decrypt(ciphertext, _fast_keys(tuple(map(str, identities))))
        except age_x25519.AgeError as e:
            others = [i for i in identities if not isinstance(i, x25519.Identity)]
            if e.kind != "no match" or not others:
                raise
        return decrypt_with_pyrage(ciphertext, others)
    except age_x25519.AgeError as e:
        raise Problem(*_REFUSALS.get(e.kind, DAMAGED)) from e


DAMAGED = (
    "文件已损坏或被截断，无法解密",
    "请从 git 恢复上一次提交的版本：git checkout -- 这个文件",
)
NOT_OURS = (
    "文件加密给了另一把密钥，本公司的记录密钥打不开",
    "若它是在移除成员（换钥）之前开的分支上保存的：rebase 到最新的 main 后运行 "
    "baodan reencrypt 这个文件；否则向加密它的同事确认，来历不明的不要合并",
)
_REFUSALS = {
    "no match": NOT_OURS,
    "unsupported": (
        "文件是用口令加密的，baodan 只用密钥，不用口令",
        "这个位置只能放加密记录；请用 baodan edit/new 生成",
    ),
}
# The largest armored age file a record may be (a record is at most 256 KB; armor adds a third).
MAX_CIPHERTEXT = 512 * 1024


def decrypt_with_pyrage(ciphertext: bytes, identities: list) -> bytes:
    """pyrage's decryption of a file whose armor and header age_x25519 has checked."""
    try:
        return pyrage.decrypt(age_x25519.binary(ciphertext), identities)
    except pyrage.DecryptError as e:
        text = str(e).lower()
        if "no matching keys" in text or "no identity matched" in text:
            raise age_x25519.AgeError("no match", text) from e
        raise age_x25519.AgeError("payload", text) from e  # pyrage's words say no more


@dataclass
class Vault:
    """The firm's record key, opened with one member's identity."""

    root: Path
    identities: list  # record key(s); during a rotation both the new and the old
    member: str
    current: object = field(default=None)  # the identity records are encrypted to now
    rotating: bool = False  # a rotation to ``current`` was started and not finished

    @property
    def keys_dir(self) -> Path:
        return self.root / KEYS_DIR

    def recipient(self):
        return self.current.to_public()

    def encrypt(self, plaintext: bytes, armored: bool = True) -> bytes:
        return encrypt(plaintext, [self.recipient()], armored)

    def decrypt(self, ciphertext: bytes, limit: int | None = None) -> bytes:
        return decrypt(ciphertext, self.identities, limit)

    def opens_now(self, ciphertext: bytes) -> bool:
        """Whether the current record key alone opens this file."""
        try:
            decrypt(ciphertext, [self.current])
        except ValueError:
            return False
        return True


def open_vault(root: Path, source: IdentitySource) -> Vault:
    """Find the member key file this identity opens and read the record key from it."""
    keys = root / KEYS_DIR
    files = sorted(keys.glob("*.age")) if keys.is_dir() else []
    if not files:
        raise BaodanError(
            f"{KEYS_DIR}/ 里没有成员密钥文件", "这不是 baodan 公司目录？新公司请运行 baodan init"
        )
    damaged = []  # files no key can open: one of them may be this member's
    for path in files:
        try:
            text = decrypt(path.read_bytes(), source.identities).decode()
        except ValueError as e:  # not theirs, damaged, or not text (UnicodeDecodeError)
            if Problem.of(e).message != NOT_OURS[0]:
                damaged.append(path.relative_to(root).as_posix())
            continue
        record_ids = parse_identities(text, str(path))
        pending = _pending_identity(root, record_ids)
        return Vault(root, record_ids, path.stem, pending or record_ids[0], pending is not None)
    if damaged:
        raise BaodanError(
            f"你的密钥（{source.origin}）打不开 {KEYS_DIR}/ 中的成员密钥文件，"
            f"而其中 {len(damaged)} 个文件已损坏、被截断或不是 age 加密文件："
            + "、".join(damaged)
            + "。你的那一份可能就在其中",
            "从 git 恢复这些文件：git checkout -- 文件名（或 git log 找到完好的版本）；"
            "恢复不了的，请其他成员运行 baodan member add 重新加入你",
        )
    raise BaodanError(
        f"你的密钥（{source.origin}）不是本公司成员的密钥，打不开 {KEYS_DIR}/ 中任何一个文件",
        "请把你的公钥（age1… 或 ssh-…）发给已有成员，由他运行 baodan member add 把你加入",
    )


def _pending_identity(root: Path, record_ids: list):
    """The record key an unfinished rotation moves to, when this key file already holds it."""
    marker = root / KEYS_DIR / ROTATION_MARKER
    if marker.is_file():
        wanted = marker.read_text().strip()
        for ident in record_ids:
            if marker_text(ident) == wanted:
                return ident
    return None


def record_keys_in(key_files: list[bytes], identities: list) -> list:
    """The record keys in those member key files (any version) that ``identities`` open."""
    found = {}
    for data in key_files:
        try:
            text = decrypt(data, identities).decode()
        except ValueError:  # not theirs, damaged, or not text (UnicodeDecodeError)
            continue
        for ident in parse_identities(text, KEYS_DIR):
            found.setdefault(str(ident.to_public()), ident)
    return list(found.values())
