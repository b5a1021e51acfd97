"""`baodan renumber`: give a policy a fresh registry number after a collision (two staff
registering on two branches drew the same number) or a reused retired number.

The file is renamed, every reference follows (claims, interactions, tasks, renewal_of), and
the old number is retired in records/retired.yaml, unless another policy still holds it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from . import yamlio
from .policyfile import policy_files, policy_path
from .records import RETIRED_FILE, decrypt_all
from .rewrite import Changes, read_doc
from .vault import write_atomic
from .workspace import Workspace, allocate_registry_no, retired_registry_numbers

# Fields that hold a registry number, by the folder the record sits in.
REFERENCES = {
    "claims": "policy",
    "interactions": "policy",
    "tasks": "policy",
    "policies": "renewal_of",
}
RETIRED_HEADER = "# 已注销的登记号，永不再用（baodan renumber 写入）。\n"


@dataclass
class RenumberOutcome:
    old: str
    new: str
    path: Path
    references: list[str] = field(default_factory=list)
    retired: bool = False


def _candidates(ws: Workspace, client_dir: Path, whole_firm: bool) -> list[Path]:
    base = ws.clients_dir if whole_firm else client_dir
    pattern = "*/{}/*.yaml.age" if whole_firm else "{}/*.yaml.age"
    return sorted(p for slot in REFERENCES for p in base.glob(pattern.format(slot)))


def renumber(ws: Workspace, target: str, today: date) -> RenumberOutcome:
    path = policy_path(ws, target)
    old = path.name.removesuffix(".yaml.age")
    client_dir = path.parent.parent
    shared = len(policy_files(ws, old)) > 1  # the other holder keeps the number
    new = allocate_registry_no(ws.root, int(old[3:7]))
    changes = Changes(ws)
    doc = read_doc(ws, path)
    doc["registry_no"] = new
    new_path = path.with_name(f"{new}.yaml.age")
    changes.put(new_path, doc)
    changes.delete(path)
    outcome = RenumberOutcome(old, new, new_path)
    files = [p for p in _candidates(ws, client_dir, not shared) if p != path]
    texts = decrypt_all([p.read_bytes() for p in files], ws.vault.identities)
    for ref_path, text in zip(files, texts):
        if isinstance(text, str) or old.encode() not in text:
            continue  # unreadable files are `baodan check`'s business; no mention, no change
        ref = yamlio.load_roundtrip(text.decode("utf-8"))
        key = REFERENCES[ref_path.parent.name]
        if ref.get(key) == old:
            ref[key] = new
            changes.put(ref_path, ref)
            outcome.references.append(ws.rel(ref_path))
    changes.commit()
    if not shared and old not in retired_registry_numbers(ws.root):
        _retire(ws.root, old, new, today)
        outcome.retired = True
    return outcome


def _retire(root: Path, old: str, new: str, today: date) -> None:
    path = root / RETIRED_FILE
    text = path.read_text("utf-8") if path.is_file() else RETIRED_HEADER
    data = yamlio.load_roundtrip(text)
    entry = {"registry_no": old, "retired_on": today, "replaced_by": new, "reason": "换号"}
    if data is None:  # a new file, or one holding only comments
        write_atomic(path, (text + yamlio.dump_roundtrip([entry])).encode("utf-8"))
        return
    data.append(entry)
    write_atomic(path, yamlio.dump_roundtrip(data).encode("utf-8"))
