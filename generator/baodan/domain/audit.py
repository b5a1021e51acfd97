"""The intake audit checklists (data/audit_checklists.yaml): what to check, per medium."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from baodan.core.rules import Rules
from baodan.models.base import Model
from baodan.models.staff import DEPARTMENTS


class ChecklistItem(Model):
    code: str
    label: str
    help: str
    pdf: bool = Field(False, description="由 --pdf 检查数字签名")


class Checklists(Model):
    """data/audit_checklists.yaml"""

    task_due_days: int = Field(3, ge=0)
    task_to: Literal[DEPARTMENTS] = "客户服务部"
    paper: list[ChecklistItem] = Field(min_length=1)
    electronic: list[ChecklistItem] = Field(min_length=1)


def checklists(rules: Rules) -> Checklists:
    return rules.get("audit_checklists", Checklists)


def checklist(medium: str, rules: Rules) -> list[ChecklistItem]:
    return getattr(checklists(rules), medium)


def item_label(medium: str, code: str, rules: Rules) -> str:
    return next((i.label for i in checklist(medium, rules) if i.code == code), code)
