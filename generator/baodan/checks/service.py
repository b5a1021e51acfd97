"""Client-service cross-checks: surveys, greetings, lecture attendance, tasks, incidents,
staff training. Each is a pure function firm -> list[RecordError]."""

from __future__ import annotations

from datetime import date

from baodan.core.errors import RecordError, Source
from baodan.domain.care import care_rules
from baodan.domain.claims import stage_problems, type_fits
from baodan.domain.incidents import plan_choices, plans
from baodan.models import Firm
from baodan.models.staff import STAFF_HINT
from baodan.models.taxonomy import taxonomy
from baodan.models.vocab import CLAIM_TYPES


def _err(record, field: str, message: str, hint: str) -> RecordError:
    return RecordError(Source(record.path), field, message, hint)


def check_survey_about(firm: Firm, today: date) -> list[RecordError]:
    """A survey names the claim or the interaction (of the same client) that prompted it."""
    errors = []
    for cf in firm.clients.values():
        surveys = [i for i in cf.interactions if i.survey and i.survey.about]
        if not surveys:
            continue
        known = {c.id for c in cf.claims} | {i.name for i in cf.interactions}
        for i in surveys:
            if i.survey.about not in known:
                errors.append(
                    _err(
                        i,
                        "survey.about",
                        f"这位客户没有理赔或互动记录“{i.survey.about}”",
                        "填这位客户的理赔编号（如 cl-1a2b3c4d）或互动记录文件名（如 2026-03-01-1），或删去这一行",
                    )
                )
    return errors


def check_occasions(firm: Firm, today: date) -> list[RecordError]:
    occasions = care_rules(firm.rules).occasions
    choices = "、".join(f"{code}（{o.name}）" for code, o in occasions.items())
    return [
        _err(i, "occasion", f"不认识的问候节日“{i.occasion}”", f"可选：{choices}")
        for cf in firm.clients.values()
        for i in cf.interactions
        if i.occasion and i.occasion not in occasions
    ]


def check_lecture_attendance(firm: Firm, today: date) -> list[RecordError]:
    lectures = {lec.slug: lec for lec in firm.lectures}
    errors = []
    for cf in firm.clients.values():
        for i in cf.interactions:
            if not i.lecture:
                continue
            lec = lectures.get(i.lecture)
            if lec is None:
                errors.append(
                    _err(
                        i,
                        "lecture",
                        f"没有讲座“{i.lecture}”",
                        "填 records/lectures/ 下讲座的文件名（不含 .md）",
                    )
                )
            elif lec.date > today:
                errors.append(
                    _err(
                        i,
                        "lecture",
                        f"讲座“{lec.title}”还没有举行（{lec.date}）",
                        "讲座结束后再记录出席",
                    )
                )
    return errors


def _client_refs(cf, record, unreadable: set[str]) -> list[RecordError]:
    """A task's or incident's policy and claim belong to the client whose folder holds it.
    A policy whose file failed to load has its own error already."""
    errors = []
    own = {p.registry_no for p in cf.policies} | unreadable
    if record.policy and record.policy not in own:
        errors.append(
            _err(
                record,
                "policy",
                f"这位客户没有保单 {record.policy}",
                "填这位客户名下保单的登记号",
            )
        )
    if record.claim and record.claim not in {c.id for c in cf.claims}:
        errors.append(
            _err(record, "claim", f"这位客户没有理赔 {record.claim}", "填这位客户的理赔编号")
        )
    return errors


def check_task_refs(firm: Firm, today: date) -> list[RecordError]:
    errors = []
    unreadable = firm.unreadable_policies()
    for cf in firm.clients.values():
        for t in cf.tasks:
            errors.extend(_client_refs(cf, t, unreadable))
            if t.status in ("done", "cancelled") and not t.closed_on:
                errors.append(
                    _err(
                        t,
                        "closed_on",
                        "已完成或已取消的任务要写结束日期",
                        "填 closed_on，如 2026-03-01",
                    )
                )
    return errors


def check_incidents(firm: Firm, today: date) -> list[RecordError]:
    known = plans(firm.rules)
    errors = []
    unreadable = firm.unreadable_policies()
    for cf in firm.clients.values():
        for inc in cf.incidents:
            plan = known.get(inc.plan)
            if plan is None:
                errors.append(
                    _err(
                        inc,
                        "plan",
                        f"没有应急预案“{inc.plan}”",
                        f"可选：{plan_choices(firm.rules)}",
                    )
                )
            elif plan.about == "policy" and not inc.policy:
                errors.append(_err(inc, "policy", f"“{plan.name}”事件要写明保单", "填保单登记号"))
            elif plan.about == "claim" and not inc.claim:
                errors.append(_err(inc, "claim", f"“{plan.name}”事件要写明理赔", "填理赔编号"))
            errors.extend(_client_refs(cf, inc, unreadable))
            if firm.lacks_staff(inc.owner):
                errors.append(_err(inc, "owner", f"没有员工“{inc.owner}”", STAFF_HINT))
            if inc.closed_by and firm.lacks_staff(inc.closed_by):
                errors.append(_err(inc, "closed_by", f"没有员工“{inc.closed_by}”", STAFF_HINT))
            for n, step in enumerate(inc.steps):
                if step.by and firm.lacks_staff(step.by):
                    errors.append(_err(inc, f"steps[{n}].by", f"没有员工“{step.by}”", STAFF_HINT))
                if step.done_on and (step.done_on < inc.opened or step.done_on > today):
                    errors.append(
                        _err(
                            inc,
                            f"steps[{n}].done_on",
                            f"完成日期 {step.done_on} 不在启动日期 {inc.opened} 到今天之间",
                            "填实际完成的日期",
                        )
                    )
    return errors


def check_training(firm: Firm, today: date) -> list[RecordError]:
    return [
        _err(t, "attendees", f"没有员工“{who}”", STAFF_HINT)
        for t in firm.training
        for who in t.attendees
        if firm.lacks_staff(who)
    ]


def check_claim_types(firm: Firm, today: date) -> list[RecordError]:
    """A claim's type belongs to its policy's category (data/claim_materials.yaml categories)."""
    index = firm.policy_index()
    names = taxonomy(firm.rules).categories
    errors = []
    for cf in firm.clients.values():
        for c in cf.claims:
            found = index.get(c.policy)
            if found is None or type_fits(c.type, found[1].category, firm.rules):
                continue  # a missing policy has its own error
            category = found[1].category
            fitting = [
                f"{code}（{name}）"
                for code, name in CLAIM_TYPES.items()
                if type_fits(code, category, firm.rules)
            ]
            errors.append(
                _err(
                    c,
                    "type",
                    f"理赔类型“{CLAIM_TYPES[c.type]}”与保单 {c.policy} 的险种"
                    f"“{names[category].name if category in names else category}”不符",
                    "核对 policy 是否写错了保单；类型可选：" + "、".join(fitting),
                )
            )
    return errors


def check_claim_stages(firm: Firm, today: date) -> list[RecordError]:
    """A claim's stages follow the rules (domain.claims.NEXT), payments carry their amount."""
    return [e for cf in firm.clients.values() for c in cf.claims for e in stage_problems(c)]


SERVICE_CHECKS = [
    check_claim_stages,
    check_claim_types,
    check_survey_about,
    check_occasions,
    check_lecture_attendance,
    check_task_refs,
    check_incidents,
    check_training,
]
