"""Run the MkDocs build for `baodan build` / `baodan serve`, all or nothing.

The build goes to a temp folder beside the target and is swapped in only when complete,
so a failed build leaves the previous site exactly as it was.
"""

from __future__ import annotations

import errno
import io
import ipaddress
import logging
import os
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException

from baodan.core.childenv import secrets_hidden
from baodan.core.errors import BaodanError, RecordError, Source
from baodan.core.interrupts import like_ctrl_c
from baodan.core.privatefiles import private_folder, run_folder
from baodan.services.publishcheck import check_site
from baodan.store.workspace import Workspace
from baodan.web.config_guard import SITE_DIR, STAFF_SITE_DIR, CheckedConfig, checked_config
from baodan.web.plugin import request
from baodan.web.search_words import import_jieba

# Before baodan 0.2 the staff site had a configuration file of its own, which turned the
# staff build on; `baodan build --staff-site` alone does that now.
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
    try:
        # MkDocs hooks and plugins run in this process: the identity is read already.
        with secrets_hidden():
            building = f".{target.name}-building"  # a killed build's folder goes next time
            tmp = run_folder(target.parent, building, f"{building}-")
            # A plain `kill` or a closed terminal stops a build as Ctrl-C does: the half-built
            # folder (plaintext, for the staff site) is removed, not left beside the site.
            config = None
            try:
                with like_ctrl_c():
                    config = _load_config(checked, collected, site_dir=str(tmp))
                    request(config, ws.identity, staff=staff)
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
                raise BaodanError(
                    f"网站生成失败，原来的 {target.name}/ 没有改动：\n{details}"
                ) from None
            except BaseException as e:
                if config is not None:  # MkDocs tells plugins of an Exception, not of Ctrl-C:
                    config.plugins.on_build_error(error=e)  # its workers stop writing into tmp
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
            f"{RETIRED_STAFF_CONFIG} 已不再使用（员工站只由 baodan build --staff-site 生成），可以删除"
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
    import_jieba()
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


DEFAULT_PORT = 8000


def serve_site(
    ws: Workspace, *, staff: bool, listen: str | None = None, port: int | None = None, say=print
) -> None:
    """Preview a site on this machine (``--listen``: another address, never for the staff
    site), rebuilt as records change. Its pages are in a private folder of this run."""
    from baodan.web.material.serve import serve

    checked = checked_config(ws.root)
    host, port = preview_address(listen, port, staff=staff)
    check_port_free(host, port, listen is not None)
    where = f"[{host}]" if ":" in host else host
    if ipaddress.ip_address(host).is_loopback:
        url = f"http://{where}:{port}/"
    else:
        url = f"http://本机的地址:{port}/"
        say(
            f"[yellow]注意[/]：预览在 {host} 上监听，同一网络里的其他电脑也能打开公开站预览"
            "（含客户门户和日历订阅文件）；只在可信的网络里这样做，用完按 Ctrl-C 结束。"
        )
    say(f"正在预览{'员工站' if staff else '公开站'}：{url} （修改记录后自动刷新；Ctrl-C 结束）")
    # Dirty rebuilds: only the pages whose content changed are written (web/incremental.py).
    logging.getLogger("mkdocs.commands.build").addFilter(_not_dirty_warning)

    # MkDocs builds the preview into tempfile.mkdtemp(): inside this run's private folder
    # (in RAM where the system allows), removed on Ctrl-C, `kill` and a closed terminal too.
    # MkDocs reloads the configuration when mkdocs.yml changes, from the bytes checked here:
    # a changed mkdocs.yml takes effect when `baodan serve` starts again (and is checked).
    def load(site_dir: str):
        import_jieba()
        config = load_config(
            _Checked(checked.text),
            config_file_path=str(checked.path),
            site_dir=site_dir,
            dev_addr=f"{where}:{port}",
        )
        request(config, ws.identity, staff=staff)
        return config

    with private_folder("serve") as folder, _temp_files_in(folder), secrets_hidden():
        try:
            serve(load, watch=[str(ws.root / "records")])
        except MkDocsException as e:
            raise BaodanError(f"预览没有启动：{e}") from None


def preview_address(listen: str | None, port: int | None, *, staff: bool) -> tuple[str, int]:
    """(IP address, port) to preview on: 127.0.0.1 unless ``listen`` ("address:port") names
    another; the staff site, every client decrypted, only ever on this machine."""
    if listen is None:
        return "127.0.0.1", port or DEFAULT_PORT
    if port is not None:
        raise BaodanError("--listen 里已经写了端口，不要再加 --port", "例如 --listen 0.0.0.0:8001")
    name, _, number = listen.rpartition(":")
    name = "127.0.0.1" if name == "localhost" else name.removeprefix("[").removesuffix("]")
    try:
        host, port = ipaddress.ip_address(name), int(number)
    except ValueError:
        raise BaodanError(
            f"--listen 的写法不对：{listen}",
            "写成 地址:端口，例如 --listen 0.0.0.0:8000（本机所有网卡）或 --listen 192.168.1.5:8000",
        ) from None
    if staff and not host.is_loopback:
        raise BaodanError(
            f"员工站含全部客户的明文资料，只能在本机预览，不能在 {listen} 上开放给其他电脑",
            "去掉 --listen；要给同事看公开站，用 baodan serve --public --listen 0.0.0.0:8000",
        )
    return str(host), port


def check_port_free(host: str, port: int, listening: bool) -> None:
    """A busy port said plainly before the build starts, with the option to take another."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        if os.name != "nt":  # as the server binds: a port just freed is free (on Windows
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # it shares one)
        try:
            probe.bind((host, port))
        except OSError as e:
            if e.errno not in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", None)):
                raise BaodanError(
                    f"无法在 {host}:{port} 上预览（{e.strerror}）",
                    "这个地址不属于本机？去掉 --listen 只在本机预览",
                ) from None
            option = f"--listen {host}:{port + 1}" if listening else f"--port {port + 1}"
            raise BaodanError(
                f"端口 {port} 已被占用（也许另一个 baodan serve 还开着）",
                f"关掉那个预览，或换一个端口：baodan serve {option}",
            ) from None


@contextmanager
def _temp_files_in(folder: Path) -> Iterator[None]:
    saved = tempfile.tempdir
    tempfile.tempdir = str(folder)
    try:
        yield
    finally:
        tempfile.tempdir = saved


def _not_dirty_warning(record: logging.LogRecord) -> bool:
    """MkDocs warns that dirty builds may leave stale nav and links; baodan's do not."""
    return not record.getMessage().startswith("A 'dirty' build is being performed")
