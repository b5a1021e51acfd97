"""A client's calendar subscription from the command line: its links, and a new token."""

from __future__ import annotations

from pathlib import Path

from .editing import update_record
from .errors import BaodanError, RecordError, Source
from .feeds import SubscribeLinks, subscribe_links
from .models import Client
from .records import load_firm, parse_record
from .schedule import has_left
from .today import today
from .workspace import Workspace, new_token


def feed_links(ws: Workspace, target: str) -> SubscribeLinks:
    """The webcal:// and https:// addresses of a client's feed."""
    _, client = _current_client(ws, target)
    if client.feed is None:
        raise BaodanError(
            f"客户 {client.id} 还没有日历订阅令牌", f"运行 baodan feed rotate {client.id} 生成一个"
        )
    return _links(ws, client.feed.token)


def rotate_feed(ws: Workspace, target: str) -> SubscribeLinks:
    """Give a client a new feed token (or a first one); the old address stops working once
    the site is rebuilt and deployed. Returns the new addresses."""
    path, _ = _current_client(ws, target)
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


def _current_client(ws: Workspace, target: str) -> tuple[Path, Client]:
    path = ws.locate(target)
    rel = ws.rel(path)
    if path.name != "client.yaml.age":
        raise BaodanError(f"{rel} 不是客户记录", "请写客户编号，如 c-1a2b3c4d")
    client, errors = parse_record(Client, ws.read(path), rel)
    if errors:
        raise BaodanError(errors)
    if has_left(client, today()):
        raise BaodanError(
            RecordError(
                Source(rel),
                "left_on",
                f"客户 {client.id} 已终止服务或撤回了个人信息处理同意，不提供日历订阅",
                "客户回来时先删掉 left_on（或重新签署同意书），再运行 baodan feed rotate",
            )
        )
    return path, client


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
