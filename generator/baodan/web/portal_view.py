"""What a client sees on their portal page: their policies, claims and dates, worked out once.

Pure functions over the loaded Firm. Dates are compared with the build's "today" only where a
client needs it (what is next, what is current), so a rebuild on another day changes a portal
only when something on it has really moved on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from baodan.domain.claims import ClaimStatus, claim_status, missing_materials
from baodan.domain.schedule import Window, add_months, in_force, month_window, premium_due_dates
from baodan.models import ClientFile, Firm, Insurer, Policy, Staff
from baodan.models.base import mask_id
from baodan.models.claim import CLAIM_TYPES, STAGES, Claim
from baodan.models.client import has_consent
from baodan.models.policy import FREQUENCIES
from baodan.models.taxonomy import taxonomy
from baodan.models.texts import PortalTexts
from baodan.web.context import cn_date, yuan
from baodan.web.feeds import SubscribeLinks

# A refused or partly paid claim stays in view: the client may still object (claim_dispute).
CLAIM_DONE = ("paid", "closed")
# How far ahead "近期事项" looks, in whole months (month-aligned: the list changes monthly).
UPCOMING_MONTHS = 3


def next_premium(policy: Policy, today: date) -> date | None:
    """The next instalment due on or after today (the first one when the policy has not
    started yet); None when nothing more is due."""
    if not in_force(policy):
        return None
    due = premium_due_dates(policy, Window(today, add_months(today, 12)))
    return due[0].due if due else None


@dataclass
class PolicyView:
    policy: Policy
    insurer: Insurer | None
    kind: str  # 健康保险 · 医疗保险
    status: str  # 有效 / 即将到期 / 已续保 …
    tone: str  # ok / warn / muted: the badge colour
    renewal: str  # what happens at the end of the term
    next_due: date | None
    payment: str  # 年缴 1,234.00元 …
    beneficiaries: list[str]
    current: bool


@dataclass
class ClaimView:
    claim: Claim
    policy: Policy | None
    insurer: Insurer | None
    kind: str
    status: ClaimStatus  # the badge and its sentence, as the staff queue sees it (one source)
    stage_date: date
    steps: list[tuple[date, str]]
    missing: list[str]
    handler: Staff | None
    done: bool


@dataclass
class Upcoming:
    day: date
    what: str  # 缴纳保费 / 保单到期
    product: str
    note: str


@dataclass
class FeedLinks:
    https: str  # for a computer's calendar
    page: str  # the calendar page that shows each phone its way; also drawn as a QR code


@dataclass
class PortalView:
    """Everything portal_body.html.j2 shows for one client."""

    name: str
    manager: Staff | None
    policies: list[PolicyView]
    past_policies: list[PolicyView]
    claims: list[ClaimView]
    past_claims: list[ClaimView]
    upcoming: list[Upcoming]
    feed: FeedLinks | None
    texts: PortalTexts
    extra: dict = field(default_factory=dict)  # for later sections (保障建议 …)
    # Attached documents by the policy number or claim id they belong to (web/portal_documents)
    documents: dict = field(default_factory=dict)

    @property
    def in_force(self) -> list[PolicyView]:
        """The current policies but those on hold (a suspected forgery being checked): what
        the client may count on."""
        return [v for v in self.policies if v.policy.status != "on_hold"]


def has_portal(cf: ClientFile, today: date) -> bool:
    """Clients with a portal record who are still clients and have signed consent."""
    return cf.client.portal is not None and has_consent(cf.client, today)


def portal_view(firm: Firm, cf: ClientFile, today: date, feed: SubscribeLinks | None) -> PortalView:
    """``feed`` is the client's calendar feed addresses, when there are any."""
    renewed = {p.renewal_of for p in cf.policies if p.renewal_of}
    renewal_days = max(firm.settings.reminders.renewal_days, default=90)
    views = [
        _policy_view(firm, p, today, p.registry_no in renewed, renewal_days) for p in cf.policies
    ]
    by_no = {p.registry_no: p for p in cf.policies}
    claims = [_claim_view(firm, c, by_no.get(c.policy)) for c in cf.claims]
    current = sorted((v for v in views if v.current), key=_policy_order)
    past = sorted(
        (v for v in views if not v.current),
        key=lambda v: v.policy.terminates or v.policy.effective,
        reverse=True,
    )
    client = cf.client
    return PortalView(
        name=client.name,
        manager=firm.staff.get(client.manager),
        policies=current,
        past_policies=past,
        claims=[c for c in claims if not c.done],
        past_claims=sorted((c for c in claims if c.done), key=lambda c: c.stage_date, reverse=True),
        upcoming=_upcoming(current, today),
        feed=FeedLinks(feed.https, feed.page) if feed else None,
        texts=firm.rules.get("portal", PortalTexts),
    )


