"""The staff side of client portals: the link and QR code to give a client, and new keys.

A portal page is at <site_url><portal dir>/<portal id>/ and opens with the access code in
the link after ``#``. Rotating gives the client a new id and code: the old page disappears
from the site at the next deploy, so an old link (forwarded, lost phone) stops working.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import segno

from .editing import private_dir, validate_text
from .errors import BaodanError
from .models import Client, Settings
from .portal_crypto import new_access_code, new_portal_id, portal_link
from .records import RECORDS, parse_record
from .site.portal_view import has_left
from .today import today
from .vault import write_atomic
from .workspace import Workspace
from .yamlio import edit_roundtrip


@dataclass
class PortalAccess:
    client_id: str
    name: str
    link: str
    code: str


def portal_access(ws: Workspace, target: str) -> PortalAccess:
    """The link and access code of a client's portal, read from the encrypted client record."""
    path, text = _client_record(ws, target)
    client = _parse_client(ws, path, text)
    _refuse_if_left(client)
    if client.portal is None:
        raise BaodanError(
            f"客户 {client.id} 还没有专属页面（{ws.rel(path)} 里没有 portal）",
            f"运行 baodan portal rotate {client.id} 生成页面地址和访问码",
        )
    return _access(ws, client.id, client.name, client.portal.id, client.portal.key)


def write_qr(access: PortalAccess, out: Path | None) -> Path:
    """The link as a QR code (PNG, or SVG when ``out`` ends in .svg). Without ``out`` it goes
    to a private RAM-backed folder where the system has one: it carries the access code."""
    if out is None:
        folder = Path(private_dir() or tempfile.gettempdir())
        out = folder / f"baodan-portal-{access.client_id}.png"
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    qr = segno.make(access.link, error="m", micro=False)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        qr.save(f, kind="svg" if out.suffix.lower() == ".svg" else "png", scale=8, border=4)
    return out


def rotate_portal(ws: Workspace, target: str) -> PortalAccess:
    """Give a client a new portal id and access code, editing the encrypted record in place
    (round-trip: comments and key order stay)."""
    path, text = _client_record(ws, target)
    client = _parse_client(ws, path, text)
    _refuse_if_left(client)
    # 128 random bits: no need to compare with other clients (baodan check would catch it).
    portal_id, code = new_portal_id(), new_access_code()

    def set_portal(data) -> None:
        if data.get("portal") is None:
            data["portal"] = {}
        data["portal"]["id"] = portal_id
        data["portal"]["key"] = code

    new_text = edit_roundtrip(text, set_portal)
    errors = validate_text(new_text, ws.rel(path), client.id)
    if errors:
        raise BaodanError(errors)
    write_atomic(path, ws.vault.encrypt(new_text.encode("utf-8")))
    return _access(ws, client.id, client.name, portal_id, code)


def _refuse_if_left(client: Client) -> None:
    if has_left(client, today()):
        raise BaodanError(
            f"客户 {client.id} 已终止服务或撤回了个人信息处理同意，不再有专属页面",
            "客户恢复服务并重新签署同意后，先在记录里去掉 left_on / withdrawn_on（baodan edit），"
            "再运行 baodan portal rotate",
        )


def _access(ws: Workspace, client_id: str, name: str, portal_id: str, code: str) -> PortalAccess:
    site_url, portal_dir = _site(ws)
    return PortalAccess(client_id, name, portal_link(site_url, portal_dir, portal_id, code), code)


def _client_record(ws: Workspace, target: str) -> tuple[Path, str]:
    path = ws.locate(target)
    if path.name != "client.yaml.age":
        raise BaodanError(f"“{target}”不是客户", "请写客户编号，如 c-1a2b3c4d")
    try:
        return path, ws.vault.decrypt(path.read_bytes()).decode("utf-8")
    except ValueError as e:
        message, _, hint = str(e).partition("|")
        raise BaodanError(f"{ws.rel(path)}：{message}", hint) from None


def _parse_client(ws: Workspace, path: Path, text: str) -> Client:
    client, errors = parse_record(Client, text, ws.rel(path))
    if errors:
        raise BaodanError(errors)
    return client


def _site(ws: Workspace) -> tuple[str, str]:
    """The public site's address (records/firm.yaml) and the portal folder (mkdocs.yml)."""
    rel = f"{RECORDS}/firm.yaml"
    settings, errors = parse_record(Settings, (ws.root / rel).read_text("utf-8"), rel)
    if errors:
        raise BaodanError(errors)
    if settings.site_url is None:
        raise BaodanError(
            f"{rel} 没有写网站地址 site_url，无法生成客户链接",
            "在 firm.yaml 里加上公开网站的地址，例如 site_url: https://baodan.example.com/",
        )
    return str(settings.site_url), _portal_dir(ws)


def _portal_dir(ws: Workspace) -> str:
    from mkdocs.config import load_config

    config_path = ws.root / "mkdocs.yml"
    if not config_path.is_file():
        return "p"
    plugin = load_config(str(config_path)).plugins.get("baodan")
    return plugin.config.portal_dir if plugin is not None else "p"
