"""Registry numbers: allocation never hands out a number in use or retired; `baodan renumber`
gives a policy a fresh number, renames the file, moves every reference and retires the old
number (unless another policy still holds it, after a collision between two branches)."""

from __future__ import annotations

import random
import re
import tempfile
from datetime import date
from pathlib import Path

from baodan.models.policy import REGISTRY_NO
from baodan.store.workspace import allocate_registry_no
from hypothesis import given, settings
from hypothesis import strategies as st

from . import factories as c
from .helpers import read_record, run_cli, write_record


def _draws(seed: int, year: int, n: int) -> list[str]:
    """The first numbers allocate_registry_no would try with this seed."""
    probe = random.Random(seed)
    return [
        f"BD-{year}-" + "".join(probe.choice("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for _ in range(5))
        for _ in range(n)
    ]


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    year=st.integers(2000, 2099),
    taken=st.integers(0, 6),
    retired_share=st.integers(0, 6),
    more=st.integers(1, 8),
)
def test_allocation_never_repeats_a_number(seed, year, taken, retired_share, more):
    """Whatever is in use or retired, including exactly the numbers the random source would
    draw first, every allocation is new, well formed, and differs from all before it."""
    first = _draws(seed, year, taken + retired_share)
    in_use, retired = first[:taken], first[taken:]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folder = root / "records/clients/c-00000001/policies"
        folder.mkdir(parents=True)
        for number in in_use:
            (folder / f"{number}.yaml.age").write_bytes(b"")
        (root / "records/retired.yaml").write_text(
            "".join(
                f"- {{registry_no: {n}, retired_on: 2026-01-01, reason: 换号}}\n" for n in retired
            ),
            "utf-8",
        )
        rng = random.Random(seed)
        seen = set(first)
        for _ in range(more):
            number = allocate_registry_no(root, year, rng)
            assert REGISTRY_NO.match(number) and number.startswith(f"BD-{year}-")
            assert number not in seen
            seen.add(number)
            (folder / f"{number}.yaml.age").write_bytes(b"")


OLD = "BD-2026-RNMB1"


def _claim(regno: str) -> str:
    return c.dump(
        {
            "id": "cl-0000aaaa",
            "policy": regno,
            "type": "medical",
            "incident_date": "2026-10-01",
            "reported_on": "2026-10-02",
            "handler": "wang-fang",
            "stages": [{"stage": "reported", "date": "2026-10-02"}],
        }
    )


def _firm_with_references(firm, client_id="c-00000001", renewal="BD-2027-RNMB2"):
    base = c.write_client(
        firm,
        c.person(client_id),
        [
            c.policy(OLD, policy_no=f"P-{client_id}"),  # two policies that drew one number
            c.policy(
                renewal,
                renewal_of=OLD,
                effective=date(2027, 3, 1),
                intake={**c.policy("x")["intake"], "received_on": date(2026, 11, 20)},
            ),
        ],
        [c.contact(OLD, date(2026, 11, 2), "renew")],
        [c.task("t-0000aaaa", date(2026, 12, 1), policy=OLD)],
    )
    rel = base.relative_to(firm.root).as_posix()
    write_record(firm.root, f"{rel}/claims/cl-0000aaaa.yaml.age", _claim(OLD), firm.identities)
    return rel


def test_renumber_moves_every_reference_and_retires_the_old_number(firm, capsys):
    c.reset_clients(firm)
    base = _firm_with_references(firm)
    code, out, err = run_cli(capsys, "renumber", OLD)
    assert code == 0, err
    new = re.search(r"→ (BD-2026-[0-9A-Z]{5})", out).group(1)
    assert new != OLD and "已写入 records/retired.yaml" in out
    assert not (firm.root / f"{base}/policies/{OLD}.yaml.age").exists()
    assert f"registry_no: {new}" in read_record(
        firm.root, f"{base}/policies/{new}.yaml.age", firm.identities
    )
    for rel, field in [
        (f"{base}/claims/cl-0000aaaa.yaml.age", "policy"),
        (f"{base}/tasks/t-0000aaaa.yaml.age", "policy"),
        (f"{base}/interactions/2026-11-02-1.yaml.age", "policy"),
        (f"{base}/policies/BD-2027-RNMB2.yaml.age", "renewal_of"),
    ]:
        assert f"{field}: {new}" in read_record(firm.root, rel, firm.identities), rel
        assert f"  已更新引用：{rel}" in out
    retired = (firm.root / "records/retired.yaml").read_text("utf-8")
    assert f"registry_no: {OLD}" in retired and f"replaced_by: {new}" in retired
    assert run_cli(capsys, "check")[0] == 0
    code, _, err = run_cli(capsys, "renumber", OLD)
    assert code == 1 and f"找不到登记号为“{OLD}”的保单" in err


def test_a_collision_between_branches_is_caught_and_fixed(firm, capsys):
    c.reset_clients(firm)
    mine = _firm_with_references(firm, "c-00000001")
    theirs = _firm_with_references(firm, "c-00000003", "BD-2027-RNMB3")
    code, _, err = run_cli(capsys, "check")
    assert code == 1 and f"登记号 {OLD} 重复" in err and "baodan renumber" in err

    code, _, err = run_cli(capsys, "renumber", OLD)
    assert code == 1 and "有 2 张保单" in err and "文件路径" in err

    code, out, err = run_cli(capsys, "renumber", f"{theirs}/policies/{OLD}.yaml.age")
    assert code == 0, err
    assert "仍由另一张保单使用，没有注销" in out
    assert not (firm.root / "records/retired.yaml").exists()
    # Their references follow; mine still point at the number my policy keeps.
    assert f"policy: {OLD}" not in read_record(
        firm.root, f"{theirs}/claims/cl-0000aaaa.yaml.age", firm.identities
    )
    assert f"policy: {OLD}" in read_record(
        firm.root, f"{mine}/claims/cl-0000aaaa.yaml.age", firm.identities
    )
    assert run_cli(capsys, "check")[0] == 0
