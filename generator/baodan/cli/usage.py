"""Mistakes in how a command was typed (unknown command or option, missing or bad value) and
files that cannot be opened, as Chinese problems instead of the framework's English and tracebacks.

Typer raises its usage errors (its own copy of click's) before any baodan code runs; the
classes are told apart by name, so click's own classes work the same way.
"""

from __future__ import annotations

import errno
import re
from difflib import get_close_matches

from baodan.cli.help import argument_label
from baodan.core.errors import RecordError, Source

WHERE = Source("<命令行>")

# What an operating-system error number means, for the files people name on the command line.
OS_REASONS = {
    errno.ENOENT: ("文件或目录不存在", "检查路径是否写对（可以把文件拖进终端窗口得到完整路径）"),
    errno.EACCES: ("没有权限读写这个文件", "换一个你有权限的位置，或请管理员开放权限"),
    errno.EPERM: ("没有权限读写这个文件", "换一个你有权限的位置，或请管理员开放权限"),
    errno.EISDIR: ("这是一个文件夹，不是文件", "写文件夹里那个文件的完整路径"),
    errno.ENOTDIR: ("路径中间有一段不是文件夹", "检查路径是否写对"),
    errno.ENOSPC: ("磁盘已满", "清理磁盘空间后重试"),
    errno.EEXIST: ("文件已经存在", "换一个文件名，或先移走原来的文件"),
    errno.EROFS: ("这个位置只能读，不能写（只读的磁盘或共享文件夹）", "换一个能写的位置"),
    errno.ENAMETOOLONG: ("文件名或路径太长", "换一个短一些的文件名，或放到层级浅一些的文件夹"),
    errno.EADDRINUSE: (
        "端口已被占用（也许另一个 baodan serve 还开着）",
        "关掉占用它的程序，或换一个端口，如 baodan serve --port 8001",
    ),
}


def _kinds(e: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(e).__mro__}


def is_usage_error(e: BaseException) -> bool:
    """True for the command-line framework's own errors (typer's or click's)."""
    return bool({"ClickException", "TyperException"} & _kinds(e))


def _help_hint(e) -> str:
    ctx = getattr(e, "ctx", None)
    path = ctx.command_path if ctx is not None else "baodan"
    return f"运行 {path} --help 查看用法和例子"


def _param_label(param) -> str:
    """How a parameter is named to a person: an option by its flag, an argument by its help."""
    if getattr(param, "param_type_name", "") == "option":
        return f"选项 {max(param.opts, key=len)}"
    return f"参数“{argument_label(getattr(param, 'help', None)) or param.name}”"


def _bad_value(e) -> str:
    """The reason a value was refused, in Chinese when typer checked it with pydantic."""
    from pydantic import ValidationError

    from baodan.core.parse import translate_error

    cause = e.__cause__
    if isinstance(cause, ValidationError):
        message, hint = translate_error(cause.errors(include_url=False)[0])
        return message + (f"（{hint}）" if hint else "")
    return e.message


def usage_problem(e) -> RecordError:
    """One Chinese problem for a usage error: what was typed wrong and how to see the right way."""
    kinds = _kinds(e)
    hint = _help_hint(e)
    message = getattr(e, "message", str(e))
    if "NoSuchOption" in kinds:
        maybe = sorted(getattr(e, "possibilities", None) or [])
        if maybe:
            hint = f"是不是要写 {' 或 '.join(maybe)}？" + hint
        return RecordError(WHERE, "", f"没有选项 {e.option_name}", hint)
    if "MissingParameter" in kinds:
        param = e.param
        what = (
            f"缺少{_param_label(param)}"
            if param is not None
            else f"缺少参数（{message or '见用法'}）"
        )
        return RecordError(WHERE, "", what, hint)
    if "BadParameter" in kinds:
        label = _param_label(e.param) if e.param is not None else "参数"
        return RecordError(WHERE, "", f"{label} 的值不对：{_bad_value(e)}", hint)
    if "BadOptionUsage" in kinds:
        if "does not take a value" in message:
            return RecordError(WHERE, "", f"选项 {e.option_name} 后面不用写值", hint)
        return RecordError(WHERE, "", f"选项 {e.option_name} 后面要写一个值", hint)
    if m := re.fullmatch(r"No such command '(.*?)'\.( Did you mean .*)?", message, re.S):
        ctx = e.ctx
        names = list(ctx.command.list_commands(ctx)) if ctx is not None else []
        close = get_close_matches(m[1], names, n=3)
        if close:
            hint = f"是不是要写 {' 或 '.join(close)}？" + hint
        return RecordError(WHERE, "", f"没有命令“{m[1]}”", hint)
    if m := re.fullmatch(r"Got unexpected extra argument(?:\(s\)|s)? \((.*)\)", message):
        return RecordError(
            WHERE,
            "",
            f"多写了：{m[1]}",
            '内容里有空格时请整段加引号，如 --note "客户 明天 来电"；' + hint,
        )
    if message == "Missing command.":
        return RecordError(WHERE, "", "缺少子命令", hint)
    return RecordError(WHERE, "", f"命令写法不对：{message}", hint)


def os_problem(e: OSError) -> RecordError:
    """A file that cannot be read or written, named, with what to do."""
    reason, hint = OS_REASONS.get(
        e.errno, (f"无法读写（系统错误代码 {e.errno}）", "检查路径、权限和磁盘空间后再试")
    )
    name = e.filename if e.filename is not None else ""
    return RecordError(Source(str(name)) if name else WHERE, "", reason, hint)
