"""records/clients/<id>/incidents/<incident-id>.yaml.age: an emergency plan being worked through.

A new incident copies its plan's steps (data/emergency_plans.yaml), as a printed checklist
would: a later change to the plan does not rewrite incidents already under way.
"""

from __future__ import annotations

import datetime as dt

from pydantic import Field, model_validator

from baodan.models.base import FieldProblem, Model, Record


class IncidentStep(Model):
    step: str = Field(description="步骤编号（来自应急预案）")
    title: str = Field(description="要做什么")
    due: dt.date | None = Field(None, description="计划完成日期")
    done_on: dt.date | None = Field(None, description="完成日期；未完成不填")
    skipped: bool = Field(False, description="不需要做（如复核后已赔付，无需调解）")
    by: str | None = Field(None, description="完成人员工编号")
    note: str | None = Field(None, description="结果、受理编号等")

    @property
    def finished(self) -> bool:
        return self.done_on is not None or self.skipped


class Incident(Record):
    id: str = Field(description="事件编号，与文件名相同，如 in-1a2b3c4d")
    plan: str = Field(description="应急预案：lost_policy 保单遗失 / claim_dispute 理赔纠纷")
    title: str = Field(description="一句话说明，如 纸质保单在搬家时遗失")
    opened: dt.date = Field(description="启动预案的日期")
    owner: str = Field(description="负责员工编号")
    policy: str | None = Field(None, description="相关保单登记号")
    claim: str | None = Field(None, description="相关理赔编号")
    steps: list[IncidentStep] = Field(min_length=1, description="预案步骤，按顺序")
    closed_on: dt.date | None = Field(None, description="结束日期")
    outcome: str | None = Field(None, description="处理结果")

    @model_validator(mode="after")
    def _steps(self) -> Incident:
        ids = [s.step for s in self.steps]
        if len(ids) != len(set(ids)):
            raise FieldProblem("steps", "步骤编号 step 有重复", "每个步骤只写一次")
        if self.closed_on and not self.outcome:
            raise FieldProblem(
                "outcome", "已结束的事件要写处理结果 outcome", "例如 保险公司复核后同意赔付"
            )
        return self

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    @property
    def next_step(self) -> IncidentStep | None:
        return next((s for s in self.steps if not s.finished), None)
