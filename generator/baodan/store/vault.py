"""Keys and age encryption: identities, the firm's record key (envelope), members, rotation.

Every record is an armored age file to one recipient, the firm's *record key*. The record
key's secret is stored once per member in ``records/.keys/<member>.age``, encrypted to that
member's own age or SSH public key (as git-crypt and SOPS do). Only this module and
``records`` ever see keys or ciphertext.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import click
import pyrage
import yaml
from pyrage import ssh, x25519

from baodan.core import yamlio
from baodan.core.errors import BaodanError, RecordError, Source
from baodan.store import age_x25519

KEYS_DIR = "records/.keys"
MEMBERS_FILE = "members.yaml"
ROTATION_MARKER = "rotation-in-progress"
DEMO_IDENTITY_FILE = "DEMO-IDENTITY.txt"
ARMOR_BEGIN = b"-----BEGIN AGE ENCRYPTED FILE-----"
BINARY_BEGIN = b"age-encryption.org/v1"


def default_identity_path() -> Path:
    return Path(click.get_app_dir("baodan")) / "identity.txt"


def is_age(data: bytes) -> bool:
    head = data.lstrip()[:40]
    return head.startswith(ARMOR_BEGIN) or head.startswith(BINARY_BEGIN)


def parse_identities(text: str, origin: str) -> list:
    """Identities from an identity file's text: age X25519 lines (``#`` comments) or one SSH key."""
    if "PRIVATE KEY-----" in text:
        if "ENCRYPTED" in text or "bcrypt" in text and "aes256" in text:
            raise BaodanError(
                f"{origin} 是有密码保护的 SSH 私钥，baodan 无法直接使用",
                "请用未加密的 age 身份：运行 age-keygen -o 文件 生成一个，再请同事把你加为成员",
            )
        try:
            return [ssh.Identity.from_buffer(text.encode())]
        except Exception as e:
            raise BaodanError(
                f"{origin} 不是可用的 SSH 私钥（{e}）", "请检查文件内容是否完整"
            ) from e
    found = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            found.append(x25519.Identity.from_str(line))
        except Exception as e:
            raise BaodanError(
                RecordError(
                    Source(origin, n),
                    "",
                    "这一行不是 age 私钥（应以 AGE-SECRET-KEY-1 开头）",
                    "身份文件每行一个私钥，# 开头的是注释",
                )
            ) from e
    if not found:
        raise BaodanError(
            f"{origin} 里没有私钥", "身份文件应含一行 AGE-SECRET-KEY-1…，或一个 SSH 私钥"
        )
    return found


def parse_recipient(text: str):
    """A public key: ``age1…`` or an SSH ``ssh-ed25519``/``ssh-rsa`` line."""
    text = text.strip()
    try:
        if text.startswith("age1"):
            return x25519.Recipient.from_str(text)
        if text.startswith(("ssh-ed25519 ", "ssh-rsa ")):
            return ssh.Recipient.from_str(text)
    except Exception as e:
        raise BaodanError(f"公钥无法解析：{text[:40]}…（{e}）", "请复制完整的一行公钥") from e
    raise BaodanError(
        f"不认识的公钥格式：{text[:40]}",
        "只支持 age 公钥（age1…）或 SSH 公钥（ssh-ed25519 … / ssh-rsa …）",
    )


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


@dataclass
class IdentitySource:
    identities: list
    origin: str
    is_demo: bool = False


