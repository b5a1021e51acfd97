"""`baodan serve`'s rebuilds read only the client folders the file watcher reported changed
(store/loader.RecordCache with store/watched.WatchedPaths). What they read is always what a
full read of the firm gives: after edits, a git checkout switching many files, a change made
before the watcher started, and when the watcher lost events."""

from __future__ import annotations

import os
import shutil
import threading
from datetime import date
from pathlib import Path

import pytest
from baodan.models.kinds import CLIENT_SLOTS
from baodan.store.loader import RecordCache, _client_folders, read_firm
from baodan.store.watched import WatchedPaths
from baodan.web.material.live_reload import _changes_only
from watchdog import events

from . import githelp
from .helpers import change_record, write_record

TODAY = date(2026, 11, 27)


def _records(root: Path, vault, cache=None) -> tuple[dict, list]:
    """Every client's records as data, and the problems found: what a build is made from."""
    firm, errors = read_firm(root, vault, TODAY, cache)
    clients = {
        cid: [
            r.model_dump(mode="json") | {"_client": r._client_id}
            for slot in ("client", *CLIENT_SLOTS)
            for r in ([cf.client] if slot == "client" else getattr(cf, slot))
        ]
        for cid, cf in firm.clients.items()
    }
    return clients, sorted(map(str, errors))


class Watching:
    """The preview's file watcher over a firm's records, noting into ``cache.changes``."""

    def __init__(self, root: Path, cache: RecordCache) -> None:
        self.root, self.seen, self.cond = root, [], threading.Condition()
        self.settled = 0

        def note(event) -> None:  # the server's handler: sees each event after the cache
            with self.cond:
                self.seen.append(event.src_path)
                self.cond.notify_all()

        handler = events.FileSystemEventHandler()
        handler.on_any_event = note
        self.observer = _changes_only(cache.changes)
        self.observer.schedule(handler, str(root / "records"), recursive=True)

    def __enter__(self):
        self.observer.start()
        return self

    def __exit__(self, *exc) -> None:
        self.observer.stop()
        self.observer.join()

    def settle(self) -> None:
        """Wait until the watcher has passed on every event so far: events come in order, so
        when a new file written now has been seen, so has everything before it."""
        self.settled += 1
        marker = self.root / f"records/settled-{self.settled}"  # not a record folder
        marker.write_text("")
        with self.cond:
            assert self.cond.wait_for(lambda: str(marker) in self.seen, timeout=60)


def _policies(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.glob("records/clients/*/policies/*"))


def _rename(name: str):
    def change(data):
        data["product"] = name

    return change


def test_rebuilds_read_what_the_watcher_reported_and_equal_a_full_read(firm):
    vault = firm.vault()
    cache = RecordCache()
    assert _records(firm.root, vault, cache) == _records(firm.root, vault)
    policy = _policies(firm.root)[0]
    # Changed after the first build, before the watcher started: caught up when it starts.
    change_record(firm.root, policy, firm.identities, _rename("启动前改的产品"))
    with Watching(firm.root, cache) as watching:
        watching.settle()
        cached = _records(firm.root, vault, cache)
        assert "启动前改的产品" in str(cached)
        assert cached == _records(firm.root, vault)
        # An edit, a removed record, a new client folder, a plaintext file where it must not be.
        change_record(firm.root, policy, firm.identities, _rename("预览中改的产品"))
        interaction = sorted(firm.root.glob("records/clients/*/interactions/*.yaml.age"))[0]
        interaction.unlink()
        first = sorted(firm.root.glob("records/clients/*/client.yaml.age"))[0].parent
        shutil.copytree(first, first.with_name("C-新客户文件夹"))
        (first / "policies" / "忘了加密.yaml").write_text("product: 明文\n", "utf-8")
        watching.settle()
        cached = _records(firm.root, vault, cache)
        assert "预览中改的产品" in str(cached)
        assert cached == _records(firm.root, vault)
        assert any("明文" in e for e in cached[1])
        # the removed record is not kept in memory either
        assert interaction.relative_to(firm.root).as_posix() not in cache._entries


def test_a_git_checkout_switching_many_files_reads_as_a_full_read(firm, monkeypatch):
    vault = firm.vault()
    githelp.init(firm.root, monkeypatch)
    githelp.git(firm.root, "checkout", "-q", "-b", "other")
    for i, rel in enumerate(_policies(firm.root)):
        change_record(firm.root, rel, firm.identities, _rename(f"分支上的产品{i}"))
    gone = sorted(firm.root.glob("records/clients/*/client.yaml.age"))[-1].parent
    shutil.rmtree(gone)
    githelp.commit(firm.root, "另一个分支")
    githelp.git(firm.root, "checkout", "-q", "main")
    cache = RecordCache()
    before = _records(firm.root, vault, cache)
    with Watching(firm.root, cache) as watching:
        watching.settle()
        githelp.git(firm.root, "checkout", "-q", "other")
        watching.settle()
        cached = _records(firm.root, vault, cache)
        assert cached != before and "分支上的产品0" in str(cached)
        assert gone.name not in cached[0]
        assert cached == _records(firm.root, vault)
        githelp.git(firm.root, "checkout", "-q", "main")
        watching.settle()
        assert _records(firm.root, vault, cache) == before


