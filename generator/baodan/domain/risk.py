"""Risk assessment (风险评估): rules from data/risk_rules.yaml applied to each client's policies.

A rule names a check (below, in CHECKS) and gives the level, the reason, the advice for staff
and the plain words for the client. ``assess(firm, today)`` runs every rule once over the
firm and returns a RiskBook: findings per policy and per client, and each client's advice in
plain words for the portal (``RiskBook.client_advice``).
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from baodan.core.errors import Problem
from baodan.core.rules import Rules
from baodan.domain import schedule
from baodan.domain.renewals import Renewal, renewal_book
from baodan.domain.verification import party_differences, unresolved
from baodan.models import ClientFile, Firm, Policy
from baodan.models.base import Model, yuan
from baodan.models.client import has_left

LEVELS = ("低", "中", "高")


@dataclass
class Env:
    """What a check reads besides the client: the firm, today, the renewal pipeline."""

    firm: Firm
    today: date
    renewals: dict[str, Renewal]


# A check yields (policy or None for the client as a whole, values for the rule's texts).
Hit = tuple[Policy | None, dict[str, object]]


def in_force(cf: ClientFile, today: date) -> list[Policy]:
    """Policies that cover the client now or will (a renewal bought ahead counts)."""
    return [
        p
        for p in cf.policies
        if schedule.in_force(p) and (p.terminates is None or p.terminates >= today)
    ]


def _product(p: Policy) -> dict[str, object]:
    return {"product": p.product, "registry_no": p.registry_no}


def insurer_below_requirement(cf: ClientFile, params: dict, env: Env) -> Iterator[Hit]:
    for p in in_force(cf, env.today):
        insurer = env.firm.insurers.get(p.insurer)
        s = insurer.latest_solvency if insurer else None
        if s and not s.meets_requirement:
            yield (
                p,
                {
                    **_product(p),
                    "insurer": insurer.short_name,
                    "quarter": s.quarter,
                    "comprehensive": s.comprehensive_ratio,
                    "core": s.core_ratio,
                    "rating": s.rating,
                },
            )


def insurer_figures_stale(cf: ClientFile, params: dict, env: Env) -> Iterator[Hit]:
    for p in in_force(cf, env.today):
        insurer = env.firm.insurers.get(p.insurer)
        if insurer is None:
            continue
        s = insurer.latest_solvency
        if s is None or s.is_stale(env.today):
            yield (
                p,
                {
                    **_product(p),
                    "insurer": insurer.short_name,
                    "quarter": s.quarter if s else "（无数据）",
                },
            )


def under_insured(cf: ClientFile, params: dict, env: Env) -> Iterator[Hit]:
    ratio = Decimal(str(params.get("ratio", 1)))
    for p in in_force(cf, env.today):
        prop = p.insured_property
        if prop and prop.declared_value and p.sum_insured < prop.declared_value * ratio:
            yield (
                p,
                {
                    **_product(p),
                    "sum_insured": yuan(p.sum_insured),
                    "declared_value": yuan(prop.declared_value),
                    "percent": round(p.sum_insured * 100 / prop.declared_value),
                },
            )


def critical_illness_low(cf: ClientFile, params: dict, env: Env) -> Iterator[Hit]:
    """A critical-illness sum below the firm's floor (a few years' income; records hold no
    income, so the floor is a rule parameter the firm sets)."""
    floor = Decimal(str(params["min_sum"]))
    for p in in_force(cf, env.today):
        if _covers(p, ["health/critical_illness"]) and p.sum_insured < floor:
            yield p, {**_product(p), "sum_insured": yuan(p.sum_insured), "min_sum": yuan(floor)}


def ending_without_intention(cf: ClientFile, params: dict, env: Env) -> Iterator[Hit]:
    for p in cf.policies:
        r = env.renewals.get(p.registry_no)
        if (
            r
            and r.stage in ("upcoming", "contacted")
            and 0 <= r.days_left(env.today) <= params["days"]
        ):
            yield p, {**_product(p), "days": r.days_left(env.today), "terminates": p.terminates}


def beneficiary_unspecified(cf: ClientFile, params: dict, env: Env) -> Iterator[Hit]:
    for p in in_force(cf, env.today):
        if p.category in params["categories"] and not p.beneficiaries:
            yield p, {**_product(p), "insured": "、".join(i.name for i in p.insured) or "被保险人"}


def beneficiary_outdated(cf: ClientFile, params: dict, env: Env) -> Iterator[Hit]:
    """A beneficiary of a policy insuring the client who has died, or named as the spouse
    when the family record's spouse is now someone else (or nobody): the family changed."""
    c = cf.client
    if c.kind != "person":
        return
    by_id = {m.id_number: m for m in c.family if m.id_number}
    by_name = {m.name: m for m in c.family}
    spouses = {m.name for m in c.family if m.relation == "配偶" and not m.died_on}
    for p in in_force(cf, env.today):
        if not any(i.relation == "本人" for i in p.insured):  # relations are to the insured
            continue
        for b in p.beneficiaries:
            member = by_id.get(b.id_number or "") or by_name.get(b.name)
            if member is not None and member.died_on and member.died_on <= env.today:
                why = f"已于 {member.died_on} 去世"
            elif b.relation == "配偶" and b.name not in spouses:
                why = "不再是客户记录中的配偶"
            else:
                continue
            insured = "、".join(i.name for i in p.insured)
            yield p, {**_product(p), "insured": insured, "name": b.name, "why": why}


