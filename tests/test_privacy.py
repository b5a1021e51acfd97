"""PIPL: consent checks, export (right of access), forget (erasure), exposure (leak report),
the staff privacy queue."""

from __future__ import annotations

import datetime as dt
import random
import re
import shutil
import stat
import subprocess
import zipfile

import pytest
from baodan.checks import load_firm
from baodan.core.today import today
from baodan.store import identity as who
from baodan.store import vault, workspace
from baodan.web.context import TEMPLATES, SiteContext, make_env
from baodan.web.privacy_pages import privacy_queue
from pyrage import x25519

from . import githelp
from .helpers import change_record, read_record, run_cli, tree_digest, write_record


def _keys(firm) -> list:
    """The record key(s) the firm's records are encrypted to now."""
    return vault.open_vault(firm.root, who.IdentitySource(firm.identities, "t")).identities


@pytest.fixture
def loaded(firm):
    """The small firm's folder and its records, loaded."""
    v = vault.open_vault(firm.root, who.IdentitySource(firm.identities, "t"))
    model, errors = load_firm(firm.root, v, today())
    assert not errors
    return firm, model


def _edit(firm, rel: str, change) -> None:
    change_record(firm.root, rel, firm.identities, change)


def _client_with_portal_and_policies(loaded):
    firm, model = loaded
    for cf in model.clients.values():
        if cf.client.portal and cf.client.feed and len(cf.policies) >= 2 and cf.client.id_number:
            return cf
    raise AssertionError("fixture has no current client with a portal and two policies")


def test_withdrawn_consent_with_a_portal_still_published_is_flagged(loaded, capsys):
    firm, _ = loaded
    cf = _client_with_portal_and_policies(loaded)
    _edit(firm, cf.client.path, lambda d: d["consent"].update(withdrawn_on=dt.date(2026, 11, 1)))
    code, _, err = run_cli(capsys, "check")
    assert code == 1
    assert f"{cf.client.path}: 字段 portal: 客户已于 2026-11-01 撤回同意" in err
    assert "字段 left_on: 客户已于 2026-11-01 撤回同意，必须停止处理其个人信息" in err
    assert f"baodan forget {cf.client.id}" in err


def test_health_policy_needs_separate_consent(loaded, capsys):
    firm, model = loaded
    cf = next(
        cf
        for cf in model.clients.values()
        if any(p.category == "health" for p in cf.policies) and cf.client.left_on is None
    )
    _edit(firm, cf.client.path, lambda d: d["consent"].update(sensitive=False))
    code, _, err = run_cli(capsys, "check")
    assert code == 1
    assert f"{cf.client.path}: 字段 consent.sensitive: 客户有含健康信息的记录" in err


def test_export_holds_every_record_of_the_client_and_nothing_of_another(loaded, capsys):
    firm, model = loaded
    cf = _client_with_portal_and_policies(loaded)
    folder = firm.root / "records/clients" / cf.client.id
    sources = {
        p.relative_to(folder).as_posix().removesuffix(".age"): p for p in folder.rglob("*.yaml.age")
    }
    code, out, err = run_cli(capsys, "export", cf.client.id)
    assert code == 0, err
    target = firm.root / "export" / cf.client.id
    assert str(target) in out and "明文个人信息" in out
    exported = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
    assert exported == {*sources, "index.html"}
    for rel, source in sources.items():
        plain = read_record(firm.root, source.relative_to(firm.root).as_posix(), firm.identities)
        assert (target / rel).read_text("utf-8") == plain
        assert stat.S_IMODE((target / rel).stat().st_mode) == 0o600
    page = (target / "index.html").read_text("utf-8")
    assert "个人信息副本" in page and cf.client.name in page and cf.client.id_number in page
    for policy in cf.policies:
        assert f"保单 {policy.registry_no}" in page
    everything = page + "".join((target / r).read_text("utf-8") for r in sources)
    for other in model.clients.values():
        if other.client.id != cf.client.id:
            assert other.client.id not in everything
            assert other.client.identifier not in everything
            assert all(p.registry_no not in everything for p in other.policies)

    code, _, err = run_cli(capsys, "export", cf.client.id)
    assert code == 1 and "已存在" in err
    code, _, err = run_cli(capsys, "export", cf.client.id, "--zip")
    assert code == 0, err
    with zipfile.ZipFile(firm.root / "export" / f"{cf.client.id}.zip") as archive:
        assert {n.split("/", 1)[1] for n in archive.namelist()} == exported


