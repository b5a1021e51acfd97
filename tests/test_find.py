"""`baodan find` and `baodan clients`: staff find a client by what they know, and list clients."""

from __future__ import annotations

from datetime import date

import pytest
from baodan.core.layout import LOOKUP_CACHE_FILE
from baodan.store.workspace import Workspace

from . import factories as f
from .helpers import run_cli

LI = f.resident_id("19750612", 44, area="330106")


@pytest.fixture
def firm(firm):
    """The small firm with three hand-made clients (and no generated ones)."""
    f.reset_clients(firm)
    f.write_client(
        firm,
        f.person(
            "c-00000001",
            name="李红霞",
            id_number=LI,
            sex="女",
            mobile="13905716688",
            family=[{"name": "袁慧芳", "relation": "父母"}],
        ),
        policies=[
            f.policy("BD-2026-AAAA1", policy_no="PA2026330100778899"),
            f.policy(
                "BD-2026-AAAA2",
                category="auto",
                subcategory="commercial",
                product="机动车商业保险",
                policy_no="PDAA2026001",
                insured=[],
                vehicle={"plate": "浙A·D3721", "vin": "LSVAB2BM0KN123456"},
            ),
        ],
    )
    f.write_client(
        firm,
        f.person(
            "c-00000002",
            name="袁慧芳",
            id_number=f.ME,
            mobile="13812340000",
            manager="chen-jing",
            tier="A",
            city="宁波",
            family=[],
        ),
    )
    f.write_client(
        firm,
        f.person(
            "c-00000003", name="王袁", mobile="13700001111", family=[], left_on=date(2026, 1, 5)
        ),
    )
    return firm


def test_find_a_client_by_name_shows_client_and_policies(firm, capsys):
    code, out, _ = run_cli(capsys, "find", "李红霞")
    assert code == 0
    assert "c-00000001" in out and "BD-2026-AAAA1" in out and "BD-2026-AAAA2" in out
    assert "客户" in out and "保单" in out and "匹配" in out


@pytest.mark.parametrize(
    ("query", "expected", "field"),
    [
        ("6688", "c-00000001", "手机"),  # the end of a mobile number
        ("139 0571 6688", "c-00000001", "手机"),  # typed with spaces
        (LI[6:14], "c-00000001", "证件号"),  # a birth date inside an ID number
        ("PA20263301", "BD-2026-AAAA1", "保险公司保单号"),  # the start of the insurer's number
        ("aaaa2", "BD-2026-AAAA2", "登记号"),  # a registry number, any case
        ("浙AD3721", "BD-2026-AAAA2", "车牌"),  # a plate without its dot
        ("慧芳", "c-00000001", "家属"),  # a family member's name
    ],
)
def test_find_by_what_staff_know(firm, capsys, query, expected, field):
    code, out, _ = run_cli(capsys, "find", query)
    assert code == 0
    assert expected in out and field in out


def test_find_masks_an_id_number_but_the_part_that_matched(firm, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # the number on one line
    _, out, _ = run_cli(capsys, "find", LI[6:14])
    assert LI not in out  # never the whole number
    assert f"******{LI[6:14]}****" in out  # only what was typed


def test_find_ranks_an_exact_name_before_a_family_member_or_a_part(firm, capsys):
    _, out, _ = run_cli(capsys, "find", "袁慧芳")
    assert out.index("c-00000002") < out.index("c-00000001")  # her own record first
    _, out, _ = run_cli(capsys, "find", "袁")
    assert "c-00000003" in out  # 王袁: a part of a name


def test_find_nothing_says_so_in_chinese(firm, capsys):
    code, out, _ = run_cli(capsys, "find", "不存在的人")
    assert code == 0 and "没有找到" in out


def test_find_sees_a_changed_record_at_once(firm, capsys):
    run_cli(capsys, "find", "李红霞")  # the summaries are made and kept
    ws = Workspace.open(firm.root, firm.identity_file)
    path = firm.root / "records/clients/c-00000002/client.yaml.age"
    ws.write(path, ws.read(path).replace("13812340000", "13612349999"))
    _, out, _ = run_cli(capsys, "find", "13612349999")
    assert "c-00000002" in out
    _, out, _ = run_cli(capsys, "find", "13812340000")
    assert "没有找到" in out


def test_the_kept_summaries_are_encrypted_and_a_forged_file_is_not_believed(firm, capsys):
    run_cli(capsys, "find", "李红霞")
    cache = firm.root / LOOKUP_CACHE_FILE
    data = cache.read_bytes()
    assert data.startswith(b"-----BEGIN AGE ENCRYPTED FILE-----")
    assert "李红霞".encode() not in data and b"13905716688" not in data
    # Someone without the record key encrypts a cache to its (public) recipient.
    ws = Workspace.open(firm.root, firm.identity_file)
    import zlib

    forged = "baodan lookup forged\nC c-00000009\t0\t0\t0\t0\nR client\t骗子\t{}"
    cache.write_bytes(ws.vault.encrypt(zlib.compress(forged.encode())))
    _, out, _ = run_cli(capsys, "find", "骗子")
    assert "没有找到" in out
    _, out, _ = run_cli(capsys, "find", "李红霞")
    assert "c-00000001" in out


def test_forget_removes_the_kept_summaries(firm, capsys):
    run_cli(capsys, "find", "李红霞")
    assert (firm.root / LOOKUP_CACHE_FILE).exists()
    from baodan.services import erasure

    ws = Workspace.open(firm.root, firm.identity_file)
    erasure.forget(ws, erasure.plan(ws, "c-00000003"))
    assert not (firm.root / LOOKUP_CACHE_FILE).exists()
    _, out, _ = run_cli(capsys, "find", "王袁")
    assert "没有找到" in out


def test_clients_are_listed_in_pinyin_order(firm, capsys):
    code, out, _ = run_cli(capsys, "clients")
    assert code == 0
    # li, wang, yuan: not the order of the code points (王 < 袁 < 李)
    assert out.index("李红霞") < out.index("王袁") < out.index("袁慧芳")


@pytest.mark.parametrize(
    ("option", "shown", "hidden"),
    [
        (["--manager", "chen-jing"], "袁慧芳", "李红霞"),
        (["--tier", "a"], "袁慧芳", "李红霞"),
        (["--city", "宁波"], "袁慧芳", "李红霞"),
        (["--status", "已终止"], "王袁", "李红霞"),
        (["--status", "active"], "李红霞", "王袁"),
    ],
)
def test_clients_filters(firm, capsys, option, shown, hidden):
    code, out, _ = run_cli(capsys, "clients", *option)
    assert code == 0
    assert shown in out and hidden not in out


def test_clients_unknown_status_lists_the_choices(firm, capsys):
    code, _, err = run_cli(capsys, "clients", "--status", "休眠")
    assert code == 1 and "服务中" in err and "已终止" in err
