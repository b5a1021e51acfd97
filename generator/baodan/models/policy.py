"""records/clients/<id>/policies/<registry-no>.yaml.age: one policy, on the uniform intake form."""

from __future__ import annotations

import datetime as dt
import re
from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from baodan.core.errors import Problem, shown
from baodan.models.base import (
    USCC,
    FieldProblem,
    Mobile,
    Model,
    Money,
    PastDate,
    Phone,
    Record,
    ResidentId,
    ShortText,
)
from baodan.models.client import RELATIONS
from baodan.models.context import taxonomy_of
from baodan.models.ids import REGISTRY_EXAMPLE, REGISTRY_FORMAT_PROBLEM, REGISTRY_NO

FREQUENCIES = {
    "single": "趸交",
    "annual": "年缴",
    "semiannual": "半年缴",
    "quarterly": "季缴",
    "monthly": "月缴",
}
STATUSES = {
    "active": "有效",
    "on_hold": "暂缓（审核异常）",
    "lapsed": "已失效",
    "renewed": "已续保",
    "terminated": "已终止",
    "cancelled": "已退保",
}


class Party(Model):
    """A policyholder or insured: a person (ID number) or a company (USCC)."""

    name: ShortText
    relation: Literal[RELATIONS] = Field("本人", description="与客户的关系")
    id_number: ResidentId | None = None
    uscc: USCC | None = None
    mobile: Mobile | None = Field(None, description="保单上印的联系电话")
    address: str | None = Field(None, description="保单上印的地址")


class Beneficiary(Model):
    name: ShortText
    relation: Literal[RELATIONS] = Field(description="与被保险人的关系")
    id_number: ResidentId | None = None
    share: Decimal = Field(Decimal(100), gt=0, le=100, description="受益比例（%）")


class Rider(Model):
    name: str = Field(description="附加险名称")
    sum_insured: Money
    premium: Money


class Payment(Model):
    frequency: Literal[tuple(FREQUENCIES)] = Field(
        description="缴费方式：single 趸交 / annual 年缴 / semiannual / quarterly / monthly"
    )
    years: int | None = Field(None, ge=1, le=100, description="缴费年期；不填则缴到保险期满")
    method: str | None = Field(None, description="如 银行自动扣款")


class Vehicle(Model):
    plate: str = Field(description="车牌号")
    vin: str = Field(description="车架号（17 位）")

    @field_validator("vin")
    @classmethod
    def _vin(cls, v: str) -> str:
        v = v.upper()
        if not re.fullmatch(r"[A-HJ-NPR-Z0-9]{17}", v):
            raise Problem("车架号应为 17 位字母数字（不含 I、O、Q）", "请对照行驶证重新录入")
        return v


class InsuredProperty(Model):
    address: str = Field(description="标的地址")
    declared_value: Money = Field(description="申报价值（元）")
    description: str | None = None


class Intake(Model):
    """Who received the policy, when, from whom, in what form, and where the paper is kept."""

    received_on: PastDate = Field(description="接收保单的日期（不能在未来）")
    received_by: str = Field(description="接收人员工编号")
    from_whom: str = Field(description="交件人，如 客户本人、代理人")
    medium: Literal["paper", "electronic"] = Field(description="paper 纸质 / electronic 电子保单")
    original_location: str | None = Field(None, description="纸质原件存放位置，如 档案柜A-03")

    @model_validator(mode="after")
    def _paper_location(self) -> Intake:
        if self.medium == "paper" and not self.original_location:
            raise FieldProblem(
                "original_location",
                "纸质保单必须写明原件存放位置 original_location",
                "例如 档案柜A-03",
            )
        return self


class AuditItem(Model):
    """One line of the intake checklist (data/audit_checklists.yaml) and how it went."""

    item: str = Field(description="检查项编号，见 data/audit_checklists.yaml")
    ok: bool = Field(description="true 通过 / false 异常")
    note: str | None = Field(None, description="异常说明或检查结果")


class Audit(Model):
    """The intake audit (初步审核): who checked the policy, when, item by item."""

    date: dt.date
    staff: str = Field(description="审核员工编号")
    items: list[AuditItem] = Field(min_length=1)

    @property
    def anomalies(self) -> list[AuditItem]:
        return [i for i in self.items if not i.ok]


DISCREPANCY_STATUSES = {"open": "待核对", "confirmed": "已与客户确认", "resolved": "已解决"}


