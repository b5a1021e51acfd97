"""Emergency plans (data/emergency_plans.yaml) and the incidents that follow them.

``start_incident`` turns a plan into a new incident record (its steps copied, with due dates);
``finish_step`` and ``close_incident`` record progress; ``open_incidents`` lists what is under
way for the staff page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from pydantic import Field, RootModel

from baodan.core.choices import pick
from baodan.core.errors import BaodanError
from baodan.core.rules import Rules
from baodan.models import ClientFile, Firm, Incident
from baodan.models.base import Model
from baodan.models.incident import IncidentStep


class PlanStep(Model):
    step: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="步骤编号，如 report_insurer")
    title: str
    hint: str | None = None
    due_days: int | None = Field(None, ge=0, description="启动后第几天前完成")
    optional: bool = False


class Plan(Model):
    name: str
    about: Literal["policy", "claim"] = Field(description="针对保单还是理赔")
    description: str
    steps: list[PlanStep] = Field(min_length=1)


class Plans(RootModel[dict[str, Plan]]):
    pass


def plans(rules: Rules) -> dict[str, Plan]:
    return rules.get("emergency_plans", Plans).root


def plan_choices(rules: Rules) -> str:
    return "、".join(f"{code}（{p.name}）" for code, p in plans(rules).items())


def step_hint(incident: Incident, step: IncidentStep, rules: Rules) -> str | None:
    """What the plan says about a step (the record keeps only the title)."""
    plan = plans(rules).get(incident.plan)
    spec = next((s for s in plan.steps if s.step == step.step), None) if plan else None
    return spec.hint if spec else None


def start_incident(
    incident_id: str,
    plan_code: str,
    *,
    title: str,
    opened: date,
    owner: str,
    policy: str | None = None,
    claim: str | None = None,
    rules: Rules,
) -> dict:
    """The data of a new incident record following a plan."""
    known = plans(rules)
    plan_code = pick(plan_code, {code: p.name for code, p in known.items()}, "--plan", rules)
    plan = known[plan_code]
    if plan.about == "policy" and not policy:
        raise BaodanError(f"“{plan.name}”预案要写明保单", "加上 --policy 登记号，如 BD-2026-7K3QX")
    if plan.about == "claim" and not claim:
        raise BaodanError(f"“{plan.name}”预案要写明理赔", "加上 --claim 理赔编号，如 cl-1a2b3c4d")
    data: dict = {"id": incident_id, "plan": plan_code, "title": title, "opened": opened}
    data["owner"] = owner
    if policy:
        data["policy"] = policy
    if claim:
        data["claim"] = claim
    data["steps"] = [
        {"step": s.step, "title": s.title}
        | ({"due": opened + timedelta(days=s.due_days)} if s.due_days is not None else {})
        for s in plan.steps
    ]
    return data


def finish_step(
    data: dict,
    step: str,
    *,
    day: date,
    by: str | None,
    note: str | None,
    skip: bool = False,
) -> bool:
    """Mark one step of an incident record's data done (or skipped). Returns True when that
    finished the last open step, and then closes the incident."""
    if data.get("closed_on"):
        raise BaodanError(f"事件 {data['id']} 已于 {data['closed_on']} 结束", "不需要再记录步骤")
    steps = data["steps"]
    step = pick(step, {s["step"]: s["title"] for s in steps}, f"事件 {data['id']} 的步骤")
    found = next(s for s in steps if s["step"] == step)
    if found.get("done_on") or found.get("skipped"):
        raise BaodanError(f"步骤“{found['title']}”已经记录过", "要更正请用 baodan edit 事件编号")
    if skip:
        found["skipped"] = True
    else:
        found["done_on"] = day
    if by:
        found["by"] = by
    if note:
        found["note"] = note
    if all(s.get("done_on") or s.get("skipped") for s in steps):
        data["closed_on"] = day
        data["outcome"] = data.get("outcome") or note or found["title"]
        return True
    return False


def close_incident(data: dict, *, day: date, outcome: str, by: str | None = None) -> int:
    """Close an incident early: the steps not yet done are marked skipped. Returns how many."""
    if data.get("closed_on"):
        raise BaodanError(f"事件 {data['id']} 已于 {data['closed_on']} 结束", "")
    left = [s for s in data["steps"] if not (s.get("done_on") or s.get("skipped"))]
    for s in left:
        s["skipped"] = True
    data["closed_on"] = day
    data["outcome"] = outcome
    if by:
        data["closed_by"] = by
    return len(left)


@dataclass
class IncidentStatus:
    cf: ClientFile
    incident: Incident
    done: int
    total: int
    overdue: list[IncidentStep]
    plan_name: str


def incident_status(
    cf: ClientFile, incident: Incident, today: date, rules: Rules
) -> IncidentStatus:
    steps = incident.steps
    overdue = [s for s in steps if not s.finished and s.due and s.due < today]
    plan = plans(rules).get(incident.plan)
    name = plan.name if plan else incident.plan
    return IncidentStatus(cf, incident, sum(s.finished for s in steps), len(steps), overdue, name)


def incidents(firm: Firm, today: date) -> tuple[list[IncidentStatus], list[IncidentStatus]]:
    """(open incidents, oldest first; closed ones, latest first)."""
    all_ = [
        incident_status(cf, i, today, firm.rules)
        for cf in firm.clients.values()
        for i in cf.incidents
    ]
    open_ = sorted(
        (s for s in all_ if s.incident.is_open), key=lambda s: (s.incident.opened, s.incident.id)
    )
    closed = sorted(
        (s for s in all_ if not s.incident.is_open),
        key=lambda s: (s.incident.closed_on, s.incident.id),
        reverse=True,
    )
    return open_, closed
