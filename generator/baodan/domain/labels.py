"""How records, fields and values are named for people: Chinese labels, masked identifiers.

Used wherever a record is shown outside the site: `baodan diff` / `log`, pull-request
summaries and the client data export. Field labels are a rule file (data/labels.yaml, which a
firm may replace with records/rules/labels.yaml), value names come with the taxonomy's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from baodan.core.filetypes import NAMES as FILE_TYPE_NAMES
from baodan.core.layout import RETIRED_FILE
from baodan.core.rules import Rules
from baodan.domain.audit import checklists
from baodan.domain.care import care_rules
from baodan.domain.incidents import plans
from baodan.models.base import mask_id, mask_mobile, yuan
from baodan.models.claim import CLAIM_TYPES, STAGES
from baodan.models.interaction import CHANNELS, KINDS
from baodan.models.kinds import BY_NAME, CLIENT_SLOTS, PLAIN_FOLDERS
from baodan.models.policy import DISCREPANCY_STATUSES, FREQUENCIES, STATUSES
from baodan.models.task import TASK_STATUSES
from baodan.models.taxonomy import taxonomy
from baodan.models.vocab import INTENTIONS, TASK_KINDS


class Labels(BaseModel):
    """data/labels.yaml, or a firm's records/rules/labels.yaml."""

    model_config = ConfigDict(extra="forbid")
    fields: dict[str, str] = Field(description="字段名: 中文名称")


# Fields whose values are secrets: shown as changed, never printed.
SECRET = {("portal", "key"), ("portal", "id"), ("feed", "token")}
MASKED = {"id_number": mask_id, "mobile": mask_mobile}
MONEY = {"sum_insured", "premium", "declared_value", "amount_claimed", "amount_paid", "amount"}


@dataclass(frozen=True)
class Names:
    """The names one firm gives fields and values (its labels and taxonomy rules)."""

    fields: dict[str, str]
    values: dict[str, dict[str, str]]

    @classmethod
    def of(cls, rules: Rules) -> Names:
        categories = taxonomy(rules).categories
        incident_plans = plans(rules)
        audit_items = checklists(rules)
        values = {
            "status": {**DISCREPANCY_STATUSES, **STATUSES, **TASK_STATUSES},
            "frequency": FREQUENCIES,
            "stage": STAGES,
            "type": CLAIM_TYPES,
            "kind": {"person": "个人", "company": "企业", **TASK_KINDS, **KINDS},
            "intention": INTENTIONS,
            "occasion": {code: o.name for code, o in care_rules(rules).occasions.items()},
            "plan": {code: p.name for code, p in incident_plans.items()},
            "step": {s.step: s.title for p in incident_plans.values() for s in p.steps},
            "item": _item_labels(audit_items),
            "channel": CHANNELS,
            "medium": {"paper": "纸质", "electronic": "电子保单"},
            "media_type": FILE_TYPE_NAMES,
            "category": {code: c.name for code, c in categories.items()},
            "subcategory": {k: v for c in categories.values() for k, v in c.subcategories.items()},
        }
        return cls(rules.get("labels", Labels).fields, values)

    def label(self, field: str) -> str:
        """A field's Chinese name (the field name itself when it has none)."""
        return self.fields.get(field, field)

    def path_label(self, path: tuple) -> str:
        """A field path as people read it: ('intake', 'received_on') → 接收登记 › 接收日期."""
        return " › ".join(self.label(p) if isinstance(p, str) else str(p) for p in path)

    def show(self, path: tuple, value, *, full: bool = False) -> str:
        """A value for display: enums in Chinese, ID and mobile numbers masked unless
        ``full``."""
        field = next((p for p in reversed(path) if isinstance(p, str)), "")
        if value is None or value == "" or value == []:
            return "（空）"
        if tuple(p for p in path if isinstance(p, str))[-2:] in SECRET:
            return "（保密）"
        if field in MASKED and not full and isinstance(value, str):
            return MASKED[field](value)
        if isinstance(value, bool):
            return "是" if value else "否"
        if field in MONEY and isinstance(value, (int, Decimal)):
            return yuan(Decimal(value))
        if isinstance(value, (dt.date, Decimal, int, float)):
            return str(value)
        if isinstance(value, list):
            return "、".join(self.show(path, v, full=full) for v in value)
        if isinstance(value, dict):
            return "；".join(
                f"{self.label(k)} {self.show((*path, k), v, full=full)}" for k, v in value.items()
            )
        text = str(value)
        return self.values.get(field, {}).get(text, text)


def _item_labels(lists) -> dict[str, str]:
    """Audit items by code; one code on both checklists under two labels reads as both
    (seals: 印章/电子签章)."""
    labels: dict[str, list[str]] = {}
    for item in [*lists.paper, *lists.electronic]:
        if item.label not in labels.setdefault(item.code, []):
            labels[item.code].append(item.label)
    return {code: "/".join(names) for code, names in labels.items()}


SLOT_NAMES = {folder: kind.label for folder, kind in CLIENT_SLOTS.items()}
PLAIN_NAMES = {folder: kind.label for folder, kind in PLAIN_FOLDERS.items()}


def record_title(path: str) -> str:
    """What a record file is, from its path alone (so it needs no decryption and no names):
    records/clients/c-1/policies/BD-2026-7K3QX.yaml.age → 保单 BD-2026-7K3QX（客户 c-1）."""
    parts = path.split("/")
    stem = parts[-1].removesuffix(".age").removesuffix(".yaml").removesuffix(".md")
    if parts[:2] == ["records", "clients"] and len(parts) >= 4:
        client = parts[2]
        if len(parts) == 4 and parts[3] == "client.yaml.age":
            return f"{BY_NAME['client'].label} {client}"
        if len(parts) == 5 and parts[3] in SLOT_NAMES:
            return f"{SLOT_NAMES[parts[3]]} {stem}（客户 {client}）"
    if path == "records/firm.yaml":
        return BY_NAME["firm"].label
    if path == RETIRED_FILE:
        return BY_NAME["retired"].label
    if len(parts) == 3 and parts[1] in PLAIN_NAMES:
        return f"{PLAIN_NAMES[parts[1]]} {stem}"
    if len(parts) >= 2 and parts[1] == ".keys":
        return f"成员密钥 {stem}"
    return f"文件 {path}"
