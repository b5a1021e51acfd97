"""The policy category taxonomy: a rule file (data/taxonomy.yaml, which a firm may replace with
records/rules/taxonomy.yaml), read through the firm's ``Rules``. Validating a policy takes it
from the validation context (models/context.py)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from baodan.core.errors import Problem
from baodan.core.rules import Rules

# What a category's intake form may require (fields of the policy record).
NEEDS = Literal["insured", "beneficiaries", "vehicle", "insured_property"]


class Category(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(description="大类名称")
    line: str = Field(description="所属险种线（lines 里的编号）")
    needs: list[NEEDS] = Field([], description="登记这类保单必须填写的内容")
    subcategories: dict[str, str] = Field(description="小类：编号: 名称")


class Taxonomy(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lines: dict[str, str] = Field(description="险种线：编号: 名称（人身保险、财产保险）")
    categories: dict[str, Category] = Field(description="大类：编号: 名称、险种线、小类")

    @model_validator(mode="after")
    def _known_lines(self) -> Taxonomy:
        for code, category in self.categories.items():
            if category.line not in self.lines:
                raise Problem(
                    f"大类 {code} 的险种线“{category.line}”不在 lines 里",
                    f"可选：{'、'.join(self.lines)}",
                )
        return self

    def category_name(self, code: str) -> str:
        category = self.categories.get(code)
        return category.name if category else code

    def subcategory_name(self, category: str, sub: str) -> str:
        found = self.categories.get(category)
        return found.subcategories.get(sub, sub) if found else sub

    def category_choices(self) -> str:
        return "、".join(f"{c}（{v.name}）" for c, v in self.categories.items())


def taxonomy(rules: Rules) -> Taxonomy:
    return rules.get("taxonomy", Taxonomy)
