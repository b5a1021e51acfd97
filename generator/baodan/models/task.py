"""records/clients/<id>/tasks/<task-id>.yaml.age: a piece of work handed between departments."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from baodan.models.base import Record, ShortText
from baodan.models.staff import DEPARTMENTS

TASK_KINDS = {
    "handoff": "部门交接",
    "audit": "审核异常",
    "renewal": "续保",
    "claim": "理赔",
    "care": "客户关怀",
    "incident": "应急",
}
TASK_STATUSES = {"open": "待处理", "in_progress": "处理中", "done": "已完成", "cancelled": "已取消"}


class Task(Record):
    id: str = Field(description="任务编号，与文件名相同，如 t-1a2b3c4d")
    title: ShortText = Field(description="要做什么，如 通知客户补交保单原件照片")
    kind: Literal[tuple(TASK_KINDS)] = Field(
        "handoff",
        description="类别：handoff 部门交接 / audit 审核异常 / renewal 续保 / claim 理赔 / care 客户关怀 / incident 应急",
    )
    from_department: Literal[DEPARTMENTS]
    to_department: Literal[DEPARTMENTS]
    owner: str | None = Field(None, description="负责员工编号")
    policy: str | None = Field(None, description="相关保单登记号")
    claim: str | None = Field(None, description="相关理赔编号")
    created: dt.date
    due: dt.date | None = None
    status: Literal[tuple(TASK_STATUSES)] = "open"
    closed_on: dt.date | None = None
    notes: str | None = None