def _policy_order(v: PolicyView) -> tuple:
    return (v.policy.category, v.policy.effective, v.policy.registry_no)


def _policy_view(
    firm: Firm, p: Policy, today: date, renewed: bool, renewal_days: int
) -> PolicyView:
    ended = p.terminates is not None and p.terminates < today
    current = in_force(p) and not ended and not renewed
    status, tone, renewal = _status(p, today, renewed, renewal_days, ended)
    next_due = next_premium(p, today) if current else None
    frequency = FREQUENCIES[p.payment.frequency]
    years = f"，缴 {p.payment.years} 年" if p.payment.years else ""
    tax = taxonomy(firm.rules)
    return PolicyView(
        policy=p,
        insurer=firm.insurers.get(p.insurer),
        kind=f"{tax.category_name(p.category)} · {tax.subcategory_name(p.category, p.subcategory)}",
        status=status,
        tone=tone,
        renewal=renewal,
        next_due=next_due,
        payment=f"{frequency}{years}",
        beneficiaries=[
            f"{b.name}（{b.relation}，{b.share.normalize():f}%）"
            + (f" 身份证 {mask_id(b.id_number)}" if b.id_number else "")
            for b in p.beneficiaries
        ],
        current=current,
    )


def _status(
    p: Policy, today: date, renewed: bool, renewal_days: int, ended: bool
) -> tuple[str, str, str]:
    """(badge, tone, renewal line) as a client reads them."""
    if renewed or p.status == "renewed":
        return "已续保", "muted", "已续保，新保单见上方"
    if p.status == "on_hold":
        return "核实中", "warn", "我们正在与您核实这张保单的信息，核实后恢复正常提醒"
    if p.status in ("lapsed", "terminated", "cancelled"):
        label = {"lapsed": "已失效", "terminated": "已终止", "cancelled": "已退保"}[p.status]
        return label, "muted", label
    if p.terminates is None:
        return "有效", "ok", "长期有效，无需续保"
    if ended:
        return "已到期", "muted", f"已于 {cn_date(p.terminates)} 到期"
    if p.terminates - today <= timedelta(days=renewal_days):
        return "即将到期", "warn", "即将到期：我们会在到期前联系您办理续保，也可以直接找客户经理"
    return "有效", "ok", "到期前我们会提醒您续保"


def _claim_view(firm: Firm, c: Claim, policy: Policy | None) -> ClaimView:
    last = c.stages[-1]
    missing = missing_materials(c, firm.rules)
    return ClaimView(
        claim=c,
        policy=policy,
        insurer=firm.insurers.get(policy.insurer) if policy else None,
        kind=CLAIM_TYPES[c.type],
        status=claim_status(c, missing),
        stage_date=last.date,
        steps=[(s.date, STAGES[s.stage]) for s in c.stages],
        missing=[m.item for m in missing],
        handler=firm.staff.get(c.handler),
        done=last.stage in CLAIM_DONE,
    )


def _upcoming(policies: list[PolicyView], today: date) -> list[Upcoming]:
    """Premiums due and terms ending from today to the end of the month UPCOMING_MONTHS on."""
    until = month_window(today, UPCOMING_MONTHS + 1).end
    items = []
    for v in policies:
        p = v.policy
        name = f"{p.product} · {p.vehicle.plate}" if p.vehicle else p.product
        if v.next_due and v.next_due <= until:
            method = f"，{p.payment.method}" if p.payment.method else ""
            items.append(Upcoming(v.next_due, "缴纳保费", name, f"{yuan(p.premium)}{method}"))
        if p.terminates and today <= p.terminates <= until:
            items.append(Upcoming(p.terminates, "保单到期", name, "我们会提前联系您办理续保"))
    return sorted(items, key=lambda u: (u.day, u.what, u.product))
