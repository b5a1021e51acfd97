"""What a firm's mkdocs.yml may say: the site configuration baodan builds with.

MkDocs runs code named in its configuration: ``hooks:`` are Python files, plugins and Markdown
extensions are Python modules, templates are Jinja with Python's objects in reach, and its YAML
loader builds any Python object a ``!!python/...`` tag names, as the file is read. Whoever can
push a branch can change mkdocs.yml, and CI builds with the record key at hand. So baodan reads
the file first, with a loader that builds nothing, and refuses anything but a known list; MkDocs
then reads the same checked bytes. Whether a build is the staff site is never a setting here:
only ``baodan build --staff-site`` and ``baodan serve`` ask for it (web/plugin.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from baodan.core.errors import BaodanError, RecordError, Source
from baodan.web.knowledge_base import topic_order

CONFIG_FILE = "mkdocs.yml"
DOCS_DIR = "records/public"
SITE_DIR = "site"
STAFF_SITE_DIR = "site-staff"
# The firm's own Material overrides (templates, pictures), if it has any: the one theme
# folder it may declare as theme.custom_dir. Its templates are code too; `baodan diff
# --public` points out every change to it.
THEME_FOLDER = "overrides"

PLUGINS = {"search", "material/search", "tags", "material/tags", "baodan"}
BAODAN_OPTIONS = {"enabled", "kb_dir", "portal_dir", "calendar_dir"}
FOLDER_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,40}$")
# Python-Markdown's and PyMdown's extensions that only turn Markdown into HTML. Left out on
# purpose: pymdownx.snippets (copies any file, such as /proc/self/environ with the CI secret,
# into a page) and anything else that reads files or runs code.
EXTENSIONS = {
    *(
        f"{prefix}{name}"
        for prefix in ("", "markdown.extensions.")
        for name in (
            "abbr", "admonition", "attr_list", "def_list", "footnotes", "md_in_html",
            "tables", "toc", "sane_lists", "smarty", "fenced_code", "codehilite", "meta",
            "nl2br", "legacy_attrs", "legacy_em",
        )
    ),
    *(
        f"pymdownx.{name}"
        for name in (
            "arithmatex", "betterem", "caret", "critic", "details", "emoji", "highlight",
            "inlinehilite", "keys", "mark", "smartsymbols", "superfences", "tabbed",
            "tasklist", "tilde", "saneheaders", "blocks.admonition", "blocks.details",
            "blocks.tab", "blocks.caption",
        )
    ),
}  # fmt: skip
# The only Python objects a `!!python/name:` tag may name: functions that Material's and
# PyMdown's documentation tell sites to configure this way, and baodan's own topic order.
PYTHON_NAMES = {
    f"{topic_order.__module__}.{topic_order.__qualname__}",
    "material.plugins.tags.item_url",
    "material.plugins.tags.item_title",
    "material.extensions.emoji.twemoji",
    "material.extensions.emoji.to_svg",
    "pymdownx.superfences.fence_code_format",
    "pymdownx.superfences.fence_div_format",
}
PYTHON_NAME_TAG = "tag:yaml.org,2002:python/name:"
PLAIN_TAGS = {
    f"tag:yaml.org,2002:{kind}"
    for kind in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp", "merge")
}
RELATIVE_TAG = "!relative"  # MkDocs: a path relative to the config file; only a string


@dataclass(frozen=True)
class CheckedConfig:
    """mkdocs.yml as checked: MkDocs is given these bytes, never the file read again."""

    path: Path
    text: bytes
    data: dict

    def baodan_option(self, name: str, default: str) -> str:
        for _, plugin, options in _entries(self.data.get("plugins")):
            if plugin == "baodan":
                return str(options.get(name) or default)
        return default


class _Loader(yaml.SafeLoader):
    """Builds plain data only; the few tags it lets through (checked before) become strings."""


_Loader.add_multi_constructor(PYTHON_NAME_TAG, lambda _loader, name, _node: f"!!python/name:{name}")
_Loader.add_constructor(RELATIVE_TAG, lambda loader, node: loader.construct_scalar(node))


def checked_config(root: Path) -> CheckedConfig:
    """The firm's mkdocs.yml, or a BaodanError listing everything in it baodan refuses."""
    path = root / CONFIG_FILE
    if not path.is_file():
        raise BaodanError(
            f"找不到 {CONFIG_FILE}", "公司目录里应有 mkdocs.yml（baodan init 会生成）"
        )
    text = path.read_bytes()
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        raise BaodanError(
            _problem(line, "", "不是有效的 YAML", "对照 baodan init 生成的文件改正")
        ) from None
    lines: dict[tuple, int] = {}
    errors = _tags(node, (), lines) if node is not None else []
    if errors:
        raise BaodanError(errors)
    data = yaml.load(text, Loader=_Loader) or {}
    if not isinstance(data, dict):
        raise BaodanError(_problem(1, "", "应是“设置项: 值”的列表", "对照 baodan init 生成的文件"))
    errors = [
        _problem(_line(lines, (key, *where)), ".".join(map(str, (key, *where))), message, hint)
        for key, where, message, hint in _refusals(data)
    ]
    if errors:
        raise BaodanError(errors)
    return CheckedConfig(path, text, data)


