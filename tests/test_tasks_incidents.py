"""Hand-offs (`baodan task`) and emergency plans (`baodan incident`): records created and
changed from the command line, queues per department, and `baodan check` on bad references."""

from __future__ import annotations

import re
from datetime import date

from baodan.checks import load_firm
from baodan.core.today import today
from baodan.domain import tasks
from baodan.models import ClientFile, Task

from . import factories as f
from .helpers import read_record, run_cli, write_record


def _client(firm) -> str:
    return min(firm.root.glob("records/clients/*/client.yaml.age")).parent.name


def _policy(firm, cid: str) -> str:
    return min(firm.root.glob(f"records/clients/{cid}/policies/*.yaml.age")).name.removesuffix(
        ".yaml.age"
    )


def test_department_queues_put_overdue_first(monkeypatch):
    monkeypatch.setenv("BAODAN_TODAY", "2026-11-27")
    cf = ClientFile(f.client("c-1"))

    def task(tid, to, due, status="open"):
        data = {"id": tid, "title": tid, "from_department": "客户服务部", "to_department": to}
        data |= {"created": date(2026, 11, 1), "due": due, "status": status}
        if status == "done":
            data["closed_on"] = date(2026, 11, 20)
        return Task.model_validate(data)

    cf.tasks = [
        task("t-later", "理赔部", date(2026, 12, 5)),
        task("t-late", "理赔部", date(2026, 11, 20)),
        task("t-none", "理赔部", None),
        task("t-done", "理赔部", date(2026, 11, 1), "done"),
        task("t-money", "财务部", date(2026, 11, 26)),
    ]
    queues = tasks.department_queues(f.firm(cf), today())
    assert [q.task.id for q in queues["理赔部"]] == ["t-late", "t-later", "t-none"]
    assert [q.overdue_days for q in queues["理赔部"]] == [7, 0, 0]
    assert [q.overdue_days for q in queues["财务部"]] == [1]
    assert queues["管理层"] == []  # every department has a queue


def test_task_new_and_done(firm, capsys):
    cid = _client(firm)
    policy = _policy(firm, cid)
    code, out, err = run_cli(
        capsys,
        "task", "new", cid,
        "--title", "请核对保费发票",
        "--to", "财务",
        "--staff", "wang-fang",
        "--due", "2026-11-30",
        "--policy", policy,
    )  # fmt: skip
    assert code == 0, err
    task_id = re.search(r"t-[0-9a-f]{8}", out).group(0)
    rel = f"records/clients/{cid}/tasks/{task_id}.yaml.age"
    text = read_record(firm.root, rel, firm.identities)
    assert "from_department: 客户服务部" in text and "to_department: 财务部" in text
    assert "due: 2026-11-30" in text and "status: open" in text
    assert "created_by: wang-fang" in text
    code, out, _ = run_cli(capsys, "task", "list", "-d", "财务部")
    assert task_id in out
    code, out, err = run_cli(
        capsys, "task", "done", task_id, "--note", "已核对", "--staff", "chen-jing"
    )
    assert code == 0 and "已完成" in out
    text = read_record(firm.root, rel, firm.identities)
    assert "status: done" in text and "closed_on: 2026-11-27" in text and "已核对" in text
    assert "closed_by: chen-jing" in text
    code, out, err = run_cli(capsys, "task", "done", task_id, "--staff", "chen-jing")
    assert code == 1 and "已经是“已完成”" in err


def test_task_new_explains_a_wrong_department(firm, capsys):
    code, _out, err = run_cli(
        capsys, "task", "new", _client(firm), "--title", "x", "--to", "销售部", "--from", "会计部"
    )
    assert code == 1
    assert "没有部门“销售部”" in err and "客户服务部、会计部、财务部、理赔部、管理层" in err


