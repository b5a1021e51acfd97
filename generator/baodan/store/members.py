"""Firm members: who holds the record key (records/.keys/members.yaml and one key file each),
adding one, and rotating the record key when one leaves.

Every member's key file holds the record key encrypted to that member's own public keys. Each
members.yaml entry carries an authenticator: HMAC-SHA256 over the member id, their sorted
public keys and the recovery flag, keyed by a key derived from the record key's secret
(``vault.key_tag``). Only `member add`, `recovery new` and a rotation write it, so a key that
anyone else puts in the file (a second key appended to a colleague's entry, an entry by someone
who can push a branch but holds no key) fails the check, shows in `diff --public` and is never
given a new record key. A member holds the record key and can make an authenticator: the
check stops outsiders and slips, not a member who means harm (docs/privacy.md).

Removing a member makes a new record key, re-encrypts every record to it and gives it to the
others (``rotate``); the old key's retirement is recorded in records/.keys/retired-keys.txt
as a tag only its holders can compute, so a branch still on the old key is refused.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import json
from dataclasses import dataclass
from pathlib import Path

import yaml
from pyrage import x25519

from baodan.core import yamlio
from baodan.core.errors import BaodanError, RecordError, Source, shown
from baodan.core.files import write_atomic
from baodan.core.layout import KEYS_DIR, MEMBERS_FILE, RETIRED_KEYS_FILE, ROTATION_MARKER
from baodan.core.today import today
from baodan.models.ids import GIVEN_NAME, ID_HINT, checked_id
from baodan.store import gitrepo
from baodan.store.age_x25519 import ARMOR_BEGIN, stanza_types
from baodan.store.documents import MAX_CONTENT_CIPHERTEXT, content_files
from baodan.store.identity import is_demo_recipient, parse_recipient
from baodan.store.vault import Vault, decrypt, encrypt, key_tag, marker_text

RECOVERY = "recovery"  # the recovery member's id: the emergency kit in the firm's safe
MEMBERS_PATH = f"{KEYS_DIR}/{MEMBERS_FILE}"
HEADER = """\
# Firm members: each has records/.keys/<member>.age, the record key encrypted to their keys.
# Change this file only with baodan member add/remove and baodan recovery new: "mac" is an
# authenticator only holders of the record key can make; a hand edit fails baodan check.
"""


@dataclass(frozen=True)
class Member:
    """One members.yaml entry: public keys (any one opens the key file), whether it is the
    recovery kit, and its authenticator (None in files older baodan wrote)."""

    keys: tuple[str, ...]
    recovery: bool = False
    mac: str | None = None

    def sealed(self, record_key, name: str) -> Member:
        return dataclasses.replace(self, mac=_mac(record_key, name, self))

    def sealed_by(self, record_key, name: str) -> bool:
        return self.mac is not None and hmac.compare_digest(self.mac, _mac(record_key, name, self))


def _mac(record_key, name: str, member: Member) -> str:
    message = json.dumps([name, sorted(member.keys), member.recovery], ensure_ascii=False)
    key = key_tag(record_key, "members.yaml authenticator v1")
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


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


def fingerprint(key: str) -> str:
    """A public key short enough to read aloud and compare: the ends of an age key, or the
    SHA256 fingerprint `ssh-keygen -l` and GitHub show for an SSH key."""
    if key.startswith("age1"):
        return f"{key[:9]}…{key[-6:]}"
    kind, _, rest = key.partition(" ")
    blob, _, comment = rest.strip().partition(" ")
    try:
        digest = base64.b64encode(hashlib.sha256(base64.b64decode(blob)).digest()).decode()
    except ValueError:
        return key[:40]
    return f"{kind} SHA256:{digest.rstrip('=')}" + (f"（{comment}）" if comment else "")


def read_members(root: Path) -> dict[str, Member]:
    path = root / MEMBERS_PATH
    return parse_members(path.read_bytes()) if path.is_file() else {}


def parse_members(text: bytes) -> dict[str, Member]:
    """members.yaml's entries (from disk, or from a version in git)."""
    try:  # yamlio: no anchors (no bombs), no more than a record's size
        data = yamlio.load(text) or {}
    except yamlio.YamlError as e:
        raise BaodanError(
            RecordError(Source(MEMBERS_PATH, e.line), "", f"成员名单{e}", e.hint)
        ) from None
    if not isinstance(data, dict):
        raise _bad_file("应是“成员编号: 公钥”的列表")
    for name in data:  # names become key files: records/.keys/<member>.age
        if not isinstance(name, str) or not GIVEN_NAME.fullmatch(name):
            raise _bad_file(f"里的“{shown(name)}”不是有效的成员编号（{ID_HINT}）")
    return {name: _entry(name, value) for name, value in data.items()}


