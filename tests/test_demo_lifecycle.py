"""The demo firm (demo size, seed 2026, generated here) shows a policy's whole life: audits with
a couple of policies on hold and their tasks, discrepancies in every status, renewals in every
stage of the pipeline, and a finding of every risk rule."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from baodan.checks import load_firm
from baodan.core.rules import Rules
from baodan.core.today import today
from baodan.demo import generator as demo
from baodan.domain.renewals import STAGES, renewal_book
from baodan.domain.risk import assess, risk_rules
from baodan.domain.verification import differences

from .conftest import make_firm

TODAY = date(2026, 11, 27)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    firm_dir = make_firm(tmp_path_factory.mktemp("demo") / "firm", demo.DEMO, seed=2026)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BAODAN_TODAY", TODAY.isoformat())
        firm, errors = load_firm(firm_dir.root, firm_dir.vault(), today())
    assert not errors, errors
    return firm


def test_policies_on_hold_have_an_audit_a_reason_and_a_task(loaded):
    held = [(cf, p) for cf, p in loaded.policies() if p.status == "on_hold"]
    assert len(held) >= 2
    for cf, p in held:
        assert p.audit.anomalies and p.hold_reason.startswith("初审异常：")
        assert any(
            t.kind == "audit" and t.policy == p.registry_no and t.status == "open" for t in cf.tasks
        )
    assert sum(1 for _, p in loaded.policies() if p.audit and not p.audit.anomalies) > 20


def test_discrepancies_in_every_status_are_real(loaded):
    statuses = Counter(d.status for _, p in loaded.policies() for d in p.discrepancies)
    assert set(statuses) == {"open", "confirmed", "resolved"}
    index = loaded.policy_index()
    for cf, p in loaded.policies():
        found = differences(
            cf, p, loaded.insurers.get(p.insurer), index.get(p.renewal_of, (0, None))[1]
        )
        recorded = {(d.field, d.on_policy, d.on_record) for d in p.discrepancies}
        assert {d.key for d in found} <= recorded, (
            p.registry_no
        )  # `baodan verify` finds nothing new
        unresolved = {
            (d.field, d.on_policy, d.on_record) for d in p.discrepancies if d.status != "resolved"
        }
        assert unresolved <= {d.key for d in found}, p.registry_no


def test_renewals_in_every_stage(loaded):
    stages = Counter(r.stage for r in renewal_book(loaded, TODAY).values())
    assert set(stages) == set(STAGES)


def test_every_risk_rule_finds_something(loaded):
    book = assess(loaded, TODAY)
    fired = {f.rule.id for found in book.by_client.values() for f in found}
    assert fired == {r.id for r in risk_rules(Rules())}
