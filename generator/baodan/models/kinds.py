"""The kinds of record, described once: where each lives, which model reads it, which field
its file name carries, its template, schema and Chinese name, and the form of its ids.

The loader (its client slots), the workspace (finding a record by id or path), ``baodan new``,
``baodan schema`` and the Chinese labels all read this table. Adding a kind is a row here, its
model and (if staff create it with ``baodan new``) its template; tests/test_kinds.py lists
what else is missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from importlib import import_module

from baodan.core.errors import shown
from baodan.models.ids import GIVEN_NAME, INTERACTION_NAME, REGISTRY_NO, made_id


@dataclass(frozen=True)
class Kind:
    """One kind of record.

    ``folder``: under records/ for the firm's public records; for a client's records, the
    slot folder in records/clients/<client id>/ (``client_slot``); None for one-file records.
    ``id_field``: the field the file name (without .yaml/.yaml.age/.md) must equal.
    ``id_pattern``: what an id of this kind looks like, before it is used in a path.
    ``template``: data/templates/<template>.yaml, what ``baodan new`` opens.
    """

    name: str
    model_name: str  # its class in baodan.models (imported when first used: start-up time)
    label: str
    folder: str | None
    id_field: str | None
    id_pattern: re.Pattern | None
    schema: str | None = None
    template: str | None = None
    client_slot: bool = False
    encrypted: bool = False

    @cached_property
    def model(self) -> type:
        return getattr(import_module("baodan.models"), self.model_name)

    def file_name_problem(self, record, stem: str) -> str | None:
        """The "id equals file name" rule: what is wrong, or None."""
        if self.id_field is None:
            return None
        value = getattr(record, self.id_field)
        if value == stem:
            return None
        return f"{self.id_field} 是“{shown(value)}”，但文件名是“{shown(stem)}”"


KINDS: tuple[Kind, ...] = (
    Kind("firm", "Settings", "公司设置", None, None, None, schema="firm"),
    Kind("insurer", "Insurer", "保险公司", "insurers", "code", GIVEN_NAME, "insurer"),
    Kind("staff", "Staff", "员工", "staff", "id", GIVEN_NAME, "staff"),
    Kind("partner", "Partner", "合作机构", "partners", "code", GIVEN_NAME, "partner"),
    Kind("training", "Training", "培训记录", "training", None, None, "training"),
    Kind("lecture", "Lecture", "讲座", "lectures", None, None, "lecture"),
    Kind("retired", "Retired", "注销登记号清单", None, None, None),
    Kind(
        "client",
        "Client",
        "客户",
        None,
        "id",
        made_id("c"),
        "client",
        template="client",
        encrypted=True,
    ),
    Kind(
        "policy",
        "Policy",
        "保单",
        "policies",
        "registry_no",
        REGISTRY_NO,
        "policy",
        template="policy",
        client_slot=True,
        encrypted=True,
    ),
    Kind(
        "claim",
        "Claim",
        "理赔",
        "claims",
        "id",
        made_id("cl"),
        "claim",
        template="claim",
        client_slot=True,
        encrypted=True,
    ),
    Kind(
        "interaction",
        "Interaction",
        "互动记录",
        "interactions",
        None,
        INTERACTION_NAME,  # <date>-<n>[-<tag>]: the file name
        "interaction",
        template="interaction",
        client_slot=True,
        encrypted=True,
    ),
    Kind(
        "task",
        "Task",
        "任务",
        "tasks",
        "id",
        made_id("t"),
        "task",
        client_slot=True,
        encrypted=True,
    ),
    Kind(
        "incident",
        "Incident",
        "应急事件",
        "incidents",
        "id",
        made_id("in"),
        "incident",
        client_slot=True,
        encrypted=True,
    ),
)

BY_NAME: dict[str, Kind] = {k.name: k for k in KINDS}


def __getattr__(name: str):
    if name == "BY_MODEL":  # Kind by model class: imports every model, so only when asked
        return {k.model: k for k in KINDS}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# The folders inside a client's folder (records/clients/<id>/<slot>/), by folder name.
CLIENT_SLOTS: dict[str, Kind] = {k.folder: k for k in KINDS if k.client_slot}
# The firm's public folders of one record a file (records/<folder>/<name>.yaml).
PLAIN_FOLDERS: dict[str, Kind] = {
    k.folder: k for k in KINDS if k.folder and not k.client_slot and not k.encrypted
}
