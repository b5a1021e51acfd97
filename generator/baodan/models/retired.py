"""records/retired.yaml: tombstones of registry numbers that left the records, never reused.

A tombstone holds no personal data: the number, when it was retired and why.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field

from baodan.models.base import Model
from baodan.models.ids import REGISTRY_NO


class Retired(Model):
    registry_no: str = Field(description="注销的保单登记号，永不复用", pattern=REGISTRY_NO.pattern)
    retired_on: date = Field(description="注销日期")
    reason: str = Field(description="注销原因，如 客户要求删除；不写姓名等个人信息")
    replaced_by: str | None = Field(
        None, description="换号后的新登记号（baodan renumber 写入）", pattern=REGISTRY_NO.pattern
    )
