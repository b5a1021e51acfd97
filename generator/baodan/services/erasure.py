"""`baodan forget CLIENT`: erase one client (PIPL right to deletion, or retention expired).

Deletes the client's folder, which retires their portal and feed (the next build has no
page for them), and appends a tombstone per registry number to records/retired.yaml (number,
date, reason; no names) so the numbers are never handed out again. Git history still holds
the old ciphertext: the caller prints the history-rewrite procedure.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass

from baodan.checks import load_firm
from baodan.core.errors import BaodanError, RecordError, Source
from baodan.core.today import today
from baodan.models import Retired
from baodan.store.retired import retire
from baodan.store.workspace import Workspace

DEFAULT_REASON = "客户要求删除"


@dataclass
class Erasure:
    client_id: str
    folder: str  # relative to the firm root
    registry_nos: list[str]
    files: int


def plan(ws: Workspace, client_id: str) -> Erasure:
    """What forgetting a client would delete, from file names alone."""
    folder = ws.client_dir(client_id)
    if not (folder / "client.yaml.age").is_file():
        raise BaodanError(f"找不到客户“{client_id}”", "请写客户编号，如 c-1a2b3c4d")
    numbers = sorted(p.name.removesuffix(".yaml.age") for p in folder.glob("policies/*.yaml.age"))
    files = sum(1 for p in folder.rglob("*") if p.is_file())
    return Erasure(client_id, ws.rel(folder), numbers, files)


def references_from_others(ws: Workspace, erasure: Erasure) -> list[RecordError]:
    """Records of other clients that point at the numbers about to go (they would break)."""
    firm, _ = load_firm(ws.root, ws.vault)
    if firm is None:
        return []
    going = set(erasure.registry_nos)
    found = []
    for cid, cf in firm.clients.items():
        if cid == erasure.client_id:
            continue
        refs = [(p, "renewal_of", p.renewal_of) for p in cf.policies]
        refs += [(c, "policy", c.policy) for c in cf.claims]
        refs += [(i, "policy", i.policy) for i in cf.interactions]
        refs += [(t, "policy", t.policy) for t in cf.tasks]
        found += [
            RecordError(
                Source(record.path),
                field,
                f"引用了要删除的保单 {number}",
                "先改掉这个引用（删去或改为本客户自己的保单），再删除客户",
            )
            for record, field, number in refs
            if number in going
        ]
    return found


def forget(ws: Workspace, erasure: Erasure, reason: str = DEFAULT_REASON) -> None:
    """Tombstones first, then the folder: a crash in between leaves numbers retired twice
    over at worst (harmless), never a deleted client whose numbers could be reused."""
    if erasure.registry_nos:
        retire(
            ws.root,
            [
                Retired(registry_no=n, retired_on=today(), reason=reason)
                for n in erasure.registry_nos
            ],
        )
    shutil.rmtree(ws.root / erasure.folder)
