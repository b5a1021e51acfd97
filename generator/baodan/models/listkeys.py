"""What identifies an item in each list of mappings a record holds, so that two versions of
a record merge item by item (core.yamlmerge): a family member is the same person on both
sides by name and relation, a claim stage by stage and date. Lists of plain values (consent
purposes) need no entry: they merge as sets. A test holds that every such list has one."""

from __future__ import annotations

from baodan.models.claim import Claim
from baodan.models.client import Client
from baodan.models.incident import Incident
from baodan.models.policy import Policy

LIST_KEYS: dict[type, dict[str, tuple[str, ...]]] = {
    Client: {"family": ("name", "relation"), "contacts": ("name",)},
    Policy: {
        "insured": ("name", "relation"),
        "beneficiaries": ("name", "relation"),
        "riders": ("name",),
        "audit.items": ("item",),
        "discrepancies": ("field", "found_on"),
    },
    Claim: {"stages": ("stage", "date"), "materials": ("item",)},
    Incident: {"steps": ("step",)},
}


def list_keys(model: type) -> dict[str, tuple[str, ...]]:
    return LIST_KEYS.get(model, {})
