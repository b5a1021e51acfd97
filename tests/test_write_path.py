"""No command saves what `baodan check` rejects (issue 19): every writing command goes through
one write path (services/changes.py) that checks each record and the whole firm before
anything is written, and is refused, with file, field and hint, for the problems it brings."""

from __future__ import annotations

import ast
import io
import re
import sys
from datetime import date
from pathlib import Path

import pytest
from baodan import checks
from baodan.core.errors import RecordError, Source

from . import factories as c
from .helpers import run_cli, tree_digest, write_record

PACKAGE = Path(__file__).resolve().parents[1] / "generator/baodan"
CID = "c-00000001"
REGNO = "BD-2026-AAAAA"
CLAIM = "cl-0000abcd"
TODAY = "2026-11-27"  # conftest pins it


def records(firm) -> dict[str, str]:
    return tree_digest(firm.root / "records")


def _claim() -> dict:
    return {
        "id": CLAIM,
        "policy": REGNO,
        "type": "medical",
        "incident_date": date(2026, 11, 1),
        "reported_on": date(2026, 11, 2),
        "handler": "wang-fang",
        "stages": [{"stage": "reported", "date": date(2026, 11, 2)}],
    }


@pytest.fixture
def small(firm):
    """One client (health policy, sensitive consent given), one claim."""
    c.reset_clients(firm)
    holder = {"name": "张伟", "relation": "本人", "id_number": c.ME, "mobile": "13900000000"}
    c.write_client(firm, c.person(), policies=[c.policy(REGNO, policyholder=holder)])
    write_record(
        firm.root,
        f"records/clients/{CID}/claims/{CLAIM}.yaml.age",
        c.dump(_claim()),
        firm.identities,
    )
    return firm


def form(tmp_path, **fields) -> Path:
    """An intake form: factories' policy, without what the system fills in, for CID."""
    data = {"client": CID, **c.policy(REGNO)}
    del data["registry_no"], data["status"]
    data["policy_no"] = "P-NEW-0001"
    for key, value in fields.items():
        target = data
        *path, last = key.split(".")
        for part in path:
            target = target[part]
        target[last] = value
    path = tmp_path / "form.yaml"
    path.write_text(c.dump(data), "utf-8")
    return path


def refused(capsys, firm, *args) -> str:
    """Run a command that must be refused with nothing written; its error output."""
    before = records(firm)
    code, out, err = run_cli(capsys, *args)
    assert code == 1, out + err
    assert records(firm) == before
    assert "Traceback" not in err
    return err


# ---- the examples of issue 19, each refused with file, field and hint ------------------------


def test_a_policy_received_in_the_future_is_refused(small, capsys, tmp_path):
    path = form(tmp_path, **{"intake.received_on": date(2026, 12, 1)})
    err = refused(capsys, small, "intake", "--from", str(path))
    line = path.read_text("utf-8").splitlines().index("  received_on: 2026-12-01") + 1
    assert f"{path}:{line}: 字段 intake.received_on: 日期 2026-12-01 在未来" in err
    assert "处理办法：只填已经发生的日期" in err


def test_a_health_policy_needs_separate_sensitive_consent(small, capsys, tmp_path):
    c.reset_clients(small)  # a client with general consent only, and nothing sensitive yet
    c.write_client(small, c.person(consent={**c.person()["consent"], "sensitive": False}))
    err = refused(capsys, small, "intake", "--from", str(form(tmp_path)))
    assert f"records/clients/{CID}/client.yaml.age" in err
    assert "字段 consent.sensitive: 客户有含健康信息的记录" in err
    assert "单独签署敏感个人信息处理同意" in err
    assert "什么都没有保存" in err


def test_a_health_policy_needs_consent_at_all(small, capsys, tmp_path):
    client = c.person()
    del client["consent"]
    c.reset_clients(small)
    c.write_client(small, client)
    err = refused(capsys, small, "intake", "--from", str(form(tmp_path)))
    assert "字段 consent.sensitive: 客户有含健康信息的记录" in err


