"""Plaintext baodan needs on disk goes in a private folder of the run, gone however the run
ends; files the user asks for are created new, never through a link."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from baodan.core import privatefiles
from baodan.core.errors import BaodanError
from baodan.core.privatefiles import open_new, private_folder


@pytest.fixture
def temp(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    return folder


def test_a_private_folder_is_the_users_alone_and_gone_after(temp):
    with private_folder("edit") as one, private_folder("edit") as two:
        assert one.parent == temp and one != two  # a new, unpredictable name each run
        assert stat.S_IMODE(one.stat().st_mode) == 0o700
        (one / "record.yaml").write_text("name: 张三\n", "utf-8")
    assert list(temp.iterdir()) == []


@pytest.mark.parametrize("ending", [ValueError, KeyboardInterrupt])
def test_a_private_folder_is_removed_on_an_error_and_on_ctrl_c(temp, ending):
    with pytest.raises(ending), private_folder("edit") as folder:
        (folder / "record.yaml").write_text("name: 张三\n", "utf-8")
        raise ending
    assert list(temp.iterdir()) == []


def test_what_a_killed_run_left_is_removed_by_the_next(temp):
    """kill -9 or a power cut: no clean-up ran. The next run removes the folder of a process
    that is gone, and leaves those of running ones alone."""
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    dead = temp / f"baodan-edit-{ended.stdout.strip()}-k3x9q2"
    alive = temp / f"baodan-serve-{os.getppid()}-a8d0e1"
    for folder in (dead, alive):
        folder.mkdir(mode=0o700)
        (folder / "record.yaml").write_text("name: 张三\n", "utf-8")
    with private_folder("edit"):
        pass
    assert not dead.exists() and (alive / "record.yaml").is_file()


def test_a_killed_builds_folder_goes_at_the_next_build(tmp_path):
    """`baodan build --staff-site` builds beside site-staff/ (plaintext): a build killed outright
    leaves its folder, which the next build removes."""
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    dead = tmp_path / f".site-staff-building-{ended.stdout.strip()}-k3x9q2"
    dead.mkdir()
    new = privatefiles.run_folder(tmp_path, ".site-staff-building", ".site-staff-building-")
    assert not dead.exists() and new.name.startswith(f".site-staff-building-{os.getpid()}-")
    assert stat.S_IMODE(new.stat().st_mode) == 0o700


def test_posix_without_ram_folder_uses_the_system_temp_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("TMPDIR", raising=False)
    monkeypatch.setattr(privatefiles, "Path", _NoShm)
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    assert privatefiles.base_folder() == tmp_path


class _NoShm(type(Path())):
    """A system without /dev/shm (macOS)."""

    def is_dir(self) -> bool:
        return str(self) != "/dev/shm" and super().is_dir()


def test_windows_uses_the_users_own_temp_folder(monkeypatch, tmp_path):
    """No file modes there: TEMP inside the user's profile is theirs alone."""
    home = tmp_path / "Users/zhang"
    monkeypatch.setattr(privatefiles, "WINDOWS", True)
    monkeypatch.setattr(Path, "home", lambda: home)
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(home / "AppData/Local/Temp"))
    assert privatefiles.base_folder() == home / "AppData/Local/Temp"


def test_windows_falls_back_to_local_app_data_when_temp_is_shared(monkeypatch, tmp_path):
    """TEMP pointing at a shared C:\\TEMP would let other users read: not used. The fallback
    works end to end (no file modes, no os.kill to find leftovers)."""
    home, local = tmp_path / "Users/zhang", tmp_path / "Users/zhang/AppData/Local"
    monkeypatch.setattr(Path, "home", lambda: home)
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path / "TEMP"))
    monkeypatch.setenv("LOCALAPPDATA", str(local))
    monkeypatch.setattr(os, "kill", None)  # must not be called there
    monkeypatch.setattr(privatefiles, "WINDOWS", True)
    with private_folder("edit") as folder:
        assert folder.parent == local / "baodan" / "tmp"
        (folder / "record.yaml").write_text("name: 张三\n", "utf-8")
    assert list((local / "baodan" / "tmp").iterdir()) == []
    assert not (tmp_path / "TEMP").exists()


def test_a_new_file_is_private_and_never_replaces_one(tmp_path):
    path = tmp_path / "qr.png"
    with open_new(path) as f:
        f.write(b"one")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(BaodanError, match="已经存在，没有覆盖") as e:
        open_new(path)
    assert "--overwrite" in e.value.errors[0].hint and path.read_bytes() == b"one"
    with open_new(path, overwrite=True) as f:
        f.write(b"two")
    assert path.read_bytes() == b"two"


@pytest.mark.parametrize("overwrite", [False, True])
def test_a_new_file_is_never_written_through_a_link(tmp_path, overwrite):
    """A link planted where the file goes (to the user's ~/.bashrc, say) is refused, and
    what it points to keeps its content."""
    victim = tmp_path / "bashrc"
    victim.write_text("alias ll='ls -l'\n")
    link = tmp_path / "qr.png"
    link.symlink_to(victim)
    with pytest.raises(BaodanError, match="符号链接"):
        open_new(link, overwrite=overwrite)
    assert victim.read_text() == "alias ll='ls -l'\n" and link.is_symlink()


def test_a_link_made_after_the_check_is_refused_by_the_open_itself(tmp_path, monkeypatch):
    """Between the check and the open (a race), O_EXCL|O_NOFOLLOW still refuse the link."""
    victim = tmp_path / "bashrc"
    victim.write_text("keep\n")
    link = tmp_path / "qr.png"
    link.symlink_to(victim)
    monkeypatch.setattr(Path, "is_symlink", lambda self: False)
    with pytest.raises(BaodanError):
        open_new(link)
    assert victim.read_text() == "keep\n"
