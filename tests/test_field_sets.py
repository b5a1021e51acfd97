"""Loaded records share their sets of field names (store/field_sets.py): a third of a loaded
firm's memory. The records are the same as without sharing, and nothing reads those sets."""

from __future__ import annotations

import re
from pathlib import Path

from baodan.core.today import today
from baodan.store import loader
from pydantic import BaseModel


def _models(model: BaseModel):
    """A record and every model inside it."""
    yield model
    for value in model.__dict__.values():
        if isinstance(value, dict):
            value = list(value.values())
        for item in value if isinstance(value, list | tuple) else [value]:
            if isinstance(item, BaseModel):
                yield from _models(item)


def _records(firm):
    for cf in firm.clients.values():
        yield cf.client
        yield from (*cf.policies, *cf.claims, *cf.interactions, *cf.tasks, *cf.incidents)


def test_shared_field_sets_give_the_records_the_plain_load_gives(firm, monkeypatch):
    shared, errors = loader.read_firm(firm.root, firm.vault(), today())
    assert errors == []
    monkeypatch.setattr(loader, "share_field_sets", lambda record: None)
    plain, _ = loader.read_firm(firm.root, firm.vault(), today())
    pairs = list(zip(_records(shared), _records(plain), strict=True))
    assert len(pairs) > 50
    for a, b in pairs:
        assert a == b and a.path == b.path and a.client_id == b.client_id
        for x, y in zip(_models(a), _models(b), strict=True):
            assert x.model_fields_set == y.model_fields_set
            assert x.model_dump(exclude_unset=True) == y.model_dump(exclude_unset=True)
    sets = {id(m.__pydantic_fields_set__) for r in _records(shared) for m in _models(r)}
    models = sum(1 for r in _records(shared) for _ in _models(r))
    assert len(sets) * 5 < models  # shared, not one per model


def test_nothing_reads_the_sets_of_field_names():
    """Sharing is safe while no code asks which fields a record's data gave."""
    package = Path(loader.__file__).resolve().parents[1]
    reads = re.compile(r"fields_set|exclude_unset|model_copy")
    found = [
        p.relative_to(package).as_posix()
        for p in package.rglob("*.py")
        if p.name != "field_sets.py" and reads.search(p.read_text("utf-8"))
    ]
    assert found == []
