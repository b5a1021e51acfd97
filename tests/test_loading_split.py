"""Loading with worker processes gives exactly the firm and the errors one process gives,
broken and odd records included, with forked workers and with spawned ones (Windows, macOS)."""

from __future__ import annotations

import functools
import multiprocessing
import os
import pickle
from concurrent.futures import ProcessPoolExecutor

import pyrage
import pytest
from baodan.core.today import today
from baodan.store import loader
from pydantic import BaseModel
from pyrage import x25519

from .helpers import write_record


def _break_records(firm) -> list[str]:
    """Odd records of every kind of problem, spread over the client folders; their paths."""
    root, ids = firm.root, firm.identities
    folders = sorted(p.parent for p in root.glob("records/clients/*/client.yaml.age"))
    one, two, three = (f.relative_to(root).as_posix() for f in folders[:3])
    interaction = min(root.glob(f"{two}/interactions/*.yaml.age"))
    interaction.write_bytes(interaction.read_bytes()[:-50])  # truncated
    policy = min(root.glob(f"{one}/policies/*.yaml.age"))
    policy.write_bytes(b"")  # emptied
    odd = {
        f"{one}/interactions/2026-01-05-1-abcd.yaml.age": "date: 2026-01-05\nkind: [unclosed\n",
        f"{two}/policies/BD-2026-99999.yaml.age": "registry_no: BD-2026-99999\nprice: 1\n",
        f"{three}/claims/CL-2026-0999.yaml.age": "id: CL-2026-0998\npolicy: x\n",
        f"{three}/interactions/2026-02-01-1-beef.yaml.age": "- just\n- a list\n",
    }
    for rel, text in odd.items():
        write_record(root, rel, text, ids)
    not_utf8 = root / three / "interactions" / "2026-03-01-1-cafe.yaml.age"
    not_utf8.write_bytes(firm.vault().encrypt("summary: 电话\n".encode("gbk")))
    other_key = root / one / "interactions" / "2026-03-02-1-f00d.yaml.age"
    other_key.write_bytes(pyrage.encrypt(b"x: 1\n", [x25519.Identity.generate().to_public()]))
    return [policy.relative_to(root).as_posix(), *odd, other_key.relative_to(root).as_posix()]


def _records(firm):
    for cid, cf in firm.clients.items():
        for slot in ("policies", "claims", "interactions", "tasks", "incidents", "documents"):
            for record in getattr(cf, slot):
                yield cid, slot, record
        yield cid, "client", cf.client


def _same_firm(a, b) -> None:
    assert a.clients.keys() == b.clients.keys()
    pairs = list(zip(_records(a), _records(b), strict=True))
    for (cid, slot, x), (cid2, slot2, y) in pairs:
        assert (cid, slot) == (cid2, slot2) and type(x) is type(y)
        # == compares fields and private attributes (path, client id); the dump, every value
        assert x == y and x.path == y.path and x.client_id == y.client_id == cid
        assert x.model_dump() == y.model_dump() and isinstance(x, BaseModel)


def _load(firm):
    return loader.read_firm(firm.root, firm.vault(), today())


def test_workers_give_the_same_firm_and_errors_as_one_process(firm, monkeypatch):
    broken = _break_records(firm)
    monkeypatch.setattr(loader, "PARALLEL_FROM", 10**9)
    single, single_errors = _load(firm)
    monkeypatch.setattr(loader, "PARALLEL_FROM", 1)
    monkeypatch.setattr(loader, "CHUNK", 5)  # many chunks: workers and this process take some
    parallel, parallel_errors = _load(firm)
    assert parallel_errors == single_errors
    assert {e.source.file for e in single_errors} >= set(broken)
    assert all(e.message for e in single_errors) and any(e.source.line > 1 for e in single_errors)
    _same_firm(parallel, single)


def test_records_sent_back_by_a_worker_are_the_records_loaded_here(firm):
    """A worker's records come back pickled and are compacted again here: the same records
    and errors, file by file."""
    _break_records(firm)
    files = loader._classify(firm.root, [])
    context = loader.firm_context(today(), loader.Rules(firm.root))
    keys = firm.vault().identities
    here = loader._load_encrypted(str(firm.root), files, keys, context)
    sent = pickle.loads(
        pickle.dumps(
            loader._load_in_worker((str(firm.root), files, [str(k) for k in keys], context))
        )
    )
    for record, _ in sent:
        if record is not None:
            loader.compact(record)
    assert [e for _, e in sent] == [e for _, e in here]
    assert [r for r, _ in sent] == [r for r, _ in here]
    assert sum(r is None for r, _ in here) >= 6


@pytest.mark.slow
def test_spawned_workers_without_sched_getaffinity_load_the_same(firm, monkeypatch):
    """Windows: no fork (workers start a new interpreter and import what they run) and no
    os.sched_getaffinity."""
    _break_records(firm)
    single, single_errors = _load(firm)
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    spawn = functools.partial(ProcessPoolExecutor, mp_context=multiprocessing.get_context("spawn"))
    used = []
    monkeypatch.setattr(
        loader, "ProcessPoolExecutor", lambda *a, **k: used.append(1) or spawn(*a, **k)
    )
    monkeypatch.setattr(loader, "PARALLEL_FROM", 1)
    monkeypatch.setattr(loader, "CHUNK", 5)
    parallel, parallel_errors = _load(firm)
    assert used and parallel_errors == single_errors
    _same_firm(parallel, single)
