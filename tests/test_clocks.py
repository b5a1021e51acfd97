"""No hidden clocks or globals: checks, domain functions and models are given today (as an
argument, or in pydantic's validation context), and the CLI hands the identity to the MkDocs
plugin on the loaded configuration, not through a module variable."""

from __future__ import annotations

import ast
import sys
from datetime import date
from pathlib import Path

import pytest
from baodan.core.parse import parse_record
from baodan.models import Client
from baodan.models.context import record_context
from baodan.store.identity import IdentitySource
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort
from pyrage import x25519

from .helpers import run_cli

PACKAGE = Path(__file__).resolve().parents[1] / "generator" / "baodan"
GIVEN_TODAY = ("checks", "domain", "models")
CLOCKS = {("date", "today"), ("datetime", "now"), ("datetime", "today"), ("datetime", "utcnow")}


def clock_reads(source: str) -> list[str]:
    """Where a module reads the clock: baodan.core.today imported (at any depth), or
    date.today() / datetime.now() called."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module == "baodan.core.today":
            found.append(f"line {node.lineno}: from baodan.core.today import …")
        elif isinstance(node, ast.ImportFrom) and node.module == "baodan.core":
            if any(a.name == "today" for a in node.names):
                found.append(f"line {node.lineno}: from baodan.core import today")
        elif isinstance(node, ast.Import) and any(
            a.name == "baodan.core.today" for a in node.names
        ):
            found.append(f"line {node.lineno}: import baodan.core.today")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if (name, node.func.attr) in CLOCKS:
                found.append(f"line {node.lineno}: {name}.{node.func.attr}()")
    return found


def test_the_scan_finds_a_clock_read():
    planted = (
        "def f():\n    from baodan.core.today import today\n    return today()\n"
        "def g():\n    return datetime.datetime.now()\n"
    )
    assert len(clock_reads(planted)) == 2


@pytest.mark.parametrize("layer", GIVEN_TODAY)
def test_checks_domain_and_models_never_read_the_clock(layer):
    files = sorted((PACKAGE / layer).rglob("*.py"))
    assert files
    reads = [
        f"{path.relative_to(PACKAGE)} {where}"
        for path in files
        for where in clock_reads(path.read_text("utf-8"))
    ]
    assert not reads, "pass today in instead:\n" + "\n".join(reads)


def test_a_birth_date_after_the_context_today_is_refused_and_not_before():
    """The ID number's birth date is checked against the validation context's today."""
    text = "id: c-1\nkind: person\nname: 张三\nid_number: '110105202601010019'\n"
    rel = "records/clients/c-1/client.yaml.age"
    _, before = parse_record(Client, text, rel, record_context(date(2025, 12, 31)))
    assert [e.message for e in before if e.field == "id_number"] == ["身份证号中的出生日期在未来"]
    _, after = parse_record(Client, text, rel, record_context(date(2026, 1, 1)))
    assert not [e for e in after if e.field == "id_number"]


def test_the_plugin_module_keeps_no_identity():
    tree = ast.parse((PACKAGE / "web" / "plugin.py").read_text("utf-8"))
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.Global)]
    module_names = [
        t.id
        for node in tree.body
        if isinstance(node, (ast.Assign, ast.AnnAssign))
        for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(t, ast.Name)
    ]
    from baodan.web import plugin

    # Its logger and constants: nothing a build could change or leave behind.
    assert [n for n in module_names if n != "log" and not n.isupper()] == []
    assert all(
        isinstance(getattr(plugin, n), (str, int, tuple, frozenset))
        for n in module_names
        if n.isupper()
    )


def _holding_an_identity() -> list[str]:
    return [
        f"{name}.{attr}"
        for name, module in list(sys.modules.items())
        if name.startswith("baodan")
        for attr, value in vars(module).items()
        if isinstance(value, (IdentitySource, x25519.Identity))
    ]


@pytest.mark.slow
def test_build_decrypts_with_the_identity_named_and_keeps_it_nowhere(
    firm, capsys, caplog, tmp_path
):
    """`baodan build -i FILE` hands FILE's identity to the plugin: with a wrong key in
    $BAODAN_IDENTITY the plugin would fail to decrypt, were it to look for one itself."""
    wrong = tmp_path / "wrong.txt"
    wrong.write_text(str(x25519.Identity.generate()) + "\n")
    right = tmp_path / "right.txt"
    right.write_text(firm.identity_file.read_text())
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BAODAN_IDENTITY", str(wrong))
        # Left to itself (plain `mkdocs build`), the plugin finds the wrong key.
        config = load_config(str(firm.root / "mkdocs.yml"), site_dir=str(tmp_path / "plain"))
        with pytest.raises(Abort):
            build(config)
        assert "不是本公司成员的密钥" in caplog.text
        code, out, err = run_cli(capsys, "build", "-i", str(right))
    assert code == 0, err
    assert "客户门户" in out
    assert _holding_an_identity() == []
