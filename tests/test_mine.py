"""`--mine` (who: BAODAN_STAFF) on the work queues, and the claim queue's 30-day mark."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from . import factories as f
from .helpers import run_cli, write_record

TODAY = date(2026, 11, 20)


def _claim(cid: str, policy: str, handler: str, submitted: date) -> str:
    return f.dump(
        {
            "id": cid,
            "policy": policy,
            "type": "medical",
            "incident_date": submitted - timedelta(days=5),
            "reported_on": submitted - timedelta(days=5),
            "handler": handler,
            "stages": [
                {"stage": "reported", "date": submitted - timedelta(days=5)},
                {"stage": "collecting", "date": submitted - timedelta(days=4)},
                {"stage": "submitted", "date": submitted},
            ],
        }
    )


@pytest.fixture
def firm(firm, monkeypatch):
    """Two clients: 张伟 (wang-fang's) and 王芳芳 (chen-jing's), each with a birthday next
    week, a task due, a claim and a policy to renew; 王芳芳's claim is past 30 days."""
    monkeypatch.setenv("BAODAN_TODAY", TODAY.isoformat())
    f.reset_clients(firm)
    ends = TODAY + timedelta(days=20)
    for cid, name, manager, handler, birth, submitted in (
        ("c-00000001", "张伟", "wang-fang", "wang-fang", "1980-11-23", TODAY - timedelta(days=5)),
        ("c-00000002", "王芳芳", "chen-jing", "li-qiang", "1981-11-24", TODAY - timedelta(days=40)),
    ):
        regno = "BD-2025-" + cid[-5:].replace("0", "A")
        policy = f.policy(
            regno,
            effective=ends - timedelta(days=364),
            policyholder={"name": name, "relation": "本人"},
            insured=[{"name": name, "relation": "本人"}],
        )
        policy["terminates"] = ends
        folder = f.write_client(
            firm,
            f.person(cid, name=name, manager=manager, birth_date=date.fromisoformat(birth)),
            policies=[policy],
            tasks=[
                f.task(
                    f"t-{cid[-8:]}",
                    TODAY,
                    owner=manager,
                    created=TODAY - timedelta(days=3),
                    title=f"{name}的交接",
                )
            ],
        )
        rel = (folder / "claims" / f"cl-{cid[-8:]}.yaml.age").relative_to(firm.root)
        write_record(
            firm.root,
            rel.as_posix(),
            _claim(f"cl-{cid[-8:]}", regno, handler, submitted),
            firm.identities,
        )
    return firm


@pytest.mark.parametrize(
    "command",
    [("task", "list"), ("greetings",), ("claim", "queue"), ("renewals",)],
)
def test_mine_shows_only_my_clients_work(firm, capsys, monkeypatch, command):
    code, out, err = run_cli(capsys, *command)
    assert code == 0, err
    assert "张伟" in out and "王芳芳" in out
    monkeypatch.setenv("BAODAN_STAFF", "wang-fang")
    code, out, err = run_cli(capsys, *command, "--mine")
    assert code == 0, err
    assert "张伟" in out and "王芳芳" not in out


def test_mine_without_baodan_staff_says_how_to_set_it(firm, capsys, monkeypatch):
    monkeypatch.delenv("BAODAN_STAFF", raising=False)
    code, _, err = run_cli(capsys, "task", "list", "--mine")
    assert code == 1 and "BAODAN_STAFF" in err and "set BAODAN_STAFF=" in err


def test_mine_with_an_unknown_staff_member_lists_the_staff(firm, capsys, monkeypatch):
    monkeypatch.setenv("BAODAN_STAFF", "nobody")
    code, _, err = run_cli(capsys, "greetings", "--mine")
    assert code == 1 and "wang-fang" in err


def test_claim_queue_marks_a_decision_past_30_days_as_the_staff_site_does(
    firm, capsys, monkeypatch
):
    monkeypatch.setenv("COLUMNS", "200")
    _, out, _ = run_cli(capsys, "claim", "queue")
    lines = out.splitlines()
    late = [line for line in lines if "超过 30 天未出结果" in line]
    assert len(late) == 1 and "王芳芳" in "".join(
        lines[lines.index(late[0]) - 1 : lines.index(late[0]) + 1]
    )
