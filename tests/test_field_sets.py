"""Loaded records are made smaller (store/field_sets.py): they share their sets of field
names (a third of a loaded firm's memory) and the keys of their field dicts. The records are
the same as without it, loaded in one process or with workers, and nothing reads those sets."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
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


@pytest.mark.parametrize("workers", [False, True])
def test_compact_records_are_the_records_the_plain_load_gives(firm, monkeypatch, workers):
    if workers:  # records parsed in a worker are compacted where they arrive
        monkeypatch.setattr(loader, "PARALLEL_FROM", 1)
        monkeypatch.setattr(loader, "CHUNK", 7)
    shared, errors = loader.read_firm(firm.root, firm.vault(), today())
    assert errors == []
    monkeypatch.setattr(loader, "PARALLEL_FROM", 10**9)
    monkeypatch.setattr(loader, "compact", lambda record: None)
    plain, _ = loader.read_firm(firm.root, firm.vault(), today())
    pairs = list(zip(_records(shared), _records(plain), strict=True))
    assert len(pairs) > 50
    for a, b in pairs:
        assert a == b and a.path == b.path and a.client_id == b.client_id
        for x, y in zip(_models(a), _models(b), strict=True):
            assert x.model_fields_set == y.model_fields_set
            assert x.model_dump(exclude_unset=True) == y.model_dump(exclude_unset=True)
            assert list(x.__dict__) == list(y.__dict__) and repr(x) == repr(y)  # same order
    policies = [(a, b) for a, b in pairs if type(a).__name__ == "Policy"]
    assert policies and all(
        sys.getsizeof(a.__dict__) < sys.getsizeof(b.__dict__) * 0.5 for a, b in policies
    )
    # Equal amounts are one object (their text too: 1E+5 is not 100000)
    amounts = [a.sum_insured for a, _ in policies]
    assert len({id(x) for x in amounts}) == len({str(x) for x in amounts}) < len(amounts)
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
