"""`baodan intake` without --from: the uniform form asked question by question, in Chinese.

Each answer is checked as it is typed (a date, an amount, an ID number …) and asked again
with the reason when wrong; the whole form is then checked like a form file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from pydantic import TypeAdapter, ValidationError
from rich.console import Console
from rich.prompt import Prompt

from baodan.cli.prompts import YesNo
from baodan.core.errors import Problem
from baodan.core.parse import translate_error
from baodan.models import Firm
from baodan.models.base import USCC, Mobile, Money, ResidentId
from baodan.models.client import RELATIONS
from baodan.models.policy import FREQUENCIES, Vehicle
from baodan.models.taxonomy import taxonomy
from baodan.store.workspace import Workspace


def checker(kind) -> Callable[[str], Any]:
    """A function turning typed text into a value of ``kind``, or raising a Problem."""
    adapter = TypeAdapter(kind)

    def check(text: str):
        try:
            return adapter.validate_python(text)
        except ValidationError as e:
            raise Problem(*translate_error(e.errors(include_url=False)[0])) from None

    return check


DATE, MONEY, RIC, CREDIT_CODE, MOBILE = (
    checker(dt.date),
    checker(Money),
    checker(ResidentId),
    checker(USCC),
    checker(Mobile),
)
YEARS = checker(int)


def _vin(text: str) -> str:
    return Vehicle.model_validate({"plate": "-", "vin": text}).vin


class RichInterviewer:
    """Asks on the terminal with rich prompts; wrong answers are asked again."""

    def __init__(self, console: Console):
        self.console = console

    def say(self, text: str) -> None:
        self.console.print(text)

    def text(self, label: str, *, default=None, optional=False, check=None):
        while True:
            suffix = "（可不填，直接回车）" if optional and default is None else ""
            answer = Prompt.ask(
                f"{label}{suffix}",
                console=self.console,
                default=None if default is None else str(default),
                show_default=default is not None,
            )
            answer = (answer or "").strip()
            if not answer:
                if optional:
                    return None
                self.console.print("[red]这一项必填[/]")
                continue
            if check is None:
                return answer
            try:
                return check(answer)
            except ValueError as e:
                problem = Problem.of(e)
                hint = f"（{problem.hint}）" if problem.hint else ""
                self.console.print(problem.message + hint, style="red", markup=False)

    def choice(self, label: str, choices: dict[str, str], default: str | None = None) -> str:
        """One of ``choices``, typed as its code or its Chinese name."""
        listing = "  ".join(f"[bold]{k}[/] {v}" for k, v in choices.items())
        self.console.print(f"{label}：{listing}")
        by_name = {name: code for code, name in choices.items() if name}
        while True:
            answer = (Prompt.ask(label, default=default, console=self.console) or "").strip()
            code = answer if answer in choices else by_name.get(answer)
            if code is not None:
                return code
            wrong = f"没有“{answer}”这一项" if answer else "这一项必填"
            self.console.print(f"[red]{wrong}[/]：请写上面列出的编号或中文名称")

    def confirm(self, label: str, default: bool = False) -> bool:
        return YesNo.ask(label, default=default, console=self.console)


def _person(ui, role: str, relation_default: str = "本人", ids: bool = True) -> dict:
    person = {
        "name": ui.text(f"{role}姓名"),
        "relation": ui.choice(
            f"{role}与客户的关系", {r: "" for r in RELATIONS}, default=relation_default
        ),
    }
    if ids:
        person["id_number"] = ui.text(f"{role}身份证号", optional=True, check=RIC)
    return person


def _policyholder(ui, company: bool) -> dict:
    if company:
        holder = {"name": ui.text("投保单位名称（照保单抄）"), "relation": "本人"}
        holder["uscc"] = ui.text("投保单位统一社会信用代码", optional=True, check=CREDIT_CODE)
    else:
        holder = _person(ui, "投保人")
    holder["mobile"] = ui.text("保单上投保人的联系电话", optional=True, check=MOBILE)
    holder["address"] = ui.text("保单上投保人的地址", optional=True)
    return holder


def _beneficiaries(ui) -> tuple[bool, list[dict]]:
    if ui.confirm("受益人为法定（保单上没有指定受益人）？", default=False):
        return True, []
    people = []
    while True:
        b = _person(ui, f"第 {len(people) + 1} 位受益人", relation_default="配偶")
        b["share"] = ui.text("受益比例（%）", default=100 if not people else None, check=MONEY)
        people.append(b)
        if not ui.confirm("还有其他受益人吗？", default=False):
            return False, people


def interview(ui, ws: Workspace, firm: Firm, client_kind, staff: str | None, today) -> dict:
    """Ask the uniform form; ``client_kind(client_id)`` says person/company or raises ValueError."""
    categories = taxonomy(firm.rules).categories
    ui.say("[bold]保单统一登记表[/]：照保单逐项填写，不要从客户资料复制（之后会自动核对）。")
    form: dict = {}
    form["client"] = ui.text("客户编号", check=lambda v: (v, client_kind(v)))
    form["client"], kind = form["client"]
    form["category"] = ui.choice("险种大类", {c: v.name for c, v in categories.items()})
    spec = categories[form["category"]]
    form["subcategory"] = ui.choice("险种小类", spec.subcategories)
    form["insurer"] = ui.choice(
        "保险公司", {c: i.short_name for c, i in sorted(firm.insurers.items())}
    )
    form["product"] = ui.text("产品名称")
    form["policy_no"] = ui.text("保险公司保单号")
    form["insurer_phone"] = ui.text("保单上印的保险公司客服电话", optional=True)
    form["policyholder"] = _policyholder(ui, kind == "company")
    if "insured" in spec.needs:
        form["insured"] = [_person(ui, "被保险人")]
        while ui.confirm("还有其他被保险人吗？", default=False):
            form["insured"].append(_person(ui, "被保险人", relation_default="子女"))
    if "beneficiaries" in spec.needs:
        form["statutory_beneficiary"], form["beneficiaries"] = _beneficiaries(ui)
    form["sum_insured"] = ui.text("保险金额（元）", check=MONEY)
    form["premium"] = ui.text("每期保费（元）", check=MONEY)
    form["payment"] = {
        "frequency": ui.choice("缴费方式", FREQUENCIES, default="annual"),
        "years": ui.text("缴费年期（年）", optional=True, check=YEARS),
    }
    form["effective"] = ui.text("生效日（如 2026-03-01）", check=DATE)
    form["terminates"] = ui.text("满期日（终身保险不填）", optional=True, check=DATE)
    if "vehicle" in spec.needs:
        form["vehicle"] = {
            "plate": ui.text("车牌号"),
            "vin": ui.text("车架号（17 位）", check=_vin),
        }
    if "insured_property" in spec.needs:
        form["insured_property"] = {
            "address": ui.text("标的地址"),
            "declared_value": ui.text("标的申报价值（元）", check=MONEY),
        }
    medium = ui.choice("保单介质", {"paper": "纸质", "electronic": "电子"}, default="paper")
    form["intake"] = {
        "received_on": ui.text("接收日期", default=today.isoformat(), check=DATE),
        "received_by": ui.choice("接收员工", {s: m.name for s, m in firm.staff.items()}, staff),
        "from_whom": ui.text("交件人", default="客户本人"),
        "medium": medium,
    }
    if medium == "paper":
        form["intake"]["original_location"] = ui.text("纸质原件存放位置（如 档案柜A-03）")
    form["renewal_of"] = ui.text("续保自哪张保单（原登记号）", optional=True)
    form["notes"] = ui.text("备注", optional=True)
    return form
