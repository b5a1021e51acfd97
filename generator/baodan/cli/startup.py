"""What keeps a command's start-up short where typer (0.29) would spend it.

- Typer checks every parameter's value through a pydantic TypeAdapter, built for each
  parameter of the command that runs, even an option left out: importing pydantic and building
  them was a fifth of `baodan show`. A value the adapter would hand back as it is (nothing, a
  text for a text, a whole number for a whole number) is taken as it is, and a path is checked
  by the same typer function the adapter calls; any other value, and any path typer refuses, goes
  through typer's adapter as before, so what is accepted and every error stay typer's.
- Typer builds all of baodan's sixty-odd commands (their parameters from the functions'
  signatures) before it runs one: `only_what_runs` gives it an app with just the command or
  command group named on the command line, and for `baodan --help` one whose commands have
  their names and help but no parameters, which that page does not show.

Like `cli.help`, each step checks that what it changes is there: another typer version gets
typer's own behaviour, never a failure.
"""

from __future__ import annotations

import copy
from pathlib import Path

import typer


def install() -> None:
    """Let typer build a parameter's pydantic adapter only for a value that needs it
    (idempotent)."""
    from typer import core

    build = getattr(core, "build_runtime_param", None)
    if build is None or getattr(build, "_baodan_quick", False):
        return

    def build_runtime_param(descriptor):
        return QuickParam(descriptor, build)

    build_runtime_param._baodan_quick = True
    core.build_runtime_param = build_runtime_param


class QuickParam:
    """Typer's coercion of one parameter's value; typer's own (``build``) is made only for a
    value that needs it."""

    def __init__(self, descriptor, build) -> None:
        self.descriptor = descriptor
        self.build = build
        self.full = None

    def coerce(self, value, param, ctx):
        if value is None:  # as typer's RuntimeParam.coerce, before any adapter
            return () if param.multiple or param.nargs == -1 else None
        if not param.multiple and param.nargs == 1:
            quick = self.quick(value, param, ctx)
            if quick is not None:
                return quick
        if self.full is None:
            self.full = self.build(self.descriptor)
        return self.full.coerce(value, param=param, ctx=ctx)

    def quick(self, value, param, ctx):
        """The value typer's adapter would give, or None when only the adapter can tell."""
        d = self.descriptor
        info = d.parameter_info
        if d.file_annotation is not None or info.parser is not None:
            return None
        if d.annotation is str and type(value) is str:
            return value
        if d.annotation is int and type(value) is int and info.min is None and info.max is None:
            return value
        if d.annotation is Path and info.path_type is None and isinstance(value, str | Path):
            from typer._click.exceptions import BadParameter
            from typer._param_types import coerce_cli_path

            try:  # pydantic makes a Path of a text as Path() does
                return coerce_cli_path(Path(value), info, path_type=Path, param=param, ctx=ctx)
            except BadParameter:
                return None  # typer says what is wrong, in its own words
        return None


def only_what_runs(app: typer.Typer, args: list[str]) -> typer.Typer:
    """``app`` with only the command or command group ``args`` starts with, when it names
    one; for the app's own help page, the app as `listing` gives it; else the whole app
    (--version, a mistyped command: typer suggests commands from all of them)."""
    if args in ([], ["--help"]):
        return listing(app)
    if args[0].startswith("-"):
        return app
    from typer.main import get_command_name

    name = args[0]
    commands = [
        c
        for c in app.registered_commands
        if get_command_name(c.name or c.callback.__name__) == name
    ]
    groups = [g for g in app.registered_groups if g.name == name]
    if len(commands) + len(groups) != 1:
        return app
    lean = copy.copy(app)
    lean.registered_commands = commands
    lean.registered_groups = groups
    return lean


def listing(app: typer.Typer) -> typer.Typer:
    """``app`` for its help page, which lists its commands and command groups: each with its
    name and help, and no parameters. Only for that page: no command of it can run."""
    lean = copy.copy(app)
    lean.registered_commands = [_without_parameters(c) for c in app.registered_commands]
    lean.registered_groups = []
    for group in app.registered_groups:
        group = copy.copy(group)
        group.typer_instance = listing(group.typer_instance)
        lean.registered_groups.append(group)
    return lean


def _without_parameters(command):
    def listed() -> None:
        raise AssertionError("a command of the help page's listing ran")

    listed.__name__ = command.callback.__name__
    listed.__doc__ = command.callback.__doc__
    command = copy.copy(command)
    command.callback = listed
    return command
