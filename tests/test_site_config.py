"""Whoever can push a branch can change mkdocs.yml: no setting in it runs code when baodan
builds (in CI, with the record key at hand), reads the CI secret, or turns the public build
into the staff site. Each attack gets a Chinese error naming the file and the setting, and
nothing it names runs."""

from __future__ import annotations

import pytest

from .helpers import run_cli, tree_digest

PUBLIC_BAODAN = "  - baodan\n"


def _configure(firm, change) -> None:
    settings = firm.root / "mkdocs.yml"
    settings.write_text(change(settings.read_text("utf-8")), "utf-8")


def _refused(capsys, *expected: str) -> str:
    code, out, err = run_cli(capsys, "build")
    assert code == 1 and "Traceback" not in err
    for text in ("mkdocs.yml", *expected):
        assert text in err, err
    return err


def _line_of(firm, text: str) -> int:
    lines = (firm.root / "mkdocs.yml").read_text("utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if text in line)


def _plant_code(firm) -> None:
    """A Python file in the repository that leaves a mark when anything runs it."""
    (firm.root / "evil.py").write_text(
        "from pathlib import Path\nPath(__file__).with_name('pwned').write_text('ran')\n", "utf-8"
    )


def test_hooks_are_refused_and_never_run(firm, capsys):
    _plant_code(firm)
    _configure(firm, lambda t: t + "hooks:\n  - evil.py\n")
    _refused(capsys, "hooks", "不允许 hooks")
    assert not (firm.root / "pwned").exists()
    assert not (firm.root / "site").exists()


def test_an_inherited_file_is_refused_and_never_read(firm, capsys):
    _plant_code(firm)
    (firm.root / "base.yml").write_text("hooks:\n  - evil.py\n", "utf-8")
    _configure(firm, lambda t: "INHERIT: base.yml\n" + t)
    _refused(capsys, "INHERIT")
    assert not (firm.root / "pwned").exists()


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("extra:\n  x: !!python/object/apply:os.system ['touch pwned']\n", "!!python/"),
        ("extra:\n  x: !!python/name:os.system\n", "os.system"),
        ("extra:\n  x: !!python/module:os\n", "!!python/"),
        ("site_description: !ENV BAODAN_IDENTITY_KEY\n", "!ENV"),
    ],
)
def test_python_and_env_tags_are_refused_before_anything_is_built(firm, capsys, setting, message):
    _configure(firm, lambda t: t + setting)
    _refused(capsys, message)
    assert not (firm.root / "pwned").exists()


def test_the_staff_switch_in_mkdocs_yml_is_refused(firm, capsys):
    _configure(firm, lambda t: t.replace(PUBLIC_BAODAN, "  - baodan:\n      staff: true\n"))
    err = _refused(capsys, "plugins.2.baodan.staff", "员工站不能在 mkdocs.yml 里打开")
    line = _line_of(firm, "staff: true")
    assert f"mkdocs.yml:{line}:" in err
    assert not (firm.root / "site").exists() and not (firm.root / "site-staff").exists()


def test_plain_mkdocs_ignores_a_staff_switch_in_the_configuration(firm, monkeypatch):
    """Built with MkDocs itself (no baodan command), the setting means nothing: the public
    site, without a staff page."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    _configure(firm, lambda t: t.replace(PUBLIC_BAODAN, "  - baodan:\n      staff: true\n"))
    build(load_config(str(firm.root / "mkdocs.yml")))
    site = firm.root / "site"
    assert (site / "index.html").is_file() and (site / "p").is_dir()
    assert not (site / "staff").exists() and not (site / "assets/baodan/staff.css").exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace("  name: material\n", "  name: material\n  custom_dir: tpl\n"), "custom_dir 只能是公司的主题文件夹 overrides"),
        (lambda t: t.replace("  name: material\n", "  name: mkdocs\n"), "主题只能是 material"),
        (lambda t: t.replace(PUBLIC_BAODAN, PUBLIC_BAODAN + "  - info\n"), "不允许插件 info"),
        (lambda t: t.replace(PUBLIC_BAODAN, "  - baodan:\n      templates: tpl\n"), "没有可在这里设置的 templates"),
        (lambda t: t + "  - pymdownx.snippets:\n      base_path: ['/']\n", "pymdownx.snippets"),
        (lambda t: t + "  - evil\n", "不允许 Markdown 扩展 evil"),
        (lambda t: t + "extra_templates:\n  - x.html\n", "不允许 extra_templates"),
        (lambda t: t.replace("docs_dir: records/public", "docs_dir: records"), "docs_dir 只能是 records/public"),
        (lambda t: t.replace("site_dir: site", "site_dir: site-staff"), "site_dir 只能是 site"),
    ],
)  # fmt: skip
def test_settings_that_run_or_publish_other_things_are_refused(firm, capsys, change, message):
    """Templates outside the theme folder, plugins and Markdown extensions outside the list
    (a module named `evil` beside mkdocs.yml would be imported), other folders."""
    _plant_code(firm)
    (firm.root / "tpl").mkdir()
    (firm.root / "tpl/main.html").write_text("{% extends 'base.html' %}", "utf-8")
    _configure(firm, change)
    _refused(capsys, message)
    assert not (firm.root / "pwned").exists()


def test_the_firms_theme_folder_and_the_repositorys_configuration_pass(firm):
    from baodan.web.config_guard import checked_config

    data = checked_config(firm.root).data  # the repository's mkdocs.yml, as in every test
    assert data["plugins"][2] == "baodan"
    _configure(firm, lambda t: t.replace("  name: material\n", "  name: material\n  custom_dir: overrides/\n"))  # fmt: skip
    assert checked_config(firm.root).data["theme"]["custom_dir"] == "overrides/"


def test_preview_and_portal_links_read_the_configuration_the_same_way(firm, capsys):
    from baodan.core.errors import BaodanError
    from baodan.services.sitebuild import serve_site
    from baodan.store.workspace import Workspace

    _plant_code(firm)
    _configure(firm, lambda t: t + "hooks:\n  - evil.py\n")
    with pytest.raises(BaodanError, match="不允许 hooks"):
        serve_site(Workspace.open(firm.root, firm.identity_file), staff=True)
    client = min(p.name for p in (firm.root / "records/clients").iterdir())
    code, _, err = run_cli(capsys, "portal", "link", client)
    assert code == 1 and "不允许 hooks" in err
    assert not (firm.root / "pwned").exists()


def test_a_refused_configuration_leaves_the_previous_site(firm, capsys):
    _plant_code(firm)
    code, _, err = run_cli(capsys, "build")
    assert code == 0, err
    before = tree_digest(firm.root / "site")
    _configure(firm, lambda t: t + "hooks:\n  - evil.py\n")
    _refused(capsys, "不允许 hooks")
    assert tree_digest(firm.root / "site") == before
    assert not (firm.root / "pwned").exists()
