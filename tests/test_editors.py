"""`baodan edit` opens the editor told to keep no copy of the record, in a private folder that
is gone however the edit ends: here vim in a real terminal (a pseudo-terminal) is hung up on."""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import time

import pytest
from baodan.services import editors

from .conftest import REPO
from .helpers import read_record, require_tool, run_cli, tree_digest


@pytest.mark.parametrize(
    ("configured", "expected"),
    [
        ("vim", ["vim", "-n", "-i", "NONE", "-c", editors.VIM_SETTINGS]),
        (
            "/usr/bin/nvim -p",
            ["/usr/bin/nvim", "-p", "-n", "-i", "NONE", "-c", editors.VIM_SETTINGS],
        ),
        ("gvim", ["gvim", "-f", "-n", "-i", "NONE", "-c", editors.VIM_SETTINGS]),
        ("nano", ["nano", "--restricted"]),
        ("emacs -nw", ["emacs", "-nw", "--eval", editors.QUIET["emacs"][1]]),
        ("code", ["code", "--wait"]),
        ("code --wait", ["code", "--wait"]),
        ("C:/Windows/notepad.exe", ["C:/Windows/notepad.exe"]),
    ],
)
def test_each_editor_gets_the_arguments_that_keep_it_from_saving_copies(
    monkeypatch, configured, expected
):
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", configured)
    assert editors.editor().command == expected


def test_emacs_is_told_no_backups_no_auto_save_no_lock_files():
    setting = editors.QUIET["emacs"][1]
    assert all(f"{name} nil" in setting for name in ("make-backup-files", "auto-save-default"))
    assert "create-lockfiles nil" in setting


def test_vi_is_given_vims_arguments_only_when_it_is_vim(monkeypatch, tmp_path):
    """vi is vim on most systems (a link); busybox's vi would refuse vim's arguments."""
    for target, quiet in (("vim.basic", True), ("busybox", False)):
        (tmp_path / target).write_text("#!/bin/sh\n")
        (tmp_path / target).chmod(0o755)
        (tmp_path / "vi").unlink(missing_ok=True)
        (tmp_path / "vi").symlink_to(tmp_path / target)
        monkeypatch.setenv("PATH", str(tmp_path))
        found = editors.editor(["vi"])
        assert (found.command[1:] == editors.VIM) is quiet and bool(found.note) is not quiet


def test_vs_code_and_unknown_editors_are_named_with_what_to_do(firm, capsys, monkeypatch):
    """The warning comes before the editor takes the terminal, once per command."""
    monkeypatch.setenv("VISUAL", "code")
    monkeypatch.setattr("baodan.services.editing.run_editor", lambda path: None)
    code, out, err = run_cli(capsys, "edit", _client_id(firm))
    assert code == 0 and "没有改动" in out
    assert err.count("本地历史") == 1 and "Local History" in err and "EDITOR=nano" in err
    monkeypatch.setenv("VISUAL", "someeditor --flag")
    _, _, err = run_cli(capsys, "edit", _client_id(firm))
    assert "baodan 不认识编辑器“someeditor”" in err and "无法替它关闭交换文件" in err


