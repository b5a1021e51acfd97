"""Files: writing so that an interruption never leaves half a file, and telling an age file
from plaintext."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

ARMOR_BEGIN = b"-----BEGIN AGE ENCRYPTED FILE-----"
BINARY_BEGIN = b"age-encryption.org/v1"


def write_atomic(path: Path, data: bytes, mode: int | None = None) -> None:
    """Replace a file in one step, so an interrupted write never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, mode if mode is not None else 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def is_age(data: bytes) -> bool:
    head = data.lstrip()[:40]
    return head.startswith(ARMOR_BEGIN) or head.startswith(BINARY_BEGIN)


SAVE_AS_UTF8 = (
    "请把它另存为 UTF-8：用记事本打开，点“文件 › 另存为”，窗口下方“编码”选 UTF-8，保存后再试"
    "（WPS、Excel 另存时选“文本文件”并把编码设为 UTF-8）"
)


def read_text(path: Path, name: str | None = None) -> str:
    """A text file a person named (a form, a key list): UTF-8, or a Chinese reason. A file in
    GBK, as Windows' Notepad and Excel saved Chinese for years, is told apart and named."""
    from baodan.core.errors import BaodanError

    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")  # Notepad's UTF-8 starts with a byte-order mark
    except UnicodeDecodeError:
        pass
    try:
        data.decode("gbk")
        what = "是 GBK（ANSI）编码的，baodan 只读 UTF-8 编码"
    except UnicodeDecodeError:
        what = "不是文本文件，或不是 UTF-8 编码"
    raise BaodanError(f"{name or path}：{what}", SAVE_AS_UTF8)
