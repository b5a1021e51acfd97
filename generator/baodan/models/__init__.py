"""The records as pydantic models, and the one in-memory Firm that a build reads.

The models are imported when first asked for (``from baodan.models import Policy``), not with
the package: building their validators is most of a command's start-up, and `baodan --help`,
`show` and the tables of words in ``baodan.models.vocab`` need none of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from baodan.core.rules import Rules
    from baodan.models.claim import Claim
    from baodan.models.client import Client
    from baodan.models.document import Document
    from baodan.models.firm import Settings
    from baodan.models.incident import Incident
    from baodan.models.insurer import Insurer
    from baodan.models.interaction import Interaction
    from baodan.models.lecture import Lecture
    from baodan.models.partner import Partner
    from baodan.models.policy import Policy
    from baodan.models.retired import Retired
    from baodan.models.staff import Staff
    from baodan.models.task import Task
    from baodan.models.training import Training

_MODULES = {
    "Claim": "claim",
    "Client": "client",
    "Document": "document",
    "Settings": "firm",
    "Incident": "incident",
    "Insurer": "insurer",
    "Interaction": "interaction",
    "Lecture": "lecture",
    "Partner": "partner",
    "Policy": "policy",
    "Retired": "retired",
    "Staff": "staff",
    "Task": "task",
    "Training": "training",
}


def __getattr__(name: str):
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    model = getattr(import_module(f"{__name__}.{_MODULES[name]}"), name)
    globals()[name] = model
    return model


def _default_rules() -> Rules:
    from baodan.core.rules import Rules

    return Rules()


@dataclass
class ClientFile:
    """One client's folder: the client record and everything under it."""

    client: Client
    policies: list[Policy] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    interactions: list[Interaction] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)


@dataclass
class Firm:
    """Everything a build reads, loaded and validated once."""

    settings: Settings
    insurers: dict[str, Insurer] = field(default_factory=dict)
    staff: dict[str, Staff] = field(default_factory=dict)
    clients: dict[str, ClientFile] = field(default_factory=dict)
    lectures: list[Lecture] = field(default_factory=list)
    training: list[Training] = field(default_factory=list)
    partners: dict[str, Partner] = field(default_factory=dict)
    retired_registry_nos: set[str] = field(default_factory=set)
    unreadable: set[str] = field(default_factory=set)  # record files that failed to load
    rules: Rules = field(
        default_factory=_default_rules
    )  # the firm's (the loader's), else the defaults

    def policies(self):
        """(client file, policy) pairs in registry order."""
        for cf in self.clients.values():
            for p in cf.policies:
                yield cf, p

    def lacks_staff(self, staff_id: str) -> bool:
        """No such staff member. One whose file failed to load is not called missing: its own
        error says what is wrong, and every record naming them would only bury it."""
        return (
            staff_id not in self.staff and f"records/staff/{staff_id}.yaml" not in self.unreadable
        )

    def lacks_insurer(self, code: str) -> bool:
        """No such insurer (one whose file failed to load is not called missing either)."""
        return code not in self.insurers and f"records/insurers/{code}.yaml" not in self.unreadable

    def unreadable_policies(self) -> set[str]:
        """Registry numbers whose policy file exists but failed to load (already reported)."""
        return {
            f.rpartition("/")[2].removesuffix(".yaml.age")
            for f in self.unreadable
            if "/policies/" in f
        }

    def policy_index(self) -> dict[str, tuple[ClientFile, Policy]]:
        return {p.registry_no: (cf, p) for cf, p in self.policies()}


__all__ = [
    "Claim",
    "Client",
    "ClientFile",
    "Firm",
    "Incident",
    "Insurer",
    "Interaction",
    "Lecture",
    "Partner",
    "Policy",
    "Retired",
    "Settings",
    "Staff",
    "Task",
    "Training",
]