def test_an_interrupted_export_leaves_nothing_behind(loaded, capsys, monkeypatch):
    """A failure (or Ctrl-C) half-way through writing: no half export, no temp folder."""
    from baodan.services import export

    firm, _ = loaded
    cf = _client_with_portal_and_policies(loaded)
    real, written = export.open_new, []

    def stopped(path, **kw):
        if len(written) == 2:
            raise KeyboardInterrupt
        written.append(path)
        return real(path, **kw)

    monkeypatch.setattr(export, "open_new", stopped)
    code, _, err = run_cli(capsys, "export", cf.client.id)
    assert code == 130 and len(written) == 2
    assert not (firm.root / "export").exists() or list((firm.root / "export").iterdir()) == []


def test_export_is_not_written_through_a_link(loaded, capsys, tmp_path):
    firm, _ = loaded
    cf = _client_with_portal_and_policies(loaded)
    link = tmp_path / "client.zip"
    link.symlink_to(tmp_path / "elsewhere.zip")
    code, _, err = run_cli(capsys, "export", cf.client.id, "--zip", "--out", str(link))
    assert code == 1 and "已存在" in err and not (tmp_path / "elsewhere.zip").exists()


@pytest.mark.slow
def test_forget_names_the_client_and_removes_every_local_copy_baodan_made(
    loaded, capsys, monkeypatch
):
    """Exports, the staff site (the client's page, queues, staff calendars) and the client's
    portal and calendar in the built public site; the question names the client first, and
    answering no deletes nothing."""
    import io
    import sys

    firm, model = loaded
    cf = _client_with_portal_and_policies(loaded)
    client = cf.client
    other = next(c.client for c in model.clients.values() if c.client.portal and c is not cf)
    for args in (
        ["build"],
        ["build", "--staff-site"],
        ["export", client.id],
        ["export", client.id, "--zip"],
    ):
        code, _, err = run_cli(capsys, *args)
        assert code == 0, err
    copies = [
        firm.root / "export" / client.id,
        firm.root / "export" / f"{client.id}.zip",
        firm.root / "site-staff",
        firm.root / "site/p" / client.portal.id,
        firm.root / "site/feeds" / f"{client.feed.token}.ics",
        firm.root / "site/feeds" / client.feed.token / "import.ics",  # the calendar page's
    ]
    assert all(path.exists() for path in copies)
    before = tree_digest(firm.root)

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"n\n")))
    code, out, err = run_cli(capsys, "forget", client.id)
    assert code == 1 and "已取消，没有删除任何文件" in err
    assert out.index(f"将删除客户 {client.id}（{client.name}）") < out.index("确定永久删除吗")
    for shown in (
        f"export/{client.id}/",
        f"export/{client.id}.zip",
        "site-staff/",
        f"site/p/{client.portal.id}/",
        f"site/feeds/{client.feed.token}.ics",
        f"site/feeds/{client.feed.token}/",
    ):
        assert shown in out
    assert tree_digest(firm.root) == before

    code, out, err = run_cli(capsys, "forget", client.id, "--yes")
    assert code == 0, err
    assert not any(path.exists() for path in copies)
    assert (firm.root / "site/p" / other.portal.id / "index.html").is_file()  # others stay
    assert "baodan build --staff-site" in out and "保存过的二维码图片" in out