def test_the_same_insurer_policy_number_twice_is_refused_and_found(small, capsys, tmp_path):
    taken = c.policy(REGNO)["policy_no"]
    path = form(tmp_path, policy_no=taken.lower())  # case makes no other policy
    err = refused(capsys, small, "intake", "--from", str(path))
    line = path.read_text("utf-8").splitlines().index(f"policy_no: {taken.lower()}") + 1
    assert f"{path}:{line}: 字段 policy_no: 保险公司保单号 {taken.lower()} 登记了不止一次" in err
    assert f"已登记为 {REGNO}" in err and "同一张保单只登记一次" in err
    # Written past baodan (two branches merged), `baodan check` finds it in both files.
    other = c.policy("BD-2026-BBBBB", policy_no=taken)
    write_record(
        small.root,
        f"records/clients/{CID}/policies/BD-2026-BBBBB.yaml.age",
        c.dump(other),
        small.identities,
    )
    code, _, err = run_cli(capsys, "check")
    assert code == 1 and err.count(f"保险公司保单号 {taken} 登记了不止一次") == 2


def test_a_renewal_may_keep_the_policy_number(small, capsys, tmp_path):
    path = form(
        tmp_path,
        policy_no=c.policy(REGNO)["policy_no"],
        renewal_of=REGNO,
        effective=date(2026, 11, 20),
        terminates=date(2027, 11, 19),
        **{"intake.received_on": date(2026, 11, 20)},
    )
    code, out, err = run_cli(capsys, "intake", "--from", str(path))
    assert code == 0, err


@pytest.mark.parametrize("name", ["", "   ", "\u3000\t"], ids=["empty", "spaces", "wide-space"])
def test_a_blank_name_is_refused(small, capsys, tmp_path, name):
    path = form(tmp_path, **{"policyholder.name": name})
    err = refused(capsys, small, "intake", "--from", str(path))
    assert "字段 policyholder.name: " in err
    assert re.search("不能是空白|缺少必填字段", err)
    err = refused(
        capsys,
        small,
        "task",
        "new",
        CID,
        "--title",
        name or " ",
        "--to",
        "财务",
        "--staff",
        "wang-fang",
    )
    assert "字段 title: " in err


def test_a_client_since_the_future_is_refused(small, capsys):
    plain = small.root / "records/clients/c-00000009/client.yaml"
    plain.parent.mkdir()
    plain.write_text(c.dump(c.person("c-00000009", since=date(2027, 1, 1))), "utf-8")
    err = refused(capsys, small, "encrypt", str(plain))
    assert "records/clients/c-00000009/client.yaml.age:" in err
    assert f"字段 since: 日期 2027-01-01 在未来（今天是 {TODAY}）" in err
    assert "只填已经发生的日期" in err


def test_an_overlong_field_is_named(small, capsys, tmp_path):
    path = form(tmp_path, notes="保" * 2_000_000)  # 6 MB: a paste gone wrong
    err = refused(capsys, small, "intake", "--from", str(path))
    assert "字段 notes: 太长：最多 20000 个字，现在有 2000000 个" in err
    assert "长文、扫描件和附件不要放进记录" in err
    err = refused(
        capsys,
        small,
        "task",
        "new",
        CID,
        "--title",
        "办" * 257,
        "--to",
        "财务",
        "--staff",
        "wang-fang",
    )
    assert "字段 title: 太长：最多 256 个字，现在有 257 个" in err


def test_an_unknown_task_kind_is_refused(small, capsys):
    err = refused(
        capsys, small, "task", "new", CID, "--title", "核对", "--to", "财务",
        "--staff", "wang-fang", "--kind", "nonsense",
    )  # fmt: skip
    assert "--kind：没有“nonsense”这一项" in err and "部门交接" in err


