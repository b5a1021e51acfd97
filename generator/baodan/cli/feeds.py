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
    from baodan.services.rotation import Rotation
    from baodan.web.feeds import SubscribeLinks

feed_app = typer.Typer(help="客户的日历订阅（保单到期、续保、缴费日）", no_args_is_help=True)

ClientArg = Annotated[str, typer.Argument(help="客户编号，如 c-1a2b3c4d")]


def _print_links(
    links: SubscribeLinks, qr: Path | None, overwrite: bool = False, indent: str = ""
) -> None:
    out.print(f"{indent}发给客户（手机打开后按提示加入日历）：{links.page}", highlight=False)
    out.print(f"{indent}苹果手机、Outlook（点开即订阅）：{links.webcal}", highlight=False)
    out.print(f"{indent}电脑上的日历（“通过网址添加日历”）：{links.https}", highlight=False)
    if qr is not None:
        # The page, never a bare webcal://: that does nothing on Android or in WeChat.
        show_qr(links.page, qr, overwrite)


@feed_app.command("link")
def link(
    client: ClientArg,
    qr: QrOpt = None,
    overwrite: OverwriteOpt = False,
    root: RootOpt = None,
    identity: IdentityOpt = None,
):
    """显示客户的日历页地址（发给客户，手机打开后按提示加入日历）和订阅链接，--qr 另存日历页的二维码。"""
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
    """换新订阅令牌（客户有专属页面时一并更换页面地址和访问码）：旧链接在下次发布网站后失效。"""
    from baodan.services.rotation import rotate_feed

    print_rotation(rotate_feed(open_workspace(root, identity), client), qr, overwrite)


def print_rotation(r: Rotation, qr: Path | None = None, overwrite: bool = False) -> None:
    """What `portal rotate` or `feed rotate` changed, and what staff do next."""
    changed = {
        (True, True): "专属页面地址、访问码和日历订阅地址",
        (True, False): "专属页面地址和访问码",
        (False, True): "日历订阅地址",
    }[bool(r.portal), bool(r.feed)]
    done = "已生成" if r.first else "已更换"
    out.print(f"[green]{done}[/] 客户 {r.client_id}（{r.name}）的{changed}：")
    if r.portal:
        out.print(f"  新专属页面链接：{r.portal.link}", highlight=False, soft_wrap=True)
        out.print(f"  新访问码：{r.portal.code}", highlight=False)
    if r.feed:
        out.print("  新日历订阅地址：")
        _print_links(r.feed, qr, overwrite, indent="    ")
    if r.portal and r.feed and not r.first:
        out.print(
            "专属页面上显示日历订阅地址，所以两者一起更换：拿到旧页面链接的人看不到新订阅地址。"
        )
    steps = ["提交这份记录，重新生成并发布网站（baodan build）"]
    if not r.first:
        old = "和".join(x for x, new in (("旧页面链接", r.portal), ("旧订阅地址", r.feed)) if new)
        steps[0] += f"，发布后{old}失效"
    if r.portal:
        steps.append(f"用 baodan portal link {r.client_id} 生成二维码，发给客户本人")
    if r.feed:
        steps.append("请客户用新地址订阅日历" + ("，并删除旧的订阅" if not r.first else ""))
    out.print("下一步：" + "；".join(steps) + "。")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the baodan app."""
    app.add_typer(feed_app, name="feed")