@pytest.mark.slow
def test_forget_leaves_no_trace_in_the_tree_or_the_next_build(loaded, capsys):
    firm, model = loaded
    cf = _client_with_portal_and_policies(loaded)
    client = cf.client
    numbers = [p.registry_no for p in cf.policies]
    traces = [client.id, client.name, client.id_number, client.portal.id, client.feed.token]
    code, out, err = run_cli(capsys, "forget", client.id, "--yes")
    assert code == 0, err
    assert "git filter-repo --path records/clients/" + client.id + " --invert-paths" in out
    assert not (firm.root / "records/clients" / client.id).exists()
    retired = (firm.root / "records/retired.yaml").read_text("utf-8")
    assert all(n in retired for n in numbers) and "客户要求删除" in retired

    code, _, err = run_cli(capsys, "build")
    assert code == 0, err
    scanned = 0
    for path in firm.root.rglob("*"):
        if not path.is_file() or path.suffix == ".age" or ".git" in path.parts:
            continue
        scanned += 1
        assert client.id not in path.as_posix()
        text = path.read_bytes().decode("utf-8", "replace")
        for trace in traces:
            assert trace not in text, f"{trace} left in {path}"
    assert scanned > 50 and (firm.root / "site/search/search_index.json").exists()
    assert all(traces)

    # Its registry numbers are never handed out again, and reusing one fails the check.
    rigged = random.Random()
    letters = iter(numbers[0][-5:] + "ABCDE" * 10)
    rigged.choice = lambda _alphabet: next(letters)
    rigged_number = workspace.allocate_registry_no(firm.root, int(numbers[0][3:7]), rng=rigged)
    assert rigged_number != numbers[0]
    other = next(c for c in model.clients.values() if c.client.id != client.id and c.policies)
    source = other.policies[0]
    text = read_record(firm.root, source.path, firm.identities)
    copy = f"records/clients/{other.client.id}/policies/{numbers[0]}.yaml.age"
    write_record(firm.root, copy, text.replace(source.registry_no, numbers[0]), firm.identities)
    code, _, err = run_cli(capsys, "check")
    assert code == 1 and f"登记号 {numbers[0]} 已注销过，不能再用" in err


def test_forget_refuses_while_another_client_points_at_its_policies(loaded, capsys):
    firm, model = loaded
    cf = _client_with_portal_and_policies(loaded)
    other = next(c for c in model.clients.values() if c.client.id != cf.client.id and c.policies)
    _edit(firm, other.policies[0].path, lambda d: d.update(renewal_of=cf.policies[0].registry_no))
    code, _, err = run_cli(capsys, "forget", cf.client.id, "--yes")
    assert code == 1 and "引用了要删除的保单" in err and other.policies[0].path in err
    assert (firm.root / "records/clients" / cf.client.id).is_dir()


def test_printed_history_rewrite_removes_the_client_from_every_commit(
    loaded, capsys, monkeypatch, tmp_path
):
    if shutil.which("git-filter-repo") is None:
        pytest.skip("git-filter-repo is installed with the test extra")
    firm, _ = loaded
    cf = _client_with_portal_and_policies(loaded)
    githelp.init(firm.root, monkeypatch)
    code, out, err = run_cli(capsys, "forget", cf.client.id, "--yes")
    assert code == 0, err
    githelp.commit(firm.root, "删除客户")
    command = re.search(r"git filter-repo .*--invert-paths", out)[0]
    clone = tmp_path / "fresh"
    githelp.git(tmp_path, "clone", "-q", "--no-local", str(firm.root), str(clone))
    subprocess.run(command.split(), cwd=clone, check=True, capture_output=True)
    folder = f"records/clients/{cf.client.id}"
    assert githelp.git(clone, "log", "--all", "--format=%H", "--", folder) == ""
    assert "删除客户" in githelp.git(clone, "log", "--format=%s")


