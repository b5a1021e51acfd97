"""records/clients/<id>/claims/<claim-id>.yaml.age: a claim the firm assists with."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from baodan.models.base import Model, Money, Record
from baodan.models.vocab import CLAIM_STAGES as STAGES
from baodan.models.vocab import CLAIM_TYPES


class Stage(Model):
    stage: Literal[tuple(STAGES)]
    date: dt.date
    note: str | None = None
    amount: Money | None = Field(None, description="这次赔付的金额（元），已赔付、部分赔付时必填")
    by: str | None = Field(None, description="记录这一步的员工编号")
    reopen_reason: str | None = Field(
        None, description="重新打开的原因：从已赔付、部分赔付、拒赔或已结案重新处理时必填"
    )


class Material(Model):
    item: str = Field(description="材料名称，如 病历")
    received_on: dt.date | None = Field(None, description="收到日期；未收到不填")
    received_by: str | None = Field(None, description="收下材料的员工编号")
    required: bool = True


class Claim(Record):
    id: str = Field(description="理赔编号，与文件名相同")
    policy: str = Field(description="保单登记号")
    type: Literal[tuple(CLAIM_TYPES)]
    incident_date: dt.date
    reported_on: dt.date
    description: str | None = None
    amount_claimed: Money | None = None
    amount_paid: Money | None = None
    insurer_claim_no: str | None = None
    insurer_contact: str | None = Field(None, description="保险公司理赔联系人及电话")
    handler: str = Field(description="负责员工编号")
    stages: list[Stage] = Field(min_length=1, description="进度记录，按时间顺序")
    materials: list[Material] = []

    @property
    def stage(self) -> str:
        return self.stages[-1].stage
