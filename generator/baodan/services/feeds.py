"""A client's calendar subscription from the command line: its links, and a new token."""

from __future__ import annotations

from baodan.checks import load_firm
from baodan.core.errors import BaodanError, RecordError, Source
from baodan.services.editing import update_record
from baodan.store.workspace import Workspace, current_client, new_token
from baodan.web.feeds import SubscribeLinks, subscribe_links


def feed_links(ws: Workspace, target: str) -> SubscribeLinks:
    """The webcal:// and https:// addresses of a client's feed."""
    _, client = current_client(ws, target, "日历订阅", "baodan feed rotate")
    if client.feed is None:
        raise BaodanError(
            f"客户 {client.id} 还没有日历订阅令牌", f"运行 baodan feed rotate {client.id} 生成一个"
        )
    return _links(ws, client.feed.token)


def rotate_feed(ws: Workspace, target: str) -> SubscribeLinks:
    """Give a client a new feed token (or a first one); the old address stops working once
    the site is rebuilt and deployed. Returns the new addresses."""
    path, _ = current_client(ws, target, "日历订阅", "baodan feed rotate")
    token = new_token(16)

    def set_token(data) -> None:
        if data.get("feed"):
            data["feed"]["token"] = token
        else:  # a first token goes beside the portal keys, where the template has it
            keys = list(data)
            at = keys.index("portal") + 1 if "portal" in keys else len(keys)
            data.insert(at, "feed", {"token": token})

    links = _links(ws, token)  # fails before the record changes when site_url is missing
    update_record(ws, path, set_token)
    return links


def _links(ws: Workspace, token: str) -> SubscribeLinks:
    firm, errors = load_firm(ws.root, None)  # public records only: firm.yaml for site_url
    if firm is None:
        raise BaodanError(errors)
    links = subscribe_links(firm.settings, token)
    if links is None:
        raise BaodanError(
            RecordError(
                Source("records/firm.yaml"),
                "site_url",
                "没有填写公开网站地址，无法生成订阅链接",
                "填写网站地址，例如 site_url: https://baodan.example.com/",
            )
        )
    return links
