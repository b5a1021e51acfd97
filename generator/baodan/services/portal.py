"""The staff side of client portals: the link and QR code to give a client, and new keys.

A portal page is at <site_url><portal dir>/<portal id>/ and opens with the access code in
the link after ``#``. Rotating (services/rotation.py) gives the client a new id and code: the
old page disappears from the site at the next deploy, so an old link (forwarded, lost phone)
stops working.
"""

from __future__ import annotations

from dataclasses import dataclass

from baodan.checks import load_firm
from baodan.core.errors import BaodanError, RecordError, Source
from baodan.core.today import today
from baodan.models import Client
from baodan.store.portal_crypto import portal_link
from baodan.store.workspace import Workspace, current_client
from baodan.web.config_guard import CONFIG_FILE, checked_config


@dataclass
class PortalAccess:
    client_id: str
    name: str
    link: str
    code: str


def portal_access(ws: Workspace, target: str) -> PortalAccess:
    """The link and access code of a client's portal, read from the encrypted client record."""
    path, client = current_client(ws, target, "专属页面", "baodan portal rotate", today())
    if client.portal is None:
        raise BaodanError(
            f"客户 {client.id} 还没有专属页面（{ws.rel(path)} 里没有 portal）",
            f"运行 baodan portal rotate {client.id} 生成页面地址和访问码",
        )
    return access_for(ws, client, client.portal.id, client.portal.key)


def access_for(ws: Workspace, client: Client, portal_id: str, code: str) -> PortalAccess:
    """The link to a portal with this id and code; an error when firm.yaml has no site_url."""
    firm, errors = load_firm(ws.root, None, today())  # public records only: firm.yaml for site_url
    if firm is None:
        raise BaodanError(errors)
    if firm.settings.site_url is None:
        raise BaodanError(
            RecordError(
                Source("records/firm.yaml"),
                "site_url",
                "没有填写公开网站地址，无法生成客户专属页面的链接",
                "填写网站地址，例如 site_url: https://baodan.example.com/",
            )
        )
    link = portal_link(str(firm.settings.site_url), _portal_dir(ws), portal_id, code)
    return PortalAccess(client.id, client.name, link, code)


def _portal_dir(ws: Workspace) -> str:
    """The portal folder the site uses (mkdocs.yml, plugin option portal_dir), read as
    `baodan build` reads it: checked, without running anything it names."""
    if not (ws.root / CONFIG_FILE).is_file():
        return "p"
    return checked_config(ws.root).baodan_option("portal_dir", "p")