def _entry(name: str, value) -> Member:
    if isinstance(value, str):  # written by baodan before entries had authenticators
        return Member((value.strip(),))
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return Member(tuple(v.strip() for v in value))
    if isinstance(value, dict):
        keys, mac = value.get("keys"), value.get("mac")
        if (
            isinstance(keys, list)
            and keys
            and all(isinstance(k, str) for k in keys)
            and isinstance(mac, str | None)
            and set(value) <= {"keys", "recovery", "mac"}
        ):
            return Member(tuple(k.strip() for k in keys), value.get("recovery") is True, mac)
    raise _bad_file("这一项的格式不对", name)


def _bad_file(message: str, field: str = "") -> BaodanError:
    return BaodanError(
        RecordError(
            Source(MEMBERS_PATH),
            field,
            f"成员名单{message}",
            "members.yaml 只能由 baodan member add/remove 修改；"
            f"用 git checkout main -- {MEMBERS_PATH} 恢复",
        )
    )


def write_members(root: Path, members: dict[str, Member]) -> None:
    entries = {
        name: {
            "keys": list(m.keys),
            **({"recovery": True} if m.recovery else {}),
            "mac": m.mac,
        }
        for name, m in sorted(members.items())
    }
    text = HEADER + yaml.safe_dump(entries, allow_unicode=True, sort_keys=False)
    write_atomic(root / MEMBERS_PATH, text.encode("utf-8"))


def key_file_text(identities: list) -> bytes:
    return ("".join(f"{i}\n" for i in identities)).encode()


def _write_key_file(keys_dir: Path, name: str, member: Member, record_keys: list) -> Path:
    path = keys_dir / f"{name}.age"
    recipients = [parse_recipient(k) for k in member.keys]
    write_atomic(path, encrypt(key_file_text(record_keys), recipients))
    return path


def init_keys(
    root: Path, member: str, recipient: str, recovery_recipient: str | None = None
) -> None:
    """A new record key, given to the first member (and the recovery kit, when there is one)."""
    checked_id(member, "成员编号")
    record_key = x25519.Identity.generate()
    founders = {member: Member((recipient.strip(),))}
    if recovery_recipient is not None:
        founders[RECOVERY] = Member((recovery_recipient.strip(),), recovery=True)
    for name, entry in founders.items():
        _write_key_file(root / KEYS_DIR, name, entry, [record_key])
    write_members(root, {n: m.sealed(record_key, n) for n, m in founders.items()})


def _refuse_demo_keys(keys: tuple[str, ...]) -> None:
    if any(is_demo_recipient(k) for k in keys):
        raise BaodanError(
            "这是演示密钥（DEMO-IDENTITY.txt）的公钥：它的私钥随 baodan 公开，谁都有",
            "真实公司的成员必须用自己的密钥：运行 age-keygen 生成一个，把 age1… 公钥发来",
        )


def member_add(
    vault: Vault, member: str, recipient: str | list[str], *, recovery: bool = False
) -> Path:
    """Give a new member the record key, encrypted to their public key (or each of their keys)."""
    checked_id(member, "成员编号")
    members = read_members(vault.root)
    if member in members:
        raise BaodanError(f"成员 {member} 已存在", "换一个编号，或先 baodan member remove")
    if member == RECOVERY and not recovery:
        raise BaodanError(
            f"成员编号 {RECOVERY} 留给应急恢复密钥", "换一个编号；应急包用 baodan recovery new"
        )
    entry = Member(
        tuple(k.strip() for k in ([recipient] if isinstance(recipient, str) else recipient)),
        recovery,
    )
    _refuse_demo_keys(entry.keys)
    path = _write_key_file(vault.keys_dir, member, entry, vault.identities)
    members[member] = entry.sealed(vault.current, member)
    write_members(vault.root, members)
    return path


def record_files(root: Path) -> list[Path]:
    return sorted((root / "records" / "clients").rglob("*.yaml.age"))


def is_armored(data: bytes) -> bool:
    return data.lstrip().startswith(ARMOR_BEGIN)


def encrypted_files(root: Path) -> list[Path]:
    """Everything under records/clients/ the record key opens: records and documents."""
    return record_files(root) + content_files(root)


