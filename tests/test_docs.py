"""The docs name only commands and options that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer
from baodan.cli.app import app

DOCS = sorted((Path(__file__).resolve().parents[1] / "docs").glob("*.md"))
# `baodan cmd [sub] …` in running text, or a code-block line that starts with baodan.
COMMAND = re.compile(
    r"`baodan ([a-z-]+)((?: [a-z][a-z-]*)?)([^`]*)`|^\s*baodan ([a-z-]+)((?: [a-z][a-z-]*)?)(.*)$",
    re.M,
)


def _mentions(text: str):
    for m in COMMAND.finditer(text):
        name, sub, rest = (m[1], m[2], m[3]) if m[1] else (m[4], m[5], m[6])
        yield name, sub.strip(), re.findall(r"(--[a-z-]+|-[A-Za-z])\b", rest)


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_command_and_option_in_the_docs_exists(doc):
    root = typer.main.get_command(app)
    mentions = list(_mentions(doc.read_text("utf-8")))
    assert mentions, f"{doc.name} names no baodan command"
    for name, sub, options in mentions:
        assert name in root.commands, f"{doc.name}: baodan {name}"
        command = root.commands[name]
        if hasattr(command, "commands") and sub:
            assert sub in command.commands, f"{doc.name}: baodan {name} {sub}"
            command = command.commands[sub]
        known = {o for p in command.params for o in (*p.opts, *p.secondary_opts)}
        for option in options:
            assert option in known, f"{doc.name}: baodan {name} {option}"
