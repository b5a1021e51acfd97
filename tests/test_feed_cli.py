"""`baodan feed link` and `baodan feed rotate`: the links a client subscribes with, a new token."""

from __future__ import annotations

import pytest
from baodan.checks import load_firm
from baodan.core.parse import parse_record
from baodan.core.today import today
from baodan.models import Client
from baodan.store.portal_crypto import decrypt_portal

from .helpers import read_record, run_cli
from .test_public_site import portal_payload


def clients(firm) -> dict[str, Client]:
    loaded, _ = load_firm(firm.root, firm.vault(), today())
    return {cid: cf.client for cid, cf in loaded.clients.items()}


def current_client(firm) -> Client:
    return next(c for c in clients(firm).values() if c.feed and not c.left_on)


def test_link_prints_webcal_and_https(firm, capsys, tmp_path):
    client = current_client(firm)
    qr = tmp_path / "feed.svg"
    code, out, _ = run_cli(capsys, "feed", "link", client.id, "--qr", str(qr))
    assert code == 0
    path = f"demo.baodan.example/feeds/{client.feed.token}.ics"
    assert f"webcal://{path}" in out and f"https://{path}" in out
    # the address to send a client: the page that shows each phone its way
    assert f"https://demo.baodan.example/feeds/{client.feed.token}/" in out
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in qr.read_text()


@pytest.mark.slow
def test_rotate_renews_the_feed_and_the_portal_that_shows_it_and_keeps_the_rest(firm, capsys):
    client = current_client(firm)
    assert client.portal  # the portal shows the feed's address
    rel = f"records/clients/{client.id}/client.yaml.age"
    before = read_record(firm.root, rel, firm.identities)
    code, out, err = run_cli(capsys, "feed", "rotate", client.id)
    assert code == 0, err
    after = read_record(firm.root, rel, firm.identities)
    rotated, errors = parse_record(Client, after, rel)
    assert not errors and rotated.feed.token != client.feed.token
    assert rotated.portal.id != client.portal.id and rotated.portal.key != client.portal.key
    # It says, in Chinese, what changed and what stops working.
    assert f"已更换 客户 {client.id}（{client.name}）的专属页面地址、访问码和日历订阅地址" in out
    assert f"https://demo.baodan.example/feeds/{rotated.feed.token}.ics" in out
    assert f"https://demo.baodan.example/p/{rotated.portal.id}/#{rotated.portal.key}" in out
    assert "发布后旧页面链接和旧订阅地址失效" in out
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines()) if a != b]
    assert changed == [
        (f"  id: {client.portal.id}", f"  id: {rotated.portal.id}"),
        (f"  key: {client.portal.key}", f"  key: {rotated.portal.key}"),
        (f"  token: {client.feed.token}", f"  token: {rotated.feed.token}"),
    ]
    assert len(before.splitlines()) == len(after.splitlines())

    code, _, err = run_cli(capsys, "build")
    assert code == 0, err
    site = firm.root / "site"
    assert not (site / f"feeds/{client.feed.token}.ics").exists()  # the old addresses are gone
    assert not (site / f"p/{client.portal.id}").exists()
    assert (site / f"feeds/{rotated.feed.token}.ics").is_file()
    page = (site / f"p/{rotated.portal.id}/index.html").read_text("utf-8")
    shown = decrypt_portal(rotated.portal.key, portal_payload(page))
    assert f"feeds/{rotated.feed.token}.ics" in shown  # the new portal shows the new feed
    assert client.feed.token not in shown


def test_rotate_gives_a_first_token_beside_the_portal_keys(firm, capsys):
    from .helpers import write_record

    client = current_client(firm)
    rel = f"records/clients/{client.id}/client.yaml.age"
    text = read_record(firm.root, rel, firm.identities)
    without = text.replace(f"feed:\n  token: {client.feed.token}\n", "")
    assert without != text
    write_record(firm.root, rel, without, firm.identities)
    code, _, err = run_cli(capsys, "feed", "link", client.id)
    assert code == 1 and f"baodan feed rotate {client.id}" in err
    code, out, err = run_cli(capsys, "feed", "rotate", client.id)
    assert code == 0, err
    assert f"已生成 客户 {client.id}（{client.name}）的日历订阅地址" in out
    after = read_record(firm.root, rel, firm.identities)
    keys = [line.split(":")[0] for line in after.splitlines() if line and line[0] != " "]
    assert keys[keys.index("portal") + 1] == "feed"
    # A first token replaces nothing that leaked: the portal link the client has still works.
    assert parse_record(Client, after, rel)[0].portal == client.portal
    assert "专属页面" not in out


def test_no_feed_for_a_former_client(firm, capsys):
    former = next(c for c in clients(firm).values() if c.left_on)
    code, _, err = run_cli(capsys, "feed", "rotate", former.id)
    assert code == 1
    assert "已终止服务" in err and "left_on" in err


def test_link_without_site_url_says_what_to_fill_in(firm, capsys):
    settings = firm.root / "records/firm.yaml"
    text = settings.read_text("utf-8")
    settings.write_text(
        "".join(line for line in text.splitlines(True) if not line.startswith("site_url:")),
        "utf-8",
    )
    code, _, err = run_cli(capsys, "feed", "link", current_client(firm).id)
    assert code == 1
    assert "records/firm.yaml" in err and "site_url" in err


def test_link_qr_format_follows_the_extension_and_a_link_is_refused(firm, capsys, tmp_path):
    client = current_client(firm)
    png = tmp_path / "feed.png"
    code, _, err = run_cli(capsys, "feed", "link", client.id, "--qr", str(png))
    assert code == 0, err
    assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_mode & 0o077 == 0
    link = tmp_path / "link.svg"
    link.symlink_to(tmp_path / "elsewhere.svg")
    code, _, err = run_cli(capsys, "feed", "link", client.id, "--qr", str(link))
    assert code == 1 and "符号链接" in err and not (tmp_path / "elsewhere.svg").exists()
