"""Words a staff member or client should never read: the records' field names and codes
(``format_complete``, ``handoff``, ``spring_festival`` …), found in a page's or a command's text.

What may stay in ASCII: proper nouns that are no field or code (baodan, age, git, VS Code …),
and what is meant to be typed or clicked as it is: web and mail addresses, file paths and file
names, ids (c-1a2b3c4d, BD-2026-7K3QX, wang-fang), command lines (``baodan audit …``) and
their options, and the field a problem with a record file points at (``字段 payment.frequency``:
that is how the file spells it) or a line it says to write into the file (``review:``).
"""

from __future__ import annotations

import re
import typing
from html.parser import HTMLParser

import pydantic
import typer
from baodan.cli.app import app
from baodan.core.rules import Rules
from baodan.domain.audit import checklists
from baodan.domain.care import care_rules
from baodan.domain.incidents import plans
from baodan.models import vocab
from baodan.models.kinds import KINDS
from baodan.models.taxonomy import taxonomy

# Field names that are also plain English words or names a message may rightly show in ASCII.
PROPER = {"age", "git", "ci", "pdf", "url", "id"}


def _types(annotation):
    yield annotation
    for arg in typing.get_args(annotation):
        yield from _types(arg)


def _walk(model, fields: set, codes: set, seen: set) -> None:
    if model in seen:
        return
    seen.add(model)
    for name, field in model.model_fields.items():
        fields.add(name)
        for t in _types(field.annotation):
            if isinstance(t, type) and issubclass(t, pydantic.BaseModel):
                _walk(t, fields, codes, seen)
            if typing.get_origin(t) is typing.Literal:
                codes.update(v for v in typing.get_args(t) if isinstance(v, str))


def code_words(rules: Rules | None = None) -> set[str]:
    """Every field name and code of the records and the package's rules, as they are spelt."""
    rules = rules or Rules()
    fields: set[str] = set()
    codes: set[str] = set()
    seen: set = set()
    for kind in KINDS:
        if kind.model is not None:
            _walk(kind.model, fields, codes, seen)
    for name, table in vars(vocab).items():
        if name.isupper() and isinstance(table, dict):
            codes.update(table)
    tax = taxonomy(rules)
    codes.update(tax.categories)
    codes.update(k for c in tax.categories.values() for k in c.subcategories)
    codes.update(care_rules(rules).occasions)
    for plan_code, plan in plans(rules).items():
        codes.add(plan_code)
        codes.update(step.step for step in plan.steps)
    lists = checklists(rules)
    codes.update(i.code for i in [*lists.paper, *lists.electronic])
    # lower-case identifiers: ratings and tiers (A, BBB) are what people call them too
    words = {w for w in fields | codes if re.fullmatch(r"[a-z][a-z0-9_]*", w)}
    return {w for w in words if w.lower() not in PROPER}


def command_words() -> set[str]:
    root = typer.main.get_command(app)
    names = set(root.list_commands(None))
    for name in list(names):
        names.update(getattr(root.get_command(None, name), "list_commands", lambda _: [])(None))
    return names


_TYPED_AS_IS = re.compile(
    r"[A-Za-z][A-Za-z0-9+.-]*://\S+"  # web addresses
    r"|\S+@\S+"  # mail addresses
    r"|\S*[/\\]\S*"  # paths
    r"|\S+\.(?:yaml|yml|age|md|html|txt|ics|png|svg|zip|pdf|json|csv|exe|cmd)\b"  # file names
    r"|(?<![\w-])--?[A-Za-z][\w-]*(?:=\S*)?"  # options
    r"|字段 \S+"  # the field a problem with a record file points at
    r"|(?m:^[ \t]*(?:- )?[a-z_]+:(?=\s|$))"  # a YAML line to write into a record file
    r"|[A-Za-z]+(?:-[0-9A-Za-z]+)+"  # ids: c-1a2b3c4d, BD-2026-7K3QX, wang-fang
)


def found_in(text: str, words: set[str], commands: set[str]) -> set[str]:
    """The code words in ``text`` a person would read as words."""
    command = re.compile(r"\bbaodan((?:\s+(?:" + "|".join(map(re.escape, commands)) + r")\b)+)")
    text = command.sub(" ", text)
    # a help page's list of commands: a command's name starts its row
    text = re.sub(r"(?m)^│\s+([a-z][\w-]*)", lambda m: " " if m[1] in commands else m[0], text)
    text = _TYPED_AS_IS.sub(" ", text)
    return {w for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text) if w in words}


class _Text(HTMLParser):
    """A page's text as a person reads it: text nodes, titles and labels; not scripts,
    styles or the portal's ciphertext; code is read too (the commands a page tells staff to type)."""

    SKIP = {"script", "style", "template", "svg"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        for name, value in attrs:
            if name in ("title", "aria-label", "alt", "placeholder") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def page_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.parts)