def test_the_editor_never_sees_the_identity_key(firm, capsys, monkeypatch, tmp_path):
    """A key handed to baodan in $BAODAN_IDENTITY_KEY (as CI does) is not passed on."""
    monkeypatch.delenv("BAODAN_IDENTITY")
    monkeypatch.setenv("BAODAN_IDENTITY_KEY", str(firm.identity))
    seen = tmp_path / "env.txt"
    script = tmp_path / "editor.py"
    script.write_text(f"import os\nopen({str(seen)!r}, 'w').write(repr(dict(os.environ)))\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    code, out, err = run_cli(capsys, "edit", _client_id(firm))
    assert code == 0, err
    environment = seen.read_text()
    assert "AGE-SECRET-KEY" not in environment and "BAODAN_IDENTITY_KEY" not in environment
    assert "'TMPDIR'" in environment  # the editor's own temp files go in the private folder


def test_a_hang_up_while_vim_is_open_leaves_nothing_in_the_temp_folder(firm, tmp_path):
    """The terminal window is closed while vim shows the decrypted record: vim and baodan get
    SIGHUP. No file is left in the temp folder (the record, vim's swap file, anything), none
    in the home folder (viminfo), and the record is unchanged."""
    vim = require_tool("vim")
    temp, home = tmp_path / "tmp", tmp_path / "home"
    temp.mkdir()
    home.mkdir()
    before = tree_digest(firm.root)
    rel = f"records/clients/{_client_id(firm)}/client.yaml.age"
    name = re.search(r"(?m)^name: (.+)$", read_record(firm.root, rel, firm.identities))[1]
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO / "generator"),
        "EDITOR": vim,
        "TMPDIR": str(temp),
        "HOME": str(home),
        "TERM": "xterm",
    }
    env.pop("VISUAL", None)
    terminal, tty = os.openpty()
    edit = subprocess.Popen(
        [sys.executable, "-m", "baodan", "edit", rel, "-C", str(firm.root)],
        stdin=tty,
        stdout=tty,
        stderr=tty,
        env=env,
        start_new_session=True,  # its own process group, as a terminal window's shell starts it
    )
    os.close(tty)
    screen = _Screen(terminal)
    try:
        screen.wait_for(name, edit)  # vim shows the record
        (folder,) = temp.iterdir()
        assert [p.name.endswith(".yaml") for p in folder.iterdir()] == [True]  # no swap file
        os.killpg(edit.pid, signal.SIGHUP)
        edit.wait(timeout=60)
        screen.drain()
    finally:
        if edit.poll() is None:
            os.killpg(edit.pid, signal.SIGKILL)
        os.close(terminal)
    assert edit.returncode == 130 and "已取消" in screen.text, screen.text
    assert list(temp.iterdir()) == []
    assert [p for p in home.rglob("*") if p.is_file()] == []  # no .viminfo
    assert tree_digest(firm.root) == before


class _Screen:
    """What a program writes to a pseudo-terminal, read as it comes (so it never blocks)."""

    def __init__(self, fd: int):
        self.fd, self.data = fd, b""

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", "replace")

    def read(self, timeout: float) -> bool:
        if not select.select([self.fd], [], [], timeout)[0]:
            return False
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # the other side is closed
            return False
        self.data += chunk
        return bool(chunk)

    def wait_for(self, text: str, process: subprocess.Popen, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while text not in self.text:
            assert process.poll() is None and time.monotonic() < deadline, self.text
            self.read(0.1)

    def drain(self) -> None:
        while self.read(0.5):
            pass


def _client_id(firm) -> str:
    return sorted(firm.root.glob("records/clients/*/client.yaml.age"))[0].parent.name


def test_without_visual_or_editor_nano_is_chosen_not_vi(monkeypatch, tmp_path):
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    (tmp_path / "nano").write_text("#!/bin/sh\n")
    (tmp_path / "nano").chmod(0o755)
    (tmp_path / "vi").write_text("#!/bin/sh\n")
    (tmp_path / "vi").chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert editors.editor().command == ["nano", "--restricted"]


def test_without_any_editor_the_user_is_told_in_chinese_how_to_set_one(
    firm, capsys, monkeypatch, tmp_path
):
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setenv("PATH", str(tmp_path))  # no nano, no vi
    before = tree_digest(firm.root)
    code, _, err = run_cli(capsys, "edit", _client_id(firm))
    assert code == 1 and "没有设置编辑器，这台电脑上也没有 nano" in err
    assert 'setx EDITOR "code --wait"' in err and "notepad++.exe" in err and "~/.zshrc" in err
    assert "Traceback" not in err and tree_digest(firm.root) == before


def test_a_windows_editor_path_with_spaces_in_quotes_is_one_program(monkeypatch):
    notepad_pp = r"'C:\Program Files\Notepad++\notepad++.exe' -multiInst -nosession"
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("EDITOR", notepad_pp)
    assert editors.configured() == [
        r"C:\Program Files\Notepad++\notepad++.exe",
        "-multiInst",
        "-nosession",
    ]