def find_identity(root: Path, explicit: Path | None = None) -> IdentitySource:
    """The user's identity: --identity, then $BAODAN_IDENTITY, $BAODAN_IDENTITY_KEY, the default
    file, and last the committed demo identity (which callers must warn about)."""
    if explicit is not None:
        text = Path(click.format_filename(explicit)).read_text() if str(explicit) != "-" else None
        if text is None:
            text = click.get_text_stream("stdin").read()
        return IdentitySource(parse_identities(text, str(explicit)), str(explicit))
    if env_file := os.environ.get("BAODAN_IDENTITY"):
        path = Path(env_file)
        if not path.is_file():
            raise BaodanError(f"环境变量 BAODAN_IDENTITY 指向的文件不存在：{path}", "请检查路径")
        return IdentitySource(parse_identities(path.read_text(), str(path)), str(path))
    if env_key := os.environ.get("BAODAN_IDENTITY_KEY"):
        return IdentitySource(
            parse_identities(env_key, "$BAODAN_IDENTITY_KEY"), "$BAODAN_IDENTITY_KEY"
        )
    default = default_identity_path()
    if default.is_file():
        return IdentitySource(parse_identities(default.read_text(), str(default)), str(default))
    demo = root / DEMO_IDENTITY_FILE
    if demo.is_file():
        return IdentitySource(
            parse_identities(demo.read_text(), str(demo)), DEMO_IDENTITY_FILE, True
        )
    raise BaodanError(
        "找不到你的密钥（age 身份）",
        f"用 --identity 文件 指定；或设置 BAODAN_IDENTITY（文件路径）/ BAODAN_IDENTITY_KEY（密钥本身）；"
        f"或把密钥放在 {default}",
    )


