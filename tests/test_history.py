"""What a build reads from git: the records' last change (the build date) and, for the staff
pages, the commits of the year before it; a shallow clone says so."""

from __future__ import annotations

from datetime import UTC, datetime

from baodan.store.history import History, PendingHistory
from baodan.store.keyhistory import describe_removed

from .githelp import commit, git, init


def _change(root, rel: str, message: str, date: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{message}\n")
    commit(root, message, date=date)


def _repo(tmp_path, monkeypatch):
    root = tmp_path / "firm"
    root.mkdir()
    (root / "README.md").write_text("firm\n")
    init(root, monkeypatch, date="2019-05-01T10:00:00+08:00")
    _change(root, "records/clients/c-1/client.yaml.age", "登记客户一", "2020-01-02T10:00:00+08:00")
    _change(root, "records/clients/c-2/client.yaml.age", "登记客户二", "2024-06-03T10:00:00+08:00")
    _change(root, "records/clients/c-1/client.yaml.age", "改客户一", "2025-01-10T10:00:00+08:00")
    _change(root, "docs/notes.md", "改说明", "2025-03-01T10:00:00+08:00")  # not a record
    return root


def test_a_public_build_reads_only_when_the_records_last_changed(tmp_path, monkeypatch):
    history = PendingHistory(_repo(tmp_path, monkeypatch)).result()
    assert history.last == datetime(2025, 1, 10, 2, tzinfo=UTC) and not history.shallow
    assert history.commits == ()


def test_the_staff_pages_list_the_year_before_the_last_change(tmp_path, monkeypatch):
    root = _repo(tmp_path, monkeypatch)
    history = PendingHistory(root, commits=True).result()
    assert [c.subject for c in history.commits] == ["改客户一", "登记客户二"]  # not 2020's
    assert history.commits[0].files == ("records/clients/c-1/client.yaml.age",)
    assert history.commits[0].author == "王芳"


def test_serve_reads_the_history_again_only_when_head_moves(tmp_path, monkeypatch):
    root = _repo(tmp_path, monkeypatch)
    first = PendingHistory(root, commits=True).result()
    assert PendingHistory(root, commits=True, previous=first).result() is first
    _change(root, "records/clients/c-2/client.yaml.age", "改客户二", "2025-04-01T10:00:00+08:00")
    again = PendingHistory(root, commits=True, previous=first).result()
    assert again.commits[0].subject == "改客户二" and again.last.month == 4


def test_a_shallow_clone_is_detected(tmp_path, monkeypatch):
    root = _repo(tmp_path, monkeypatch)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", root.as_uri(), str(clone))
    history = PendingHistory(clone, commits=True).result()
    assert history.shallow and len(history.commits) == 1
    # `baodan member remove` does not guess what a removed member read from old history
    [said] = describe_removed(clone, "li-qiang")
    assert "浅克隆" in said and "git fetch --unshallow" in said


def test_outside_git_or_before_the_first_commit_there_is_no_history(tmp_path):
    assert PendingHistory(tmp_path, commits=True).result() == History()
    git(tmp_path, "init", "-q")
    assert PendingHistory(tmp_path, commits=True).result() == History()
