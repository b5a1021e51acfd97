"""`baodan reencrypt`: records still encrypted to a retired record key (saved on a branch opened
before a member was removed), encrypted again to the current one.

The old key is found where `baodan diff` finds it: in the versions of the member's own key
file in git history. Every file is read first; if any cannot be, nothing is written.
"""

from __future__ import annotations

from pathlib import Path

from baodan.core.errors import BaodanError, RecordError, Source
from baodan.store import gitrepo
from baodan.store.keyhistory import keyring, open_blob
from baodan.store.members import record_files, retired_key_problems
from baodan.store.workspace import Workspace


def _keys(ws: Workspace) -> list:
    if not gitrepo.is_repo(ws.root):
        return list(ws.vault.identities)
    with gitrepo.Blobs(ws.root) as blobs:
        return keyring(ws, blobs)


def reencrypt(ws: Workspace, targets: list[str]) -> list[str]:
    """Re-encrypt ``targets`` (all records when empty) that the current record key does not
    open; returns the files written."""
    stale = retired_key_problems(ws.root, ws.vault)
    if stale:
        raise BaodanError(stale)  # re-encrypting now would only use the retired key again
    paths = [ws.locate(t) for t in targets] if targets else record_files(ws.root)
    keys = _keys(ws)
    plain: dict[Path, str] = {}
    errors = []
    for path in paths:
        data = path.read_bytes()
        if ws.vault.opens_now(data):
            continue
        text = _text(open_blob(data, keys))
        if text is not None:
            plain[path] = text
        else:
            errors.append(
                RecordError(
                    Source(ws.rel(path)),
                    "",
                    "你持有过的记录密钥都打不开这份记录：它不是本公司成员加密的，或已损坏",
                    "问清是谁提交的（git log 这个文件）；不要合并来历不明的记录",
                )
            )
    if errors:
        raise BaodanError([*errors, RecordError(Source(""), "", "没有重新加密任何文件", "")])
    for path, text in plain.items():
        ws.write(path, text)
    return [ws.rel(p) for p in plain]


def _text(opened: bytes | str) -> str | None:
    """A record's text, or None when it did not open (``open_blob`` then says why)."""
    try:
        return opened.decode("utf-8") if isinstance(opened, bytes) else None
    except UnicodeDecodeError:
        return None