def _problem(line: int, field: str, message: str, hint: str) -> RecordError:
    return RecordError(Source(CONFIG_FILE, line), field, message, hint)


def _line(lines: dict[tuple, int], where: tuple) -> int:
    """The line of a setting, or of the nearest setting around it."""
    while where and where not in lines:
        where = where[:-1]
    return lines.get(where, 0)


def _tags(
    node: yaml.Node, where: tuple, lines: dict[tuple, int], seen: set[int] | None = None
) -> list[RecordError]:
    """Refusals of every tag that would make MkDocs' loader do more than read data; on the
    way, the line of every setting (for the messages). A node an alias repeats is read once."""
    seen = set() if seen is None else seen
    if id(node) in seen:
        return []
    seen.add(id(node))
    lines.setdefault(where, node.start_mark.line + 1)
    refused = _tag_refusal(node.tag)
    found = (
        [_problem(node.start_mark.line + 1, ".".join(map(str, where)), *refused)] if refused else []
    )
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            found += _tags(key, where, lines, seen)
            name = key.value if isinstance(key, yaml.ScalarNode) else "?"
            lines.setdefault((*where, name), key.start_mark.line + 1)
            found += _tags(value, (*where, name), lines, seen)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            found += _tags(item, (*where, i), lines, seen)
    return found


def _tag_refusal(tag: str) -> tuple[str, str] | None:
    """Why a YAML tag is refused (message, hint), or None for plain data."""
    if tag in PLAIN_TAGS or tag == RELATIVE_TAG:
        return None
    if tag.startswith(PYTHON_NAME_TAG):
        name = tag.removeprefix(PYTHON_NAME_TAG)
        if name in PYTHON_NAMES:
            return None
        return (
            f"!!python/name 只能指向 baodan 认可的函数，不能是 {name[:80]}",
            "可用的有：" + "、".join(sorted(PYTHON_NAMES)),
        )
    if tag.startswith("tag:yaml.org,2002:python/"):
        return (
            "不允许 !!python/… 标签：读取设置时就会运行 Python 代码",
            "删掉这个标签；网站设置里只写文字、数字和列表",
        )
    if tag == "!ENV":
        return (
            "不允许 !ENV：它把环境变量（CI 里有解密用的密钥）写进网站",
            "直接写出要用的值",
        )
    return f"不认识的标签 {tag[:40]}", "删掉这个标签"


Refusal = tuple[str, tuple, str, str]  # top-level key, where under it, message, hint


def _refusals(data: dict) -> list[Refusal]:
    found: list[Refusal] = []
    for key, why in FORBIDDEN.items():
        if key in data:
            found.append((key, (), why, f"删掉 {key} 这一项；需要的功能请向 baodan 的维护者提出"))
    for key, fixed in (("docs_dir", DOCS_DIR), ("site_dir", SITE_DIR)):
        if key in data and _folder(data[key]) != fixed:
            found.append((key, (), f"{key} 只能是 {fixed}", f"改回 {key}: {fixed}，或删掉这一行"))
    found += _theme(data.get("theme"))
    found += _plugin_refusals(data.get("plugins"))
    found += _extension_refusals(data.get("markdown_extensions"))
    return found


