"""records/insurers/<code>.yaml: the insurer directory, with C-ROSS solvency by quarter."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from pydantic import Field, HttpUrl, field_validator

from baodan.core.errors import Problem
from baodan.models.base import Model, Phone, Record
from baodan.models.partner import PartnerContact

KINDS = ("人身险", "财产险", "再保险")
RATINGS = ("AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C", "D")


def quarter_end(quarter: str) -> date:
    year, q = int(quarter[:4]), int(quarter[-1])
    return date(year, 3 * q, 31 if q in (1, 4) else 30)


def quarters_between(earlier: str, later: str) -> int:
    return (int(later[:4]) - int(earlier[:4])) * 4 + int(later[-1]) - int(earlier[-1])


def quarter_of(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


# Insurers publish each quarter's solvency summary within 30 days of the quarter's end.
PUBLICATION_DAYS = 30


def published_quarter(today: date) -> str:
    """The newest quarter whose figures every insurer must have published by ``today``."""
    this = quarter_of(today - timedelta(days=PUBLICATION_DAYS))
    year, q = int(this[:4]), int(this[-1])
    return f"{year}Q{q - 1}" if q > 1 else f"{year - 1}Q4"


class Solvency(Model):
    quarter: str = Field(description="季度，如 2026Q2")
    comprehensive_ratio: Decimal = Field(description="综合偿付能力充足率（%）", ge=0)
    core_ratio: Decimal = Field(description="核心偿付能力充足率（%）", ge=0)
    rating: Literal[RATINGS] = Field(description="风险综合评级：AAA…D；A、B 类达标，C、D 类不达标")

    @field_validator("quarter")
    @classmethod
    def _quarter(cls, v: str) -> str:
        if not re.fullmatch(r"20\d\dQ[1-4]", v):
            raise Problem("季度应写成 2026Q2 这样的格式", "年份加 Q 加 1–4")
        return v

    @property
    def meets_requirement(self) -> bool:
        return self.comprehensive_ratio >= 100 and self.core_ratio >= 50 and self.rating[0] in "AB"

    def is_stale(self, today: date) -> bool:
        """Two or more quarters behind the newest figures that should be out by ``today``:
        two quarterly reports have been missed."""
        return quarters_between(self.quarter, published_quarter(today)) >= 2


class Insurer(Record):
    code: str = Field(description="编号，与文件名相同，如 picc")
    name: str = Field(description="公司全称")
    short_name: str = Field(description="简称，如 人保财险")
    kind: Literal[KINDS] = Field(description="人身险或财产险公司")
    claims_hotline: Phone = Field(description="理赔报案电话，如 '95518'（加引号）")
    website: HttpUrl | None = None
    service_address: str | None = Field(None, description="本地服务网点地址")
    solvency: list[Solvency] = Field([], description="偿付能力数据，按季度")
    partner_notes: str | None = Field(None, description="合作备注（仅员工站显示）")
    partner_contacts: list[PartnerContact] = Field(
        [], description="对接人（仅员工站显示），如 团险经理、理赔联络人"
    )

    @property
    def latest_solvency(self) -> Solvency | None:
        return max(self.solvency, key=lambda s: s.quarter, default=None)
