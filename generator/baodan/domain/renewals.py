"""The renewal pipeline: where each expiring policy stands, and when its client is due a call.

A policy's contacts are interactions of kind ``renewal`` linked to it (``baodan renew`` writes
them); its renewal is the policy whose ``renewal_of`` names it. Nothing here is stored: stages
are computed from those records and today's date, so a policy past its end without a renewal
shows as lapsed without anyone rewriting it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from pydantic import Field

from baodan.core.rules import Rules
from baodan.domain.schedule import renewal_contacts
from baodan.models import ClientFile, Firm, Interaction, Policy
from baodan.models.base import Model

STAGES = {
    "upcoming": "待联系",
    "contacted": "已联系，未表态",
    "renew": "愿意续保，待办理",
    "undecided": "尚未决定",
    "renewed": "已续保",
    "declined": "不再续保",
    "lapsed": "已失效",
}
OPEN_STAGES = ("upcoming", "contacted", "renew", "undecided")


class RenewalRules(Model):
    """data/renewals.yaml"""

    one_year_days: tuple[int, int] = Field(description="一年期保单的保险期间范围（天）")
    not_renewed: list[str] = Field([], description="不续保的险种，写成 大类/小类")
    recent_lapse_days: int = Field(30, ge=0)


def renewal_rules(rules: Rules) -> RenewalRules:
    return rules.get("renewals", RenewalRules)


def is_renewable(policy: Policy, rules: RenewalRules) -> bool:
    """A one-year policy that the firm reminds the client to renew."""
    if policy.terminates is None or policy.status in ("terminated", "cancelled"):
        return False
    if f"{policy.category}/{policy.subcategory}" in rules.not_renewed:
        return False
    low, high = rules.one_year_days
    return low <= (policy.terminates - policy.effective).days + 1 <= high


@dataclass
class Renewal:
    """One policy's place in the pipeline."""

    client: ClientFile
    policy: Policy
    stage: str
    contacts: list[Interaction] = field(default_factory=list)
    successor: Policy | None = None
    next_due: date | None = None  # when the client is next due a call (open stages only)

    @property
    def stage_name(self) -> str:
        return STAGES[self.stage]

    @property
    def intention(self) -> str | None:
        return next((c.intention for c in reversed(self.contacts) if c.intention), None)

    @property
    def last_contact(self) -> Interaction | None:
        return self.contacts[-1] if self.contacts else None

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    def days_left(self, today: date) -> int:
        return (self.policy.terminates - today).days

    def is_due(self, today: date) -> bool:
        return self.is_open and self.next_due is not None and self.next_due <= today


def checkpoints(policy: Policy, offsets: list[int]) -> list[date]:
    """The days the client is to be contacted: each offset before the end, and the last day."""
    days = {day for _, day in renewal_contacts(policy, [d for d in offsets if d > 0])}
    return sorted(days | {policy.terminates})


def stage_of(
    policy: Policy, contacts: list[Interaction], successor: Policy | None, today: date
) -> str:
    if successor is not None or policy.status == "renewed":
        return "renewed"
    intention = next((c.intention for c in reversed(contacts) if c.intention), None)
    if intention == "decline":
        return "declined"
    if policy.status == "lapsed" or policy.terminates < today:
        return "lapsed"
    if intention:
        return intention
    return "contacted" if contacts else "upcoming"


def next_due(policy: Policy, contacts: list[Interaction], offsets: list[int]) -> date | None:
    """The first checkpoint after the last contact, or the follow-up day agreed, if sooner."""
    last = contacts[-1] if contacts else None
    due = [d for d in checkpoints(policy, offsets) if last is None or d > last.date]
    if last is not None and last.follow_up and last.follow_up > last.date:
        due.append(last.follow_up)
    return min(due, default=None)


def renewal_book(firm: Firm, today: date, memo=None) -> dict[str, Renewal]:
    """Every renewable policy that has reached its first contact day, or is stored as renewed or
    lapsed, by registry number. One pass over the firm. ``memo`` (`baodan serve`'s
    web/incremental.ClientMemo) keeps a client's renewals while its records, the successors
    of its policies, the rules, the reminder days and today are unchanged."""
    rules = renewal_rules(firm.rules)
    offsets = firm.settings.reminders.renewal_days
    successors = {p.renewal_of: p for _, p in firm.policies() if p.renewal_of}
    kept = memo.for_build((today, rules, offsets)) if memo is not None else None
    book: dict[str, Renewal] = {}
    for cf in firm.clients.values():
        if kept is None:
            found = _client_renewals(cf, successors, rules, offsets, today)
        else:
            found = kept(
                cf,
                [successors.get(p.registry_no) for p in cf.policies],
                lambda cf=cf: _client_renewals(cf, successors, rules, offsets, today),
            )
        for p, stage, mine, successor, due in found:
            book[p.registry_no] = Renewal(cf, p, stage, mine, successor, due)
    return book


def _client_renewals(
    cf: ClientFile,
    successors: dict[str, Policy],
    rules: RenewalRules,
    offsets: list[int],
    today: date,
) -> list[tuple]:
    """(policy, stage, contacts, successor, next due) of each of the client's policies in the
    renewal book."""
    window = timedelta(days=max(offsets, default=0))
    contacts: dict[str, list[Interaction]] = {}
    for i in cf.interactions:
        if i.kind == "renewal":
            contacts.setdefault(i.policy, []).append(i)
    found = []
    for p in cf.policies:
        if not is_renewable(p, rules) or p.terminates - window > today:
            continue
        mine = contacts.get(p.registry_no, [])
        successor = successors.get(p.registry_no)
        stage = stage_of(p, mine, successor, today)
        due = next_due(p, mine, offsets) if stage in OPEN_STAGES else None
        found.append((p, stage, mine, successor, due))
    return found


def display_status(policy: Policy, renewal: Renewal | None, today: date) -> str:
    """The status staff read: a policy past its end shows as renewed, lapsed or ended,
    whatever its record still says."""
    status = policy.status
    if status in ("active", "on_hold") and policy.terminates and policy.terminates < today:
        if renewal is None:
            status = "terminated"
        else:
            status = "renewed" if renewal.stage == "renewed" else "lapsed"
    return status