def write_atomic(path: Path, data: bytes, mode: int | None = None) -> None:
    """Replace a file in one step, so an interrupted write never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, mode if mode is not None else 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def encrypt(plaintext: bytes, recipients: list) -> bytes:
    return pyrage.encrypt(plaintext, recipients, armored=True)


@lru_cache(maxsize=8)
def _fast_keys(identities: tuple[str, ...]) -> list[age_x25519.X25519Key]:
    return age_x25519.keys_for(
        [x25519.Identity.from_str(i) for i in identities if i.startswith("AGE-SECRET-KEY-")]
    )


def decrypt(ciphertext: bytes, identities: list) -> bytes:
    """Decrypt or raise ValueError with a Chinese reason (too big, not age, wrong key, damaged).

    age_x25519 checks every file's armor and header as strictly as age does and decrypts to
    X25519 identities (record keys, most members' keys) with OpenSSL's X25519, about 3x
    faster than pyrage's, which is most of loading a firm. pyrage decrypts only to SSH
    identities, and only files age_x25519 has checked: it lets some malformed headers pass."""
    if len(ciphertext) > MAX_CIPHERTEXT:
        raise ValueError(
            f"加密文件太大（{len(ciphertext) // 1024} KB，上限 {MAX_CIPHERTEXT // 1024} KB），"
            "不像一份记录，没有解密|请从 git 恢复上一次提交的版本：git checkout -- 这个文件"
        )
    if not is_age(ciphertext):
        raise ValueError("文件不是 age 加密文件|这个位置只能放加密记录；请用 baodan edit/new 生成")
    others = [i for i in identities if not isinstance(i, x25519.Identity)]
    try:
        try:
            return age_x25519.decrypt(ciphertext, _fast_keys(tuple(map(str, identities))))
        except age_x25519.AgeError as e:
            if e.kind != "no match" or not others:
                raise
        return decrypt_with_pyrage(ciphertext, others)
    except age_x25519.AgeError as e:
        raise ValueError(_REFUSALS.get(e.kind, DAMAGED)) from e


DAMAGED = "文件已损坏或被截断，无法解密|请从 git 恢复上一次提交的版本：git checkout -- 这个文件"
_REFUSALS = {
    "no match": "文件加密给了另一把密钥，本公司的记录密钥打不开|"
    "请用 baodan edit 重新保存它，或向加密它的同事确认",
    "unsupported": "文件是用口令加密的，baodan 只用密钥，不用口令|"
    "这个位置只能放加密记录；请用 baodan edit/new 生成",
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

    @property
    def keys_dir(self) -> Path:
        return self.root / KEYS_DIR

    def recipient(self):
        return self.current.to_public()

    def encrypt(self, plaintext: bytes) -> bytes:
        return encrypt(plaintext, [self.recipient()])

    def decrypt(self, ciphertext: bytes) -> bytes:
        return decrypt(ciphertext, self.identities)


def read_members(root: Path) -> dict[str, str | list[str]]:
    path = root / KEYS_DIR / MEMBERS_FILE
    if not path.is_file():
        return {}
    try:  # yamlio: no anchors, no bombs, the size limit of a record
        data = yamlio.load(path.read_bytes())
    except yamlio.YamlError as e:
        raise BaodanError(
            RecordError(Source(f"{KEYS_DIR}/{MEMBERS_FILE}", e.line), "", str(e), e.hint)
        ) from None
    return dict(data or {})


def write_members(root: Path, members: dict[str, str | list[str]]) -> None:
    header = "# Firm members and their public keys; each has records/.keys/<member>.age\n"
    write_atomic(
        root / KEYS_DIR / MEMBERS_FILE,
        (header + yaml.safe_dump(dict(sorted(members.items())), allow_unicode=True)).encode(),
    )


def _key_file_text(identities: list) -> bytes:
    return ("".join(f"{i}\n" for i in identities)).encode()


def open_vault(root: Path, source: IdentitySource) -> Vault:
    """Find the member key file this identity opens and read the record key from it."""
    keys = root / KEYS_DIR
    files = sorted(keys.glob("*.age")) if keys.is_dir() else []
    if not files:
        raise BaodanError(
            f"{KEYS_DIR}/ 里没有成员密钥文件", "这不是 baodan 公司目录？新公司请运行 baodan init"
        )
    for path in files:
        try:
            text = decrypt(path.read_bytes(), source.identities).decode()
        except ValueError:
            continue
        record_ids = parse_identities(text, str(path))
        current = _current_identity(root, record_ids)
        return Vault(root, record_ids, path.stem, current)
    raise BaodanError(
        f"你的密钥（{source.origin}）不是本公司成员的密钥，打不开 {KEYS_DIR}/ 中任何一个文件",
        "请把你的公钥（age1… 或 ssh-…）发给已有成员，由他运行 baodan member add 把你加入",
    )


def _current_identity(root: Path, record_ids: list):
    marker = root / KEYS_DIR / ROTATION_MARKER
    if marker.is_file():
        wanted = marker.read_text().strip()
        for ident in record_ids:
            if str(ident.to_public()) == wanted:
                return ident
    return record_ids[0]


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


def init_keys(root: Path, member: str, recipient: str) -> None:
    """A new record key, given to the first member."""
    record_key = x25519.Identity.generate()
    write_atomic(
        root / KEYS_DIR / f"{member}.age",
        encrypt(_key_file_text([record_key]), [parse_recipient(recipient)]),
    )
    write_members(root, {member: recipient.strip()})


def member_add(vault: Vault, member: str, recipient: str | list[str]) -> Path:
    """Give a new member the record key, encrypted to their public key (or each of their keys)."""
    members = read_members(vault.root)
    if member in members:
        raise BaodanError(f"成员 {member} 已存在", "换一个编号，或先 baodan member remove")
    keys = [recipient.strip()] if isinstance(recipient, str) else [r.strip() for r in recipient]
    path = vault.keys_dir / f"{member}.age"
    write_atomic(path, encrypt(_key_file_text(vault.identities), member_recipients(keys)))
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
            keys_dir / f"{m}.age", encrypt(_key_file_text(record_keys), member_recipients(rcpt))
        )


def new_identity_file(path: Path) -> str:
    """Write a fresh age identity (0600) and return its public key."""
    ident = x25519.Identity.generate()
    public = str(ident.to_public())
    text = f"# baodan identity, created by baodan init\n# public key: {public}\n{ident}\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text.encode(), mode=0o600)
    return public


def public_key_of(source: IdentitySource) -> str | None:
    ident = source.identities[0]
    return str(ident.to_public()) if isinstance(ident, x25519.Identity) else None
