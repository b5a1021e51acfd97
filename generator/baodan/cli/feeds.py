"""`baodan feed …`: a client's calendar subscription links, and a new token when one leaked."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from baodan.cli.common import (
    IdentityOpt,
    OverwriteOpt,
    QrOpt,
    RootOpt,
    open_workspace,
    out,
    show_qr,
)

if TYPE_CHECKING:
    from baodan.web.feeds import SubscribeLinks

feed_app = typer.Typer(help="客户的日历订阅（保单到期、续保、缴费日）", no_args_is_help=True)

ClientArg = Annotated[str, typer.Argument(help="客户编号，如 c-1a2b3c4d")]


def _print_links(links: SubscribeLinks, qr: Path | None, overwrite: bool) -> None:
    out.print(f"苹果手机、Outlook（点开即订阅）：{links.webcal}", highlight=False)
    out.print(f"谷歌日历等（“通过网址添加日历”）：{links.https}", highlight=False)
    if qr is not None:
        show_qr(links.webcal, qr, overwrite)


@feed_app.command("link")
def link(
    client: ClientArg,
    qr: QrOpt = None,
    overwrite: OverwriteOpt = False,
    root: RootOpt = None,
    identity: IdentityOpt = None,
):
    """显示客户的日历订阅链接（webcal:// 与 https:// 两种），--qr 另存扫码订阅的二维码。"""
    from baodan.services.feeds import (
        feed_links,  # icalendar, jinja2: loaded when a command needs them
    )

    _print_links(feed_links(open_workspace(root, identity), client), qr, overwrite)


@feed_app.command("rotate")
def rotate(
    client: ClientArg,
    qr: QrOpt = None,
    overwrite: OverwriteOpt = False,
    root: RootOpt = None,
    identity: IdentityOpt = None,
):
    """换新订阅令牌：旧链接在下次发布网站后失效（链接外泄或客户要求时使用）。"""
    from baodan.services.feeds import rotate_feed

    links = rotate_feed(open_workspace(root, identity), client)
    out.print(
        "[green]已换新订阅令牌[/]。提交记录并发布网站后旧链接失效，请把新链接发给客户：",
    )
    _print_links(links, qr, overwrite)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the baodan app."""
    app.add_typer(feed_app, name="feed")