def test_task_list_shows_a_long_title_whole(firm, capsys):
    """Chinese has no spaces to wrap at: a long title wraps inside its cell, not cut with "…"."""
    title = "请财务部核对客户上月交来的三张保费发票并回电说明差额原因（BD-2026-7K3QX）"
    code, _, err = run_cli(
        capsys,
        "task",
        "new",
        _client(firm),
        "--title",
        title,
        "--to",
        "财务部",
        "--staff",
        "wang-fang",
    )
    assert code == 0, err
    code, out, _ = run_cli(capsys, "task", "list", "--department", "财务部")
    rows = [line.split("│") for line in out.splitlines() if line.startswith("│")]
    assert title in "".join(cells[-2].strip() for cells in rows) and "…" not in out


def _quiet_policy(firm) -> tuple[str, str]:
    """(client, policy) with no incident under way: the demo has lost-policy incidents."""
    loaded, _ = load_firm(firm.root, firm.vault(), today())
    for cf in loaded.clients.values():
        busy = {i.policy for i in cf.incidents}
        for p in cf.policies:
            if p.registry_no not in busy:
                return cf.client.id, p.registry_no
    raise AssertionError("every policy has an incident")


def test_lost_policy_incident_from_start_to_close(firm, capsys, monkeypatch):
    monkeypatch.setenv("BAODAN_STAFF", "wang-fang")
    cid, policy = _quiet_policy(firm)
    code, out, err = run_cli(
        capsys,
        "incident",
        "new",
        cid,
        "--plan",
        "保单遗失",  # a plan by its Chinese name, as a person reads it on the staff site
        "--policy",
        policy,
        "--title",
        "搬家时遗失",
    )
    assert code == 0, err
    incident = re.search(r"in-[0-9a-f]{8}", out).group(0)
    assert "report_insurer：向保险公司报失（2026-11-29 前）" in out
    rel = f"records/clients/{cid}/incidents/{incident}.yaml.age"
    code, out, err = run_cli(
        capsys, "incident", "step", incident, "核实遗失情况", "--note", "已核实"
    )
    assert code == 0 and "下一步：向保险公司报失" in out
    code, out, err = run_cli(capsys, "incident", "list")
    assert incident in out and "1/6" in out
    code, _, err = run_cli(
        capsys, "incident", "new", cid, "--plan", "lost_policy", "--policy", policy
    )
    assert code == 1 and f"已有进行中的应急事件 {incident}" in err
    code, out, err = run_cli(capsys, "incident", "step", incident, "nonsense")
    assert code == 1 and "没有“nonsense”这一项" in err and "只能是：核实遗失情况、" in err
    code, out, err = run_cli(capsys, "incident", "close", incident, "--outcome", "原件找到了")
    assert code == 0 and "5 个未做的步骤记为不需要" in out
    text = read_record(firm.root, rel, firm.identities)
    assert "closed_on: 2026-11-27" in text and "outcome: 原件找到了" in text
    assert "closed_by: wang-fang" in text and "    by: wang-fang\n" in text  # who did it
    assert text.count("skipped: true") == 5 and "done_on: 2026-11-27" in text
    code, out, err = run_cli(capsys, "check")
    assert code == 0, err


def test_dispute_incident_needs_a_claim_and_the_plan_is_checked(firm, capsys):
    cid = _client(firm)
    code, _, err = run_cli(capsys, "incident", "new", cid, "--plan", "claim_dispute")
    assert code == 1 and "要写明理赔" in err and "--claim" in err
    code, _, err = run_cli(capsys, "incident", "new", cid, "--plan", "fire")
    assert code == 1 and "只能是：保单遗失 或 理赔纠纷" in err
    # A hand-written incident with an unknown plan and staff is caught by `baodan check`.
    write_record(
        firm.root,
        f"records/clients/{cid}/incidents/in-00000001.yaml.age",
        "id: in-00000001\nplan: fire\ntitle: x\nopened: 2026-11-01\nowner: nobody\n"
        "steps:\n  - step: a\n    title: A\n    done_on: 2026-12-01\n",
        firm.identities,
    )
    code, _out, err = run_cli(capsys, "check")
    assert code == 1
    assert "incidents/in-00000001.yaml.age" in err
    assert "没有应急预案“fire”" in err and "没有员工“nobody”" in err
    assert "steps[0].done_on" in err
