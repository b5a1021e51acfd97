"""`baodan serve` rebuilds: after one record changed, the preview shows the change, rewrites
only the pages that changed, and is the same site a full build of the changed firm gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from baodan.web.plugin import request
from mkdocs.commands.build import build
from mkdocs.config import load_config

from .helpers import change_record, tree_digest

pytestmark = pytest.mark.slow  # builds a site or drives a browser


TODAY = "2026-11-27"


def _config(root: Path, site: Path):
    """A staff build's configuration, as `baodan serve` asks for it."""
    config = load_config(str(root / "mkdocs.yml"), site_dir=str(site))
    request(config, None, staff=True)
    return config


@pytest.fixture
def served(firm, tmp_path, monkeypatch):
    """A staff preview built the way `baodan serve` builds it; yields its site folder. The
    test's own builds are staff builds too."""
    monkeypatch.setenv("BAODAN_TODAY", TODAY)
    site = tmp_path / "preview"
    config = _config(firm.root, site)
    config.plugins.on_startup(command="serve", dirty=True)
    try:
        build(config, dirty=True)
        yield site
    finally:
        # Plugin objects outlive a config (MkDocs caches them): leave them as a build wants.
        config.plugins.on_startup(command="build", dirty=False)


def _search(site: Path) -> list:
    docs = json.loads((site / "search/search_index.json").read_text("utf-8"))["docs"]
    return sorted(json.dumps(d, ensure_ascii=False, sort_keys=True) for d in docs)


def test_rebuild_after_one_record_changed_updates_its_page_and_keeps_the_rest(
    served, firm, tmp_path
):
    policy_file = sorted(firm.root.glob("records/clients/*/policies/*.yaml.age"))[0]
    client_id = policy_file.parts[-3]
    page = served / "staff/clients" / client_id / "index.html"
    others = [
        p
        for p in sorted((served / "staff/clients").glob("*/index.html"))
        if p.parent.name != client_id
    ]
    before = {p: p.stat().st_mtime_ns for p in others}
    assert "改名后的测试产品" not in page.read_text("utf-8")

    def rename(data):
        data["product"] = "改名后的测试产品"

    change_record(firm.root, policy_file.relative_to(firm.root).as_posix(), firm.identities, rename)
    build(_config(firm.root, served), dirty=True)

    assert "改名后的测试产品" in page.read_text("utf-8")
    assert any("改名后的测试产品" in d.replace("\u200b", "") for d in _search(served))
    # Pages of other clients were not rewritten ...
    assert {p: p.stat().st_mtime_ns for p in others} == before
    # ... and the preview is exactly what a full build of the changed firm gives.
    full = tmp_path / "full"
    build(_config(firm.root, full))
    pages = {k: v for k, v in tree_digest(full).items() if k.endswith(".html")}
    assert {k: v for k, v in tree_digest(served).items() if k in pages} == pages
    assert _search(served) == _search(full)