def test_when_the_watcher_lost_events_the_next_rebuild_reads_everything(firm):
    vault = firm.vault()
    cache = RecordCache()
    _records(firm.root, vault, cache)
    cache.changes.started()
    _records(firm.root, vault, cache)
    policy = _policies(firm.root)[0]
    # A change the watcher did not report (its queue overflowed) ...
    change_record(firm.root, policy, firm.identities, _rename("没报告的修改"))
    assert "没报告的修改" not in str(_records(firm.root, vault, cache))
    # ... is read once it says it lost events, and the preview rebuilds.
    rebuilds = []
    handler = events.FileSystemEventHandler()
    handler.on_any_event = lambda event: rebuilds.append(event.is_directory)
    observer = _changes_only(cache.changes)
    observer.schedule(handler, str(firm.root / "records"), recursive=True)
    (noting,) = observer._handlers[next(iter(observer._handlers))]
    noting.dispatch(events.EventsLostEvent(str(firm.root / "records"), is_directory=True))
    assert rebuilds == [False]  # the server's handler ignores folder events
    cached = _records(firm.root, vault, cache)
    assert "没报告的修改" in str(cached)
    assert cached == _records(firm.root, vault)


def test_a_failed_load_leaves_the_next_rebuild_reading_everything(firm, monkeypatch):
    from baodan.store import loader

    vault = firm.vault()
    cache = RecordCache()
    _records(firm.root, vault, cache)
    cache.changes.started()
    policy = _policies(firm.root)[0]
    change_record(firm.root, policy, firm.identities, _rename("失败后读到的产品"))
    cache.changes.add(str(firm.root / policy))

    def interrupted(*args):
        raise KeyboardInterrupt

    with monkeypatch.context() as mp:
        mp.setattr(loader, "load_encrypted", interrupted)
        with pytest.raises(KeyboardInterrupt):
            _records(firm.root, vault, cache)
    cached = _records(firm.root, vault, cache)
    assert "失败后读到的产品" in str(cached)
    assert cached == _records(firm.root, vault)


def test_paths_outside_a_client_folder_make_a_full_read(tmp_path):
    root = str(tmp_path)
    clients = os.path.join(root, "records", "clients")
    assert _client_folders(root, [os.path.join(clients, "C1", "policies", "P.yaml.age")]) == {"C1"}
    assert _client_folders(root, [os.path.join(clients, "C2")]) == {"C2"}
    assert _client_folders(root, [os.path.join(root, "records", "insurers", "x.yaml")]) == set()
    assert _client_folders(root, [clients]) is None
    assert _client_folders(root, [os.path.join(root, "records")]) is None
    assert _client_folders(root, [os.path.join(root, "mkdocs.yml")]) is None


def test_nothing_is_known_before_the_watcher_started():
    paths = WatchedPaths(lambda: ["/a"])
    paths.add("/x")
    assert paths.take() is None
    paths.started()
    paths.add("/b")
    assert paths.take() == {"/a", "/b"}
    assert paths.take() == set()
    paths.lost()
    assert paths.take() is None
    assert paths.take() == set()
    caught_up = WatchedPaths(lambda: None)
    caught_up.started()
    assert caught_up.take() is None

    def gone():
        raise FileNotFoundError("records/clients")

    failed = WatchedPaths(gone)
    failed.started()
    assert failed.take() is None
    assert failed.take() == set()


def test_a_record_rewritten_in_place_is_noted_by_its_path(firm):
    cache = RecordCache()
    _records(firm.root, firm.vault(), cache)
    policy = _policies(firm.root)[0]
    with Watching(firm.root, cache) as watching:
        watching.settle()
        cache.changes.take()
        write_record(firm.root, policy, "product: x\n", firm.identities)
        watching.settle()
        assert str(firm.root / policy) in cache.changes.take()


def test_a_watchdog_that_cannot_say_it_lost_events_leaves_every_rebuild_reading_everything(
    firm, tmp_path, monkeypatch
):
    from baodan.web.material.live_reload import watch_with_events
    from mkdocs.livereload import LiveReloadServer

    monkeypatch.delattr(events, "EventsLostEvent")  # watchdog before 7
    cache = RecordCache()
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path))
    try:
        server.watch(str(firm.root / "records"))
        assert watch_with_events(server, [], cache.changes)
        server.observer.start()
        assert cache.changes.take() is None
        assert cache.changes.take() is None
    finally:
        server.observer.stop()
        server.server_close()
