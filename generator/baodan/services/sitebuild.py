"""Run the MkDocs build for `baodan build` / `baodan serve`, all or nothing.

The build goes to a temp folder beside the target and is swapped in only when complete,
so a failed build leaves the previous site exactly as it was.
"""

from __future__ import annotations

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
from baodan.store.workspace import Workspace
from baodan.web.plugin import use_identity


def config_file(ws: Workspace, staff: bool) -> Path:
    path = ws.root / ("mkdocs.staff.yml" if staff else "mkdocs.yml")
    if not path.is_file():
        raise BaodanError(
            f"找不到 {path.name}",
            "公司目录里应有 mkdocs.yml 和 mkdocs.staff.yml（baodan init 会生成）",
        )
    return path


class _Collect(logging.Handler):
    """Keeps MkDocs' warnings and errors (including ours, raised as PluginError) to show the
    user; MkDocs logs each step at INFO, and baodan prints its own summary instead."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def build_site(ws: Workspace, *, staff: bool = False, status=None) -> str:
    """Build the public (or staff) site; return a one-line summary in Chinese."""
    cfg_path = config_file(ws, staff)
    collected = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collected)
    logger.setLevel(logging.WARNING)
    use_identity(ws.identity)
    started = time.perf_counter()
    try:
        target = Path(_load_config(cfg_path, collected).site_dir)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-building-", dir=target.parent))
        # A plain `kill` or a closed terminal stops a build as Ctrl-C does: the half-built
        # folder (plaintext, for the staff site) is removed, not left beside the site.
        try:
            with like_ctrl_c():
                config = load_config(str(cfg_path), site_dir=str(tmp))
                if status:
                    with status("正在生成网站……"):
                        build(config)
                else:
                    build(config)
                _swap(tmp, target)
        except MkDocsException as e:
            shutil.rmtree(tmp, ignore_errors=True)
            details = "\n".join(collected.messages) or str(e)
            raise BaodanError(
                f"网站生成失败，原来的 {target.name}/ 没有改动：\n{details}"
            ) from None
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    finally:
        use_identity(None)
        logger.removeHandler(collected)
    stats = config.plugins["baodan"].stats
    seconds = time.perf_counter() - started
    where = "员工站（仅限本机，切勿发布）" if staff else "公开站"
    parts = "，".join(f"{label} {stats[key]}" for key, label in STAT_LABELS if stats.get(key))
    warnings = "".join(f"\n  注意：{m}" for m in collected.messages)
    return f"已生成{where} {target}：{parts}，用时 {seconds:.1f} 秒。{warnings}"


def _load_config(path: Path, collected: _Collect):
    """The site's MkDocs configuration; a mistake in it is a Chinese problem naming the file."""
    try:
        return load_config(str(path))
    except MkDocsException as e:
        details = "\n".join(collected.messages) or str(e)
        raise BaodanError(
            RecordError(
                Source(path.name),
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

    use_identity(ws.identity)
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
    with like_ctrl_c():
        serve(
            config_file=str(config_file(ws, staff)),
            dev_addr=addr,
            livereload=True,
            build_type="dirty",
            watch=[str(ws.root / "records")],
        )


def _not_dirty_warning(record: logging.LogRecord) -> bool:
    """MkDocs warns that dirty builds may leave stale nav and links; baodan's do not."""
    return not record.getMessage().startswith("A 'dirty' build is being performed")
