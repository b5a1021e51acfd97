"""cli/startup.py's short cuts around typer give what typer itself gives: the same values and
errors for a parameter's value, the same behaviour from an app cut down to one command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import typer
import typer.main
from baodan.cli import startup
from baodan.cli.app import app
from typer import _coercion
from typer.models import ArgumentInfo, OptionInfo
from typer.testing import CliRunner


class Param:
    """What QuickParam reads of typer's parameter."""

    multiple = False
    nargs = 1


def both(annotation, value, info=None):
    """(QuickParam's result, typer's result), each a value or the error's message."""
    descriptor = _coercion.resolve_type_descriptor(annotation, info or OptionInfo())
    results = []
    for runtime in (
        startup.QuickParam(descriptor, _coercion.build_runtime_param),
        _coercion.build_runtime_param(descriptor),
    ):
        try:
            results.append(runtime.coerce(value, param=Param(), ctx=None))
        except Exception as e:  # the error typer gives
            results.append((type(e).__name__, str(e)))
    return results


@pytest.mark.parametrize(
    ("annotation", "value", "info"),
    [
        (str, "王", None),
        (str, "", None),
        (str, None, None),
        (int, 8000, None),
        (int, "8000", None),
        (int, "x", None),
        (int, 3, OptionInfo(min=5)),
        (bool, "yes", None),
        (Path, "records/clients", None),
        (Path, "", None),
        (Path, Path("schema"), None),
        (Path, "/no/such/place", OptionInfo(exists=True)),
        (Path, ".", ArgumentInfo(dir_okay=False)),
        (Path, "-", OptionInfo(allow_dash=True)),
    ],
)
def test_a_value_is_taken_as_typer_takes_it(annotation, value, info, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    quick, typers = both(annotation, value, info)
    assert quick == typers
    assert type(quick) is type(typers)


def test_a_value_typer_needs_pydantic_for_still_goes_through_it():
    descriptor = _coercion.resolve_type_descriptor(int, OptionInfo())
    built = []

    def build(d):
        built.append(d)
        return _coercion.build_runtime_param(d)

    quick = startup.QuickParam(descriptor, build)
    assert quick.coerce(None, param=Param(), ctx=None) is None
    assert quick.coerce(7, param=Param(), ctx=None) == 7
    assert built == []  # neither needed typer's adapter
    assert quick.coerce("7", param=Param(), ctx=None) == 7
    assert built == [descriptor]


@pytest.mark.parametrize(
    ("args", "commands"),
    [
        (["show", "c-1"], ["show"]),
        (["check"], ["check"]),
        (["member", "list"], ["member"]),
        (["new", "client"], ["new"]),
        (["--version"], None),
        (["chek"], None),  # typer suggests from all commands
    ],
)
def test_the_app_is_cut_down_to_the_command_named(args, commands):
    lean = startup.only_what_runs(app, args)
    if commands is None:
        assert lean is app
        return
    names = [c.name or c.callback.__name__ for c in lean.registered_commands]
    names += [g.name for g in lean.registered_groups]
    assert names == commands
    assert len(app.registered_commands) > 30  # the app itself keeps them all


@pytest.mark.parametrize(
    "args",
    [
        ["show", "--help"],
        ["member", "--help"],
        ["new", "policy", "--help"],
        ["show"],
        ["--help"],
        [],
    ],
)
def test_a_cut_down_app_says_what_the_whole_one_says(args):
    runner = CliRunner()
    whole = runner.invoke(app, args, terminal_width=100)
    lean = runner.invoke(startup.only_what_runs(app, args), args, terminal_width=100)
    assert (lean.exit_code, lean.output) == (whole.exit_code, whole.output)
    assert "用法" in whole.output


def test_the_help_pages_listing_builds_no_parameters():
    lean = typer.main.get_command(startup.only_what_runs(app, ["--help"]))
    whole = typer.main.get_command(app)
    assert lean.list_commands(None) == whole.list_commands(None)
    for name in whole.list_commands(None):
        assert lean.get_command(None, name).params == []
        assert lean.get_command(None, name).help == whole.get_command(None, name).help


def test_another_typer_gets_typers_own_coercion(monkeypatch):
    from typer import core

    monkeypatch.delattr(core, "build_runtime_param")
    startup.install()  # nothing to wrap: nothing done, no failure
    assert not hasattr(core, "build_runtime_param")
    assert isinstance(typer.Typer(), typer.Typer)


def test_typers_help_module_gets_the_real_rich_classes_when_it_uses_them():
    code = """
import sys
from baodan.cli import help
utils = help.rich_utils()
assert "rich.markdown" not in sys.modules and "rich.traceback" not in sys.modules
text = utils._make_rich_text(text="**bold**", markup_mode="markdown")
from rich.markdown import Markdown
assert type(text) is Markdown and isinstance(text, utils.Markdown)
try:
    raise ValueError("x")
except ValueError as e:
    from rich.traceback import Traceback
    assert type(utils.Traceback.from_exception(type(e), e, e.__traceback__)) is Traceback
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.stdout == "ok\n", done.stderr


@pytest.mark.parametrize("platform", ["linux", "darwin", "win32"])
@pytest.mark.parametrize(
    "env", [{}, {"APPDATA": "C:/Users/li/AppData/Roaming", "XDG_CONFIG_HOME": "/x"}]
)
def test_the_default_key_file_is_where_click_puts_baodans_settings(platform, env, monkeypatch):
    import click.utils
    from baodan.store import identity

    for name in ("APPDATA", "XDG_CONFIG_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(click.utils, "WIN", platform == "win32")
    expected = Path(click.utils.get_app_dir("baodan")) / "identity.txt"
    assert identity.default_identity_path() == expected
