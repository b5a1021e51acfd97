"""A firm whose records are hostile: one client (with their policies, claims, interactions,
tasks and incidents), the firm's settings, an insurer, a staff member, a partner, a training
record and a lecture have every text field a record may hold set to an injection payload.

A field keeps its value only where the record's model (or the firm's checks) would refuse the
payload: identifiers, references to other records, codes, dates, amounts, validated numbers.
Everything a person types (names, addresses, notes, titles, product names, policy numbers …)
carries it, so the built sites and the portal show what escaping does with each.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from baodan.core import yamlio
from baodan.models import Claim, Client, Insurer, Interaction, Lecture, Policy, Settings, Task
from baodan.models.incident import Incident
from baodan.models.partner import Partner
from baodan.models.staff import Staff
from baodan.models.training import Training
from baodan.store.loader import split_front_matter

from .conftest import FirmDir
from .helpers import read_record, write_record

# Each part tries another way out: a tag, an attribute, a javascript: link in Markdown, a
# table column, a code span, emphasis, an attribute list, Jinja, a textarea, an external image.
PAYLOAD = (
    "⟦<script>window.__x=1</script>"
    '"><img src=x onerror="window.__x=1">'
    "'><svg onload=window.__x=1>"
    "[a](javascript:window.__x=1) |cell| `tick` *star* _under_ {: onclick=window.__x=1 } "
    "{{ 7*7 }} </textarea><img src=https://evil.example/x.png>⟧"
)
# A web address the model accepts (pydantic percent-encodes what a URL can't hold).
URL_PAYLOAD = 'https://evil.example/"><script>window.__x=1</script>'
# Fields that name another record, a code from a list, or a typed value: the model or the
# firm's checks refuse anything else, so they keep their values.
KEEP = {
    *("id", "client", "manager", "staff", "handler", "owner", "insurer", "policy", "claim"),
    *("received_by", "renewal_of", "by", "lecture", "occasion", "plan", "step", "trainer"),
    *("created_by", "closed_by"),
    *("attendees", "registry_no", "category", "subcategory", "code", "path", "logo", "tags"),
    "survey.about",
    # The firm's own address, which pydantic percent-encodes: with a path in it, the 404
    # page would look for the site's files under that path.
    "site_url",
}


def poison(data, model) -> None:
    """Set each text field of ``data`` (a record as YAML data), and each optional text field
    it leaves out, to the payload where ``model`` still accepts the record."""

    def leaves(node, path):
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            here = f"{path}.{key}" if path else str(key)
            if key in KEEP or here in KEEP:
                continue
            if isinstance(value, dict | list):
                yield from leaves(value, here)
            elif isinstance(value, str) or value is None:
                yield node, key, value

    for name, spec in model.model_fields.items():
        if name not in data and name not in KEEP and spec.annotation == str | None:
            data[name] = None  # tried below; left out again if refused
    for node, key, old in list(leaves(data, "")):
        node[key] = URL_PAYLOAD if (old or "").startswith("http") else PAYLOAD
        try:
            model.model_validate(data)
        except ValueError:
            node[key] = old
    for name in [k for k, v in data.items() if v is None]:
        del data[name]


def _plain(root: Path, rel: str, model) -> None:
    path = root / rel
    data = yamlio.load_roundtrip(path.read_text("utf-8"))
    poison(data, model)
    path.write_text(yamlio.dump_roundtrip(data), "utf-8")


def _encrypted(firm_dir: FirmDir, rel: str, model) -> None:
    data = yamlio.load_roundtrip(read_record(firm_dir.root, rel, firm_dir.identities))
    poison(data, model)
    write_record(firm_dir.root, rel, yamlio.dump_roundtrip(data), firm_dir.identities)


MODELS = {
    "policies": Policy,
    "claims": Claim,
    "interactions": Interaction,
    "tasks": Task,
    "incidents": Incident,
}


def poison_firm(firm_dir: FirmDir, client_id: str) -> None:
    """Put the payload into every text field of ``client_id``'s records and of one record of
    each public kind."""
    root = firm_dir.root
    records = root / "records"
    _plain(root, "records/firm.yaml", Settings)
    for folder, model in (("insurers", Insurer), ("staff", Staff), ("partners", Partner)):
        first = min((records / folder).glob("*.yaml"))
        _plain(root, first.relative_to(root).as_posix(), model)
    training = min((records / "training").glob("*.yaml"), default=None)
    if training is not None:
        _plain(root, training.relative_to(root).as_posix(), Training)
    client = records / "clients" / client_id
    _encrypted(firm_dir, f"records/clients/{client_id}/client.yaml.age", Client)
    for slot, model in MODELS.items():
        for path in sorted((client / slot).glob("*.yaml.age")):
            _encrypted(firm_dir, path.relative_to(root).as_posix(), model)
    lecture = max((records / "lectures").glob("*.md"))
    head, body = split_front_matter(lecture.read_text("utf-8"))
    data = yaml.safe_load(head)
    poison(data, Lecture)
    data.setdefault("attachments", []).append({"title": PAYLOAD, "path": "javascript:window.__x=1"})
    front = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    lecture.write_text(f"---\n{front}---\n{body}", "utf-8")
