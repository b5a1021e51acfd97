"""Run the MkDocs build for `baodan build` / `baodan serve`, all or nothing.

The build goes to a temp folder beside the target and is swapped in only when complete,
so a failed build leaves the previous site exactly as it was.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException

from baodan.core.errors import BaodanError, RecordError, Source
from baodan.core.interrupts import like_ctrl_c
from baodan.services.publishcheck import check_site
from baodan.store.workspace import Workspace
from baodan.web.config_guard import SITE_DIR, STAFF_SITE_DIR, CheckedConfig, checked_config
from baodan.web.plugin import requested

# Before baodan 0.2 the staff site had a configuration file of its own, which turned the
# staff build on; `baodan build --staff` alone does that now.
RETIRED_STAFF_CONFIG = "mkdocs.staff.yml"


class _Collect(logging.Handler):
    """Keeps MkDocs' warnings and errors (including ours, raised as PluginError) to show the
    user; MkDocs logs each step at INFO, and baodan prints its own summary instead."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def build_site(ws: Workspace, *, staff: bool = False, status=None) -> str:
    """Build the public (or staff) site; return a one-line summary in Chinese. The public
    site is checked before it replaces the previous one (services/publishcheck.py)."""
    checked = checked_config(ws.root)
    target = ws.root / (STAFF_SITE_DIR if staff else SITE_DIR)
    collected = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collected)
    logger.setLevel(logging.WARNING)
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-building-", dir=target.parent))
    # A plain `kill` or a closed terminal stops a build as Ctrl-C does: the half-built
    # folder (plaintext, for the staff site) is removed, not left beside the site.
    try:
        with like_ctrl_c(), requested(ws.identity, staff=staff):
            config = _load_config(checked, collected, site_dir=str(tmp))
            if status:
                with status("正在生成网站……"):
                    build(config)
            else:
                build(config)
            if not staff:
                refused = check_site(ws.root, tmp)
                if refused:
                    raise BaodanError(refused)
            _swap(tmp, target)
    except MkDocsException as e:
        shutil.rmtree(tmp, ignore_errors=True)
        details = "\n".join(collected.messages) or str(e)
        raise BaodanError(f"网站生成失败，原来的 {target.name}/ 没有改动：\n{details}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        logger.removeHandler(collected)
    stats = config.plugins["baodan"].stats
    seconds = time.perf_counter() - started
    where = "员工站（仅限本机，切勿发布）" if staff else "公开站"
    parts = "，".join(f"{label} {stats[key]}" for key, label in STAT_LABELS if stats.get(key))
    warnings = "".join(f"\n  注意：{m}" for m in [*collected.messages, *_retired(ws)])
    return f"已生成{where} {target}：{parts}，用时 {seconds:.1f} 秒。{warnings}"


def _retired(ws: Workspace) -> list[str]:
    if (ws.root / RETIRED_STAFF_CONFIG).is_file():
        return [
            f"{RETIRED_STAFF_CONFIG} 已不再使用（员工站只由 baodan build --staff 生成），可以删除"
        ]
    return []


class _Checked(io.BytesIO):
    """The checked configuration as MkDocs' config file. `mkdocs serve` reads it again at
    every rebuild and closes it after each read: closing only rewinds it."""

    def close(self) -> None:
        self.seek(0)


def _load_config(checked: CheckedConfig, collected: _Collect, **overrides):
    """MkDocs' configuration from the checked bytes; a mistake in it is a Chinese problem
    naming the file."""
    try:
        return load_config(_Checked(checked.text), config_file_path=str(checked.path), **overrides)
    except MkDocsException as e:
        details = "\n".join(collected.messages) or str(e)
        raise BaodanError(
            RecordError(
                Source(checked.path.name),
                "",
                f"网站设置有误，网站没有生成：\n{details}",
                "按上面说的改正这个文件（可对照 baodan init 新建的公司里的同名文件）",
            )
        ) from None


STAT_LABELS = [("pages", "页面"), ("portals", "客户门户"), ("feeds", "日历订阅"), ("files", "文件")]


def _swap(new: Path, target: Path) -> None:
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}-old-{os.getpid()}")
        target.rename(old)
    new.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def serve_site(ws: Workspace, *, staff: bool, addr: str, say=print) -> None:
    from mkdocs.commands.serve import serve

    checked = checked_config(ws.root)
    say(
        f"正在预览{'员工站' if staff else '公开站'}：http://{addr}/ （修改记录后自动刷新；Ctrl-C 结束）"
    )
    # mkdocs serve builds into a temp folder; keep it in RAM where the system allows.
    if Path("/dev/shm").is_dir():
        os.environ["TMPDIR"] = "/dev/shm"
        tempfile.tempdir = None
    # Dirty rebuilds: only the pages whose content changed are written (web/incremental.py).
    logging.getLogger("mkdocs.commands.build").addFilter(_not_dirty_warning)
    # A plain `kill` or a closed terminal must remove the preview folder (plaintext for the
    # staff site) too, as Ctrl-C does.
    # MkDocs reloads the configuration when mkdocs.yml changes, from the bytes checked here:
    # a changed mkdocs.yml takes effect when `baodan serve` starts again (and is checked).
    with like_ctrl_c(), requested(ws.identity, staff=staff):
        serve(
            config_file=_Checked(checked.text),
            config_file_path=str(checked.path),
            dev_addr=addr,
            livereload=True,
            build_type="dirty",
            watch=[str(ws.root / "records")],
        )


def _not_dirty_warning(record: logging.LogRecord) -> bool:
    """MkDocs warns that dirty builds may leave stale nav and links; baodan's do not."""
    return not record.getMessage().startswith("A 'dirty' build is being performed")
