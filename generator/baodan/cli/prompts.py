"""Questions asked on the terminal, in Chinese, one way everywhere: yes/no as [是/否] (是/否 or
y/n), free text, and one of a list (its Chinese name, its code or an everyday word for it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from rich.console import Console
from rich.prompt import Confirm, InvalidResponse, Prompt
from rich.text import Text

from baodan.cli.common import out
from baodan.core.choices import code_of, listing

if TYPE_CHECKING:
    from baodan.core.rules import Rules

YES = {"是", "是的", "对", "好", "y", "yes"}
NO = {"否", "不", "不是", "没有", "n", "no"}


class YesNo(Confirm):
    """A yes/no question that asks again in Chinese when the answer is neither."""

    choices = ["是", "否"]
    validate_error_message = "[prompt.invalid]请回答 是 或 否（也可以写 y 或 n）"

    def render_default(self, default) -> Text:
        return Text(f"（直接回车为“{'是' if default else '否'}”）", "prompt.default")

    def process_response(self, value: str) -> bool:
        answer = value.strip().lower()
        if answer in YES:
            return True
        if answer in NO:
            return False
        raise InvalidResponse(self.validate_error_message)


def yes_no(question: str, console: Console, *, default: bool = False) -> bool:
    return YesNo.ask(question, default=default, console=console)


def confirmer(yes: bool):
    """The question a command asks before an unusual change; ``--yes`` answers it for scripts.
    At the end of input (a script without --yes) the prompt raises EOFError: cancelled."""

    def confirm(question: str) -> bool:
        return yes or yes_no(question, out)

    return confirm


def ask(label: str, console: Console, *, default: str | None = None) -> str:
    """Free text ('' when nothing was typed and there is no default)."""
    answer = Prompt.ask(label, console=console, default=default, show_default=default is not None)
    return (answer or "").strip()


def choose(
    label: str,
    choices: Mapping[str, str],
    console: Console,
    *,
    default: str | None = None,
    rules: Rules | None = None,
) -> str:
    """The code of one of ``choices`` (code → Chinese name), asked until the answer is one."""
    console.print(f"{label}，只能是：{listing(choices)}", highlight=False)
    shown_default = (choices.get(default) or default) if default is not None else None
    while True:
        answer = ask(label, console, default=shown_default)
        code = code_of(answer, choices, rules) if answer else None
        if code is not None:
            return code
        wrong = f"没有“{answer}”这一项" if answer else "这一项必填"
        console.print(f"[red]{wrong}[/]：请写上面列出的一项", highlight=False)
