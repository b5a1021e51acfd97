"""`baodan serve` is a preview for this machine: loopback only, answers only to its own names
(no DNS rebinding), never opens the staff site to other computers, says when its port is
busy, and leaves no page behind when the terminal is closed."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest
from baodan.web import hostguard
from mkdocs.exceptions import PluginError

from .conftest import REPO
from .helpers import run_cli


def _get(port: int, host: str, path: str = "/") -> tuple[int, str]:
    """GET from the preview on 127.0.0.1:port with ``host`` as the Host header, as a browser
    sends it for a page at http://<host>/ (a rebinding page names its own domain there)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Host": host})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_mkdocs_preview_server_answers_only_its_own_names(tmp_path):
    """On MkDocs' own live-reload server, as `baodan serve` runs it."""
    from mkdocs.livereload import LiveReloadServer

    (tmp_path / "index.html").write_text("<p>员工工作台</p>", "utf-8")
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path))
    assert hostguard.install(server)  # the patch says it applied
    server.server_bind()
    server.server_activate()
    server.serve_thread.start()
    try:
        port = server.server_address[1]
        for host in (
            f"localhost:{port}",
            f"127.0.0.1:{port}",
            f"[::1]:{port}",
            f"LocalHost:{port}",
        ):
            assert _get(port, host) == (200, "<p>员工工作台</p>"), host
        for host in (
            f"attacker.example:{port}",  # DNS rebinding: the attacker's name, our address
            f"127.0.0.1.nip.io:{port}",
            f"localhost.:{port}",
            "localhost",  # another port (80)
            f"localhost:{port + 1}",
            f"192.168.1.5:{port}",  # another address: not this loopback-only server
            "",
        ):
            status, body = _get(port, host)
            assert status == 403 and "员工" not in body and "只接受本机地址" in body, host
    finally:
        server.shutdown()
        server.serve_thread.join()


def test_a_preview_on_all_addresses_accepts_ip_addresses_but_never_names():
    assert hostguard.allowed("192.168.1.5:8000", "0.0.0.0", 8000)
    assert hostguard.allowed("192.168.1.5:8000", "192.168.1.5", 8000)
    assert not hostguard.allowed("192.168.1.6:8000", "192.168.1.5", 8000)
    assert not hostguard.allowed("intranet.example:8000", "0.0.0.0", 8000)


def test_the_preview_does_not_start_when_the_host_check_cannot_be_installed():
    """The patch reports whether it applied; not applied, the preview fails closed."""
    from baodan.web.plugin import BaodanPlugin

    class NotWsgiref:
        server_address = ("127.0.0.1", 8000)

    assert not hostguard.install(NotWsgiref())
    with pytest.raises(PluginError, match="只接受本机地址"):
        BaodanPlugin().on_serve(NotWsgiref(), config=None, builder=None)


def test_a_busy_port_is_said_plainly_with_the_option_to_use(firm, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, err = run_cli(capsys, "serve", "--port", str(port))
    assert code == 1
    assert f"端口 {port} 已被占用" in err and f"baodan serve --port {port + 1}" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("listen", ["0.0.0.0:8000", "192.168.1.5:8000", "[::]:8000"])
def test_the_staff_site_is_never_opened_to_other_computers(firm, capsys, listen):
    code, _, err = run_cli(capsys, "serve", "--listen", listen)
    assert code == 1 and "员工站含全部客户的明文资料，只能在本机预览" in err
    assert "--public --listen" in err


def test_the_public_site_on_another_address_needs_the_flag_and_warns(
    firm, capsys, monkeypatch, tmp_path
):
    from baodan.web.material import serve

    started = []  # the preview's configurations, as `baodan serve` loads them
    monkeypatch.setattr(
        serve, "serve", lambda load, **kw: started.append(load(str(tmp_path / "preview")))
    )
    port = _free_port()
    code, out, err = run_cli(capsys, "serve", "--public", "--port", str(port))
    assert code == 0 and str(started[-1].dev_addr) == f"127.0.0.1:{port}"
    assert started[-1].plugins["baodan"].config.request.staff is False
    assert "其他电脑" not in out and f"http://127.0.0.1:{port}/" in out
    code, out, err = run_cli(capsys, "serve", "--public", "--listen", f"0.0.0.0:{port}")
    assert code == 0, err
    assert str(started[-1].dev_addr) == f"0.0.0.0:{port}"
    assert "同一网络里的其他电脑也能打开公开站预览" in out


def test_a_mistyped_listen_address_is_explained(firm, capsys):
    code, _, err = run_cli(capsys, "serve", "--public", "--listen", "myhost")
    assert code == 1 and "--listen 的写法不对：myhost" in err and "地址:端口" in err


@pytest.mark.slow
def test_the_preview_refuses_foreign_hosts_and_a_closed_terminal_removes_its_pages(firm, tmp_path):
    """The real `baodan serve` of the staff site: localhost gets the page, a rebinding page's
    host name a 403 without it. Then the terminal window is closed (SIGHUP): the preview's
    folder (every client, decrypted) goes with it, leaving nothing in the temp folder."""
    port, temp = _free_port(), tmp_path / "tmp"
    temp.mkdir()
    name = re.search(r"(?m)^name: (.+)$", (firm.root / "records/firm.yaml").read_text("utf-8"))[1]
    serve = subprocess.Popen(
        [sys.executable, "-m", "baodan", "serve", "--port", str(port), "-C", str(firm.root)],
        env={
            **os.environ,
            "PYTHONPATH": str(REPO / "generator"),
            "BAODAN_TODAY": "2026-11-27",
            "TMPDIR": str(temp),
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            assert serve.poll() is None and time.monotonic() < deadline, serve.communicate()
            try:
                status, page = _get(port, f"localhost:{port}", "/staff/")
                break
            except OSError:  # not listening yet: still building
                time.sleep(0.2)
        assert status == 200 and name in page
        (preview,) = temp.iterdir()
        assert any(preview.rglob("index.html"))  # the decrypted pages are in there
        status, body = _get(port, f"rebind.attacker.example:{port}", "/staff/")
        assert status == 403 and name not in body
        os.killpg(serve.pid, signal.SIGHUP)
        serve.communicate(timeout=60)
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGKILL)
    assert list(temp.iterdir()) == []
