"""What a change does to the whole-firm checks: the loaded firm with some client records
replaced, added or removed, and the problems the change brings that the firm did not have.

Only new problems refuse a change: a firm with an unrelated problem (a colleague's record,
yesterday's warning) must not stop everyone's work, and a change that fixes nothing still
must not add one. A problem is the same before and after when its file, field and message are
(its line may move as the record is edited; a moved record's file is compared under its old
name)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from baodan.checks import check_firm
from baodan.core.errors import RecordError
from baodan.models import Client, ClientFile, Firm
from baodan.models.base import Record
from baodan.models.kinds import CLIENT_SLOTS
from baodan.store.loader import sort_records

SLOT_OF = {kind.model: slot for slot, kind in CLIENT_SLOTS.items()}


def client_of(rel: str) -> str:
    """records/clients/<id>/…: the client folder a record file is in."""
    return rel.split("/")[2]


def changed_firm(firm: Firm, records: dict[str, Record], removed: set[str]) -> Firm:
    """``firm`` as it will be once ``records`` (by file, relative to the firm) are written and
    the files ``removed`` are deleted; ``firm`` itself is left as it is."""
    gone = removed | set(records)
    clients = dict(firm.clients)
    for cid in {client_of(rel) for rel in gone}:
        cf = clients.get(cid)
        if cf is not None:
            clients[cid] = ClientFile(
                cf.client,
                **{s: [r for r in getattr(cf, s) if r.path not in gone] for s in CLIENT_SLOTS},
            )
            if cf.client.path in removed:
                del clients[cid]
    for rel, record in sorted(records.items(), key=lambda item: not isinstance(item[1], Client)):
        cid = client_of(rel)
        if isinstance(record, Client):
            old = clients.get(cid)
            slots = {s: getattr(old, s) for s in CLIENT_SLOTS} if old else {}
            clients[cid] = ClientFile(record, **slots)
        elif cid in clients:  # a record without its client is the loader's to report
            getattr(clients[cid], SLOT_OF[type(record)]).append(record)
    for cid in {client_of(rel) for rel in gone | set(records)}:
        if cid in clients:
            sort_records(clients[cid])
    return replace(
        firm, clients=dict(sorted(clients.items())), unreadable=firm.unreadable - set(records)
    )


def _key(e: RecordError, moved: dict[str, str]) -> tuple[str, str, str]:
    return moved.get(e.source.file, e.source.file), e.field, e.message


def new_problems(
    firm: Firm,
    records: dict[str, Record],
    removed: set[str],
    today: date,
    moved: dict[str, str] | None = None,
) -> list[RecordError]:
    """The whole-firm checks' problems once the change is made that ``firm`` does not have
    (``moved``: new file -> old file, for a record the change renames)."""
    moved = moved or {}
    before = {_key(e, {}) for e in check_firm(firm, today)}
    after = check_firm(changed_firm(firm, records, removed), today)
    return [e for e in after if _key(e, moved) not in before]
