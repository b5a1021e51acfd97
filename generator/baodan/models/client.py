"""records/clients/<id>/client.yaml.age: a client (person or company), family, consent, access."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, field_validator, model_validator

from baodan.models.base import (
    USCC,
    AccessCode,
    FieldProblem,
    Mobile,
    Model,
    PastDate,
    Phone,
    Record,
    ResidentId,
    ShortText,
)

RELATIONS = ("本人", "配偶", "子女", "父母", "祖父母", "孙子女", "兄弟姐妹", "雇员", "其他")


class FamilyMember(Model):
    name: ShortText
    relation: Literal[RELATIONS] = Field(description="与客户的关系")
    id_number: ResidentId | None = Field(None, description="身份证号")
    birth_date: date | None = None
    mobile: Mobile | None = None
    dependant: bool = Field(False, description="是否由客户供养（风险评估用）")
    died_on: date | None = Field(
        None, description="去世日期（指定他/她为受益人的保单会提示联系客户变更受益人）"
    )


class Contact(Model):
    name: ShortText
    title: str | None = Field(None, description="职务，如 财务经理")
    mobile: Mobile | None = None


class Consent(Model):
    """PIPL consent: what was agreed, when, how; sensitive data needs its own consent."""

    signed_on: PastDate = Field(description="签署日期（照同意书填写，不能在未来）")
    method: Literal["纸质签字", "电子签名", "录音确认"] = Field(description="同意方式")
    purposes: list[str] = Field(description="同意的处理目的，如 保单保管、续保提醒、理赔协助")
    sensitive: bool = Field(False, description="是否单独同意处理敏感个人信息（健康、金融账户）")
    version: str = Field("2026-01", description="同意书版本")
    withdrawn_on: date | None = Field(None, description="撤回同意的日期")


# What a consent record says once the client has signed (the template leaves them blank).
CONSENT_GIVEN = ("signed_on", "method", "purposes", "sensitive", "withdrawn_on")

# A portal id or a feed token: random, URL-safe; each names a folder or file of the built site.
TOKEN = r"^[A-Za-z0-9_-]{16,}$"


class Portal(Model):
    id: str = Field(description="门户页地址中的随机编号（不含个人信息）", pattern=TOKEN)
    key: AccessCode = Field(
        description=(
            "访问码：20 位数字和字母（100 位随机数，不含 I、L、O、U），分四组写，"
            "如 7K3QX-M2P9D-4HT8W-ZC6NR；放在门户链接 # 之后，也可以在页面上输入。"
            "由 baodan new client 或 baodan portal rotate 生成，不要自己编"
        ),
    )


class Feed(Model):
    token: str = Field(description="日历订阅地址中的随机令牌", pattern=TOKEN)


class Client(Record):
    id: str = Field(description="客户编号，与文件夹名相同（不含姓名、证件号）")
    kind: Literal["person", "company"] = Field(description="person 个人 / company 企业")
    name: ShortText = Field(description="姓名或企业名称")
    id_number: ResidentId | None = Field(None, description="身份证号（个人必填）")
    uscc: USCC | None = Field(None, description="统一社会信用代码（企业必填）")
    sex: Literal["男", "女"] | None = None
    birth_date: date | None = Field(None, description="出生日期；不填则从身份证号推出")
    mobile: Mobile | None = None
    phone: Phone | None = Field(None, description="固定电话")
    email: str | None = None
    address: str | None = None
    city: str = Field(description="所在城市")
    occupation: str | None = None
    industry: str | None = Field(None, description="企业所属行业")
    employees: int | None = Field(None, ge=0, description="企业员工人数")
    legal_rep: str | None = Field(None, description="企业法定代表人")
    contacts: list[Contact] = Field([], description="企业联系人")
    earner: bool = Field(False, description="是否家庭主要收入来源（风险评估用）")
    tier: Literal["A", "B", "C"] = Field(
        "B", description="客户等级：A 重点 / B 普通 / C 一般，决定回访间隔"
    )
    since: PastDate = Field(description="成为客户的日期（不能在未来）")
    left_on: date | None = Field(None, description="终止服务的日期")
    manager: str = Field(description="客户经理的员工编号")
    family: list[FamilyMember] = []
    consent: Consent | None = Field(None, description="个人信息处理同意记录（PIPL）")
    portal: Portal | None = None
    feed: Feed | None = None
    notes: str | None = None

    @field_validator("consent", mode="before")
    @classmethod
    def _unsigned(cls, value):
        """The new-client template's consent, left blank until the client signs: none yet."""
        if isinstance(value, dict) and not any(value.get(k) for k in CONSENT_GIVEN):
            return None
        return value

    @model_validator(mode="after")
    def _kind_fields(self) -> Client:
        if self.kind == "person" and not self.id_number:
            raise FieldProblem(
                "id_number", "个人客户必须填写身份证号 id_number", "请补上 18 位身份证号"
            )
        if self.kind == "company" and not self.uscc:
            raise FieldProblem(
                "uscc", "企业客户必须填写统一社会信用代码 uscc", "请对照营业执照补上"
            )
        if self.left_on and self.left_on < self.since:
            raise FieldProblem(
                "left_on", "终止服务日期 left_on 早于成为客户日期 since", "请核对两个日期"
            )
        return self

    @property
    def birthday(self) -> date | None:
        if self.birth_date:
            return self.birth_date
        if self.id_number:
            return date(
                int(self.id_number[6:10]), int(self.id_number[10:12]), int(self.id_number[12:14])
            )
        return None

    @property
    def identifier(self) -> str | None:
        return self.id_number or self.uscc


def has_consent(client: Client, today: date) -> bool:
    """The client has signed consent to processing their data (and not withdrawn it): until
    then the firm keeps their policies but publishes nothing for them (no portal, no
    calendar feed) and sends no greetings."""
    return client.consent is not None and not has_left(client, today)


def has_left(client: Client, today: date) -> bool:
    """The client ended the firm's service, or withdrew consent to process their data."""
    ends = (client.left_on, client.consent.withdrawn_on if client.consent else None)
    return any(day is not None and day <= today for day in ends)
