"""What a staff member or client reads is Chinese: every page of both sites and the output of
every command, its help and its error paths, holds no field name or code of the records
(tests/codewords.py says what counts and what may stay in ASCII), and no traceback."""

from __future__ import annotations

import shutil

import pytest
from baodan.core import yamlio

from . import githelp
from .codewords import code_words, command_words, found_in, page_text
from .conftest import FirmDir, build_public_site
from .helpers import read_record, run_cli, write_record

WORDS = code_words()
COMMANDS = command_words()


def test_the_scan_finds_what_it_looks_for():
    """The scan itself: a code in a sentence is found; an address, path, id, option or
    command line is not."""
    assert found_in(
        "节日 spring_festival 的问候；检查项 format_complete 异常", WORDS, COMMANDS
    ) == {
        "spring_festival",
        "format_complete",
    }
    allowed = (
        "见 https://example.com/renewal/policy 和 records/clients/c-1a2b3c4d/policies/"
        "BD-2026-7K3QX.yaml.age；运行 baodan audit BD-2026-7K3QX --staff wang-fang；"
        "baodan claim stage cl-1a2b3c4d 已赔付；字段 payment.frequency: 不是可选值"
    )
    assert found_in(allowed, WORDS, COMMANDS) == set()
    assert found_in("在文章开头写上\nreview:\n  by: 审核人\n  date: 日期", WORDS, COMMANDS) == set()
    assert found_in("审核的 date 不对", WORDS, COMMANDS) == {"date"}


def _ids(firm: FirmDir) -> dict[str, str]:
    """Ids of records in the small firm to run commands on."""
    root = firm.root
    clients = sorted(p.parent.name for p in root.glob("records/clients/*/client.yaml.age"))
    policies = sorted(root.glob("records/clients/*/policies/*.yaml.age"))
    claims = sorted(root.glob("records/clients/*/claims/*.yaml.age"))
    tasks = sorted(root.glob("records/clients/*/tasks/*.yaml.age"))
    incidents = sorted(root.glob("records/clients/*/incidents/*.yaml.age"))
    stem = lambda p: p.name.removesuffix(".yaml.age")  # noqa: E731
    return {
        "client": clients[0],
        "policy": stem(policies[0]),
        "policy_rel": policies[0].relative_to(root).as_posix(),
        "claim": stem(claims[0]),
        "task": stem(tasks[0]) if tasks else "t-00000000",
        "incident": stem(incidents[0]) if incidents else "in-00000000",
    }


