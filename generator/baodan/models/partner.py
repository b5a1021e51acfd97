"""records/partners/<code>.yaml: banks and other partners, with contacts and cooperation notes."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from baodan.models.base import Model, Phone, Record

PARTNER_KINDS = ("银行", "保险经纪", "保险公估", "律师事务所", "调解组织", "医疗机构", "其他")


class PartnerContact(Model):
    """A contact person at a partner: work landline and e-mail only. Partner and insurer files
    are not encrypted, and a person's mobile number is personal information (PIPL)."""

    name: str
    title: str | None = Field(None, description="职务，如 理赔经理")
    phone: Phone | None = Field(None, description="工作电话")
    email: str | None = None
    handles: str | None = Field(None, description="负责什么，如 团体险报价、理赔争议")


class Partner(Record):
    code: str = Field(description="编号，与文件名相同，如 cmb-hz")
    name: str = Field(description="全称，如 招商银行杭州分行")
    kind: Literal[PARTNER_KINDS] = Field(description="类别")
    since: date | None = Field(None, description="开始合作的日期")
    services: str = Field(description="合作内容，如 代发工资客户转介、保费代扣")
    address: str | None = None
    contacts: list[PartnerContact] = Field(default_factory=list)
    notes: str | None = Field(None, description="合作备注（仅员工站显示）")
