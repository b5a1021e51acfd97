"""records/clients/<id>/tasks/<task-id>.yaml.age: a piece of work handed between departments."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from baodan.models.base import Record, ShortText
from baodan.models.staff import DEPARTMENTS
from baodan.models.vocab import TASK_KINDS

TASK_STATUSES = {"open": "待处理", "in_progress": "处理中", "done": "已完成", "cancelled": "已取消"}


class Task(Record):
    id: str = Field(description="任务编号，与文件名相同，如 t-1a2b3c4d")
    title: ShortText = Field(description="要做什么，如 通知客户补交保单原件照片")
    kind: Literal[tuple(TASK_KINDS)] = Field(
        "handoff",
        description="类别：" + " / ".join(f"{k} {v}" for k, v in TASK_KINDS.items()),
    )
    from_department: Literal[DEPARTMENTS]
    to_department: Literal[DEPARTMENTS]
    owner: str | None = Field(None, description="负责员工编号")
    policy: str | None = Field(None, description="相关保单登记号")
    claim: str | None = Field(None, description="相关理赔编号")
    created: dt.date
    created_by: str | None = Field(None, description="建任务的员工编号")
    due: dt.date | None = None
    status: Literal[tuple(TASK_STATUSES)] = "open"
    closed_on: dt.date | None = None
    closed_by: str | None = Field(None, description="完成或取消任务的员工编号")
    notes: str | None = None
