"""`baodan portal link|rotate`: a client's portal link and QR code, and new keys for it."""

from __future__ import annotations

from typing import Annotated

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

portal_app = typer.Typer(
    help="客户专属页面（门户）：链接、二维码、更换访问码", no_args_is_help=True
)

ClientArg = Annotated[str, typer.Argument(help="客户编号，如 c-1a2b3c4d")]


@portal_app.command("link")
def link(
    client: ClientArg,
    qr: QrOpt = None,
    overwrite: OverwriteOpt = False,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """显示客户专属页面的链接、访问码和二维码（二维码默认只显示在终端里）。"""
    from baodan.services.portal import portal_access  # segno: start-up time

    ws = open_workspace(root, identity)
    access = portal_access(ws, client)
    out.print(f"客户 {access.client_id}（{access.name}）的专属页面：", highlight=False)
    out.print(f"  链接：{access.link}", highlight=False, soft_wrap=True)
    out.print(f"  访问码：{access.code}", highlight=False)
    show_qr(access.link, qr, overwrite)
    out.print(
        "把链接或二维码发给客户本人即可打开；只有页面地址、没有访问码时，客户可在页面上输入访问码。\n"
        "[yellow]二维码和链接里含有访问码，不要转发给他人；保存过的二维码图片发送后请删除。[/]"
    )


@portal_app.command("rotate")
def rotate(client: ClientArg, root: RootOpt = None, identity: IdentityOpt = None) -> None:
    """更换客户专属页面的地址和访问码（客户有日历订阅时一并更换订阅地址）：旧链接在下次发布网站后失效。"""
    from baodan.cli.feeds import print_rotation
    from baodan.services.rotation import rotate_portal

    print_rotation(rotate_portal(open_workspace(root, identity), client))


def register(app: typer.Typer) -> None:
    """Add this module's commands to the baodan app."""
    app.add_typer(portal_app, name="portal")
