"""records/firm.yaml: the firm's public face and its settings."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, HttpUrl, field_validator

from baodan.core.errors import Problem
from baodan.core.links import is_local_source
from baodan.models.base import Model, Phone, Record
from baodan.models.recordformat import RECORD_FORMAT, newer_format


def _local_image(value: str | None) -> str | None:
    if value is not None and not is_local_source(value):
        raise Problem(
            "徽标图片要放在本站，不能是网址",
            "把图片放进 records/public/assets/，写相对路径，"
            "如 assets/logo.svg：外站的图片会让每位访客的浏览器去访问那个网站",
        )
    return value


class Brand(Model):
    logo: Annotated[str | None, AfterValidator(_local_image)] = Field(
        None, description="徽标图片，相对 records/public（网站的文件夹）的路径，如 assets/logo.svg"
    )
    primary_color: str = Field(
        "#1f5fa8", pattern=r"^#[0-9a-fA-F]{6}$", description="主色，如 #1f5fa8"
    )
    accent_color: str = Field("#e0a526", pattern=r"^#[0-9a-fA-F]{6}$", description="强调色")


class Contact(Model):
    # A new firm (baodan init) starts with the phone blank ('') until the owner fills it in.
    model_config = {**Model.model_config, "str_min_length": 0}

    phone: Phone = Field(description="对外联系电话（座机或客服热线）")
    email: str | None = None
    address: str | None = Field(None, description="办公地址（公开）")
    hours: str | None = Field(None, description="营业时间，如 周一至周五 9:00–17:30")
    wechat: str | None = Field(None, description="公众号或微信号")


class Service(Model):
    title: str
    description: str


class Reminders(Model):
    renewal_days: list[int] = Field([90, 60, 30, 7], description="到期前多少天联系客户续保")
    alarm_days: list[int] = Field([30, 7], description="日历订阅中提前多少天提醒")


class Feeds(Model):
    show_product: bool = Field(
        True,
        description="客户日历订阅里写不写产品名（false：只写险种和保险公司；"
        "健康险的产品名可能透露病情，如“糖尿病专属医疗险”）",
    )


class Settings(Record):
    name: str = Field(description="公司全称")
    short_name: str | None = Field(None, description="简称")
    slogan: str | None = None
    about: str | None = Field(None, description="公司简介（首页显示）")
    site_url: HttpUrl | None = Field(
        None, description="公开网站地址，如 https://baodan.example.com/"
    )
    brand: Brand = Brand()
    contact: Contact
    services: list[Service] = []
    reminders: Reminders = Reminders()
    feeds: Feeds = Feeds()
    retention_years: int = Field(5, ge=1, description="客户离开后资料保留年数（PIPL）")
    demo: bool = Field(False, description="演示公司（数据全部虚构）")
    disclaimer: str = Field(
        "本文是一般性的保险知识介绍，不是对任何具体保单的承诺或建议；保障范围和赔付以保险合同条款"
        "和保险公司的核定为准。想知道您家的保单怎么理解，欢迎联系我们。",
        description="知识库每篇文章末尾的免责声明",
    )
    public_numbers: list[str] = Field(
        [],
        description="公司有意公开的其他号码（如对外的手机号）：提交检查和发布检查不把它们当作个人信息。"
        "公司电话、员工工作电话和保险公司热线已自动允许",
    )
    record_format: int = Field(
        1, ge=1, description="记录格式的版本（由 baodan upgrade 维护，不要手改）"
    )

    @field_validator("record_format")
    @classmethod
    def _known_format(cls, v: int) -> int:
        if v > RECORD_FORMAT:
            raise newer_format(v)
        return v
