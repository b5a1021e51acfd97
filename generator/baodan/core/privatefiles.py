"""Plaintext on disk only where nobody else can read it, and never left behind.

``private_folder()`` is the one place a command gets a folder for plaintext it needs for a
while (the record being edited, the index checked out for ``precommit``, the preview's
pages): a new folder per run, readable by this user only (0700), with a random name, in RAM
where the system has it, removed on every way out (normal end, error, Ctrl-C, ``kill``, a
closed terminal). A run killed outright (``kill -9``, power cut) cannot clean up: the next
run removes what it left. ``open_new()`` creates a file the user asked for (a QR code),
never through a symbolic link and never over a file unless asked to.

Windows has no file modes: the folder goes in the user's own temp folder (inside their
profile, which only they can open), or ``%LOCALAPPDATA%\\baodan\\tmp`` when TEMP points
elsewhere (a shared ``C:\\TEMP``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from baodan.core.errors import BaodanError
from baodan.core.interrupts import like_ctrl_c

PREFIX = "baodan-"
WINDOWS = os.name == "nt"
# A new file, opened as itself: never an existing file, never through a symbolic link.
NEW_FILE = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0)  # POSIX; O_EXCL alone refuses a link on Windows too
    | getattr(os, "O_BINARY", 0)  # Windows: no newline translation
)


def base_folder() -> Path:
    """Where private folders go: $TMPDIR when set, else RAM (/dev/shm) where the system has
    it, else the system's temp folder; on Windows the user's own temp folder (see above)."""
    if WINDOWS:
        temp = Path(tempfile.gettempdir())
        if temp.is_relative_to(Path.home()):
            return temp
        return Path(os.environ.get("LOCALAPPDATA") or Path.home()) / "baodan" / "tmp"
    if explicit := os.environ.get("TMPDIR"):
        return Path(explicit)
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK):
        return shm
    return Path(tempfile.gettempdir())


@contextmanager
def private_folder(purpose: str) -> Iterator[Path]:
    """A new folder only this user can open, removed when the block ends however it ends.
    SIGTERM and SIGHUP inside the block stop the command as Ctrl-C does (like_ctrl_c)."""
    base = base_folder()
    base.mkdir(parents=True, exist_ok=True)  # the Windows fallback may not exist yet
    with like_ctrl_c():
        path = run_folder(base, f"{PREFIX}{purpose}", PREFIX)
        try:
            yield path
        finally:
            _remove(path)


def _remove(path: Path) -> None:
    try:
        shutil.rmtree(path, ignore_errors=True)
    except KeyboardInterrupt:  # a second signal during the removal: finish it, then stop
        shutil.rmtree(path, ignore_errors=True)
        raise


def run_folder(base: Path, name: str, family: str) -> Path:
    """A new folder in ``base`` (0700, random name) marked as this run's: ``name``-<process
    id>-<random letters>. First removes what runs killed outright left there: the folders
    whose name starts with ``family``."""
    _remove_leftovers(base, family)
    return Path(tempfile.mkdtemp(prefix=f"{name}-{os.getpid()}-", dir=base))


def _remove_leftovers(base: Path, prefix: str) -> None:
    """Folders of earlier runs that were killed outright: this user's, whose process is gone.
    POSIX only: on Windows os.kill would end the process it asks about."""
    if WINDOWS:
        return
    for path in base.glob(f"{prefix}*-*"):
        pid = path.name.rsplit("-", 2)[-2]
        try:
            if not pid.isdigit() or path.lstat().st_uid != os.getuid() or _alive(int(pid)):
                continue
        except OSError:
            continue
        _remove(path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def open_new(path: Path, *, overwrite: bool = False, flag: str = "--overwrite") -> BinaryIO:
    """A new file at ``path`` (0600) for writing. A symbolic link there is refused (what it
    points to is not what the user named); an existing file is refused unless ``overwrite``
    (``flag`` is the option the message names)."""
    if path.is_symlink():
        raise BaodanError(
            f"{path} 是一个符号链接（快捷方式），baodan 不会写到它指向的地方",
            "换一个文件名（直接写出文件所在的真实位置）",
        )
    if overwrite and path.is_file():
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, NEW_FILE, 0o600)
    except FileExistsError:
        raise BaodanError(
            f"{path} 已经存在，没有覆盖", f"换一个文件名，或加 {flag} 覆盖这个文件"
        ) from None
    except OSError as e:  # O_NOFOLLOW: a link made since the check above
        raise BaodanError(f"无法新建 {path}（{e.strerror}）", "换一个文件名再试") from None
    return os.fdopen(fd, "wb")