# --- what can be accounted for -------------------------------------------------------------


def _authorities(vault: Vault) -> list:
    """The record keys whose authenticators count now: the current one; during an unfinished
    rotation also the old one, under which the rotation first wrote the new member list."""
    return vault.identities if vault.rotating else [vault.current]


def unaccounted(vault: Vault, members: dict[str, Member]) -> list[str]:
    """Members whose entry no holder of the record key wrote: never give them a key."""
    keys = _authorities(vault)
    return [n for n, m in members.items() if not any(m.sealed_by(k, n) for k in keys)]


def _refuse_unaccounted(vault: Vault, members: dict[str, Member]) -> None:
    names = unaccounted(vault, members)
    if names:
        raise BaodanError(
            RecordError(
                Source(MEMBERS_PATH),
                "、".join(names),
                f"成员名单里 {'、'.join(names)} 的公钥来历不明（不是 baodan member add 加入的）："
                "不会把新的记录密钥交给它们，没有做任何改动",
                "先运行 baodan check 看清是哪一项；被人改过就用 git 恢复 members.yaml "
                f"（git log -p {MEMBERS_PATH} 可查是谁改的）；" + _legacy_hint(members),
            )
        )


def _legacy_hint(members: dict[str, Member]) -> str:
    if all(m.mac is None for m in members.values()):
        return "名单是旧版 baodan 写的（都没有校验码）：逐个核对公钥后运行 baodan member trust"
    return "确认无误的成员可由现有成员核对后运行 baodan member trust 成员编号"


def trust(vault: Vault, names: list[str]) -> list[str]:
    """Write authenticators for entries a member has checked by eye (lists from an older
    baodan, which had none). Returns the names sealed."""
    members = read_members(vault.root)
    missing = [n for n in names if n not in members]
    if missing:
        raise BaodanError(f"没有成员 {'、'.join(missing)}", "运行 baodan member list 查看成员")
    for name in names:
        members[name] = members[name].sealed(vault.current, name)
    write_members(vault.root, members)
    return names


def membership_problems(root: Path, vault: Vault) -> list[RecordError]:
    """What `baodan check` says about records/.keys/: entries no member wrote, key files to
    more (or other) people than the list says, key files without an entry."""
    try:
        members = read_members(root)
    except BaodanError as e:
        return list(e.errors)
    keys_dir = root / KEYS_DIR
    files = {p.stem: p.read_bytes() for p in keys_dir.glob("*.age")} if keys_dir.is_dir() else {}
    return audit_members(members, files, _authorities(vault))


def audit_members(
    members: dict[str, Member], key_files: dict[str, bytes], record_keys: list
) -> list[RecordError]:
    """The membership check over one version of records/.keys/: the member list, the key
    files by member, and the record keys whose authenticators count."""
    problems = [
        RecordError(
            Source(MEMBERS_PATH),
            name,
            f"成员 {name} 的公钥"
            + ("没有校验码" if members[name].mac is None else "和校验码对不上（被手工改过）")
            + "：不是 baodan member add 加入的",
            "别合并这个改动：用 git checkout main -- records/.keys/ 恢复；"
            "若它的密钥文件也被改过，立即换钥（baodan member rotate）。" + _legacy_hint(members),
        )
        for name, member in members.items()
        if not any(member.sealed_by(k, name) for k in record_keys)
    ]
    for name, member in members.items():
        data = key_files.get(name)
        if data is None:
            problems.append(
                RecordError(
                    Source(f"{KEYS_DIR}/{name}.age"),
                    "",
                    f"成员 {name} 在名单里，却没有密钥文件",
                    f"用 git 恢复这个文件，或 baodan member remove {name} 后重新加入",
                )
            )
            continue
        types = stanza_types(data)
        if types is None or len(types) != len(member.keys):
            found = "读不出" if types is None else str(len(types))
            problems.append(
                RecordError(
                    Source(f"{KEYS_DIR}/{name}.age"),
                    "",
                    f"{name} 的密钥文件加密给了 {found} 个公钥，成员名单里他只有 "
                    f"{len(member.keys)} 个：名单之外的人可能拿到了记录密钥",
                    "立即换钥：baodan member rotate（只把新密钥交给名单上的成员）；"
                    f"再用 git log -p {KEYS_DIR}/{name}.age 查是谁改的",
                )
            )
    for name in sorted(set(key_files) - set(members)):
        problems.append(
            RecordError(
                Source(f"{KEYS_DIR}/{name}.age"),
                "",
                f"密钥文件 {name}.age 不属于名单上的任何成员：它的持有人拿到了记录密钥",
                "删掉这个文件并立即换钥（baodan member rotate）；成员只能用 baodan member add 加入",
            )
        )
    return problems