def parties_inconsistent(cf: ClientFile, params: dict, env: Env) -> Iterator[Hit]:
    for p in in_force(cf, env.today):
        found = [
            d
            for d in unresolved(p, party_differences(cf, p))
            if not d.field.startswith("beneficiaries")
        ]
        if found:
            yield p, {**_product(p), "details": "；".join(d.subject for d in found)}


def vehicle_without_compulsory(cf: ClientFile, params: dict, env: Env) -> Iterator[Hit]:
    auto = [p for p in in_force(cf, env.today) if p.category == "auto" and p.vehicle]
    covered = {_vehicle_key(p) for p in auto if p.subcategory == "compulsory"}
    for p in auto:
        if p.subcategory != "compulsory" and _vehicle_key(p) not in covered:
            yield p, {**_product(p), "plate": p.vehicle.plate}


def _vehicle_key(p: Policy) -> str:
    return p.vehicle.vin


def _covers(p: Policy, categories: list[str]) -> bool:
    return p.category in categories or f"{p.category}/{p.subcategory}" in categories


def earner_without_protection(cf: ClientFile, params: dict, env: Env) -> Iterator[Hit]:
    c = cf.client
    dependants = [m for m in c.family if m.dependant]
    if c.kind != "person" or not c.earner or not dependants:
        return
    for p in in_force(cf, env.today):
        insures_client = any(i.relation == "本人" or i.id_number == c.id_number for i in p.insured)
        if insures_client and _covers(p, params["categories"]):
            return
    yield None, {"dependants": len(dependants), "names": "、".join(m.name for m in dependants)}


def children_before_parents(cf: ClientFile, params: dict, env: Env) -> Iterator[Hit]:
    """A child has the cover (life or critical illness) that neither parent has: the family
    protected the one who doesn't earn and not the ones who do."""
    c = cf.client
    if c.kind != "person":
        return
    children = {m.id_number or m.name for m in c.family if m.relation == "子女"}
    parents = {c.id_number} | {m.id_number or m.name for m in c.family if m.relation == "配偶"}
    covered = {
        i.id_number or i.name
        for p in in_force(cf, env.today)
        if _covers(p, params["categories"])
        for i in p.insured
    }
    if children & covered and not parents & covered:
        yield None, {}


def company_without_employer_liability(cf: ClientFile, params: dict, env: Env) -> Iterator[Hit]:
    c = cf.client
    if c.kind != "company" or (c.employees or 0) < params.get("min_employees", 1):
        return
    if not any(_covers(p, ["liability/employer"]) for p in in_force(cf, env.today)):
        yield None, {"employees": c.employees}


# check name → (function, the values its texts may use besides product and registry_no).
CHECKS: dict[str, tuple[Callable[[ClientFile, dict, Env], Iterator[Hit]], set[str]]] = {
    "insurer_below_requirement": (
        insurer_below_requirement,
        {"insurer", "quarter", "comprehensive", "core", "rating"},
    ),
    "insurer_figures_stale": (insurer_figures_stale, {"insurer", "quarter"}),
    "under_insured": (under_insured, {"sum_insured", "declared_value", "percent"}),
    "critical_illness_low": (critical_illness_low, {"sum_insured", "min_sum"}),
    "ending_without_intention": (ending_without_intention, {"days", "terminates"}),
    "beneficiary_unspecified": (beneficiary_unspecified, {"insured"}),
    "beneficiary_outdated": (beneficiary_outdated, {"insured", "name", "why"}),
    "parties_inconsistent": (parties_inconsistent, {"details"}),
    "vehicle_without_compulsory": (vehicle_without_compulsory, {"plate"}),
    "earner_without_protection": (earner_without_protection, {"dependants", "names"}),
    "children_before_parents": (children_before_parents, set()),
    "company_without_employer_liability": (company_without_employer_liability, {"employees"}),
}
CLIENT_LEVEL = {
    "earner_without_protection",
    "children_before_parents",
    "company_without_employer_liability",
}


