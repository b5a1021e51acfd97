"""An error baodan did not foresee: a Chinese message and a details file instead of a traceback.

The details file holds where in baodan's code it happened (files, lines, functions) and the
error's kind, never its message or any variable: a message may quote a record's value.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import traceback
from pathlib import Path

from baodan.core.errors import BaodanError

WINDOWS = os.name == "nt"


def log_folder() -> Path:
    """The user's own folder for baodan's details files (Windows: %LOCALAPPDATA%\\baodan\\logs;
    elsewhere $XDG_STATE_HOME or ~/.local/state, then baodan/logs)."""
    if WINDOWS:
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
    else:
        base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "baodan" / "logs"


def details(e: BaseException) -> str:
    """What a maintainer needs, without personal data: the command's words stay out too (they
    may hold a name or a number), only the frames and the error's kind."""
    lines = [f"baodan {version()}，Python {sys.version.split()[0]}，{sys.platform}"]
    lines.append(f"错误类型：{type(e).__module__}.{type(e).__qualname__}")
    for frame in traceback.extract_tb(e.__traceback__):
        lines.append(f"  {frame.filename}:{frame.lineno} in {frame.name}")
    return "\n".join(lines) + "\n"


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("baodan")
    except PackageNotFoundError:
        return "（未安装）"


def report(e: BaseException) -> BaodanError:
    """The problem to show for an unforeseen error, naming the details file when it could be
    written."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    where = ""
    try:
        folder = log_folder()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"error-{stamp}-{os.getpid()}.txt"
        path.write_text(details(e), "utf-8")
        where = f"；出错位置已记在 {path}（不含客户信息），可以把这个文件发给维护 baodan 的同事"
    except OSError:
        pass
    return BaodanError(
        "baodan 遇到了一个意外问题，命令没有完成（这是 baodan 自身的问题，不是你操作错了）",
        f"每条记录都是整份写入的，不会只写一半；可以再运行一次{where}",
    )
