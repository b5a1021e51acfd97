"""The table of record kinds (models/kinds.py) is the one description of a kind: everything
that names kinds reads it, and adding a kind without its parts is listed here."""

from __future__ import annotations

import dataclasses
import inspect
import re
from importlib import resources

import pytest
from baodan import models
from baodan.cli.app import new_app
from baodan.domain.labels import record_title
from baodan.models import ClientFile
from baodan.models.base import Record
from baodan.models.ids import REGISTRY_NO, registry_no, registry_year
from baodan.models.kinds import BY_MODEL, CLIENT_SLOTS, KINDS
from baodan.store import workspace

from .conftest import REPO
from .helpers import run_cli


def _example_path(kind) -> str:
    if kind.name == "firm":
        return "records/firm.yaml"
    if kind.name == "retired":
        return "records/retired.yaml"
    if kind.name == "client":
        return "records/clients/c-1a2b3c4d/client.yaml.age"
    if kind.client_slot:
        return f"records/clients/c-1a2b3c4d/{kind.folder}/x.yaml.age"
    return f"records/{kind.folder}/x.{'md' if kind.name == 'lecture' else 'yaml'}"


def test_every_kind_has_its_parts():
    """What each kind still lacks; an empty list when the table and the code agree."""
    missing = []
    templates = resources.files("baodan").joinpath("data/templates")
    new_commands = {c.name for c in new_app.registered_commands}
    client_file = {f.name for f in dataclasses.fields(ClientFile)}
    for kind in KINDS:
        fields = kind.model.model_fields
        if not re.search(r"[\u4e00-\u9fff]", kind.label):
            missing.append(f"{kind.name}: a Chinese label")
        if record_title(_example_path(kind)).startswith("文件 "):
            missing.append(f"{kind.name}: a title in domain/labels.record_title")
        if kind.id_field and kind.id_field not in fields:
            missing.append(f"{kind.name}: its id field {kind.id_field} in {kind.model.__name__}")
        named = "文件夹名" if kind.name == "client" else "文件名"
        if kind.id_field and named not in (fields[kind.id_field].description or ""):
            missing.append(f"{kind.name}: 'file name' in the description of {kind.id_field}")
        if kind.template and not templates.joinpath(f"{kind.template}.yaml").is_file():
            missing.append(f"{kind.name}: data/templates/{kind.template}.yaml")
        if kind.template and kind.name not in new_commands:
            missing.append(f"{kind.name}: a `baodan new {kind.name}` command")
        if kind.client_slot and kind.folder not in client_file:
            missing.append(f"{kind.name}: ClientFile.{kind.folder}")
        if kind.encrypted and kind.id_pattern is None:
            missing.append(f"{kind.name}: an id pattern (its ids are used in paths)")
    commands_without_kind = new_commands - {k.name for k in KINDS if k.template}
    missing += [f"`baodan new {c}`: a kind with a template" for c in commands_without_kind]
    records = {m for m in vars(models).values() if inspect.isclass(m) and issubclass(m, Record)} | {
        models.Settings,
        models.Retired,
    }
    missing += [f"{m.__name__}: a row in models/kinds.py" for m in records - set(BY_MODEL)]
    assert missing == []


def test_schema_writes_one_file_per_kind_with_a_schema(tmp_path, capsys):
    code, _, err = run_cli(capsys, "schema", "--out", str(tmp_path))
    assert code == 0, err
    written = {p.name.removesuffix(".schema.json") for p in tmp_path.glob("*.schema.json")}
    assert {k.schema for k in KINDS if k.schema} <= written


def test_ids_baodan_makes_have_the_form_of_their_kind():
    made = {
        "client": workspace.new_client_id(),
        "claim": workspace.new_claim_id(),
        "task": workspace.new_task_id(),
        "incident": workspace.new_incident_id(),
        "policy": workspace.allocate_registry_no(REPO, 2027),
    }
    kinds = {k.name: k for k in KINDS}
    assert {
        name: bool(kinds[name].id_pattern.match(v)) for name, v in made.items()
    } == dict.fromkeys(made, True)
    assert registry_year(made["policy"]) == 2027
    assert registry_no(2026, "7K3QX") == "BD-2026-7K3QX" and REGISTRY_NO.match("BD-2026-7K3QX")


@pytest.mark.parametrize("bad", ["../x", "c-1/../../y", "BD-2026-7K3QI", "c-ABCDEF12", ""])
def test_id_patterns_refuse_what_could_leave_a_folder(bad):
    assert not any(k.id_pattern and k.id_pattern.match(bad) for k in KINDS)


def test_the_demo_firms_record_names_have_the_form_of_their_kind():
    wrong = []
    for folder in sorted((REPO / "records/clients").iterdir()):
        if not BY_MODEL[models.Client].id_pattern.match(folder.name):
            wrong.append(folder.name)
        for slot, kind in CLIENT_SLOTS.items():
            for path in (folder / slot).glob("*.yaml.age"):
                if not kind.id_pattern.match(path.name.removesuffix(".yaml.age")):
                    wrong.append(path.relative_to(REPO).as_posix())
    assert wrong == []
