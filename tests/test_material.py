"""The patches of MkDocs/Material internals (web/material/): each still finds what it relies on
in the installed versions, and says so when it does not."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import material
import pytest
from baodan.web.material import PATCHES
from baodan.web.material.live_reload import watch_with_events
from baodan.web.material.search_index import forget_previous_index
from baodan.web.material.search_worker import WORKERS, mend_search_worker


@pytest.mark.parametrize("name", sorted(PATCHES))
def test_each_patch_applies_to_the_installed_versions(name):
    assert PATCHES[name](), f"{name}: the installed MkDocs/Material changed; see web/material/"


def _site_with_the_installed_worker(folder: Path) -> Path:
    theme = Path(material.__file__).parent / "templates"
    [worker] = theme.glob(WORKERS)
    target = folder / worker.relative_to(theme)
    target.parent.mkdir(parents=True)
    shutil.copy(worker, target)
    return target


def test_the_search_worker_is_mended_once_and_a_changed_one_is_reported(tmp_path):
    worker = _site_with_the_installed_worker(tmp_path)
    before = worker.read_text("utf-8")
    assert mend_search_worker(tmp_path) is True
    mended = worker.read_text("utf-8")
    # the token set's keys (+" "), and the query's pieces reaching its end (< to <=, no -1)
    assert mended != before and len(mended) == len(before) + len('+" "') + len("=") - len("-1")
    assert mend_search_worker(tmp_path) is True  # a dirty rebuild kept it: nothing more to do
    assert worker.read_text("utf-8") == mended
    worker.write_text(before.replace("TokenSet.prototype.toString", "TokenSet.prototype.key"))
    assert mend_search_worker(tmp_path) is False


def test_a_search_plugin_without_its_previous_index_is_reported():
    class Search:
        config = {"enabled": True}

    kept = Search()
    kept.search_index_prev = object()
    assert forget_previous_index(SimpleNamespace(plugins={"material/search": kept}))
    assert kept.search_index_prev is None
    assert not forget_previous_index(SimpleNamespace(plugins={"material/search": Search()}))
    assert forget_previous_index(SimpleNamespace(plugins={}))  # no search: nothing to patch


def test_a_live_reload_server_without_its_watched_paths_is_reported():
    assert watch_with_events(SimpleNamespace(observer=None), []) is False
