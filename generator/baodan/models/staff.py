"""records/staff/<id>.yaml: the firm's staff (public to staff; no personal data of clients)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from baodan.models.base import Mobile, Phone, Record
from baodan.models.vocab import DEPARTMENTS

# What to write where a record names a staff member the firm does not have.
STAFF_HINT = "填 records/staff/ 下已有的员工编号（文件名去掉 .yaml）"


class Staff(Record):
    id: str = Field(description="编号，与文件名相同，如 wang-fang")
    name: str
    department: Literal[DEPARTMENTS] = Field(description="部门")
    role: str = Field(description="岗位，如 客户经理、理赔专员")
    work_phone: Phone | None = Field(None, description="工作电话（会显示给客户）")
    work_mobile: Mobile | None = Field(None, description="工作手机（会显示给客户）")
    email: str | None = None
    active: bool = True
