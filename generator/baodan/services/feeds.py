"""A client's calendar subscription from the command line: its links (new tokens:
services/rotation.py)."""

from __future__ import annotations

from baodan.checks import load_firm
from baodan.core.errors import BaodanError, RecordError, Source
from baodan.core.today import today
from baodan.store.workspace import Workspace, current_client
from baodan.web.feeds import SubscribeLinks, subscribe_links


def feed_links(ws: Workspace, target: str) -> SubscribeLinks:
    """The addresses of a client's calendar: its page, webcal://, https:// and import file."""
    _, client = current_client(ws, target, "日历订阅", "baodan feed rotate", today())
    if client.feed is None:
        raise BaodanError(
            f"客户 {client.id} 还没有日历订阅令牌", f"运行 baodan feed rotate {client.id} 生成一个"
        )
    return feed_addresses(ws, client.feed.token)


def feed_addresses(ws: Workspace, token: str) -> SubscribeLinks:
    """The addresses of the feed with this token; an error when firm.yaml has no site_url."""
    firm, errors = load_firm(ws.root, None, today())  # public records only: firm.yaml for site_url
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
