"""Claims assistance: the materials checklist of a claim, and who each open claim waits on.

The staff pages and commands call ``missing_materials(claim, rules)`` for what the client still
has to hand in; ``claim_queues(firm, today)`` sorts the open claims into work queues.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from baodan.core.rules import Rules
from baodan.domain.schedule import claim_decision_due
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


@dataclass(frozen=True)
class ClaimStatus:
    """Where a claim stands: the one source for the staff queue and the client's portal, so
    the badge, the sentence under it and the queue never contradict one another."""

    queue: str | None  # a QUEUES key; None once closed
    action: str  # what staff do next
    badge: str  # the client's short status
    client: str  # what the client reads about it
    tone: str = "warn"  # the badge's colour on the portal: warn / ok / muted


def claim_status(claim: Claim, missing: list[ChecklistItem]) -> ClaimStatus:
    """``missing``: missing_materials(claim, rules)."""
    stage = claim.stage
    if stage == "reported":
        return ClaimStatus(
            "us", "把材料清单发给客户", "已报案", "我们已收到您的报案，会告诉您需要准备哪些材料。"
        )
    if stage == "collecting":
        if missing:
            return ClaimStatus(
                "client",
                "催客户补交材料",
                "待补材料",
                "请按下面的清单准备材料，交齐后我们替您递交保险公司。",
            )
        return ClaimStatus(
            "us",
            "材料已齐，递交保险公司",
            "材料已齐",
            "材料已经齐全，我们正在替您递交保险公司，递交后会告诉您。",
        )
    if stage in ("submitted", "under_review"):
        return ClaimStatus(
            "insurer",
            "跟进保险公司审核进度",
            STAGES[stage],
            "材料已递交保险公司，正在等待保险公司审核；我们会跟进进度并告诉您结果。",
        )
    if stage == "refused":
        return ClaimStatus(
            "us",
            "向客户解释拒赔理由；客户不认可则按“理赔纠纷”预案处理",
            STAGES[stage],
            "保险公司已作出拒赔决定，经办人会向您说明理由。",
            "muted",
        )
    if stage in ("paid", "partly_paid"):
        return ClaimStatus(
            "us",
            "确认客户已收到赔款，邀请做满意度回访后结案",
            STAGES[stage],
            "保险公司已赔付，请留意赔款到账；没有收到请告诉经办人。",
            "ok" if stage == "paid" else "warn",
        )
    if stage == "dispute":
        return ClaimStatus(
            "dispute",
            "按“理赔纠纷”预案逐步处理",
            STAGES[stage],
            "我们正在协助您处理这笔理赔的争议。",
        )
    return ClaimStatus(None, "", STAGES[stage], "这笔理赔已经结案。", "muted")


def open_claim(cf: ClientFile, claim: Claim, today: date, rules: Rules) -> OpenClaim | None:
    """Where an open claim stands today; None once it is closed."""
    missing = missing_materials(claim, rules)
    status = claim_status(claim, missing)
    if status.queue is None:
        return None
    queue, action = status.queue, status.action
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
