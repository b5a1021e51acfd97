"""`baodan renumber`: give a policy a fresh registry number after a collision (two staff
registering on two branches drew the same number) or a reused retired number.

The file is renamed, every reference follows (claims, interactions, tasks, renewal_of), and
the old number is retired in records/retired.yaml, unless another policy still holds it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from baodan.models import Retired
from baodan.models.ids import registry_year
from baodan.models.kinds import CLIENT_SLOTS
from baodan.services.changes import Changes, write_context
from baodan.services.policyfile import policy_files, policy_path
from baodan.store.loader import EncryptedFile, load_encrypted
from baodan.store.retired import read_retired, retire
from baodan.store.workspace import Workspace, allocate_registry_no

# Fields that hold a registry number, by the folder the record sits in.
REFERENCES = {
    "claims": "policy",
    "interactions": "policy",
    "tasks": "policy",
    "policies": "renewal_of",
}


@dataclass
class RenumberOutcome:
    old: str
    new: str
    path: Path
    references: list[str] = field(default_factory=list)
    retired: bool = False


def _candidates(ws: Workspace, client_dir: Path, whole_firm: bool) -> list[EncryptedFile]:
    """The records that may name the number: this client's, or every client's."""
    folders = sorted(ws.clients_dir.iterdir()) if whole_firm else [client_dir]
    found = []
    for folder in folders:
        for slot in REFERENCES:
            for path in sorted(folder.glob(f"{slot}/*.yaml.age")):
                found.append(EncryptedFile(ws.rel(path), CLIENT_SLOTS[slot], folder.name))
    return found


def renumber(ws: Workspace, target: str, today: date) -> RenumberOutcome:
    path = policy_path(ws, target)
    old = path.name.removesuffix(".yaml.age")
    client_dir = path.parent.parent
    shared = len(policy_files(ws, old)) > 1  # the other holder keeps the number
    new = allocate_registry_no(ws.root, registry_year(old))
    changes = Changes(ws)
    doc = changes.edit(path)
    doc["registry_no"] = new
    new_path = path.with_name(f"{new}.yaml.age")
    changes.put(new_path, doc, like=path)
    changes.delete(path)
    outcome = RenumberOutcome(old, new, new_path)
    files = [f for f in _candidates(ws, client_dir, not shared) if f.rel != ws.rel(path)]
    loaded = load_encrypted(ws.root, files, ws.vault.identities, write_context(ws))
    for f, (record, _errors) in zip(files, loaded):
        key = REFERENCES[f.rel.split("/")[-2]]
        if record is None or getattr(record, key) != old:
            continue  # an unreadable record is `baodan check`'s business
        ref_path = ws.root / f.rel
        ref = changes.edit(ref_path)
        ref[key] = new
        changes.put(ref_path, ref)
        outcome.references.append(f.rel)
    changes.commit()
    if not shared and old not in read_retired(ws.root, []):
        retire(
            ws.root,
            [Retired(registry_no=old, retired_on=today, replaced_by=new, reason="换号")],
        )
        outcome.retired = True
    return outcome
