"""Record formats over the years: a firm kept in today's format (tests/data/format-1, with
its throwaway key) loads with this release, moves up a migration chain in one commit, and an
older baodan refuses a firm in a newer format."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from baodan.checks import load_firm
from baodan.core import yamlio
from baodan.core.today import today
from baodan.models import firm as firm_model
from baodan.models import recordformat
from baodan.services import upgrade as upgrades
from baodan.store import workspace

from tests import githelp
from tests.helpers import read_record, run_cli, tree_digest

DATA = Path(__file__).resolve().parent / "data"
KEY = DATA / "format-1.identity.txt"


@pytest.fixture
def kept(tmp_path, monkeypatch) -> Path:
    """A copy of the firm written in format 1, the first record format."""
    root = tmp_path / "firm"
    shutil.copytree(DATA / "format-1", root)
    key = tmp_path / "identity.txt"
    shutil.copy(KEY, key)
    key.chmod(0o600)
    monkeypatch.setenv("BAODAN_IDENTITY", str(key))
    monkeypatch.chdir(root)
    return root


def set_format(root: Path, version: int) -> None:
    path = root / "records/firm.yaml"
    text = path.read_text("utf-8")
    doc = yamlio.load_roundtrip(text)
    doc["record_format"] = version
    path.write_text(yamlio.dump_roundtrip(doc, like=text), "utf-8")


def test_the_firm_kept_in_format_1_loads_with_this_release(kept, capsys):
    code, out, err = run_cli(capsys, "check")
    assert code == 0, err
    assert "客户 1，保单 2" in out


def test_an_older_baodan_refuses_a_firm_in_a_newer_format(kept, capsys):
    set_format(kept, recordformat.RECORD_FORMAT + 1)
    before = tree_digest(kept)
    for command in (["check"], ["edit", "records/clients/c-509bbd4d/client.yaml.age"], ["sync"]):
        code, _, err = run_cli(capsys, *command)
        assert code == 1
        assert f"第 {recordformat.RECORD_FORMAT + 1} 版格式" in err and "请升级 baodan" in err
    assert tree_digest(kept) == before
    # The build reads firm.yaml through the model: the same words there.
    _, errors = load_firm(kept, None, today())
    assert any("请升级 baodan" in e.hint for e in errors)


def test_upgrade_with_nothing_to_do_changes_nothing(kept, capsys):
    before = tree_digest(kept)
    code, out, _ = run_cli(capsys, "upgrade")
    assert code == 0 and "不需要升级" in out
    assert tree_digest(kept) == before


def _to_format_2(monkeypatch) -> None:
    """A future release: format 2 writes a client's notes with a prefix."""

    def change(rel: str, doc) -> None:
        if rel.endswith("/client.yaml.age"):
            doc["notes"] = "【第2版】" + (doc.get("notes") or "")

    for module in (recordformat, firm_model, workspace, upgrades):
        monkeypatch.setattr(module, "RECORD_FORMAT", 2)
    monkeypatch.setattr(upgrades, "MIGRATIONS", [upgrades.Migration(2, "客户备注加前缀", change)])


def test_a_migration_moves_the_kept_firm_up_in_one_commit(kept, capsys, monkeypatch):
    githelp.init(kept, monkeypatch)
    policy = "records/clients/c-509bbd4d/policies/BD-2022-8TJHX.yaml.age"
    untouched = (kept / policy).read_bytes()
    _to_format_2(monkeypatch)
    assert run_cli(capsys, "check")[0] == 0  # format 1 is still read

    code, out, err = run_cli(capsys, "upgrade")
    assert code == 0, err
    assert "升级记录格式：第 1 版 → 第 2 版" in out and "重新加密 1 份记录" in out
    assert githelp.git(kept, "log", "-1", "--format=%s") == "升级记录格式：第 1 版 → 第 2 版\n"
    assert githelp.git(kept, "status", "--porcelain") == ""
    key = [workspace.find_identity(kept).identities[0]]
    client = read_record(kept, "records/clients/c-509bbd4d/client.yaml.age", key)
    assert yamlio.load(client)["notes"].startswith("【第2版】")
    assert (kept / policy).read_bytes() == untouched  # records a step leaves alone stay as they are
    assert workspace.record_format(kept) == 2
    assert run_cli(capsys, "check")[0] == 0
    assert "不需要升级" in run_cli(capsys, "upgrade")[1]


def test_upgrade_waits_for_uncommitted_work(kept, capsys, monkeypatch):
    githelp.init(kept, monkeypatch)
    (kept / "records/staff/li-qiang.yaml").write_text(
        (kept / "records/staff/li-qiang.yaml").read_text("utf-8") + "# 改动\n", "utf-8"
    )
    _to_format_2(monkeypatch)
    code, _, err = run_cli(capsys, "upgrade")
    assert code == 1 and "还没提交的改动" in err
    assert workspace.record_format(kept) == 1
