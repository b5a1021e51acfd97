"""The rule files a firm can tune, and their schemas: records/rules/<name>.yaml in place of
the package's data/<name>.yaml (core/rules.Rules reads them). `baodan check` validates a
firm's files here, `baodan schema` writes their JSON Schemas."""

from __future__ import annotations

from pydantic import BaseModel

from baodan.checks.privacy import PrivacyRules
from baodan.core.errors import RecordError, Source
from baodan.core.everyday_words import EverydayWords
from baodan.core.rules import RULES_DIR, Rules
from baodan.domain.audit import Checklists
from baodan.domain.care import CareRules
from baodan.domain.claims import ClaimRules
from baodan.domain.incidents import Plans
from baodan.domain.kpis import CrossSellRules
from baodan.domain.labels import Labels
from baodan.domain.renewals import RenewalRules
from baodan.domain.risk import RiskRules
from baodan.models.taxonomy import Taxonomy
from baodan.models.texts import PortalTexts, SearchWords

# name (records/rules/<name>.yaml, data/<name>.yaml) → its schema, with what it holds
RULE_FILES: dict[str, tuple[type[BaseModel], str]] = {
    "care": (CareRules, "节日、生日问候语和回访间隔"),
    "risk_rules": (RiskRules, "风险评估规则、原因和建议"),
    "claim_materials": (ClaimRules, "各类理赔要交的材料"),
    "audit_checklists": (Checklists, "保单初审检查清单"),
    "cross_sell": (CrossSellRules, "险种建议规则"),
    "portal": (PortalTexts, "客户专属页面上的固定文字"),
    "search_words": (SearchWords, "网站搜索要认识的保险用词"),
    "renewals": (RenewalRules, "续保跟进的范围"),
    "emergency_plans": (Plans, "应急预案和步骤"),
    "privacy": (PrivacyRules, "哪些险种、理赔算敏感个人信息"),
    "taxonomy": (Taxonomy, "险种分类：大类、小类，以及登记时各类必填的内容"),
    "labels": (Labels, "字段的中文名称（修改对比、导出资料里显示）"),
    "everyday_words": (EverydayWords, "选项的平时说法（车险、国庆……），命令、提问和登记表都认"),
}


def check_rule_files(rules: Rules) -> list[RecordError]:
    """The firm's own rule files: each must be one the package has, valid by its schema."""
    errors = []
    for name in rules.overrides():
        if name not in RULE_FILES:
            errors.append(
                RecordError(
                    Source(f"{RULES_DIR}/{name}.yaml"),
                    "",
                    f"没有名为“{name}”的规则文件，baodan 不会读它",
                    "可以放在这里的文件：" + "、".join(f"{n}.yaml" for n in RULE_FILES),
                )
            )
            continue
        errors.extend(rules.problems(name, RULE_FILES[name][0]))
    return errors