def test_exposure_says_who_could_read_and_which_deploys_carried_the_portal(
    loaded, capsys, monkeypatch, tmp_path
):
    firm, model = loaded
    cf = _client_with_portal_and_policies(loaded)
    later = firm.root / "records/clients" / cf.client.id
    parked = tmp_path / "parked"
    shutil.move(later, parked)  # this client joins the firm later
    githelp.init(firm.root, monkeypatch, date="2024-01-10T09:00:00+08:00")
    first_keys = _keys(firm)

    def member(name: str, action: str, date: str) -> None:
        ident = x25519.Identity.generate()
        args = ["-r", str(ident.to_public())] if action == "add" else ["--yes"]
        code, _, err = run_cli(capsys, "member", action, name, *args)
        assert code == 0, err
        githelp.commit(firm.root, f"{action} {name}", date=date)

    member("early", "add", "2024-03-01T09:00:00+08:00")
    member("early", "remove", "2024-05-01T09:00:00+08:00")
    shutil.move(parked, later)
    # The client's files were made with the first record key: re-save them with today's.
    for path in later.rglob("*.yaml.age"):
        rel = path.relative_to(firm.root).as_posix()
        plain = vault.decrypt(path.read_bytes(), first_keys)
        write_record(firm.root, rel, plain.decode(), firm.identities)
    githelp.commit(firm.root, "新客户", date="2025-01-01T09:00:00+08:00")
    member("late", "add", "2025-02-01T09:00:00+08:00")
    _edit(firm, cf.client.path, lambda d: d["portal"].update(id="N" * 22))
    githelp.commit(firm.root, "更换门户", date="2025-03-01T09:00:00+08:00")
    githelp.commit(firm.root, "别的改动", date="2025-04-01T09:00:00+08:00")

    code, out, err = run_cli(capsys, "exposure", cf.client.id)
    assert code == 0, err
    assert "资料首次提交：2025-01-01" in out
    assert "tester（age）：2024-01-10 加入，至今" in out
    assert "late（age）：2025-02-01 加入，至今；能读到 2025-01-01 起的版本" in out
    assert "early" not in out  # removed (and the key rotated) before this client came
    old_portal = cf.client.portal.id
    assert f"门户 {old_portal[:4]}…：自 2025-01-01" in out and "至 2025-03-01" in out
    assert "期间 main 上 2 个提交" in out  # 新客户, add late
    assert "门户 NNNN…：自 2025-03-01" in out and "至今仍在；期间 main 上 2 个提交" in out
    assert old_portal not in out and cf.client.feed.token not in out
    assert "访问日志" in out  # what cannot be known offline

    code, out, _ = run_cli(capsys, "exposure", next(iter(model.clients)))
    assert "early（已移除）：2024-03-01 加入，2024-05-01 移除" in out

    # A shallow clone lacks the commits that say who joined when: no answer, and why.
    shallow = tmp_path / "shallow"
    githelp.git(tmp_path, "clone", "-q", "--depth", "1", firm.root.as_uri(), str(shallow))
    code, out, err = run_cli(capsys, "exposure", cf.client.id, "-C", str(shallow))
    assert code != 0 and "浅克隆" in err and "git fetch --unshallow" in err and "late" not in out


def test_privacy_queue_lists_erasures_due_and_missing_consent(loaded):
    firm, model = loaded
    cf = _client_with_portal_and_policies(loaded)
    leaver = cf.client
    leaver.left_on = dt.date(2020, 6, 30)
    other = next(c for c in model.clients.values() if c.client.id != leaver.id)
    other.client.left_on, other.client.consent = dt.date(2018, 1, 1), None
    ctx = SiteContext(model, dt.date(2026, 11, 27), True, make_env(TEMPLATES))
    [page] = privacy_queue(ctx)
    assert page.uri == "staff/privacy/index.md"
    due = page.content.split("## 保留期满，待删除")[1].split("## 90 天内到期")[0]
    assert f"| {leaver.name} | 2020-06-30 | **2025-06-30** |" in due
    assert f"[{leaver.id}](../clients/{leaver.id}.md)" in due
    assert f"<code>baodan forget {leaver.id} --reason 保留期满</code>" in due
    missing = page.content.split("## 没有同意记录")[1].split("## 已撤回同意")[0]
    assert other.client.id in missing and "已终止服务 2018-01-01" in missing
    assert leaver.id_number not in page.content and (leaver.mobile or "-") not in page.content
