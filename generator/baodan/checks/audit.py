"""The intake audit checklists (data/audit_checklists.yaml): what to check, per medium."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import Field

from ..models.base import Model
from ..models.staff import DEPARTMENTS


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


@cache
def checklists() -> Checklists:
    text = resources.files("baodan").joinpath("data/audit_checklists.yaml").read_text("utf-8")
    return Checklists.model_validate(yaml.safe_load(text))


def checklist(medium: str) -> list[ChecklistItem]:
    return getattr(checklists(), medium)


def item_label(medium: str, code: str) -> str:
    return next((i.label for i in checklist(medium) if i.code == code), code)