class RiskRule(Model):
    id: str
    check: Literal[tuple(CHECKS)]
    level: Literal[LEVELS]
    title: str
    reason: str
    advice: str
    client: str | None = None
    params: dict = Field(default_factory=dict)
    enabled: bool = True

    @model_validator(mode="after")
    def _placeholders(self) -> RiskRule:
        allowed = CHECKS[self.check][1] | (
            set() if self.check in CLIENT_LEVEL else {"product", "registry_no"}
        )
        for name in ("reason", "advice", "client"):
            text = getattr(self, name) or ""
            unknown = {f for _, f, _, _ in string.Formatter().parse(text) if f} - allowed
            if unknown:
                raise Problem(
                    f"{name} 里的 {{{'}、{'.join(sorted(unknown))}}} 不是这种检查能提供的值",
                    f"可用：{'、'.join('{' + a + '}' for a in sorted(allowed))}",
                )
        return self


class RiskRules(Model):
    rules: list[RiskRule] = Field(min_length=1)


def risk_rules(rules: Rules) -> list[RiskRule]:
    return [r for r in rules.get("risk_rules", RiskRules).rules if r.enabled]


@dataclass(frozen=True)
class Finding:
    rule: RiskRule
    client_id: str
    registry_no: str | None  # None: about the client as a whole (a coverage gap)
    reason: str
    advice: str
    client_text: str | None

    @property
    def level(self) -> str:
        return self.rule.level


@dataclass(frozen=True)
class Advice:
    """What the client portal shows: a level and plain words."""

    level: str
    title: str
    text: str


def overall(findings: list[Finding]) -> str:
    """低 when nothing was found, else the highest level found."""
    return max((f.level for f in findings), key=LEVELS.index, default="低")


@dataclass
class RiskBook:
    by_client: dict[str, list[Finding]] = field(default_factory=dict)
    by_policy: dict[str, list[Finding]] = field(default_factory=dict)

    def policy_level(self, registry_no: str) -> str:
        return overall(self.by_policy.get(registry_no, []))

    def client_level(self, client_id: str) -> str:
        return overall(self.by_client.get(client_id, []))

    def client_advice(self, client_id: str) -> list[Advice]:
        """The client's findings in plain words, highest level first (rules without client
        text stay internal)."""
        seen: dict[str, Advice] = {}
        for f in self.by_client.get(client_id, []):
            if f.client_text and f.client_text not in seen:
                seen[f.client_text] = Advice(f.level, f.rule.title, f.client_text)
        return sorted(seen.values(), key=lambda a: -LEVELS.index(a.level))


def _findings(cf: ClientFile, rules: list[RiskRule], env: Env) -> Iterator[Finding]:
    for rule in rules:
        check = CHECKS[rule.check][0]
        for policy, values in check(cf, rule.params, env):
            yield Finding(
                rule,
                cf.client.id,
                policy.registry_no if policy else None,
                rule.reason.format(**values),
                rule.advice.format(**values),
                rule.client.format(**values) if rule.client else None,
            )


def assess(
    firm: Firm,
    today: date,
    renewals: dict[str, Renewal] | None = None,
    rules: list[RiskRule] | None = None,
    memo=None,
) -> RiskBook:
    """Every rule over every current client, once. ``memo`` (`baodan serve`'s
    web/incremental.ClientMemo) keeps a client's findings while what they are made of is
    unchanged: the client's records, its policies' renewals, the rules, insurers and today."""
    env = Env(firm, today, renewals if renewals is not None else renewal_book(firm, today))
    rules = risk_rules(firm.rules) if rules is None else rules
    book = RiskBook()
    kept = memo.for_build((today, rules, firm.insurers)) if memo is not None else None
    for cf in firm.clients.values():
        if has_left(cf.client, today):
            continue
        if kept is None:
            found = list(_findings(cf, rules, env))
        else:
            found = kept(
                cf,
                [_renewal_facts(env.renewals.get(p.registry_no)) for p in cf.policies],
                lambda cf=cf: list(_findings(cf, rules, env)),
            )
        if found:
            book.by_client[cf.client.id] = found
        for f in found:
            if f.registry_no:
                book.by_policy.setdefault(f.registry_no, []).append(f)
    return book


def _renewal_facts(r: Renewal | None) -> tuple | None:
    """All of a renewal but its client (whose records the memo compares itself)."""
    if r is None:
        return None
    return (r.policy, r.stage, r.contacts, r.successor, r.next_due)


def client_advice(firm: Firm, client_id: str, today: date) -> list[Advice]:
    """Plain-words advice for one client's portal. For many clients, call ``assess`` once and
    use ``RiskBook.client_advice`` for each."""
    return assess(firm, today).client_advice(client_id)