FORBIDDEN = {
    "hooks": "不允许 hooks：它在生成网站时运行仓库里的 Python 文件（CI 里能读到解密密钥）",
    "INHERIT": "不允许 INHERIT：网站设置只看 mkdocs.yml 这一个文件",
    "extra_templates": "不允许 extra_templates：模板能运行代码，只能放在主题文件夹 overrides/",
}


def _folder(value) -> str:
    return str(value or "").strip().removeprefix("./").rstrip("/")


def _theme(theme) -> list[Refusal]:
    if isinstance(theme, str):
        theme = {"name": theme}
    if not isinstance(theme, dict):
        return []
    found = []
    if theme.get("name", "material") != "material":
        found.append(("theme", ("name",), "主题只能是 material", "改成 name: material"))
    if "custom_dir" in theme and _folder(theme["custom_dir"]) != THEME_FOLDER:
        found.append(
            (
                "theme",
                ("custom_dir",),
                f"custom_dir 只能是公司的主题文件夹 {THEME_FOLDER}：别处的模板能在生成网站时运行代码",
                f"把模板放进 {THEME_FOLDER}/，写 custom_dir: {THEME_FOLDER}",
            )
        )
    return found


def _entries(value) -> list[tuple[tuple, str, dict]]:
    """A plugins or markdown_extensions setting, in either YAML form (a list of names and
    one-key mappings, or one mapping), as (where it is, name, options)."""
    if isinstance(value, dict):
        return [
            ((name,), str(name), opts if isinstance(opts, dict) else {})
            for name, opts in value.items()
        ]
    found = []
    for i, item in enumerate(value if isinstance(value, list) else []):
        if isinstance(item, dict) and len(item) == 1:
            [(name, opts)] = item.items()
            found.append(((i, name), str(name), opts if isinstance(opts, dict) else {}))
        else:
            found.append(((i,), str(item), {}))
    return found


def _plugin_refusals(value) -> list[Refusal]:
    found: list[Refusal] = []
    for where, name, options in _entries(value):
        if name not in PLUGINS:
            found.append(
                (
                    "plugins",
                    where,
                    f"不允许插件 {name[:60]}：插件是在生成网站时运行的代码",
                    "可用的插件：" + "、".join(sorted(PLUGINS)),
                )
            )
        elif name == "baodan":
            found += [
                ("plugins", (*where, *under), message, hint)
                for under, message, hint in _baodan_options(options)
            ]
    return found


def _baodan_options(options: dict) -> list[tuple[tuple, str, str]]:
    found = []
    for key, value in options.items():
        if key == "staff":
            found.append(
                (
                    ("staff",),
                    "员工站不能在 mkdocs.yml 里打开：否则改一行设置，公开站就会带上明文客户资料",
                    "删掉 staff 这一行；员工站用 baodan build --staff-site 生成，只在本机看",
                )
            )
        elif key not in BAODAN_OPTIONS:
            found.append(
                (
                    (key,),
                    f"baodan 插件没有可在这里设置的 {str(key)[:40]}",
                    "可设置的有：" + "、".join(sorted(BAODAN_OPTIONS)),
                )
            )
        elif key != "enabled" and not FOLDER_NAME.match(str(value)):
            found.append(
                (
                    (key,),
                    f"{key} 应是一个文件夹名（小写字母、数字、- 和 _）",
                    f"例如 {key}: p",
                )
            )
    return found


def _extension_refusals(value) -> list[Refusal]:
    return [
        (
            "markdown_extensions",
            where,
            f"不允许 Markdown 扩展 {name[:60]}：它能读取文件或运行代码",
            "可用的扩展：" + "、".join(sorted(e for e in EXTENSIONS if "markdown." not in e)),
        )
        for where, name, _ in _entries(value)
        if name not in EXTENSIONS
    ]
