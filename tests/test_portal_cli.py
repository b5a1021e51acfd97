"""`baodan portal link` and `baodan portal rotate`, as staff use them."""

from __future__ import annotations

import re
import stat

import pytest
from baodan.core.parse import parse_record
from baodan.models import Client

from .conftest import build_public_site
from .helpers import read_record, run_cli, write_record


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

    code, out, _ = run_cli(capsys, "portal", "rotate", _client(firm, rel).id)
    assert code == 0
    new_text = read_record(firm.root, rel, firm.identities)
    new = _client(firm, rel).portal
    assert new.id != old.id and new.key != old.key
    assert f"/p/{new.id}/#{new.key}" in out
    assert "# 门户链接已于 2026-11 发给客户\nportal:" in new_text  # comments and order kept
    unchanged = re.sub(r"(?m)^  (id|key): .*$", "", new_text)
    assert unchanged == re.sub(r"(?m)^  (id|key): .*$", "", text)

    site = build_public_site(firm)
    assert not (site / "p" / old.id).exists()
    assert (site / "p" / new.id / "index.html").is_file()