class Discrepancy(Model):
    """A difference between the policy and the client master record (核对信息)."""

    field: str = Field(description="保单上的字段，如 insured[0].id_number")
    subject: str = Field(description="哪一项不一致，如 被保险人 张伟 的身份证号")
    on_policy: str | None = Field(None, description="保单上的内容")
    on_record: str | None = Field(None, description="客户资料中的内容")
    status: Literal[tuple(DISCREPANCY_STATUSES)] = Field(
        "open", description="open 待核对 / confirmed 已与客户确认 / resolved 已解决"
    )
    found_on: date
    found_by: str = Field(description="发现差异的员工编号")
    confirmed_on: date | None = Field(None, description="与客户确认的日期")
    resolved_on: date | None = None
    resolved_by: str | None = Field(None, description="解决差异的员工编号")
    note: str | None = Field(None, description="客户怎么说、怎么处理的")

    @model_validator(mode="after")
    def _closed(self) -> Discrepancy:
        if self.status == "confirmed" and not self.confirmed_on:
            raise FieldProblem(
                "confirmed_on",
                "已确认的差异要写 confirmed_on",
                "用 baodan verify 登记号 --confirm 编号",
            )
        if self.status == "resolved" and not (self.resolved_on and self.resolved_by):
            raise FieldProblem(
                "resolved_on",
                "已解决的差异要写 resolved_on 和 resolved_by",
                "用 baodan verify 登记号 --resolve 编号",
            )
        return self


class Policy(Record):
    registry_no: str = Field(
        description=f"登记号，与文件名相同，如 {REGISTRY_EXAMPLE}；唯一且永不复用"
    )
    category: str = Field(description="险种大类编号，见 data/taxonomy.yaml")
    subcategory: str = Field(description="险种小类编号")
    insurer: str = Field(description="保险公司编号（records/insurers/ 下的文件名）")
    product: ShortText = Field(description="产品名称")
    policy_no: ShortText = Field(description="保险公司保单号")
    status: Literal[tuple(STATUSES)] = "active"
    hold_reason: str | None = Field(
        None, description="暂缓原因（status 为 on_hold 时填写；baodan audit 会写入）"
    )
    policyholder: Party = Field(description="投保人")
    insured: list[Party] = Field([], description="被保险人")
    beneficiaries: list[Beneficiary] = Field([], description="指定受益人")
    statutory_beneficiary: bool = Field(False, description="受益人为法定")
    sum_insured: Money = Field(description="保险金额（元）")
    premium: Money = Field(description="每期保费（元）")
    payment: Payment
    effective: date = Field(description="生效日")
    terminates: date | None = Field(None, description="满期日（终身保险不填）")
    riders: list[Rider] = []
    vehicle: Vehicle | None = None
    insured_property: InsuredProperty | None = Field(
        None, description="财产标的（企财、家财、工程险必填）"
    )
    insurer_phone: Phone | None = Field(
        None, description="保单上印的保险公司客服电话（核对真伪用）"
    )
    intake: Intake
    audit: Audit | None = Field(None, description="初审结果（baodan audit 写入）")
    discrepancies: list[Discrepancy] = Field(
        [], description="与客户资料的差异（baodan verify 写入）"
    )
    renewal_of: str | None = Field(None, description="续保自哪张保单（登记号）")
    notes: str | None = None

    @field_validator("registry_no")
    @classmethod
    def _registry_no(cls, v: str) -> str:
        if not REGISTRY_NO.match(v):
            raise Problem(
                f"{REGISTRY_FORMAT_PROBLEM}", "请用 baodan intake 或 baodan new policy 生成登记号"
            )
        return v

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> Policy:
        tax = taxonomy_of(info)
        categories = tax.categories
        if self.category not in categories:
            raise FieldProblem(
                "category",
                f"不认识的险种大类“{shown(self.category)}”",
                f"可选：{tax.category_choices()}",
            )
        subs = categories[self.category].subcategories
        if self.subcategory not in subs:
            choices = "、".join(f"{k}（{v}）" for k, v in subs.items())
            raise FieldProblem(
                "subcategory",
                f"险种“{shown(self.category)}”下没有小类“{shown(self.subcategory)}”",
                f"可选：{choices}",
            )
        if self.terminates and self.terminates < self.effective:
            raise FieldProblem(
                "terminates", "满期日 terminates 早于生效日 effective", "请对照保单核对两个日期"
            )
        for need in categories[self.category].needs:
            if need == "beneficiaries" and self.statutory_beneficiary:
                continue  # 受益人为法定: no named beneficiaries needed
            if not getattr(self, need):
                raise FieldProblem(
                    need,
                    f"{categories[self.category].name}必须填写 {need}",
                    "见 baodan new policy 生成的模板",
                )
        if self.beneficiaries and sum(b.share for b in self.beneficiaries) != 100:
            raise FieldProblem("beneficiaries", "受益比例之和应为 100%", "请核对每位受益人的 share")
        return self
