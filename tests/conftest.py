"""Fixtures: a small generated firm in a temp dir with a throwaway key, and the committed demo."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from baodan.core.today import today
from baodan.demo import generator as demo
from baodan.models import Firm
from baodan.store import identity as who
from baodan.store import members, vault
from pyrage import x25519

REPO = Path(__file__).resolve().parents[1]
SMALL = demo.FirmSize(clients=8, policies=30, claims=4, interactions=12, insurers=5)


@dataclass
class FirmDir:
    root: Path
    identity_file: Path
    identity: x25519.Identity

    @property
    def identities(self) -> list:
        return [self.identity]

    def vault(self) -> vault.Vault:
        return vault.open_vault(self.root, who.IdentitySource([self.identity], "test"))


def make_firm(folder: Path, size: demo.FirmSize = SMALL, seed: int = 7) -> FirmDir:
    """A complete firm folder: generated records, the repo's lectures and site config."""
    ident = x25519.Identity.generate()
    members.init_keys(folder, "tester", str(ident.to_public()))
    firm_vault = vault.open_vault(folder, who.IdentitySource([ident], "test"))
    # lectures first: the generator records clients attending the ones already held
    shutil.copytree(REPO / "records/lectures", folder / "records/lectures", dirs_exist_ok=True)
    demo.generate(folder, size, firm_vault, seed=seed)
    shutil.copy(REPO / "mkdocs.yml", folder / "mkdocs.yml")
    shutil.copytree(REPO / "records/public", folder / "records/public", dirs_exist_ok=True)
    key = folder.parent / f"{folder.name}.identity.txt"
    key.write_text(f"# throwaway test identity\n{ident}\n")
    key.chmod(0o600)  # as a person keeps a key: baodan warns about one others can read
    return FirmDir(folder, key, ident)


@pytest.fixture(scope="session")
def firm_template(tmp_path_factory) -> FirmDir:
    return make_firm(tmp_path_factory.mktemp("template") / "firm")


@pytest.fixture
def firm(firm_template, tmp_path, monkeypatch) -> FirmDir:
    """A fresh copy of the small firm per test; the CLI finds its key through BAODAN_IDENTITY."""
    root = tmp_path / "firm"
    shutil.copytree(firm_template.root, root)
    monkeypatch.setenv("BAODAN_IDENTITY", str(firm_template.identity_file))
    monkeypatch.delenv("BAODAN_IDENTITY_KEY", raising=False)
    monkeypatch.chdir(root)
    return FirmDir(root, firm_template.identity_file, firm_template.identity)


@dataclass
class BuiltSite:
    """A small firm's public build, and the firm it was built from (decrypted)."""

    firm_dir: FirmDir
    site: Path
    firm: Firm


def build_public_site(firm_dir: FirmDir, today: str = "2026-11-27") -> Path:
    """`baodan build` of a firm folder on a pinned date; returns its site/ folder."""
    from baodan.services.sitebuild import build_site
    from baodan.store.workspace import Workspace

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BAODAN_TODAY", today)
        build_site(Workspace.open(firm_dir.root, firm_dir.identity_file))
    return firm_dir.root / "site"


@pytest.fixture(scope="session")
def public_site(firm_template, tmp_path_factory) -> BuiltSite:
    """The small firm's public site, built once for every test that only reads it."""
    from baodan.checks import load_firm

    root = tmp_path_factory.mktemp("public") / "firm"
    shutil.copytree(firm_template.root, root)
    firm_dir = FirmDir(root, firm_template.identity_file, firm_template.identity)
    site = build_public_site(firm_dir)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BAODAN_TODAY", "2026-11-27")
        firm, errors = load_firm(root, firm_dir.vault(), today())
    assert errors == []
    return BuiltSite(firm_dir, site, firm)


@pytest.fixture(scope="module")
def server(public_site):
    """The small firm's public site on a local port, as a static host serves it."""
    from .helpers import serve_folder

    with serve_folder(public_site.site) as address:
        yield address


@pytest.fixture(scope="module")
def browser():
    """Chromium, driven by Playwright, for a module's browser tests."""
    from playwright.sync_api import sync_playwright

    from .helpers import require_tool

    chromium = require_tool("chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
        )
        yield b
        b.close()


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch):
    """Tests see a fixed Shanghai date unless they set their own."""
    monkeypatch.setenv("BAODAN_TODAY", "2026-11-27")
    # Never start a real editor from a test.
    monkeypatch.setenv("EDITOR", "false")
    monkeypatch.delenv("VISUAL", raising=False)