# --- rotation -------------------------------------------------------------------------------


def removal_plan(vault: Vault, member: str) -> dict[str, Member]:
    """The members who keep the record key after ``member`` leaves; refused when that would
    leave no one, or no recovery kit, or give the new key to an entry no member wrote."""
    checked_id(member, "成员编号")
    members = read_members(vault.root)
    if member not in members:
        raise BaodanError(f"没有成员 {member}", "运行 baodan member list 查看成员")
    if member == vault.member:
        raise BaodanError(
            f"不能移除你自己（{member}）：换钥后你就打不开记录了", "请另一位成员来移除你"
        )
    after = {n: m for n, m in members.items() if n != member}
    if not any(not m.recovery for m in after.values()):
        raise BaodanError("不能移除最后一位成员", "先用 baodan member add 加入另一位成员")
    if members[member].recovery and not any(m.recovery for m in after.values()):
        raise BaodanError(
            "不能移除应急恢复密钥而不换一个新的：丢了全部成员的密钥时，记录就再也打不开了",
            "要换新的应急包，运行 baodan recovery new（它会换下旧的）",
        )
    _refuse_unaccounted(vault, after)
    return after


def member_remove(vault: Vault, member: str, progress=None) -> int:
    """Remove a member and rotate the record key; returns how many records were re-encrypted.
    Run again after an interruption, it finishes the rotation it started."""
    checked_id(member, "成员编号")
    if vault.rotating:
        return finish_rotation(vault, progress)
    members = read_members(vault.root)
    if member not in members and (vault.keys_dir / f"{member}.age").is_file():
        after = members  # stopped after the new list was written: start the rotation again
    else:
        after = removal_plan(vault, member)
    return rotate(vault, after, progress, reason=f"移除 {member}")


def rotate(
    vault: Vault,
    after: dict[str, Member],
    progress=None,
    *,
    vouched: tuple[str, ...] = (),
    reason: str = "换钥",
) -> int:
    """A new record key for exactly the members ``after``, every record re-encrypted to it;
    returns how many records were re-encrypted. ``vouched`` are new entries the caller has
    just made (a new recovery kit); every other entry must carry a valid authenticator.

    Restartable: the new member list (sealed with the old key) is written first, then every
    key file gets the new *and* the old record key before any record changes, so a kill at
    any point leaves every record readable; the marker names the new key (as a tag, never
    its public half), and running the command again finishes the job.
    """
    _refuse_unaccounted(vault, {n: m for n, m in after.items() if n not in vouched})
    root, old = vault.root, list(vault.identities)
    _retire(root, old, reason)
    write_members(root, {n: m.sealed(vault.current, n) for n, m in after.items()})
    new_key = x25519.Identity.generate()
    write_atomic(vault.keys_dir / ROTATION_MARKER, f"{marker_text(new_key)}\n".encode())
    rotating = dataclasses.replace(
        vault, identities=[new_key, *old], current=new_key, rotating=True
    )
    return _finish(rotating, after, progress)


def finish_rotation(vault: Vault, progress=None) -> int:
    """Finish a rotation that was interrupted (``vault.rotating``)."""
    after = read_members(vault.root)
    _refuse_unaccounted(vault, after)
    return _finish(vault, after, progress)


def _finish(vault: Vault, after: dict[str, Member], progress) -> int:
    new_key = vault.current
    old = [i for i in vault.identities if i is not new_key]
    for name, member in after.items():
        _write_key_file(vault.keys_dir, name, member, [new_key, *old])
    write_members(vault.root, {n: m.sealed(new_key, n) for n, m in after.items()})
    for path in vault.keys_dir.glob("*.age"):
        if path.stem not in after:
            path.unlink()
    changed = 0
    for path in encrypted_files(vault.root):
        data = path.read_bytes()
        try:
            decrypt(data, [new_key], MAX_CONTENT_CIPHERTEXT)
        except ValueError:
            plain = decrypt(data, old, MAX_CONTENT_CIPHERTEXT)
            write_atomic(path, encrypt(plain, [new_key.to_public()], is_armored(data)))
            changed += 1
        if progress:
            progress(path)
    for name, member in after.items():
        _write_key_file(vault.keys_dir, name, member, [new_key])
    (vault.keys_dir / ROTATION_MARKER).unlink()
    return changed


