"""Claims assistance: the materials checklist of a claim, and who each open claim waits on.

The staff pages and commands call ``missing_materials(claim, rules)`` for what the client still
has to hand in; ``claim_queues(firm, today)`` sorts the open claims into work queues.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from baodan.core.rules import Rules
from baodan.domain.schedule import CLAIM_DECISION_DAYS, claim_decision_due
from baodan.models import Claim, ClientFile, Firm
from baodan.models.base import Model
from baodan.models.claim import CLAIM_TYPES, STAGES


class MaterialSpec(Model):
    item: str
    required: bool = True
    note: str | None = None


class ClaimRules(Model):
    types: dict[Literal[tuple(CLAIM_TYPES)], list[MaterialSpec]]


def claim_rules(rules: Rules) -> ClaimRules:
    return rules.get("claim_materials", ClaimRules)


@dataclass(frozen=True)
class ChecklistItem:
    """One line of a claim's checklist: the standard list merged with the claim's record."""

    item: str
    required: bool
    received_on: date | None = None
    note: str | None = None
    standard: bool = True  # False: asked for by the insurer, not on the standard list

    @property
    def missing(self) -> bool:
        return self.required and self.received_on is None


def checklist(claim: Claim, rules: Rules) -> list[ChecklistItem]:
    """The standard materials of the claim's type, in the data file's order, with what the
    claim record says about each (received, not required); then items only the record has."""
    recorded = {m.item: m for m in claim.materials}
    items = []
    for spec in claim_rules(rules).types.get(claim.type, []):
        m = recorded.pop(spec.item, None)
        items.append(
            ChecklistItem(
                spec.item,
                m.required if m else spec.required,
                m.received_on if m else None,
                spec.note,
            )
        )
    for m in recorded.values():
        items.append(ChecklistItem(m.item, m.required, m.received_on, standard=False))
    return items


def missing_materials(claim: Claim, rules: Rules) -> list[ChecklistItem]:
    """Required materials not yet received: what the client still has to hand in."""
    if claim.stage not in ("reported", "collecting"):
        return []
    return [i for i in checklist(claim, rules) if i.missing]


QUEUES = {
    "us": "等我们处理",
    "client": "等客户补材料",
    "insurer": "等保险公司",
    "dispute": "纠纷处理",
}


@dataclass
class OpenClaim:
    """An open claim as a queue shows it."""

    cf: ClientFile
    claim: Claim
    queue: str
    action: str
    age_days: int  # since reported
    stage_days: int  # since the current stage began
    missing: list[ChecklistItem]
    overdue: bool = False  # the insurer's decision is overdue (schedule.claim_decision_due)
    incident: str | None = None  # the open claim_dispute incident, if any

    @property
    def stage_name(self) -> str:
        return STAGES[self.claim.stage]

    @property
    def overdue_note(self) -> str | None:
        """What the staff site and `baodan claim queue` say of an overdue decision."""
        return f"超过 {CLAIM_DECISION_DAYS} 天未出结果，请催办" if self.overdue else None


def _triage(claim: Claim, missing: list) -> tuple[str, str] | None:
    stage = claim.stage
    if stage == "reported":
        return "us", "把材料清单发给客户"
    if stage == "collecting":
        if missing:
            return "client", "催客户补交材料"
        return "us", "材料已齐，递交保险公司"
    if stage in ("submitted", "under_review"):
        return "insurer", "跟进保险公司审核进度"
    if stage == "refused":
        return "us", "向客户解释拒赔理由；客户不认可则按“理赔纠纷”预案处理"
    if stage in ("paid", "partly_paid"):
        return "us", "确认客户已收到赔款，邀请做满意度回访后结案"
    if stage == "dispute":
        return "dispute", "按“理赔纠纷”预案逐步处理"
    return None  # closed


def open_claim(cf: ClientFile, claim: Claim, today: date, rules: Rules) -> OpenClaim | None:
    """Where an open claim stands today; None once it is closed."""
    missing = missing_materials(claim, rules)
    triage = _triage(claim, missing)
    if triage is None:
        return None
    queue, action = triage
    since = claim.stages[-1].date
    item = OpenClaim(
        cf,
        claim,
        queue,
        action,
        (today - claim.reported_on).days,
        (today - since).days,
        missing,
    )
    if queue == "insurer":
        due = claim_decision_due(claim)
        item.overdue = due is not None and due < today
    if queue == "dispute":
        item.incident = next(
            (
                i.id
                for i in cf.incidents
                if i.is_open and i.plan == "claim_dispute" and i.claim == claim.id
            ),
            None,
        )
    return item


def claim_queues(firm: Firm, today: date) -> dict[str, list[OpenClaim]]:
    """Open claims by queue (QUEUES order), oldest first."""
    queues: dict[str, list[OpenClaim]] = {q: [] for q in QUEUES}
    for cf in firm.clients.values():
        for claim in cf.claims:
            item = open_claim(cf, claim, today, firm.rules)
            if item is not None:
                queues[item.queue].append(item)
    for items in queues.values():
        items.sort(key=lambda i: (-i.age_days, i.claim.id))
    return queues


def find_claim(firm: Firm, claim_id: str) -> tuple[ClientFile, Claim] | None:
    for cf in firm.clients.values():
        for claim in cf.claims:
            if claim.id == claim_id:
                return cf, claim
    return None