def _invocations(firm: FirmDir, ids: dict[str, str], tmp) -> list[list[str]]:
    gbk = tmp / "登记表-gbk.yaml"
    gbk.write_bytes("client: c-00000001\ncategory: 车险\n".encode("gbk"))
    bad_form = tmp / "bad.yaml"
    bad_form.write_text(
        "client: c-99999999\ncategory: health\nsubcategory: x\npayment:\n  frequency: yearly\n"
        "intake:\n  medium: fax\n",
        "utf-8",
    )
    cid, regno, claim = ids["client"], ids["policy"], ids["claim"]
    runs = [
        ["check"],
        ["greetings"],
        ["task", "list"],
        ["claim", "queue"],
        ["claim", "materials", claim],
        ["incident", "list"],
        ["member", "list"],
        ["rules"],
        ["status"],
        ["risk", cid],
        ["risk", regno],
        ["diff", "HEAD~1"],
        ["diff", "HEAD~1", "--public"],
        ["log", ids["policy_rel"]],
        ["exposure", cid],
        ["verify", regno, "--staff", "wang-fang"],
        ["renew", regno, "--staff", "wang-fang", "--note", "电话没接"],
        ["feed", "link", cid],
        ["portal", "link", cid],
        ["export", cid, "--out", str(tmp / "export")],
        # error paths
        ["show", "c-99999999"],
        ["show", "nosuch"],
        ["claim", "stage", claim, "不知道"],
        ["claim", "stage", "cl-00000000", "已赔付"],
        ["claim", "receive", claim, "没有这种材料"],
        ["greet", cid, "--occasion", "圣诞节"],
        ["greet", cid, "--occasion", "国庆", "--channel", "飞鸽传书"],
        ["task", "done", "t-00000000"],
        ["task", "new", cid, "--title", "x", "--kind", "nosuch"],
        ["survey", cid, "--score", "9"],
        ["renew", regno, "--staff", "wang-fang", "--intention", "maybe"],
        ["renew", regno, "--staff", "nobody"],
        ["incident", "new", cid, "--plan", "fire"],
        ["incident", "step", ids["incident"], "no_such_step"],
        ["audit", regno, "--staff", "wang-fang", "--anomaly", "nosuch=x"],
        ["audit", regno, "--staff", "wang-fang"],
        ["intake", "--from", str(tmp / "没有这个文件.yaml")],
        ["intake", "--from", str(tmp)],
        ["intake", "--from", str(gbk)],
        ["intake", "--from", str(bad_form)],
        ["check", "-i", str(tmp)],
        ["check", "-i", str(gbk)],
        ["export", "c-99999999"],
        ["forget", "c-99999999"],
        ["rules", "nosuch"],
        ["new", "policy", "c-99999999"],
        ["encrypt", "records/clients/nosuch.yaml"],
        ["member", "add", "someone"],
        ["renumber", regno],
        ["log", "BD-2026-00000"],
        ["diff", "no-such-revision"],
        ["feed", "rotate", "c-99999999"],
        ["attend", cid, "--lecture", "nosuch"],
        ["survey", cid, "--score", "5", "--channel", "打电话"],
        ["task", "new", cid, "--title", "补交材料", "--to", "理赔部", "--kind", "理赔"],
        ["publish-check"],
        ["precommit", "--all"],
        ["upgrade"],
        ["sync"],
        ["ci", "nosuch"],
        ["init", str(firm.root)],
        ["demo", str(firm.root)],
        ["recovery", "check", str(tmp / "没有应急包.txt")],
        ["member", "remove", "nobody"],
        ["reencrypt"],
        ["schema", "--out", str(tmp / "schema")],
    ]
    return runs + [[*p, "--help"] for p in _help_paths()]


def _help_paths() -> list[list[str]]:
    import typer
    from baodan.cli.app import app

    root = typer.main.get_command(app)
    paths = [[]]
    for name in root.list_commands(None):
        paths.append([name])
        sub = root.get_command(None, name)
        paths += [[name, s] for s in getattr(sub, "list_commands", lambda _: [])(None)]
    return paths


@pytest.fixture
def committed(firm, monkeypatch):
    """The small firm in git, with one policy changed in a second commit (for diff and log)."""
    githelp.init(firm.root, monkeypatch)
    ids = _ids(firm)
    rel = ids["policy_rel"]
    data = yamlio.load_roundtrip(read_record(firm.root, rel, firm.identities))
    data["notes"] = "客户来电更正地址"
    data.setdefault("intake", {})["from_whom"] = "客户配偶"
    write_record(firm.root, rel, yamlio.dump_roundtrip(data), firm.identities)
    githelp.commit(firm.root, "更正")
    return firm, ids


@pytest.mark.slow
def test_no_command_output_shows_a_code_or_a_traceback(committed, capsys, tmp_path):
    firm, ids = committed
    found = {}
    for args in _invocations(firm, ids, tmp_path):
        code, out, err = run_cli(capsys, *args)
        text = out + err
        assert "Traceback" not in text and "意外问题" not in text, (args, text)
        export = tmp_path / "export"
        if args[0] == "export" and export.is_dir():
            text += "".join(page_text(p.read_text("utf-8")) for p in export.glob("*.html"))
            shutil.rmtree(export)
        if words := found_in(text, WORDS, COMMANDS):
            found[" ".join(args)] = (sorted(words), text[-600:])
    assert not found, "\n".join(f"baodan {k}: {v[0]}\n{v[1]}" for k, v in found.items())


@pytest.mark.slow
def test_no_page_of_either_site_shows_a_code(firm):
    from baodan.services.sitebuild import build_site
    from baodan.store.workspace import Workspace

    build_public_site(firm)
    build_site(Workspace.open(firm.root, firm.identity_file), staff=True)
    found = {}
    pages = [*(firm.root / "site").rglob("*.html"), *(firm.root / "site-staff").rglob("*.html")]
    assert len(pages) > 50
    for page in pages:
        if words := found_in(page_text(page.read_text("utf-8")), WORDS, COMMANDS):
            found[page.relative_to(firm.root).as_posix()] = sorted(words)
    assert not found, found
