"""`baodan upgrade`: move a firm's records to the record format this baodan writes, in one
commit: every encrypted record is decrypted, changed by each migration step in turn,
validated, and encrypted again; firm.yaml's ``record_format`` is raised last. Formats go up
one step at a time, so a firm several releases behind takes every step in order.

Format 1 is the first: the chain is empty until a release changes how records are written
(tests/test_upgrade.py proves the path with a step of its own, on a firm kept in format 1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from baodan.core import yamlio
from baodan.core.errors import BaodanError
from baodan.core.files import write_atomic
from baodan.core.layout import RECORDS
from baodan.models.recordformat import RECORD_FORMAT
from baodan.services.changes import Changes
from baodan.store import gitrepo
from baodan.store.members import record_files
from baodan.store.workspace import Workspace, record_format


@dataclass(frozen=True)
class Migration:
    """One step up: to format ``to``. ``change`` edits a record's round-trip data in place
    (given its path relative to the firm, so a step can pick the kinds of record it is for)."""

    to: int
    summary: str  # what changes, in Chinese, for the commit message and the terminal
    change: Callable[[str, Any], None]


MIGRATIONS: list[Migration] = []


def upgrade(ws: Workspace) -> list[str]:
    """Take every step from the firm's format to this baodan's; returns what was done."""
    current = record_format(ws.root)
    if current >= RECORD_FORMAT:
        return [f"记录已是第 {current} 版格式，不需要升级。"]
    steps = [m for m in MIGRATIONS if current < m.to <= RECORD_FORMAT]
    missing = sorted(set(range(current + 1, RECORD_FORMAT + 1)) - {m.to for m in steps})
    if missing:
        raise BaodanError(f"缺少升级到第 {missing[0]} 版格式的步骤", "这是 baodan 的缺陷，请报告")
    in_git = gitrepo.is_repo(ws.root)
    if in_git and gitrepo.git(ws.root, "status", "--porcelain", "--", RECORDS).strip():
        raise BaodanError(
            "records/ 里有还没提交的改动，没有升级",
            "先提交或发送它们（baodan sync），升级要单独成为一次提交",
        )
    changes = Changes(ws)
    for path in record_files(ws.root):
        doc = changes.edit(path)
        for step in steps:
            step.change(ws.rel(path), doc)
        if yamlio.dump_roundtrip(doc, like=changes.originals[path]) != changes.originals[path]:
            changes.put(path, doc)  # validated by this release's models before any write
    changed = changes.commit()
    _set_firm_format(ws)
    title = f"升级记录格式：第 {current} 版 → 第 {RECORD_FORMAT} 版"
    lines = [title, *(f"- 第 {s.to} 版：{s.summary}" for s in steps)]
    lines.append(f"重新加密 {len(changed)} 份记录。")
    if in_git:
        gitrepo.git(ws.root, "add", "-A", "--", RECORDS)
        gitrepo.git(
            ws.root, "commit", "--quiet", "--no-verify", "-m", title, "-m", "\n".join(lines[1:])
        )
        lines.append("已提交为一次提交；运行 baodan sync 发送，同事们也要升级到这个版本的 baodan。")
    return lines


def _set_firm_format(ws: Workspace) -> None:
    path = ws.root / RECORDS / "firm.yaml"
    text = path.read_text("utf-8")
    doc = yamlio.load_roundtrip(text)
    doc["record_format"] = RECORD_FORMAT
    write_atomic(path, yamlio.dump_roundtrip(doc, like=text).encode("utf-8"))
