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
