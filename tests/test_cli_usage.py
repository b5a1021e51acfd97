"""Typing a command wrong (unknown command or option, missing or bad value, a file that is not
there) gives one Chinese problem and a non-zero exit code, never a traceback or English."""

from __future__ import annotations

import re

import pytest

from .helpers import run_cli, tree_digest

ENGLISH = re.compile(r"No such|Missing|Invalid|Error|Usage|Got unexpected|Did you mean|Traceback")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["chek"], ["没有命令“chek”", "check"]),
        (["claim", "stag", "cl-1"], ["没有命令“stag”", "stage"]),
        (["audit"], ["缺少参数“保单登记号”", "baodan audit --help"]),
        (["greet", "c-1"], ["缺少选项 --occasion"]),
        (["check", "--roo", "x"], ["没有选项 --roo", "--root"]),
        (["survey", "c-1", "--score", "abc"], ["选项 --score 的值不对", "整数"]),
        (["survey", "c-1", "--score", "6"], ["选项 --score 的值不对", "≤ 5"]),
        (["survey", "c-1", "--score"], ["选项 --score 后面要写一个值"]),
        (["audit", "BD-2026-AAAAA", "--ok=1"], ["选项 --ok 后面不用写值"]),
        (["check", "多余"], ["多写了：多余", "引号"]),
    ],
)
def test_a_mistyped_command_is_explained_in_chinese(firm, capsys, args, says):
    before = tree_digest(firm.root)
    code, out, err = run_cli(capsys, *args)
    assert code == 2
    for text in says:
        assert text in err
    assert not ENGLISH.search(err + out), err
    assert tree_digest(firm.root) == before


def test_a_key_file_that_is_not_there_is_named(firm, capsys, tmp_path):
    missing = tmp_path / "没有这个文件.txt"
    code, _, err = run_cli(capsys, "check", "-i", str(missing))
    assert code == 1
    assert f"{missing}: 文件或目录不存在" in err and "处理办法" in err
    assert "Traceback" not in err and "FileNotFoundError" not in err


def test_a_key_file_that_is_a_folder_is_named(firm, capsys, tmp_path):
    code, _, err = run_cli(capsys, "show", "c-00000001", "--identity", str(tmp_path))
    assert code == 1 and "这是一个文件夹，不是文件" in err


@pytest.mark.parametrize("args", [[], ["member"], ["claim"]])
def test_a_command_alone_shows_its_help(capsys, args):
    code, out, err = run_cli(capsys, *args)
    assert code == 0 and "baodan" in out and err == ""


def _command_paths() -> list[list[str]]:
    """Every command and sub-command of `baodan`, as the words typed to reach it."""
    import typer
    from baodan.cli.app import app

    paths = [[]]
    root = typer.main.get_command(app)
    for name in root.list_commands(None):
        paths.append([name])
        sub = root.get_command(None, name)
        paths += [[name, s] for s in getattr(sub, "list_commands", lambda _: [])(None)]
    return paths


FRAMEWORK_ENGLISH = re.compile(
    r"Usage|Options|Arguments|Commands|Show this message|\[default|\[required|env var|"
    r"<bool>|<str>|<path>|<int"
)


def test_every_help_page_is_chinese(capsys):
    """`--help` of each command: typer's own words (usage, panels, the --help option, value
    types, defaults) in Chinese as well, and arguments named in Chinese in the usage line."""
    paths = _command_paths()
    assert len(paths) > 40
    for path in paths:
        code, out, err = run_cli(capsys, *path, "--help")
        assert code == 0 and "用法：" in out, (path, err)
        assert not FRAMEWORK_ENGLISH.search(out), (path, FRAMEWORK_ENGLISH.search(out)[0])
    out = run_cli(capsys, "audit", "--help")[1]
    assert "{保单登记号}" in out and "--help" in out and "显示本帮助" in out
