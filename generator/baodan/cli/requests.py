"""`baodan request [FILE]`: record a request a client sent from their portal (pasted message)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from baodan.cli.common import IdentityOpt, RootOpt, StaffOpt, open_workspace, out
from baodan.cli.prompts import YesNo
from baodan.core.choices import pick
from baodan.core.errors import BaodanError
from baodan.models.vocab import CHANNELS

MAX_BYTES = 64 * 1024  # a pasted message is a few hundred bytes; more is not one


def read_message(source: Path | None) -> str:
    """The message from a file, or from standard input when none (or "-") is named."""
    if source is None or str(source) == "-":
        if sys.stdin.isatty():
            out.print(
                "请粘贴客户发来的整条消息，然后另起一行按 Ctrl-D（Windows：Ctrl-Z 再回车）：",
                highlight=False,
            )
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        where = "粘贴的内容"
    else:
        try:
            with source.open("rb") as f:
                data = f.read(MAX_BYTES + 1)
        except OSError:
            raise BaodanError(
                f"读不了文件 {source}", "检查文件名；也可以不写文件名，直接粘贴消息"
            ) from None
        where = f"文件 {source}"
    if len(data) > MAX_BYTES:
        raise BaodanError(f"{where}太大，不是一条客户消息", "只粘贴客户发来的那一条消息")
    for encoding in ("utf-8-sig", "gb18030"):  # a file saved by Windows Notepad may be GBK
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BaodanError(f"{where}不是文字", "把消息另存为 UTF-8 文本，或直接粘贴")


def register(app: typer.Typer) -> None:
    @app.command("request")
    def request(
        source: Annotated[
            Path | None,
            typer.Argument(
                help="保存了客户消息的文件；不写或写 - 表示直接粘贴", show_default=False
            ),
        ] = None,
        channel: Annotated[
            str, typer.Option("--channel", help="消息从哪里来：wechat 微信 / sms 短信 / email 邮件")
        ] = "wechat",
        yes: Annotated[bool, typer.Option("--yes", "-y", help="不再询问，直接登记")] = False,
        staff: StaffOpt = None,
        root: RootOpt = None,
        identity: IdentityOpt = None,
    ) -> None:
        """登记客户从专属页面发来的请求（报案、改联系方式、续保意向、预约咨询、补发保单）：核对校验码后建立相应记录。"""
        from baodan.services import actions
        from baodan.services.requests import BECOMES, read_request, record_request

        if (source is None or str(source) == "-") and identity is not None and str(identity) == "-":
            raise BaodanError(
                "消息和私钥不能都从标准输入读", "把消息存成文件再写文件名，或用 -i 写私钥文件"
            )
        channel = pick(channel, CHANNELS, "--channel")
        text = read_message(source)
        s = actions.Session.open(open_workspace(root, identity))
        req = read_request(s, text)
        client = req.cf.client
        out.print(
            f"校验码正确。客户 {client.id}（{client.name}）的请求：", highlight=False, markup=False
        )
        out.print(f"  {req.kind.title}（{req.sent_on} 发出）", highlight=False, markup=False)
        for label, value in req.lines():
            out.print(f"  {label}：{value}", highlight=False, markup=False)
        out.print(f"将登记为：{BECOMES[req.kind.code]}", highlight=False, markup=False)
        if not yes and not YesNo.ask("登记吗？", default=True, console=out):
            out.print("没有登记，记录没有改动。")
            return
        done = record_request(s, req, staff=staff, channel=channel)
        for path in done.paths:
            out.print(f"已登记：{s.ws.rel(path)}", highlight=False, markup=False)
        for note in done.notes:
            out.print(note, highlight=False, markup=False)
