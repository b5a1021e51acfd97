"""records/clients/<id>/interactions/<date>-<n>.yaml.age: consultations, visits, greetings, surveys."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from .base import Model, Record

KINDS = {
    "consultation": "保险咨询",
    "visit": "回访",
    "call": "电话",
    "greeting": "节日问候",
    "survey": "满意度调查",
}
CHANNELS = {
    "phone": "电话",
    "wechat": "微信",
    "visit": "上门",
    "office": "来访",
    "email": "邮件",
    "sms": "短信",
}


class Survey(Model):
    score: int | None = Field(None, ge=1, le=5, description="满意度 1–5")
    nps: int | None = Field(None, ge=0, le=10, description="推荐意愿 0–10")
    comment: str | None = None
    about: str | None = Field(None, description="针对的理赔编号或互动编号")


class Interaction(Record):
    date: dt.date
    kind: Literal[tuple(KINDS)]
    staff: str = Field(description="员工编号")
    channel: Literal[tuple(CHANNELS)]
    summary: str
    policy: str | None = Field(None, description="相关保单登记号")
    follow_up: dt.date | None = Field(None, description="下次跟进日期")
    survey: Survey | None = None
