"""`baodan portal link` and `baodan portal rotate`, as staff use them."""

from __future__ import annotations

import re
import stat

import pytest
from baodan.core.parse import parse_record
from baodan.models import Client

from .conftest import build_public_site
from .helpers import read_record, run_cli, tree_digest, write_record


def _client(firm, rel: str) -> Client:
    return parse_record(Client, read_record(firm.root, rel, firm.identities), rel)[0]


def _current_client_rel(firm) -> str:
    for path in sorted((firm.root / "records/clients").glob("*/client.yaml.age")):
        rel = path.relative_to(firm.root).as_posix()
        client = _client(firm, rel)
        if client.portal and not client.left_on:
            return rel
    raise AssertionError("no current client with a portal")


def test_link_prints_the_link_and_code_and_writes_a_private_qr(firm, capsys, tmp_path):
    rel = _current_client_rel(firm)
    client = _client(firm, rel)
    qr = tmp_path / "qr.png"
    code, out, _ = run_cli(capsys, "portal", "link", client.id, "--qr", str(qr))
    assert code == 0
    link = f"https://demo.baodan.example/p/{client.portal.id}/#{client.portal.key}"
    assert link in out and f"访问码：{client.portal.key}" in out
    assert str(qr) in out
    assert qr.read_bytes().startswith(b"\x89PNG")
    assert stat.S_IMODE(qr.stat().st_mode) == 0o600


def test_link_for_a_client_who_left_says_so(firm, capsys):
    left = next(
        _client(firm, p.relative_to(firm.root).as_posix())
        for p in sorted((firm.root / "records/clients").glob("*/client.yaml.age"))
        if _client(firm, p.relative_to(firm.root).as_posix()).left_on
    )
    for command in ("link", "rotate"):
        code, _, err = run_cli(capsys, "portal", command, left.id)
        assert code == 1
        assert f"客户 {left.id} 已终止服务" in err and "不提供专属页面" in err


@pytest.mark.slow
def test_rotate_gives_a_new_link_keeps_the_record_and_the_old_page_goes(firm, capsys):
    rel = _current_client_rel(firm)
    text = read_record(firm.root, rel, firm.identities)
    text = text.replace("portal:", "# 门户链接已于 2026-11 发给客户\nportal:", 1)
    write_record(firm.root, rel, text, firm.identities)
    old = _client(firm, rel).portal
    site = build_public_site(firm)
    assert (site / "p" / old.id / "index.html").is_file()

    old_feed = _client(firm, rel).feed
    assert old_feed  # the portal shows this feed's address

    code, out, _ = run_cli(capsys, "portal", "rotate", _client(firm, rel).id)
    assert code == 0
    new_text = read_record(firm.root, rel, firm.identities)
    new, new_feed = _client(firm, rel).portal, _client(firm, rel).feed
    assert new.id != old.id and new.key != old.key
    assert new_feed.token != old_feed.token  # whoever had the old page read the old feed
    assert f"/p/{new.id}/#{new.key}" in out
    assert f"/feeds/{new_feed.token}.ics" in out
    assert "发布后旧页面链接和旧订阅地址失效" in out
    assert "# 门户链接已于 2026-11 发给客户\nportal:" in new_text  # comments and order kept
    unchanged = re.sub(r"(?m)^  (id|key|token): .*$", "", new_text)
    assert unchanged == re.sub(r"(?m)^  (id|key|token): .*$", "", text)

    site = build_public_site(firm)
    assert not (site / "p" / old.id).exists()
    assert (site / "p" / new.id / "index.html").is_file()
    assert not (site / "feeds" / f"{old_feed.token}.ics").exists()
    assert (site / "feeds" / f"{new_feed.token}.ics").is_file()


