"""Cross-record integrity: references resolve, numbers unique and never reused, dates sane."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from baodan.core.errors import RecordError, Source
from baodan.models import Firm
from baodan.models.staff import STAFF_HINT
from baodan.models.taxonomy import taxonomy


def _err(record, field: str, message: str, hint: str) -> RecordError:
    return RecordError(Source(record.path), field, message, hint)


def check_staff_refs(firm: Firm, today: date) -> list[RecordError]:
    hint = STAFF_HINT
    errors = []
    for cf in firm.clients.values():
        if firm.lacks_staff(cf.client.manager):
            errors.append(_err(cf.client, "manager", f"没有员工“{cf.client.manager}”", hint))
        for p in cf.policies:
            if firm.lacks_staff(p.intake.received_by):
                errors.append(
                    _err(p, "intake.received_by", f"没有员工“{p.intake.received_by}”", hint)
                )
        for c in cf.claims:
            if firm.lacks_staff(c.handler):
                errors.append(_err(c, "handler", f"没有员工“{c.handler}”", hint))
        for i in cf.interactions:
            if firm.lacks_staff(i.staff):
                errors.append(_err(i, "staff", f"没有员工“{i.staff}”", hint))
        for t in cf.tasks:
            if t.owner and firm.lacks_staff(t.owner):
                errors.append(_err(t, "owner", f"没有员工“{t.owner}”", hint))
    return errors


def check_insurer_refs(firm: Firm, today: date) -> list[RecordError]:
    known = "、".join(sorted(firm.insurers)) or "（还没有）"
    return [
        _err(
            p,
            "insurer",
            f"没有保险公司“{p.insurer}”",
            f"填 records/insurers/ 下已有的编号：{known}",
        )
        for _, p in firm.policies()
        if firm.lacks_insurer(p.insurer)
    ]


def check_policy_refs(firm: Firm, today: date) -> list[RecordError]:
    index = firm.policy_index()
    skip = firm.unreadable_policies()  # their own errors say what is wrong with them
    errors = []
    for cf in firm.clients.values():
        for c in cf.claims:
            owner = index.get(c.policy)
            if owner is None and c.policy in skip:
                continue
            if owner is None:
                errors.append(
                    _err(
                        c, "policy", f"没有登记号为 {c.policy} 的保单", "填这位客户名下保单的登记号"
                    )
                )
            elif owner[0] is not cf:
                errors.append(
                    _err(
                        c,
                        "policy",
                        f"保单 {c.policy} 不属于这位客户",
                        "理赔记录要放在保单所属客户的文件夹里",
                    )
                )
        for i in cf.interactions:
            if i.policy and i.policy not in index and i.policy not in skip:
                errors.append(
                    _err(
                        i,
                        "policy",
                        f"没有登记号为 {i.policy} 的保单",
                        "填已登记保单的登记号，或删去这一行",
                    )
                )
        for p in cf.policies:
            if p.renewal_of and p.renewal_of not in index and p.renewal_of not in skip:
                errors.append(
                    _err(
                        p,
                        "renewal_of",
                        f"没有登记号为 {p.renewal_of} 的保单",
                        "填被续保的原保单登记号",
                    )
                )
    return errors


def check_registry_numbers(firm: Firm, today: date) -> list[RecordError]:
    seen: dict[str, list] = defaultdict(list)
    for _, p in firm.policies():
        seen[p.registry_no].append(p)
    errors = []
    for number, policies in seen.items():
        if len(policies) > 1:
            others = "、".join(p.path for p in policies)
            for p in policies:
                errors.append(
                    _err(
                        p,
                        "registry_no",
                        f"登记号 {number} 重复：{others}",
                        "登记号必须唯一；为后登记的一张运行 baodan renumber 换新号",
                    )
                )
        if number in firm.retired_registry_nos:
            errors.append(
                _err(
                    policies[0],
                    "registry_no",
                    f"登记号 {number} 已注销过，不能再用",
                    "运行 baodan renumber 为它分配新号",
                )
            )
    return errors


def check_policy_numbers(firm: Firm, today: date) -> list[RecordError]:
    """One insurer's policy number is registered once: a second registration of the same
    policy (the paper and the e-policy, two staff) would double its premiums and reminders.
    A renewal that keeps the number of the policy it renews is the same contract going on."""
    seen: dict[tuple[str, str], list] = defaultdict(list)
    for _, p in firm.policies():
        seen[(p.insurer, p.policy_no.upper())].append(p)
    errors = []
    for policies in seen.values():
        numbers = {p.registry_no for p in policies}
        starts = [p for p in policies if p.renewal_of not in numbers]  # renewals go on
        if len(starts) < 2:
            continue
        for p in starts:
            others = "、".join(o.registry_no for o in starts if o is not p)
            errors.append(
                _err(
                    p,
                    "policy_no",
                    f"保险公司保单号 {p.policy_no} 登记了不止一次",
                    f"已登记为 {others}。同一张保单只登记一次：核对后删除多登记的那份"
                    "（git rm 该文件）；确是续保的保单请在 renewal_of 写上原保单登记号",
                )
            )
    return errors


def check_unique_access(firm: Firm, today: date) -> list[RecordError]:
    errors = []
    for attr, label in (("portal", "门户编号"), ("feed", "订阅令牌")):
        seen: dict[str, str] = {}
        for cf in firm.clients.values():
            access = getattr(cf.client, attr)
            if access is None:
                continue
            value = access.id if attr == "portal" else access.token
            if value in seen:
                errors.append(
                    _err(
                        cf.client,
                        f"{attr}",
                        f"{label}与客户 {seen[value]} 重复",
                        f"运行 baodan {'portal' if attr == 'portal' else 'feed'} rotate {cf.client.id}",
                    )
                )
            seen[value] = cf.client.id
    return errors


def check_dates(firm: Firm, today: date) -> list[RecordError]:
    errors = []
    for cf in firm.clients.values():
        for c in cf.claims:
            if c.reported_on < c.incident_date:
                errors.append(_err(c, "reported_on", "报案日期早于出险日期", "请核对两个日期"))
            days = [s.date for s in c.stages]
            if days != sorted(days):
                errors.append(
                    _err(
                        c, "stages", "进度记录的日期没有按时间顺序", "按发生先后排列，最新的放最后"
                    )
                )
            if days and days[-1] > today:
                errors.append(_err(c, "stages", "进度记录的日期在未来", "只记录已经发生的进度"))
            for m in c.materials:
                if m.received_on and m.received_on > today:
                    errors.append(
                        _err(c, "materials", f"材料“{m.item}”的收到日期在未来", "填实际收到的日期")
                    )
    return errors


def check_lecture_tags(firm: Firm, today: date) -> list[RecordError]:
    tax = taxonomy(firm.rules)
    known = tax.categories
    return [
        _err(lec, "tags", f"不认识的主题标签“{tag}”", f"可选：{tax.category_choices()}")
        for lec in firm.lectures
        for tag in lec.tags
        if tag not in known
    ]


INTEGRITY_CHECKS = [
    check_staff_refs,
    check_insurer_refs,
    check_policy_refs,
    check_registry_numbers,
    check_policy_numbers,
    check_unique_access,
    check_dates,
    check_lecture_tags,
]
