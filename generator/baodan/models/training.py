"""records/training/<date>-<slug>.yaml: a staff training session (public to staff, no client data)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import Field

from baodan.models.base import Record


class Training(Record):
    topic: str = Field(description="培训主题")
    date: dt.date
    hours: Decimal = Field(Decimal(2), gt=0, le=24, description="时长（小时）")
    trainer: str = Field(description="讲师：员工编号或外部讲师姓名")
    attendees: list[str] = Field(min_length=1, description="参加的员工编号")
    venue: str | None = None
    summary: str | None = Field(None, description="内容要点")

    @property
    def slug(self) -> str:
        """The file name without .yaml, e.g. 2026-03-14-claims-materials."""
        return self.path.rsplit("/", 1)[-1].removesuffix(".yaml")
