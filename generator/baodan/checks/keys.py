"""Checks of records/.keys/: may this firm use its keys, did only members change the member
list, is this branch still on a retired record key; and what a firm risks losing."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from baodan.core.errors import BaodanError, RecordError, Source
from baodan.store.keyguard import is_demo_firm, key_problems
from baodan.store.members import (
    MEMBERS_PATH,
    membership_problems,
    read_members,
    retired_key_problems,
    stray_key_problems,
)

if TYPE_CHECKING:
    from baodan.store.vault import Vault


def key_checks(root: Path, vault: Vault, repo: Path | None = None) -> list[RecordError]:
    """Errors: ``root`` is the firm's records as checked; ``repo`` the firm folder in its git
    checkout when that is elsewhere (the pre-commit hook checks a copy of the index)."""
    return [
        *key_problems(root, vault),
        *membership_problems(root, vault),
        *retired_key_problems(root, vault, repo),
        *stray_key_problems(root, vault),
    ]


def key_warnings(root: Path) -> list[RecordError]:
    """Not errors, but a firm that can lose everything: no recovery kit, or one person's key.
    A demo firm is exempt (its key is public; a kit would only put a secret on disk)."""
    if is_demo_firm(root):
        return []
    try:
        members = read_members(root)
    except BaodanError:
        return []  # key_checks reports the file
    people = [n for n, m in members.items() if not m.recovery]
    warnings = []
    if not any(m.recovery for m in members.values()):
        warnings.append(
            RecordError(
                Source(MEMBERS_PATH),
                "",
                "没有应急恢复密钥：成员的电脑都坏了或密钥都丢了，全部记录就再也打不开",
                "运行 baodan recovery new，打印应急包，放进公司保险柜",
            )
        )
    if len(people) == 1:
        warnings.append(
            RecordError(
                Source(MEMBERS_PATH),
                people[0],
                f"只有一位成员（{people[0]}）持有密钥",
                "再加一位可信的同事：baodan member add 编号 -r 他的公钥",
            )
        )
    return warnings