def test_link_shows_the_qr_code_in_the_terminal_and_writes_no_file(
    firm, capsys, monkeypatch, tmp_path
):
    """By default nothing is saved anywhere (a QR file carries the access code)."""
    import io

    from baodan.cli import common
    from rich.console import Console

    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    before = tree_digest(firm.root)
    client = _client(firm, _current_client_rel(firm))
    code, out, _ = run_cli(capsys, "portal", "link", client.id)  # not a terminal: no blocks
    assert code == 0 and "\u2580" not in out and "--qr 文件名.png" in out
    terminal = Console(file=io.StringIO(), force_terminal=True, width=120)
    monkeypatch.setattr(common, "out", terminal)
    code, _, err = run_cli(capsys, "portal", "link", client.id)
    shown = terminal.file.getvalue()
    assert code == 0, err
    assert "二维码（用手机扫描）" in shown and "\u2580" in shown and "\u2584" in shown
    assert tree_digest(firm.root) == before and list(temp.iterdir()) == []


def test_qr_code_on_windows_goes_through_the_console_api(monkeypatch):
    """Half blocks are drawn double width by Chinese Windows consoles: no phone reads that.
    There segno colours the console's cells instead (two spaces a module)."""
    import io
    import sys

    import segno.writers
    from baodan.services.qr import print_qr

    drawn = []
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(segno.writers, "write_terminal_win", lambda *a, **kw: drawn.append(a))
    text = io.StringIO()
    print_qr("https://demo.baodan.example/p/x/#code", text)
    assert drawn and text.getvalue() == ""


@pytest.mark.parametrize("name", ["qr.svg", "QR.SVG"])
def test_qr_file_format_follows_its_extension(firm, capsys, tmp_path, name):
    client = _client(firm, _current_client_rel(firm))
    code, _, err = run_cli(capsys, "portal", "link", client.id, "--qr", str(tmp_path / name))
    assert code == 0, err
    assert "<svg" in (tmp_path / name).read_text()
    assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600


@pytest.mark.parametrize("name", ["qr.jpg", "qr", "qr.png.txt"])
def test_qr_file_with_another_extension_is_refused_with_a_hint(firm, capsys, tmp_path, name):
    client = _client(firm, _current_client_rel(firm))
    code, _, err = run_cli(capsys, "portal", "link", client.id, "--qr", str(tmp_path / name))
    assert code == 1 and "二维码文件名要以 .png 或 .svg 结尾" in err and "--qr 二维码.png" in err
    assert list(tmp_path.glob("qr*")) == []


def test_qr_path_that_is_a_symlink_is_refused(firm, capsys, tmp_path):
    """A link planted where the QR goes (to a file of the user's) is not written through,
    with or without --overwrite."""
    victim = tmp_path / "notes.txt"
    victim.write_text("我的笔记\n", "utf-8")
    link = tmp_path / "qr.png"
    link.symlink_to(victim)
    client = _client(firm, _current_client_rel(firm))
    for extra in ([], ["--overwrite"]):
        code, _, err = run_cli(capsys, "portal", "link", client.id, "--qr", str(link), *extra)
        assert code == 1 and "是一个符号链接" in err
    assert victim.read_text("utf-8") == "我的笔记\n" and link.is_symlink()


def test_qr_file_that_exists_needs_overwrite(firm, capsys, tmp_path):
    qr = tmp_path / "qr.png"
    qr.write_bytes(b"earlier")
    client = _client(firm, _current_client_rel(firm))
    code, _, err = run_cli(capsys, "portal", "link", client.id, "--qr", str(qr))
    assert code == 1 and "已经存在，没有覆盖" in err and "--overwrite" in err
    assert qr.read_bytes() == b"earlier"
    code, _, err = run_cli(capsys, "portal", "link", client.id, "--qr", str(qr), "--overwrite")
    assert code == 0 and qr.read_bytes().startswith(b"\x89PNG")


def test_a_first_portal_leaves_the_feed_as_it_is(firm, capsys):
    rel = _current_client_rel(firm)
    client = _client(firm, rel)
    text = read_record(firm.root, rel, firm.identities)
    portal = f"portal:\n  id: {client.portal.id}\n  key: {client.portal.key}\n"
    assert portal in text
    write_record(firm.root, rel, text.replace(portal, ""), firm.identities)

    code, out, err = run_cli(capsys, "portal", "rotate", client.id)
    assert code == 0, err
    assert f"已生成 客户 {client.id}（{client.name}）的专属页面地址和访问码" in out
    assert "订阅" not in out
    after = _client(firm, rel)
    assert after.portal and after.feed == client.feed
