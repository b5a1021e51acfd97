"""`baodan renew`: log a renewal contact, and what the client intends, as an interaction.

Contacts are interactions (kind ``renewal``) rather than a field on the policy: every contact
is a new file, so two staff logging calls on two branches never touch the same encrypted
file (which git cannot merge), and the client's history shows them with all other contacts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from baodan.core.errors import BaodanError
from baodan.domain.renewals import (
    OPEN_STAGES,
    Renewal,
    is_renewable,
    next_due,
    renewal_book,
    renewal_rules,
    stage_of,
)
from baodan.models import Interaction
from baodan.models.interaction import INTENTIONS
from baodan.services.policyfile import OpenPolicy
from baodan.store.workspace import next_interaction_path


@dataclass
class RenewOutcome:
    path: Path
    renewal: Renewal


def record_contact(
    op: OpenPolicy,
    staff: str | None,
    day: date,
    intention: str | None,
    note: str | None,
    channel: str = "phone",
    follow_up: date | None = None,
) -> RenewOutcome:
    staff = op.actor(staff)
    p = op.policy
    if not is_renewable(p, renewal_rules(op.firm.rules)):
        raise BaodanError(
            f"保单 {p.registry_no} 不在续保跟进范围（不是一年期保单，或已终止、已退保）",
            "一般咨询请用 baodan new interaction 客户编号 记录",
        )
    current = renewal_book(op.firm, day).get(p.registry_no)
    if current and current.stage == "renewed":
        raise BaodanError(f"保单 {p.registry_no} 已续保", "不需要再联系续保")
    said = f"客户表示{INTENTIONS[intention]}" if intention else "客户未表态"
    summary = f"续保联系：{p.product}（{p.registry_no}）将于 {p.terminates} 到期，{said}。"
    if note:
        summary += note
    data = {
        "date": day,
        "kind": "renewal",
        "staff": staff,
        "channel": channel,
        "summary": summary,
        "policy": p.registry_no,
    }
    if follow_up:
        data["follow_up"] = follow_up
    if intention:
        data["intention"] = intention
    path = next_interaction_path(op.client_dir, day)
    changes = op.changes
    changes.put(path, dict(data))
    changes.commit()
    contacts = [*(current.contacts if current else []), Interaction.model_validate(data)]
    stage = stage_of(p, contacts, None, day)
    due = next_due(p, contacts, op.firm.settings.reminders.renewal_days)
    due = due if stage in OPEN_STAGES else None
    return RenewOutcome(path, Renewal(op.client, p, stage, contacts, None, due))