# --- retired record keys ---------------------------------------------------------------------


def retirement_tag(identity) -> str:
    """Says "this record key is retired" to those who hold it, and nothing to anyone else."""
    return key_tag(identity, "retired record key v1")[:16].hex()


def _retire(root: Path, identities: list, reason: str) -> None:
    path = root / KEYS_DIR / RETIRED_KEYS_FILE
    text = path.read_text("utf-8") if path.is_file() else RETIRED_HEADER
    known = _tags_in(text)
    lines = [
        f"{tag}  {today().isoformat()}  {reason}\n"
        for tag in dict.fromkeys(retirement_tag(i) for i in identities)
        if tag not in known
    ]
    if lines:
        write_atomic(path, (text + "".join(lines)).encode("utf-8"))


RETIRED_HEADER = """\
# Record keys retired by a rotation (baodan member remove): one tag a line, which only those
# who held the key can recognise. A branch still encrypting to one of them is refused.
"""


def _tags_in(text: str) -> set[str]:
    return {
        line.split()[0] for line in text.splitlines() if line.strip() and not line.startswith("#")
    }


def retired_tags(root: Path, repo: Path | None = None) -> set[str]:
    """Retired record keys as the firm folder says, and as every branch of its repository
    says: a branch opened before a removal learns of it from main without being rebased."""
    path = root / KEYS_DIR / RETIRED_KEYS_FILE
    tags = _tags_in(path.read_text("utf-8")) if path.is_file() else set()
    repo = repo or root
    if not gitrepo.is_repo(repo):
        return tags
    refs = gitrepo.git(repo, "for-each-ref", "--format=%(objectname)", "refs/heads", "refs/remotes")
    prefix = gitrepo.git(repo, "rev-parse", "--show-prefix").strip()
    names = [f"{oid}:{prefix}{KEYS_DIR}/{RETIRED_KEYS_FILE}" for oid in set(refs.split())]
    with gitrepo.Blobs(repo) as blobs:
        for name in names:
            data = blobs.object(name)
            if data is not None:
                tags |= _tags_in(data.decode("utf-8", "replace"))
    return tags


def retired_key_problems(root: Path, vault: Vault, repo: Path | None = None) -> list[RecordError]:
    """A branch whose record key was retired on another branch (a member was removed on main
    after this branch was opened): what it encrypts, the removed member can read."""
    if vault.rotating or retirement_tag(vault.current) not in retired_tags(root, repo):
        return []
    return [
        RecordError(
            Source(f"{KEYS_DIR}/{vault.member}.age"),
            "",
            "这个分支的记录密钥已经停用（main 上移除成员时换了钥）：在这里加密的记录，"
            "被移除的成员仍能解密，合并后其他成员却打不开",
            "先 git fetch，再 git rebase origin/main（或 git rebase main）；"
            "然后运行 baodan reencrypt，把你改过的记录重新加密给新密钥，再 baodan check",
        )
    ]


def stray_key_problems(root: Path, vault: Vault) -> list[RecordError]:
    """A rotation marker no rotation here is using (committed, or left behind), and the record
    key's public half written anywhere in records/: with it anyone can encrypt forged records."""
    problems = []
    marker = root / KEYS_DIR / ROTATION_MARKER
    if marker.is_file() and not vault.rotating:
        problems.append(
            RecordError(
                Source(f"{KEYS_DIR}/{ROTATION_MARKER}"),
                "",
                "这是换钥进行中的标记，但这里没有进行中的换钥",
                "正在换钥：再运行一次 baodan member remove/rotate 把它做完；否则删除这个文件。"
                "它绝不能提交（git rm --cached 它）",
            )
        )
    public = str(vault.current.to_public()).encode()
    for path in _public_files(root):
        if path.stat().st_size < 1 << 20 and public in path.read_bytes():
            problems.append(
                RecordError(
                    Source(path.relative_to(root).as_posix()),
                    "",
                    "这个文件里写着记录密钥的公钥：有了它，任何人都能伪造加密记录",
                    "删掉这一处再提交；记录密钥的公钥不需要出现在任何地方",
                )
            )
    return problems


def _public_files(root: Path) -> list[Path]:
    """Plain files under records/, without walking the clients' folders (ciphertext only)."""
    found = []
    for top in (root / "records").iterdir():
        if top.name != "clients":
            found += [top] if top.is_file() else [p for p in top.rglob("*") if p.is_file()]
    return [p for p in found if not p.name.endswith(".age")]
