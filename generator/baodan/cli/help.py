"""Help pages (`baodan … --help`) in Chinese throughout: typer's own words (usage line, panel
titles, the --help option, value types, defaults) as well as baodan's.

Typer has no translation hook for these, so its module constants are set and four of its
methods wrapped, once, when the CLI is imported. Each step checks that what it changes is
there: a typer version without it shows that part in English, never fails (tests/test_cli_usage
notices). The panel titles live in typer's rich_utils, which costs a sixth of the start-up
to import; typer imports it only to show help, so they are set when help is formatted.

Most of rich_utils' own import is rich.markdown and rich.traceback (markdown-it, pygments,
attrs), for help written in Markdown and pretty tracebacks: baodan's help is rich markup and
its tracebacks are off. So rich_utils is imported with stand-ins for the two classes it takes
from them, which import the real ones if typer ever uses them.
"""

from __future__ import annotations

import re
import sys
from importlib import import_module

PANELS = {
    "ARGUMENTS_PANEL_TITLE": "参数",
    "OPTIONS_PANEL_TITLE": "选项",
    "COMMANDS_PANEL_TITLE": "命令",
    "ERRORS_PANEL_TITLE": "错误",
    "DEFAULT_STRING": "[默认：{}]",
    "ENVVAR_STRING": "[环境变量：{}]",
    "REQUIRED_LONG_STRING": "[必填]",
    "DEPRECATED_STRING": "（已停用）",
    "ABORTED_TEXT": "已取消。",
    "RICH_HELP": "运行 [blue]'{command_path} {help_option}'[/] 查看帮助。",
}
HELP_OPTION = "显示本帮助"
USAGE_WORDS = {"[OPTIONS]": "[选项]", "COMMAND [ARGS]...": "命令 [参数]…"}
# Value types as typer shows them; a flag (bool) needs none.
TYPES = {
    "<bool>": None,
    "<str>": "<文字>",
    "<path>": "<路径>",
    "<int>": "<整数>",
    "<int range>": "<整数>",
    "<list[str]>": "<文字>…",
}


def argument_label(help_text: str | None) -> str:
    """An argument's name for people: its help up to the first comma or bracket (保单登记号)."""
    return re.split(r"[，（：(]", help_text or "", maxsplit=1)[0].strip()


def install() -> None:
    """Put the Chinese words in place (idempotent)."""
    try:
        from typer import core
        from typer._click import core as click_core
        from typer._click import formatting
    except ImportError:  # a typer that still uses click itself: English help, nothing else
        return
    if getattr(core, "_baodan_chinese", False):
        return
    core._baodan_chinese = True
    _panels(core)
    _usage_line(click_core, formatting)
    _help_option(click_core)
    _types(core)
    _argument_names(core)


class Deferred(type):
    """A class typer's rich_utils takes from a module it rarely needs: the module is
    imported when the class is first used."""

    def real(cls) -> type:
        return getattr(import_module(cls.module), cls.__name__)

    def __call__(cls, *args, **kwargs):
        return cls.real()(*args, **kwargs)

    def __getattr__(cls, name: str):
        return getattr(cls.real(), name)

    def __instancecheck__(cls, instance) -> bool:
        return isinstance(instance, cls.real())


RARELY_USED = {"rich.markdown": "Markdown", "rich.traceback": "Traceback"}


def rich_utils():
    """typer's rich_utils, imported with stand-ins for the RARELY_USED modules' classes."""
    if "typer.rich_utils" in sys.modules:
        return sys.modules["typer.rich_utils"]
    stand_ins = {}
    for module, name in RARELY_USED.items():
        if module not in sys.modules:
            stand_in = type(sys)(module)
            setattr(stand_in, name, Deferred(name, (), {"module": module}))
            sys.modules[module] = stand_ins[module] = stand_in
    try:
        from typer import rich_utils
    finally:
        for module, stand_in in stand_ins.items():
            if sys.modules.get(module) is stand_in:
                del sys.modules[module]
    return rich_utils


def _panels(core) -> None:
    def set_titles() -> None:
        utils = rich_utils()
        for name, text in PANELS.items():
            if hasattr(utils, name):
                setattr(utils, name, text)

    for cls in (core.TyperCommand, core.TyperGroup):
        original = cls.__dict__.get("format_help")
        if original is None:
            continue

        def format_help(self, ctx, formatter, _original=original):
            set_titles()
            return _original(self, ctx, formatter)

        cls.format_help = format_help


def _usage_line(click_core, formatting) -> None:
    base = formatting.HelpFormatter

    class ChineseFormatter(base):
        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            for english, chinese in USAGE_WORDS.items():
                args = args.replace(english, chinese)
            super().write_usage(prog, args, "用法：" if prefix is None else prefix)

    if getattr(click_core.Context, "formatter_class", None) is base:
        click_core.Context.formatter_class = ChineseFormatter


def _help_option(click_core) -> None:
    original = getattr(click_core.Command, "get_help_option", None)
    if original is None:
        return

    def get_help_option(self, ctx):
        option = original(self, ctx)
        if option is not None:
            option.help = HELP_OPTION
        return option

    click_core.Command.get_help_option = get_help_option


def _types(core) -> None:
    for cls in (core._TyperParameter, core.TyperOption):
        original = cls.__dict__.get("display_type_rich")
        if original is None:
            continue

        def display_type_rich(self, ctx, _original=original):
            shown = _original(self, ctx)
            return TYPES.get(shown, shown)

        cls.display_type_rich = display_type_rich


def _argument_names(core) -> None:
    original = getattr(core.TyperArgument, "display_name_raw", None)
    if not isinstance(original, property):
        return

    def display_name_raw(self) -> str:
        if self.metavar is None and argument_label(self.help):
            return argument_label(self.help)
        return original.fget(self)

    core.TyperArgument.display_name_raw = property(display_name_raw)
