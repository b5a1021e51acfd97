"""The editor `baodan edit` opens, told to keep no copy of the decrypted record.

Editors keep copies of what they edit: vim a swap file, a backup and an undo file, and the
history of what was typed (viminfo); emacs backups (file~), auto-saves and lock files;
nano backups when asked to; VS Code a "local history" of every saved version in the user's
profile. The record is edited in a private folder that is removed afterwards (files next to
it go with it), but a copy in the user's profile would stay. Where an editor lets its command
line turn those off, baodan does; where not, it says so and what to do.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from baodan.core.errors import BaodanError

VIM_SETTINGS = "set nobackup nowritebackup noundofile noswapfile"
# Arguments before the file's path, by the editor's program name.
VIM = ["-n", "-i", "NONE", "-c", VIM_SETTINGS]  # -n: no swap file; -i NONE: no viminfo/shada
QUIET = {
    "vim": VIM,
    "nvim": VIM,
    "gvim": ["-f", *VIM],  # -f: stay in the foreground, or baodan would see it close at once
    "mvim": ["-f", *VIM],
    "nano": ["--restricted"],  # no backups, no history files, no "save as" elsewhere
    "emacs": ["--eval", "(setq make-backup-files nil auto-save-default nil create-lockfiles nil)"],
    "notepad": [],  # keeps nothing
}
VS_CODE = ("code", "code-insiders", "codium", "cursor")
VS_CODE_NOTE = (
    "VS Code 会把保存过的每个版本另存为“本地历史”（在你的用户目录里），解密的记录也会留在那里，"
    "baodan 无法替它关闭。请在 VS Code 设置里搜索 “local history”，取消勾选"
    " Workbench › Local History: Enabled；或改用 nano / vim（例如 EDITOR=nano）。"
)


@dataclass(frozen=True)
class Editor:
    command: list[str]  # the program and every argument before the file's path
    note: str = ""  # what the user should know (in Chinese) when baodan cannot keep it quiet


HOW_TO_SET = (
    "设置一个你会用的编辑器（环境变量 EDITOR），重新打开终端后再运行：\n"
    '      Windows 用 VS Code：在 PowerShell 里运行 setx EDITOR "code --wait"\n'
    "      Windows 用 Notepad++：setx EDITOR \"'C:\\Program Files\\Notepad++\\notepad++.exe'"
    ' -multiInst -nosession"\n'
    "      macOS 用 VS Code：在终端运行 echo 'export EDITOR=\"code --wait\"' >> ~/.zshrc\n"
    "      macOS 或 Linux 用 nano：echo 'export EDITOR=nano' >> ~/.zshrc（Linux 写进 ~/.bashrc）"
)


def configured() -> list[str]:
    """$VISUAL or $EDITOR split as a shell would; else Notepad on Windows and nano elsewhere
    (not vi: people who never learnt it cannot even leave it)."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        if sys.platform == "win32":
            editor = "notepad"
        elif shutil.which("nano"):
            editor = "nano"
        else:
            raise BaodanError("没有设置编辑器，这台电脑上也没有 nano", HOW_TO_SET)
    if sys.platform != "win32":
        return shlex.split(editor)
    # Windows paths keep their backslashes; quotes around a path with spaces are taken off
    return [_unquoted(word) for word in shlex.split(editor, posix=False)]


def _unquoted(word: str) -> str:
    return word[1:-1] if len(word) > 1 and word[0] == word[-1] and word[0] in "\"'" else word


def editor(command: list[str] | None = None) -> Editor:
    """The editor command with what keeps it from saving copies, and a note when none does."""
    command = command or configured()
    name = _program(command[0])
    if name in VS_CODE:
        wait = [] if {"--wait", "-w"} & set(command) else ["--wait"]  # or it returns at once
        return Editor([*command, *wait], VS_CODE_NOTE)
    if name in QUIET:
        return Editor([*command, *QUIET[name]])
    return Editor(
        command,
        f"baodan 不认识编辑器“{command[0]}”，无法替它关闭交换文件、备份和撤销记录："
        "请确认它不会把记录另存到别处；或改用 nano / vim（例如 EDITOR=nano）。",
    )


def _program(program: str) -> str:
    """The editor a program name stands for (vim.basic, nano.exe, code.cmd: vim, nano, code);
    vi is vim on most systems, a link to it."""
    name = Path(program).name.lower().split(".")[0]
    if name == "vi":  # vim, or busybox's or BSD's vi, which take none of vim's arguments
        real = Path(os.path.realpath(shutil.which(program) or program)).name.lower()
        return "vim" if real.startswith("vim") else name
    return name
