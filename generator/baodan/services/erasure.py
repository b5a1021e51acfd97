"""`baodan forget CLIENT`: erase one client (PIPL right to deletion, or retention expired).

Deletes the client's folder, which retires their portal and feed (the next build has no
page for them), and the local copies baodan made (exports, the staff site, the client's
portal and feed in the built site), and appends a tombstone per registry number to
records/retired.yaml (number, date, reason; no names) so the numbers are never handed out
again. Git history still holds
the old ciphertext: the caller prints the history-rewrite procedure.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from baodan.checks import load_firm
from baodan.core import yamlio
from baodan.core.errors import BaodanError, RecordError, Source
from baodan.core.today import today
from baodan.models import Retired
from baodan.models.client import TOKEN
from baodan.store import lookup_cache
from baodan.store.retired import retire
from baodan.store.workspace import Workspace
from baodan.web.config_guard import CONFIG_FILE, SITE_DIR, STAFF_SITE_DIR, checked_config

DEFAULT_REASON = "客户要求删除"


@dataclass
class Erasure:
    client_id: str
    name: str  # shown before the user confirms, so the right client goes
    folder: str  # relative to the firm root
    registry_nos: list[str]
    files: int
    copies: list[tuple[Path, str]]  # local copies baodan made, with what each is (Chinese)


def plan(ws: Workspace, client_id: str) -> Erasure:
    """What forgetting a client would delete: their folder and the local copies baodan made
    of their data that exist now (read from the client record, which may be invalid)."""
    folder = ws.client_dir(client_id)
    if not (folder / "client.yaml.age").is_file():
        raise BaodanError(f"找不到客户“{client_id}”", "请写客户编号，如 c-1a2b3c4d")
    try:
        client = yamlio.load(ws.read(folder / "client.yaml.age"))
    except yamlio.YamlError:
        client = None
    client = client if isinstance(client, dict) else {}
    numbers = sorted(p.name.removesuffix(".yaml.age") for p in folder.glob("policies/*.yaml.age"))
    files = sum(1 for p in folder.rglob("*") if p.is_file())
    copies = [(path, what) for path, what in local_copies(ws, client_id, client) if path.exists()]
    name = str(client.get("name") or "（客户记录里没有姓名）")
    return Erasure(client_id, name, ws.rel(folder), numbers, files, copies)


def local_copies(ws: Workspace, client_id: str, client: dict) -> list[tuple[Path, str]]:
    """Where baodan itself writes a client's data outside the records: exports to their
    default place, the staff site (the client's page, queues, search index, staff
    calendars: rebuilt whole), and the client's portal and calendar in the built public site.
    Copies written where the user chose (export --out, QR codes) are the user's to find."""
    export = ws.root / "export"
    copies = [
        (export / client_id, "导出的资料"),
        (export / f"{client_id}.zip", "导出的资料（zip）"),
    ]
    for site, portal_dir, calendar_dir, staff in _sites(ws):
        if staff:
            copies.append(
                (
                    site,
                    "员工站：含该客户的页面、工作队列和员工日历；之后用 baodan build --staff-site 重新生成",
                )
            )
            continue
        portal, feed = client.get("portal"), client.get("feed")
        # The record may be invalid: only a real token may name a path ("../.." must not).
        if isinstance(portal, dict) and re.fullmatch(TOKEN, str(portal.get("id"))):
            copies.append((site / portal_dir / str(portal["id"]), "公开站里该客户的门户"))
        if isinstance(feed, dict) and re.fullmatch(TOKEN, str(feed.get("token"))):
            path = site / calendar_dir / f"{feed['token']}.ics"
            copies.append((path, "公开站里该客户的日历订阅"))
            folder = site / calendar_dir / str(feed["token"])
            copies.append((folder, "公开站里该客户的日历页和日历导入文件"))
    return copies


def _sites(ws: Workspace) -> list[tuple[Path, str, str, bool]]:
    """(site folder, portal folder, calendar folder, staff?) of the firm's two builds, from
    mkdocs.yml read as `baodan build` reads it (checked, nothing in it run)."""
    if not (ws.root / CONFIG_FILE).is_file():
        return []
    config = checked_config(ws.root)
    folders = (
        config.baodan_option("portal_dir", "p"),
        config.baodan_option("calendar_dir", "feeds"),
    )
    return [(ws.root / SITE_DIR, *folders, False), (ws.root / STAFF_SITE_DIR, *folders, True)]


def references_from_others(ws: Workspace, erasure: Erasure) -> list[RecordError]:
    """Records of other clients that point at the numbers about to go (they would break)."""
    firm, _ = load_firm(ws.root, ws.vault, today())
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
    lookup_cache.drop(ws.root)  # summaries that name the client (baodan find rebuilds them)
    for path, _ in erasure.copies:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