def test_a_form_says_every_problem_at_once_and_an_impossible_date_is_a_date(
    small, capsys, tmp_path
):
    path = form(tmp_path, effective="2026-02-30", product="   ", insurer="nosuch")
    text = path.read_text("utf-8").replace("effective: '2026-02-30'", "effective: 2026-02-30")
    path.write_text(text.replace("medium: paper", "medium: fax"), "utf-8")
    err = refused(capsys, small, "intake", "--from", str(path))
    lines = text.splitlines()
    assert (
        f"{path}:{lines.index('effective: 2026-02-30') + 1}: 字段 effective: “2026-02-30”不是有效日期"
        in err
    )
    assert "写成 2026-03-01 这样的格式" in err and "缩进" not in err
    assert "字段 product: " in err and "字段 intake.medium: 不是可选值" in err
    assert "字段 insurer: 没有保险公司“nosuch”" in err


def test_a_problem_the_firm_already_had_blocks_no_one(small, capsys, monkeypatch, tmp_path):
    """Only what a change brings refuses it: a colleague's unfinished client (health policy,
    sensitive consent not yet recorded) fails `check`, yet work on it and on others goes on."""
    other = c.person("c-00000002", consent={**c.person()["consent"], "sensitive": False})
    c.write_client(small, other, policies=[c.policy("BD-2026-CCCCC")])
    code, _, err = run_cli(capsys, "check")
    assert code == 1 and "records/clients/c-00000002/client.yaml.age: 字段 consent.sensitive" in err
    monkeypatch.setenv("BAODAN_STAFF", "wang-fang")
    for cid in (CID, "c-00000002"):
        code, _, err = run_cli(capsys, "task", "new", cid, "--title", "核对", "--to", "财务")
        assert code == 0, err
    editor = tmp_path / "editor.py"  # the unfinished client's own record, another field changed
    editor.write_text(
        "import sys\np = sys.argv[1]\ntext = open(p, encoding='utf-8').read()\n"
        "open(p, 'w', encoding='utf-8').write(text + 'notes: 同意书已寄出\\n')\n"
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    code, out, err = run_cli(capsys, "edit", "c-00000002")
    assert code == 0 and "已保存" in out, err


# ---- one write path, and no way around it ------------------------------------------------------

ALLOWED_WRITERS = {
    "services/changes.py",  # the write path
    "services/reencrypt.py",  # the same text to a new record key: nothing to check
}


def test_only_the_write_path_writes_records():
    """``Workspace.write`` (the one encrypted write) is called from the write path only, and
    nothing outside the store (and the demo generator's fictional firm) encrypts by itself."""
    writers, encrypters = set(), set()
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).as_posix()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            owner = node.func.value
            name = getattr(owner, "id", None) or getattr(owner, "attr", None)
            if node.func.attr == "write" and name == "ws":
                writers.add(rel)
            if node.func.attr == "encrypt" and not rel.startswith(("store/", "demo/")):
                encrypters.add(rel)
    assert writers == ALLOWED_WRITERS
    assert encrypters == set()


PROBE = "测试探针：这条记录变了"


def _probe(firm, today):
    """A whole-firm check that finds every record's content: any change is a new problem."""
    return [
        RecordError(Source(r.path), "", f"{PROBE} {hash(r.model_dump_json())}")
        for cf in firm.clients.values()
        for r in (cf.client, *cf.policies, *cf.claims, *cf.interactions, *cf.tasks, *cf.incidents)
    ]


