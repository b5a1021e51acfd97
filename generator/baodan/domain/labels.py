"""How records, fields and values are named for people: Chinese labels, masked identifiers.

Used wherever a record is shown outside the site: `baodan diff` / `log`, pull-request
summaries and the client data export. Field labels are data (data/labels.yaml).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict

from baodan.core.layout import RETIRED_FILE
from baodan.models.base import mask_id, mask_mobile, yuan
from baodan.models.claim import CLAIM_TYPES, STAGES
from baodan.models.interaction import CHANNELS, KINDS
from baodan.models.kinds import BY_NAME, CLIENT_SLOTS, PLAIN_FOLDERS
from baodan.models.policy import FREQUENCIES, STATUSES
from baodan.models.task import TASK_STATUSES
from baodan.models.taxonomy import taxonomy


class Labels(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fields: dict[str, str]


@cache
def _labels() -> dict[str, str]:
    text = resources.files("baodan").joinpath("data/labels.yaml").read_text("utf-8")
    return Labels.model_validate(yaml.safe_load(text)).fields


@cache
def _value_names() -> dict[str, dict[str, str]]:
    categories = taxonomy()["categories"]
    return {
        "status": {**STATUSES, **TASK_STATUSES},
        "frequency": FREQUENCIES,
        "stage": STAGES,
        "type": CLAIM_TYPES,
        "kind": {"person": "个人", "company": "企业", **KINDS},
        "channel": CHANNELS,
        "medium": {"paper": "纸质", "electronic": "电子保单"},
        "category": {code: c["name"] for code, c in categories.items()},
        "subcategory": {k: v for c in categories.values() for k, v in c["subcategories"].items()},
    }


def label(field: str) -> str:
    """A field's Chinese name (the field name itself when it has none)."""
    return _labels().get(field, field)


def path_label(path: tuple) -> str:
    """A field path as people read it: ('intake', 'received_on') → 接收登记 › 接收日期."""
    return " › ".join(label(p) if isinstance(p, str) else str(p) for p in path)


# Fields whose values are secrets: shown as changed, never printed.
SECRET = {("portal", "key"), ("portal", "id"), ("feed", "token")}
MASKED = {"id_number": mask_id, "mobile": mask_mobile}
MONEY = {"sum_insured", "premium", "declared_value", "amount_claimed", "amount_paid"}


def show(path: tuple, value, *, full: bool = False) -> str:
    """A value for display: enums in Chinese, ID and mobile numbers masked unless ``full``."""
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
        return "、".join(show(path, v, full=full) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{label(k)} {show((*path, k), v, full=full)}" for k, v in value.items())
    text = str(value)
    return _value_names().get(field, {}).get(text, text)


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
