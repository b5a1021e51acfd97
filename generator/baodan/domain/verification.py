"""Verification (核对信息): every party and figure on a policy against the client master record.

``differences`` is pure: it reads a client's file, one policy, its insurer and the policy it
renews, and lists what differs. ``baodan verify`` records new differences on the policy as
discrepancies (open → confirmed with the client → resolved).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from stdnum.cn import ric

from baodan.models import ClientFile, Insurer, Policy
from baodan.models.policy import Party

# Relations a family record is expected to hold; others (雇员, 其他) are not looked up.
FAMILY = ("本人", "配偶", "子女", "父母", "祖父母", "孙子女", "兄弟姐妹")


@dataclass(frozen=True)
class Difference:
    field: str
    subject: str
    on_policy: str | None
    on_record: str | None

    @property
    def key(self) -> tuple[str, str | None, str | None]:
        return (self.field, self.on_policy, self.on_record)


@dataclass(frozen=True)
class Person:
    """Someone in the client master record: the client, or a family member."""

    name: str
    relation: str
    id_number: str | None
    birth_date: date | None
    sex: str | None
    mobile: str | None


def people(cf: ClientFile) -> list[Person]:
    c = cf.client
    found = []
    if c.kind == "person":
        found.append(Person(c.name, "本人", c.id_number, c.birth_date, c.sex, c.mobile))
    for m in c.family:
        found.append(Person(m.name, m.relation, m.id_number, m.birth_date, None, m.mobile))
    return found


def _find(party, everyone: list[Person]) -> Person | None:
    """The same person in the record: by ID number, else by name, else the spouse (one
    whose name was written differently; a child or parent may be one the record lacks)."""
    if party.id_number:
        hit = next((p for p in everyone if p.id_number == party.id_number), None)
        if hit:
            return hit
    hit = next((p for p in everyone if p.name == party.name), None)
    if hit:
        return hit
    if not isinstance(party, Party):  # a beneficiary's relation is to the insured
        return None
    spouses = [p for p in everyone if p.relation == "配偶"]
    return spouses[0] if party.relation == "配偶" and len(spouses) == 1 else None


@lru_cache(maxsize=65536)  # a client's number recurs in each of their policies; stdnum is slow
def _ric_facts(id_number: str) -> tuple[date, str]:
    return ric.get_birth_date(id_number), "男" if int(id_number[16]) % 2 else "女"


def _compare_person(field: str, role: str, party, person: Person) -> list[Difference]:
    who = f"{role} {party.name}"
    found = []
    if party.name != person.name:
        found.append(Difference(f"{field}.name", f"{role}姓名", party.name, person.name))
    if party.id_number and person.id_number != party.id_number:
        found.append(
            Difference(f"{field}.id_number", f"{who} 的身份证号", party.id_number, person.id_number)
        )
    if party.id_number and person.id_number in (None, party.id_number):
        birth, sex = _ric_facts(party.id_number)
        if person.birth_date and person.birth_date != birth:
            found.append(
                Difference(
                    f"{field}.id_number",
                    f"{who} 身份证号所含出生日期",
                    birth.isoformat(),
                    person.birth_date.isoformat(),
                )
            )
        if person.sex and person.sex != sex:
            found.append(
                Difference(f"{field}.id_number", f"{who} 身份证号所含性别", sex, person.sex)
            )
    if isinstance(party, Party):
        if role != "受益人" and party.relation != person.relation:
            found.append(
                Difference(
                    f"{field}.relation", f"{who} 与客户的关系", party.relation, person.relation
                )
            )
        if party.mobile and person.mobile and party.mobile != person.mobile:
            found.append(
                Difference(f"{field}.mobile", f"{who} 的手机号", party.mobile, person.mobile)
            )
    return found


def _company_party(field: str, role: str, party: Party, cf: ClientFile) -> list[Difference]:
    c = cf.client
    found = []
    if party.name != c.name:
        found.append(Difference(f"{field}.name", f"{role}名称", party.name, c.name))
    if party.uscc and party.uscc != c.uscc:
        found.append(Difference(f"{field}.uscc", f"{role}统一社会信用代码", party.uscc, c.uscc))
    mobiles = {c.mobile} | {k.mobile for k in c.contacts}
    if party.mobile and party.mobile not in mobiles:
        known = "、".join(sorted(m for m in mobiles if m)) or None
        found.append(Difference(f"{field}.mobile", f"{role}联系电话", party.mobile, known))
    return found


def _party(field: str, role: str, party, cf: ClientFile, everyone: list[Person]) -> list:
    relation = getattr(party, "relation", "本人")
    if cf.client.kind == "company" and (getattr(party, "uscc", None) or relation == "本人"):
        return _company_party(field, role, party, cf)
    if relation not in FAMILY:
        return []
    person = _find(party, everyone)
    if person is None:
        return [Difference(f"{field}.name", f"{role} {party.name}（{relation}）", party.name, None)]
    return _compare_person(field, role, party, person)


def _address(policy: Policy, cf: ClientFile) -> list[Difference]:
    on_policy = policy.policyholder.address
    on_record = cf.client.address
    if on_policy and on_record and _squash(on_policy) != _squash(on_record):
        return [Difference("policyholder.address", "投保人地址", on_policy, on_record)]
    return []


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _dates(policy: Policy, predecessor: Policy | None) -> list[Difference]:
    found = []
    if predecessor is not None and predecessor.terminates:
        expected = predecessor.terminates + timedelta(days=1)
        if policy.effective != expected:
            found.append(
                Difference(
                    "effective",
                    f"续保生效日与原保单 {predecessor.registry_no} 满期日不衔接",
                    policy.effective.isoformat(),
                    expected.isoformat(),
                )
            )
    if policy.terminates and 330 <= (policy.terminates - policy.effective).days <= 400:
        expected = _one_year_end(policy.effective)
        if policy.terminates != expected:
            found.append(
                Difference(
                    "terminates",
                    "保险期间不是整一年（满期日应为生效日一年后的前一天）",
                    policy.terminates.isoformat(),
                    expected.isoformat(),
                )
            )
    return found


def _one_year_end(effective: date) -> date:
    try:
        return effective.replace(year=effective.year + 1) - timedelta(days=1)
    except ValueError:  # 29 February
        return date(effective.year + 1, 2, 28)


def _insurer(policy: Policy, insurer: Insurer | None) -> list[Difference]:
    if insurer is None or not policy.insurer_phone:
        return []
    if _digits(policy.insurer_phone) != _digits(insurer.claims_hotline):
        return [
            Difference(
                "insurer_phone",
                f"保单上的{insurer.short_name}客服电话与保险公司名录不符（警惕伪造保单）",
                policy.insurer_phone,
                insurer.claims_hotline,
            )
        ]
    return []


def differences(
    cf: ClientFile,
    policy: Policy,
    insurer: Insurer | None = None,
    predecessor: Policy | None = None,
) -> list[Difference]:
    """What on ``policy`` differs from the client master record, the insurer directory and
    the policy it renews."""
    return [
        *party_differences(cf, policy),
        *_address(policy, cf),
        *_dates(policy, predecessor),
        *_insurer(policy, insurer),
    ]


def party_differences(cf: ClientFile, policy: Policy) -> list[Difference]:
    """Policyholder, insured and beneficiaries against the client and the family record."""
    everyone = people(cf)
    found = _party("policyholder", "投保人", policy.policyholder, cf, everyone)
    for n, party in enumerate(policy.insured):
        found += _party(f"insured[{n}]", "被保险人", party, cf, everyone)
    for n, b in enumerate(policy.beneficiaries):
        found += _party(f"beneficiaries[{n}]", "受益人", b, cf, everyone)
    return found


def unresolved(policy: Policy, found: list[Difference]) -> list[Difference]:
    """Differences not yet closed on the policy (a resolved one stays resolved)."""
    closed = {
        (d.field, d.on_policy, d.on_record) for d in policy.discrepancies if d.status == "resolved"
    }
    return [d for d in found if d.key not in closed]


def differing_positions(a: str | None, b: str | None) -> list[int]:
    """1-based positions where two same-length identifiers differ (第 15 位不同)."""
    if not a or not b or len(a) != len(b):
        return []
    return [i + 1 for i, (x, y) in enumerate(zip(a, b)) if x != y]