def test_every_writing_command_is_refused_for_a_problem_the_change_brings(
    small, capsys, monkeypatch, tmp_path
):
    """Each command that writes, run as it succeeds, with a check that finds a problem in any
    record changed: each is refused, says so, and writes nothing."""
    monkeypatch.setenv("BAODAN_STAFF", "wang-fang")
    monkeypatch.setenv("BAODAN_TODAY", "2026-12-20")  # 元旦 is near: a greeting is due
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\n" * 50))  # yes to every confirmation
    code, out, err = run_cli(capsys, "task", "new", CID, "--title", "核对", "--to", "财务")
    assert code == 0, err
    task = re.search(r"t-[0-9a-f]{8}", out).group(0)
    code, out, err = run_cli(
        capsys, "incident", "new", CID, "--plan", "lost_policy", "--policy", REGNO
    )
    assert code == 0, err
    incident = re.search(r"in-[0-9a-f]{8}", out).group(0)
    lecture = "2026-09-19-employer-liability"
    plain = small.root / "records/clients/c-00000009/client.yaml"
    plain.parent.mkdir()
    plain.write_text(c.dump(c.person("c-00000009")), "utf-8")
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys\np = sys.argv[1]\ntext = open(p, encoding='utf-8').read()\n"
        "if text.startswith('# baodan:'):\n"  # reopened with the problem: give up
        "    sys.exit()\n"
        "if 'summary: \\n' in text:\n"  # a new interaction: say what happened
        "    text = text.replace('summary: \\n', 'summary: 来电\\n', 1)\n"
        "else:\n"
        "    text += '\\nnotes: 改过\\n'\n"
        "open(p, 'w', encoding='utf-8').write(text)\n"
    )
    monkeypatch.setenv("EDITOR", f"python {editor}")
    commands = {
        "intake": ["intake", "--from", str(form(tmp_path))],
        "new": ["new", "interaction", CID],
        "edit": ["edit", CID],
        "encrypt": ["encrypt", str(plain)],
        "claim receive": ["claim", "receive", CLAIM, "病历"],
        "claim stage": ["claim", "stage", CLAIM, "submitted"],
        "greet": ["greet", CID, "--occasion", "元旦"],
        "survey": ["survey", CID, "--score", "5"],
        "attend": ["attend", lecture, CID],
        "task new": ["task", "new", CID, "--title", "再核对", "--to", "财务"],
        "task done": ["task", "done", task],
        "incident new": ["incident", "new", CID, "--plan", "claim_dispute", "--claim", CLAIM],
        "incident step": ["incident", "step", incident, "核实遗失情况"],
        "incident close": ["incident", "close", incident, "--outcome", "找到了"],
        "renew": ["renew", REGNO],
        "audit": ["audit", REGNO, "--ok"],
        "verify": ["verify", REGNO],
        "renumber": ["renumber", REGNO],
        "portal rotate": ["portal", "rotate", CID],
        "feed rotate": ["feed", "rotate", CID],
    }
    monkeypatch.setattr(checks, "VALIDATIONS", [*checks.VALIDATIONS, _probe])
    wrote = {}
    for name, args in commands.items():
        before = records(small)
        code, out, err = run_cli(capsys, *args)
        if code != 1 or PROBE not in err or "没有保存" not in err or records(small) != before:
            wrote[name] = (code, out[-300:], err[-300:])
    assert wrote == {}, "\n".join(f"{k}: {v}" for k, v in wrote.items())


def test_attendance_for_many_clients_is_written_for_all_or_none(small, capsys, monkeypatch):
    """`baodan attend` records one interaction per client in one change: a client the checks
    refuse leaves every other client unwritten too, so running it again after the fix
    records each client once."""
    other = "c-00000002"
    c.write_client(small, c.person(other, name="李娜"))
    lecture = "2026-09-19-employer-liability"

    def refuses_the_second(firm, today):
        return [
            RecordError(Source(i.path), "", f"{PROBE} {i.path}")
            for cf in firm.clients.values()
            if cf.client.id == other
            for i in cf.interactions
        ]

    monkeypatch.setattr(checks, "VALIDATIONS", [*checks.VALIDATIONS, refuses_the_second])
    before = records(small)
    code, out, err = run_cli(capsys, "attend", lecture, CID, other)
    assert code == 1 and PROBE in err and "没有保存" in err
    assert records(small) == before  # not even the first client's attendance
    monkeypatch.setattr(checks, "VALIDATIONS", checks.VALIDATIONS[:-1])
    code, out, err = run_cli(capsys, "attend", lecture, CID, other)
    assert code == 0 and "已记录 2 位客户出席" in out, err
