"""Is this firm allowed to use this key? The one answer `baodan check`, the pre-commit hook,
a build and every write through the workspace ask for.

The demo identity (DEMO-IDENTITY.txt) is public by design, so anything encrypted to it is
readable by anyone. A firm may use it only when it says it is a demo: ``demo: true`` in
records/firm.yaml, with the demo member as its only member. Any other firm is refused when
DEMO-IDENTITY.txt sits in its folder, when a member key is the demo's, when a key file opens
with a demo identity, or when its record key is the committed demo's.
"""

from __future__ import annotations

from pathlib import Path

from baodan.core import yamlio
from baodan.core.errors import BaodanError, RecordError, Source
from baodan.core.layout import DEMO_IDENTITY_FILE, KEYS_DIR, RECORDS
from baodan.store.identity import DEMO_PUBLIC_KEY, parse_identities
from baodan.store.members import MEMBERS_PATH, read_members
from baodan.store.vault import Vault, decrypt, key_tag

DEMO_MEMBER = "demo"
# key_tag(record key, "record key id v1") of the committed demo firm's record key (not its public
# half, which nothing in the repository needs to show).
DEMO_RECORD_KEY_ID = "f510c21f78b213d14ee3550b1f5d8c26"
NOT_A_DEMO_HINT = (
    "演示密钥谁都有，真实客户资料绝不能用它。真实公司请在新的空目录里运行 baodan init"
    "（它会生成只属于你们的密钥），再把记录迁过去；若这里确实只是演示，"
    "records/firm.yaml 写 demo: true，成员只留 demo"
)


def record_key_id(identity) -> str:
    return key_tag(identity, "record key id v1")[:16].hex()


def _demo_identities(root: Path) -> list:
    path = root / DEMO_IDENTITY_FILE
    if not path.is_file():
        return []
    try:
        return parse_identities(path.read_text("utf-8"), DEMO_IDENTITY_FILE)
    except (BaodanError, UnicodeDecodeError):
        return []


def _says_demo(root: Path) -> bool:
    try:
        settings = yamlio.load((root / RECORDS / "firm.yaml").read_bytes())
    except (OSError, yamlio.YamlError):
        return False
    return isinstance(settings, dict) and settings.get("demo") is True


def is_demo_firm(root: Path) -> bool:
    """``demo: true`` and one member, the demo, whose key is a demo identity's."""
    if not _says_demo(root):
        return False
    try:
        members = read_members(root)
    except BaodanError:
        return False
    demo_keys = {DEMO_PUBLIC_KEY, *(str(i.to_public()) for i in _demo_identities(root))}
    return list(members) == [DEMO_MEMBER] and set(members[DEMO_MEMBER].keys) <= demo_keys


def key_problems(root: Path, vault: Vault) -> list[RecordError]:
    """Why this firm may not use its keys (empty: it may). ``root`` is the firm folder."""
    if is_demo_firm(root):
        return []
    problems = []
    demo_ids = _demo_identities(root)
    if (root / DEMO_IDENTITY_FILE).is_file():
        problems.append(_problem(DEMO_IDENTITY_FILE, "公司目录里有演示密钥文件，而这不是演示公司"))
    for name, member in _members(root).items():
        if DEMO_PUBLIC_KEY in member.keys:
            problems.append(_problem(MEMBERS_PATH, f"成员 {name} 用的是演示密钥的公钥", name))
    keys_dir = root / KEYS_DIR
    for path in sorted(keys_dir.glob("*.age")) if demo_ids and keys_dir.is_dir() else []:
        try:
            decrypt(path.read_bytes(), demo_ids)
        except (ValueError, OSError):
            continue
        problems.append(_problem(f"{KEYS_DIR}/{path.name}", "这个密钥文件用演示密钥就能打开"))
    if any(record_key_id(i) == DEMO_RECORD_KEY_ID for i in vault.identities):
        problems.append(
            _problem(f"{KEYS_DIR}/{vault.member}.age", "记录密钥是演示公司的（随 baodan 公开）")
        )
    return problems


def _members(root: Path) -> dict:
    try:
        return read_members(root)
    except BaodanError:
        return {}  # membership_problems reports the file


def _problem(path: str, message: str, field: str = "") -> RecordError:
    return RecordError(
        Source(path), field, f"{message}：用它加密的资料谁都能解密，已拒绝", NOT_A_DEMO_HINT
    )


def refuse_unless_allowed(root: Path, vault: Vault) -> None:
    problems = key_problems(root, vault)
    if problems:
        raise BaodanError(problems)
