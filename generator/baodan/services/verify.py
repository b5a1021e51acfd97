"""`baodan verify`: record a policy's differences from the client master record as
discrepancies, and move them on (open → confirmed with the client → resolved)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from baodan.core.errors import BaodanError
from baodan.domain.verification import Difference, differences
from baodan.models import Policy
from baodan.services.changes import set_field
from baodan.services.policyfile import OpenPolicy

ACTIONS = {"confirm": "confirmed", "resolve": "resolved"}


@dataclass
class VerifyOutcome:
    new: list[Difference]
    open_count: int
    written: list[str]


def predecessor(op: OpenPolicy) -> Policy | None:
    """The policy this one renews, when it is the same client's (it always is in practice)."""
    wanted = op.policy.renewal_of
    return next((p for p in op.client.policies if p.registry_no == wanted), None)


def run_verify(op: OpenPolicy, staff: str | None, day: date) -> VerifyOutcome:
    """Compare, and append the differences not recorded before (in any status)."""
    staff = op.actor(staff)
    found = differences(
        op.client, op.policy, op.firm.insurers.get(op.policy.insurer), predecessor(op)
    )
    known = {(d.field, d.on_policy, d.on_record) for d in op.policy.discrepancies}
    new = [d for d in found if d.key not in known]
    written: list[str] = []
    if new:
        records = list(op.doc.get("discrepancies") or [])
        for d in new:
            records.append(
                {
                    "field": d.field,
                    "subject": d.subject,
                    "on_policy": d.on_policy,
                    "on_record": d.on_record,
                    "status": "open",
                    "found_on": day,
                    "found_by": staff,
                }
            )
        set_field(op.doc, "discrepancies", records, after=("intake", "audit"))
        changes = op.changes
        changes.put(op.path, op.doc)
        written = changes.commit()
    still_open = sum(d.status != "resolved" for d in op.policy.discrepancies) + len(new)
    return VerifyOutcome(new, still_open, written)


def move_discrepancy(
    op: OpenPolicy, number: int, action: str, staff: str | None, day: date, note: str | None
) -> str:
    """Confirm (with the client) or resolve discrepancy ``number`` (1-based, as listed)."""
    staff = op.actor(staff)
    records = op.doc.get("discrepancies") or []
    if not 1 <= number <= len(records):
        raise BaodanError(
            f"保单 {op.policy.registry_no} 没有第 {number} 条差异（共 {len(records)} 条）",
            f"先运行 baodan verify {op.policy.registry_no} 查看差异编号",
        )
    record = records[number - 1]
    if record.get("status") == "resolved":
        raise BaodanError(f"第 {number} 条差异已于 {record.get('resolved_on')} 解决", "")
    record["status"] = ACTIONS[action]
    if action == "confirm":
        set_field(record, "confirmed_on", day, after=("found_by",))
    else:
        set_field(record, "resolved_on", day, after=("found_by", "confirmed_on"))
        set_field(record, "resolved_by", staff, after=("resolved_on",))
    if note:
        record["note"] = f"{record['note']}\n{note}" if record.get("note") else note
    changes = op.changes
    changes.put(op.path, op.doc)
    changes.commit()
    return record["subject"]
