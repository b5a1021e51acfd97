"""`baodan serve` keeps per-client results between rebuilds (web/incremental.ClientMemo) and
works them out again only for a client whose inputs changed: the result is always what a
full computation gives."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from baodan.checks import PER_CLIENT, VALIDATIONS, check_firm
from baodan.core.pinyin import pinyin_key
from baodan.domain.renewals import renewal_book
from baodan.domain.risk import assess
from baodan.store.loader import RecordCache, read_firm
from baodan.web.context import TEMPLATES, SiteContext, make_env
from baodan.web.feeds import staff_feeds
from baodan.web.incremental import ClientMemo, ServeState

from .helpers import change_record, read_record, write_record

TODAY = date(2026, 11, 27)


def _book(book) -> dict:
    def texts(findings):
        return [(f.rule.id, f.registry_no, f.reason, f.advice, f.client_text) for f in findings]

    return {
        "by_client": {cid: texts(found) for cid, found in book.by_client.items()},
        "by_policy": {no: texts(found) for no, found in book.by_policy.items()},
    }


def test_risk_findings_kept_per_client_equal_a_full_assessment(firm):
    vault, cache, memo = firm.vault(), RecordCache(), ClientMemo()
    before, _ = read_firm(firm.root, vault, TODAY, cache)
    assert _book(assess(before, TODAY, memo=memo)) == _book(assess(before, TODAY))
    # A policy with a finding that names its product is renamed: the next rebuild reads that
    # file again and keeps every other record object.
    finding = next(
        f
        for found in assess(before, TODAY).by_policy.values()
        for f in found
        if "{product}" in f.rule.reason + f.rule.advice + (f.rule.client or "")
    )
    cid = finding.client_id
    rel = f"records/clients/{cid}/policies/{finding.registry_no}.yaml.age"

    def change(data):
        data["product"] = "改过名的产品"

    change_record(firm.root, rel, firm.identities, change)
    after, _ = read_firm(firm.root, vault, TODAY, cache)
    kept = _book(assess(after, TODAY, memo=memo))
    assert kept == _book(assess(after, TODAY))
    assert kept["by_client"].get(cid) != _book(assess(before, TODAY))["by_client"].get(cid)
    # Another day, other insurers: every client's findings are made again.
    later = TODAY + timedelta(days=400)
    assert _book(assess(after, later, memo=memo)) == _book(assess(after, later))
    fewer = dataclasses.replace(after, insurers={})
    assert _book(assess(fewer, TODAY, memo=memo)) == _book(assess(fewer, TODAY))


def test_a_client_s_findings_follow_its_renewals_though_its_records_did_not_change(firm):
    """A renewal's stage can change by a record elsewhere (a successor policy filed under
    another client): the records alone do not decide."""
    memo = ClientMemo()
    loaded, _ = read_firm(firm.root, firm.vault(), TODAY, RecordCache())
    # A day ten days before a policy ends with no intention recorded: a finding.
    day, renewals = next(
        (day, book)
        for _, p in loaded.policies()
        for day in [p.terminates - timedelta(days=10)]
        for book in [renewal_book(loaded, day)]
        if book.get(p.registry_no) and book[p.registry_no].stage in ("upcoming", "contacted")
    )
    assess(loaded, day, renewals, memo=memo)
    renewed = {no: dataclasses.replace(r, stage="renewed") for no, r in renewals.items()}
    kept = _book(assess(loaded, day, renewed, memo=memo))
    assert kept == _book(assess(loaded, day, renewed))
    assert kept != _book(assess(loaded, day, renewals))


def test_pinyin_sort_keys_are_kept_and_still_sort_by_pinyin():
    names = ["王芳", "李强", "袁敏", "陈静"]
    assert sorted(names, key=pinyin_key) == ["陈静", "李强", "王芳", "袁敏"]
    assert sorted(reversed(names), key=pinyin_key) == ["陈静", "李强", "王芳", "袁敏"]


def _set(firm_dir, rel: str, line: str) -> None:
    """Replace the line starting with ``line``'s key in a record (a problem the checks find)."""
    key = line.split(":", 1)[0] + ":"
    text = read_record(firm_dir.root, rel, firm_dir.identities)
    lines = [line if t.startswith(key) else t for t in text.splitlines()]
    write_record(firm_dir.root, rel, "\n".join(lines) + "\n", firm_dir.identities)


def test_checks_kept_per_client_equal_the_whole_firm_s(firm):
    vault, cache, memo = firm.vault(), RecordCache(), ClientMemo()
    clients = sorted(firm.root.glob("records/clients/*/client.yaml.age"))
    policies = sorted(firm.root.glob("records/clients/*/policies/*.yaml.age"))
    rel = lambda path: path.relative_to(firm.root).as_posix()  # noqa: E731

    def same() -> list:
        loaded, _ = read_firm(firm.root, vault, TODAY, cache)
        kept = check_firm(loaded, TODAY, memo)
        assert kept == check_firm(loaded, TODAY)
        return kept

    assert same() == []
    _set(firm, rel(clients[0]), "manager: nobody")
    _set(firm, rel(policies[-1]), "insurer: no-such-insurer")
    found = same()
    assert {e.field for e in found} == {"manager", "insurer"}
    _set(firm, rel(clients[0]), "manager: wang-fang")
    assert [e.field for e in same()] == ["insurer"]
    # A staff member leaves: every client's problems are checked again.
    (firm.root / "records/staff/wang-fang.yaml").unlink()
    assert "manager" in {e.field for e in same()}


