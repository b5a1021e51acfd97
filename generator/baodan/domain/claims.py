"""Claims assistance: the stages a claim may move through, the materials checklist of a
claim, and who each open claim waits on.

`baodan claim …` and `check` share ``may_follow`` and ``stage_problems``; the staff pages and
commands call ``missing_materials(claim, rules)`` for what the client still has to hand in;
``claim_queues(firm, today)`` sorts the open claims into work queues.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from pydantic import ValidationInfo, field_validator

from baodan.core.errors import Problem, RecordError, Source
from baodan.core.rules import Rules
from baodan.domain.schedule import CLAIM_DECISION_DAYS, claim_decision_due
from baodan.models import Claim, ClientFile, Firm
from baodan.models.base import Model, yuan
from baodan.models.claim import CLAIM_TYPES, STAGES
from baodan.models.context import taxonomy_of

# Where a claim may go from each stage. Skipping ahead is allowed (staff do not always record
# every step); going back is not, except the insurer asking for more materials (collecting).
# A claim paid, refused or closed goes back to work only by being reopened (REOPENABLE).
NEXT = {
    "reported": {
        "collecting",
        "submitted",
        "under_review",
        "paid",
        "partly_paid",
        "refused",
        "closed",
    },
    "collecting": {"submitted", "under_review", "paid", "partly_paid", "refused", "closed"},
    "submitted": {"collecting", "under_review", "paid", "partly_paid", "refused", "closed"},
    "under_review": {"collecting", "paid", "partly_paid", "refused", "closed"},
    "paid": {"closed"},
    "partly_paid": {"dispute", "closed"},
    "refused": {"dispute", "closed"},
    "dispute": {"paid", "partly_paid", "refused", "closed"},
    "closed": set(),
}
# A working stage may be recorded again (a new note, more materials asked for).
REPEATABLE = {"reported", "collecting", "submitted", "under_review", "dispute"}
# Reopening (`baodan claim reopen`, an entry with reopen_reason): from a finished stage back to work.
REOPENABLE = ("paid", "partly_paid", "refused", "closed")
REOPEN_TO = ("collecting", "submitted", "under_review", "dispute")
PAID = ("paid", "partly_paid")


def may_follow(before: str, after: str) -> bool:
    """Whether a claim at stage ``before`` may move to ``after`` without being reopened."""
    return after in NEXT[before] or (after == before and before in REPEATABLE)


def allowed_after(stage: str) -> str:
    """The stages that may follow ``stage``, in Chinese, for a message's hint."""
    words = [name for code, name in STAGES.items() if may_follow(stage, code)]
    return f"“{STAGES[stage]}”之后可以记：" + ("、".join(words) or "（没有，理赔已结束）")


def stage_problems(claim: Claim) -> list[RecordError]:
    """What breaks the rules in a claim's stage history: a move the rules forbid, a reopening
    without its reason, a payment without its amount."""
    problems = []

    def problem(n: int, field: str, message: str, hint: str) -> None:
        problems.append(RecordError(Source(claim.path), f"stages[{n}].{field}", message, hint))

    for n, (before, entry) in enumerate(zip(claim.stages, claim.stages[1:]), 1):
        a, b = before.stage, entry.stage
        if entry.reopen_reason:
            if a not in REOPENABLE or b not in REOPEN_TO:
                problem(
                    n,
                    "reopen_reason",
                    f"从“{STAGES[a]}”到“{STAGES[b]}”不是重新打开",
                    "只有已赔付、部分赔付、拒赔或已结案的理赔才能重新打开，且回到"
                    + "、".join(STAGES[s] for s in REOPEN_TO)
                    + "之一；否则删去 reopen_reason",
                )
        elif not may_follow(a, b):
            reopen = a in REOPENABLE and b in REOPEN_TO
            problem(
                n,
                "stage",
                f"进度不能从“{STAGES[a]}”改为“{STAGES[b]}”",
                f"要重新处理请用 baodan claim reopen {claim.id} --reason 原因（会记下原因）"
                if reopen
                else allowed_after(a),
            )
    paid_entries = [(n, e) for n, e in enumerate(claim.stages) if e.stage in PAID]
    for n, e in paid_entries:
        if e.amount is None and claim.amount_paid is None:
            problem(
                n,
                "amount",
                f"“{STAGES[e.stage]}”要写赔付金额",
                "在这一条进度下加 amount: 赔付金额（元），如 amount: 12000.50",
            )
    amounts = [e.amount for _, e in paid_entries]
    # Older records kept only the total: compare once every payment has its amount.
    if amounts and None not in amounts and claim.amount_paid not in (None, sum(amounts)):
        problems.append(
            RecordError(
                Source(claim.path),
                "amount_paid",
                f"赔付金额合计 {yuan(claim.amount_paid)} 与各次赔付之和 {yuan(sum(amounts))} 不一致",
                "amount_paid 写各次赔付（stages 里的 amount）之和",
            )
        )
    return problems


class MaterialSpec(Model):
    item: str
    required: bool = True
    note: str | None = None


class ClaimRules(Model):
    types: dict[Literal[tuple(CLAIM_TYPES)], list[MaterialSpec]]
    # The policy categories (data/taxonomy.yaml) a claim type belongs to; a type not listed
    # fits any policy (a rider may cover it).
    categories: dict[Literal[tuple(CLAIM_TYPES)], list[str]] = {}

    @field_validator("categories")
    @classmethod
    def _known(cls, value: dict[str, list[str]], info: ValidationInfo) -> dict[str, list[str]]:
        known = taxonomy_of(info).categories
        for codes in value.values():
            for code in codes:
                if code not in known:
                    raise Problem(
                        f"不认识的险种大类“{code}”",
                        "可选：" + "、".join(f"{c}（{k.name}）" for c, k in known.items()),
                    )
        return value


def type_fits(claim_type: str, category: str, rules: Rules) -> bool:
    """Whether a claim of this type can be made on a policy of this category."""
    wanted = claim_rules(rules).categories.get(claim_type)
    return wanted is None or category in wanted


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
