"""Drafts of new records: what a person typed for a new record and closed the editor on with
problems left is kept, so the next `baodan new` of the same record offers it rather than a
blank template (services/editing.py).

A draft is encrypted to the firm's record key, like a record, in ``<firm>/.baodan/drafts/``:
outside records/ (no check, build or merge reads it) and never committed (the folder gets a
.gitignore of its own, which git honours in firms made before drafts existed)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from baodan.core.files import write_atomic
from baodan.store.workspace import Workspace

DRAFTS = ".baodan/drafts"
IGNORE_ALL = "# baodan 的本机草稿（已加密）：只在这台电脑上，不提交到 git\n*\n"


@dataclass
class Draft:
    rel: str  # the record file it is for, relative to the firm
    text: str


def _file(ws: Workspace, key: str) -> Path:
    return ws.root / DRAFTS / f"{key}.json.age"


def save_draft(ws: Workspace, key: str, rel: str, text: str) -> None:
    """Keep ``text`` (for the record ``rel``) as the draft ``key`` (one per kind of new record
    and client), replacing an older one."""
    ws.refuse_unless_allowed()
    ignore = ws.root / DRAFTS.split("/")[0] / ".gitignore"
    if not ignore.is_file():
        write_atomic(ignore, IGNORE_ALL.encode("utf-8"))
    data = json.dumps({"path": rel, "text": text}, ensure_ascii=False).encode("utf-8")
    write_atomic(_file(ws, key), ws.vault.encrypt(data), mode=0o600)


def read_draft(ws: Workspace, key: str) -> Draft | None:
    """The draft ``key``, or None (none kept, or one this user's keys cannot open)."""
    path = _file(ws, key)
    if not path.is_file():
        return None
    try:
        data = json.loads(ws.vault.decrypt(path.read_bytes()))
        return Draft(str(data["path"]), str(data["text"]))
    except (ValueError, KeyError, TypeError):
        return None


def drop_draft(ws: Workspace, key: str) -> None:
    _file(ws, key).unlink(missing_ok=True)