def test_a_per_client_check_of_the_firm_is_its_checks_of_each_client_in_turn(firm):
    """What PER_CLIENT declares, on a firm with problems in several clients."""
    clients = sorted(firm.root.glob("records/clients/*/client.yaml.age"))
    policies = sorted(firm.root.glob("records/clients/*/policies/*.yaml.age"))
    for path in (clients[0], clients[-1]):
        _set(firm, path.relative_to(firm.root).as_posix(), "manager: nobody")
    for path in (policies[0], policies[-1]):
        _set(firm, path.relative_to(firm.root).as_posix(), "insurer: no-such-insurer")
    loaded, _ = read_firm(firm.root, firm.vault(), TODAY)
    assert set(PER_CLIENT) <= set(VALIDATIONS)
    for validate in PER_CLIENT:
        each = [
            e
            for cid, cf in loaded.clients.items()
            for e in validate(dataclasses.replace(loaded, clients={cid: cf}), TODAY)
        ]
        assert validate(loaded, TODAY) == each, validate.__name__


def test_staff_feeds_kept_per_client_equal_fresh_ones(firm):
    vault, cache, kept = firm.vault(), RecordCache(), ServeState().per_client

    def feeds(today=TODAY, **memo) -> tuple[list, list]:
        loaded, _ = read_firm(firm.root, vault, today, cache)
        made = [
            staff_feeds(
                SiteContext(loaded, today, True, make_env(TEMPLATES), feed_secret=b"s", **m)
            )
            for m in (memo, {})
        ]
        return [[(p.uri, p.content) for p in pages] for pages in made]

    first, fresh = feeds(per_client=kept)
    assert first == fresh
    interaction = sorted(firm.root.glob("records/clients/*/interactions/*.yaml.age"))[0]
    rel = interaction.relative_to(firm.root).as_posix()

    def follow_up(data):
        data["follow_up"] = TODAY + timedelta(days=3)

    change_record(firm.root, rel, firm.identities, follow_up)
    again, fresh = feeds(per_client=kept)
    assert again == fresh and again != first
    later = TODAY + timedelta(days=40)
    assert feeds(later, per_client=kept)[0] == feeds(later)[1]


def test_renewals_kept_per_client_equal_a_fresh_book(firm):
    vault, cache, memo = firm.vault(), RecordCache(), ClientMemo()

    def facts(book) -> dict:
        return {
            no: (r.client.client.id, r.stage, r.contacts, r.successor, r.next_due)
            for no, r in book.items()
        }

    def same(today=TODAY):
        loaded, _ = read_firm(firm.root, vault, today, cache)
        kept = renewal_book(loaded, today, memo)
        assert facts(kept) == facts(renewal_book(loaded, today))
        assert all(r.client is loaded.clients[r.client.client.id] for r in kept.values())
        return kept

    first = same()
    no, renewal = next((no, r) for no, r in first.items() if r.stage in ("upcoming", "contacted"))
    rel = renewal.policy.path

    def renewed(data):
        data["status"] = "renewed"

    change_record(firm.root, rel, firm.identities, renewed)
    assert same()[no].stage == "renewed"
    assert same(TODAY + timedelta(days=60)) is not None


def test_a_renewal_filed_under_another_client_is_seen_though_the_client_did_not_change(firm):
    memo = ClientMemo()
    loaded, _ = read_firm(firm.root, firm.vault(), TODAY, RecordCache())
    first = renewal_book(loaded, TODAY, memo)
    no, renewal = next((no, r) for no, r in first.items() if r.stage in ("upcoming", "contacted"))
    other_id, other = next(
        (cid, cf) for cid, cf in loaded.clients.items() if cid != renewal.client.client.id
    )
    successor = renewal.policy.model_copy(update={"registry_no": "P-续保", "renewal_of": no})
    clients = dict(loaded.clients)
    clients[other_id] = dataclasses.replace(other, policies=[*other.policies, successor])
    moved = dataclasses.replace(loaded, clients=clients)
    kept = renewal_book(moved, TODAY, memo)
    assert kept[no].stage == "renewed" and kept[no].successor is successor


def test_a_client_no_longer_asked_for_is_forgotten(firm):
    loaded, _ = read_firm(firm.root, firm.vault(), TODAY, RecordCache())
    (a, cf_a), (b, cf_b) = list(loaded.clients.items())[:2]
    memo, made = ClientMemo(), []

    def make(cid):
        made.append(cid)
        return cid

    get = memo.for_build("s")
    assert [get(cf_a, None, lambda: make(a)), get(cf_b, None, lambda: make(b))] == [a, b]
    get = memo.for_build("s")
    assert get(cf_b, None, lambda: make(b)) == b and made == [a, b]  # kept
    get = memo.for_build("s")
    get(cf_a, None, lambda: make(a))
    assert made == [a, b, a]  # forgotten in the build that did not ask for it
