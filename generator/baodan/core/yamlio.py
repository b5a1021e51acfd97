"""YAML in and out.

Builds parse tens of thousands of records. Reading first tries ``blockyaml``, a line parser for
the block YAML baodan writes (about half libyaml's cost per record, node objects and all); it
declines anything it is not sure of. Then PyYAML's C parser (about 3x faster than
ruamel.yaml's, measured on records of this shape) and, for plain documents, Python values built
straight from its nodes (``_build``), about twice as fast as PyYAML's general constructor;
anything unusual (anchors, merge keys, other tags, errors) goes through the general
constructor, so all three give the same values and the same errors. Writing a
record a person edits uses ruamel.yaml round-trip, which keeps comments, key order and quoting.
Line numbers for error messages are looked up with ruamel only when a record has an error.
"""

from __future__ import annotations

import io
import re
from collections.abc import Hashable
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedBase
from ruamel.yaml.constructor import RoundTripConstructor

from baodan.core import blockyaml
from baodan.core.errors import BaodanError, RecordError, Source, shown

# No record is near this; a larger file is refused before it is parsed.
MAX_BYTES = 256 * 1024


class _Loader(yaml.CSafeLoader):
    """Safe loader: decimals stay exact (money is never a float), duplicate keys are errors."""

    def resolve(self, kind, value, implicit):
        """PyYAML's Resolver.resolve for a resolver without path resolvers: it runs for every
        node, a million times a build. Field names and choices (status: active) recur in every
        record, so a plain scalar's tag is remembered."""
        if kind is yaml.ScalarNode:
            if not implicit[0]:
                return _STR
            tag = _PLAIN_TAGS.get(value)
            if tag is None:
                tag = _plain_tag(value)
                if len(_PLAIN_TAGS) < 100_000:
                    _PLAIN_TAGS[value] = tag
            return tag
        return _SEQ if kind is yaml.SequenceNode else _MAP

    # Without path resolvers these do nothing; the C composer calls them for every node.
    def descend_resolver(self, current_node, current_index):
        pass

    def ascend_resolver(self):
        pass


def _plain_tag(value: str) -> str:
    for tag, regexp in _IMPLICIT.get(value[:1], ()):
        if regexp.match(value):
            return tag
    return _STR


_PLAIN_TAGS: dict[str, str] = {}
_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_IMPLICIT = _Loader.yaml_implicit_resolvers
assert None not in _IMPLICIT and not _Loader.yaml_path_resolvers  # what resolve() relies on


def _decimal(loader: yaml.Loader, node: yaml.ScalarNode):
    text = loader.construct_scalar(node).replace("_", "")
    try:
        return Decimal(text)
    except InvalidOperation:  # .inf / .nan
        return text


def _mapping(loader: yaml.Loader, node: yaml.MappingNode, deep: bool = False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if not isinstance(key, Hashable):
            raise yaml.constructor.ConstructorError(
                None, None, "字段名不能是列表或一组字段", key_node.start_mark
            )
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"重复的字段名“{shown(key)}”", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


class NotADate(str):
    """A value written like a date that is none (2026-02-30). It stays text, so that the
    record's validation names its field among all the record's problems (a date field then
    says it is no date: core/parse.py), instead of one YAML error for the whole file."""


def _timestamp(loader: yaml.Loader, node: yaml.ScalarNode):
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:  # 2026-02-30: looks like a date, is none
        return NotADate(node.value)


_Loader.add_constructor("tag:yaml.org,2002:float", _decimal)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
_Loader.add_constructor("tag:yaml.org,2002:map", _mapping)


class YamlError(ValueError):
    def __init__(self, message: str, line: int, hint: str = ""):
        super().__init__(message)
        self.line = line
        self.hint = hint


_SCALARS = {
    _STR: None,
    "tag:yaml.org,2002:null": _Loader.construct_yaml_null,
    "tag:yaml.org,2002:bool": _Loader.construct_yaml_bool,
    "tag:yaml.org,2002:int": _Loader.construct_yaml_int,
    "tag:yaml.org,2002:float": _decimal,
    "tag:yaml.org,2002:timestamp": _timestamp,
}


class _Unusual(Exception):
    """The document needs PyYAML's general constructor."""


# Values of the other scalars (dates, numbers, booleans): all immutable, and dates recur
# across records (one policy's dates are its audit's, its intake's, its claims'), so each is
# constructed once.
_SCALAR_VALUES: dict[tuple[str, str], object] = {}


def forget() -> None:
    """Drop the values remembered while reading records: a few MB of line texts a build holds
    no longer once its firm is read (its records keep the values they use)."""
    _SCALAR_VALUES.clear()
    blockyaml.forget()


_CONSTRUCTOR = yaml.constructor.SafeConstructor()  # what _SCALARS' functions use of a loader


def _constructed(tag: str, text: str):
    """The value of a scalar other than a string: ``text`` with ``tag``; raises _Unusual for a
    tag outside _SCALARS."""
    key = (tag, text)
    value = _SCALAR_VALUES.get(key, _Unusual)
    if value is _Unusual:
        if tag not in _SCALARS:
            raise _Unusual
        value = _SCALARS[tag](_CONSTRUCTOR, yaml.ScalarNode(tag, text))
        if len(_SCALAR_VALUES) < 100_000:
            _SCALAR_VALUES[key] = value
    return value


def _plain_value(text: str):
    """The value of a plain scalar written ``text``, for blockyaml."""
    tag = _plain_tag(text)
    if tag == _STR:
        return text
    try:
        return _constructed(tag, text)
    except _Unusual:  # "<<" (merge) or "=" (value): the general constructor's to refuse
        raise blockyaml.Declined from None


def _build(node: yaml.Node):
    """The value of a node of a plain document: str, null, bool, int, float, timestamp scalars,
    lists, and mappings with distinct scalar keys; anything else raises _Unusual."""
    cls = node.__class__
    if cls is yaml.ScalarNode:
        tag = node.tag
        if tag == _STR:
            return node.value
        try:
            return _constructed(tag, node.value)
        except _MISFIT:
            return _raise(f"YAML 格式错误：{MISFIT}", node.start_mark.line + 1)
    if cls is yaml.MappingNode and node.tag == _MAP:
        out = {}
        for key_node, value_node in node.value:
            if key_node.__class__ is not yaml.ScalarNode:
                raise _Unusual
            key = key_node.value if key_node.tag == _STR else _build(key_node)
            if key in out:  # duplicate keys: the general constructor words the error
                raise _Unusual
            if value_node.__class__ is yaml.ScalarNode and value_node.tag == _STR:
                out[key] = value_node.value
            else:
                out[key] = _build(value_node)
        return out
    if cls is yaml.SequenceNode and node.tag == _SEQ:
        return [_build(item) for item in node.value]
    raise _Unusual


def _load_plain(text: str | bytes):
    """A document without anchors (so without aliases), built from its nodes; raises _Unusual
    for anything the general constructor must handle, errors included."""
    if _may_anchor(text):
        raise _Unusual
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return None if node is None else _build(node)
    except yaml.YAMLError:
        raise _Unusual from None
    except RecursionError:  # no record nests deeper than a few levels
        return _raise("YAML 格式错误：嵌套层数太多", 0)
    finally:
        loader.dispose()


def load(text: str | bytes, limit: int = MAX_BYTES):
    """Parse one YAML document (of at most ``limit`` bytes); raise YamlError with a Chinese
    message and 1-based line."""
    check_size(text, limit)
    try:
        return blockyaml.parse(text, _plain_value)
    except blockyaml.Declined:
        return load_libyaml(text)


def load_libyaml(text: str | bytes):
    """``load`` without its size check and blockyaml's fast path: libyaml's nodes, and
    PyYAML's general constructor for what they cannot build."""
    try:
        return _load_plain(text)
    except _Unusual:
        pass
    _refuse_anchors(text)
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as e:
        problem = e.problem or e.context or str(e)
        # An unclosed quote or bracket, a key without its colon, is noticed lines later: point
        # at where it started.
        unclosed = any(t in problem for t in ("end of stream", "expected ':'", "expected ','"))
        mark = e.context_mark if unclosed and e.context_mark else (e.problem_mark or e.context_mark)
        return _raise(f"YAML 格式错误：{_in_chinese(problem)}", mark.line + 1 if mark else 0)
    except yaml.reader.ReaderError as e:  # a control character, or bytes that are not UTF-8
        chars = text if isinstance(text, str) else text.decode("utf-8", "replace")
        line = chars[: e.position].count("\n") + 1
        return _raise("YAML 格式错误：这一行有不能出现在文件里的控制字符或无法识别的字节", line)
    except yaml.YAMLError as e:
        return _raise(f"YAML 格式错误：{shown(e, 200)}", 0)
    except RecursionError:
        return _raise("YAML 格式错误：嵌套层数太多", 0)
    except _MISFIT:
        return _raise(f"YAML 格式错误：{MISFIT}", 0)


# A value with an explicit tag it does not fit (!!int 'abc', !!timestamp x): PyYAML's
# constructors fail with these, not with a YAMLError.
_MISFIT = (ValueError, KeyError, AttributeError, TypeError)
MISFIT = "以 ! 开头的值要加引号（!!int 这样的标记和后面的值对不上）"


def check_size(text: str | bytes, limit: int = MAX_BYTES) -> None:
    """Refuse a record larger than ``limit`` (UTF-8), before anything parses it."""
    if len(text) * (1 if isinstance(text, bytes) else 4) <= limit:
        return  # the common case, without encoding anything
    size = len(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    if size > limit:
        raise YamlError(
            f"文件太大（{size // 1024} KB），一份记录最多 {limit // 1024} KB，没有读取",
            0,
            "记录里只写字段和简短说明；长文、扫描件和附件不要放进记录。"
            "若不是你改的，请从 git 恢复上一次提交的版本",
        )


ANCHOR_HINT = (
    "记录里每个值都直接写出来，不能用 &名字 定义、用 *名字 引用（那样一行可以展开成几十亿行）；"
    "值本身以 & 或 * 开头时请加引号，如 name: '&公司'"
)


# An anchor is a token of its own: its "&" follows a space, a line break, a flow indicator
# or the start, never a letter or digit ("A&B", "张&李", "?a=1&b=2" hold none). Without an
# anchor an alias is an error, so only these documents need the scan (and the general loader).
_ANCHOR_AT = re.compile(r"(?<!\w)&")
_ANCHOR_AT_BYTES = re.compile(rb"(?<!\w)&")


def _may_anchor(text: str | bytes) -> bool:
    if isinstance(text, bytes):
        return b"&" in text and _ANCHOR_AT_BYTES.search(text) is not None
    return "&" in text and _ANCHOR_AT.search(text) is not None


def _refuse_anchors(text: str | bytes) -> None:
    """Anchors (&a) and aliases (*a) let a few lines stand for billions of values (the
    "billion laughs"); records never need them. Only a document ``_may_anchor`` can hold one,
    so the others are not scanned; the scan is libyaml's event stream, which builds nothing.
    A document that does not parse is left to the parser to word."""
    if not _may_anchor(text):
        return
    loader = _Loader(text)
    try:
        while (event := loader.get_event()) is not None:
            if getattr(event, "anchor", None) is not None:
                raise YamlError(
                    "YAML 格式错误：不能使用锚点（&）和别名（*）",
                    event.start_mark.line + 1,
                    ANCHOR_HINT,
                )
    except yaml.YAMLError:
        pass
    finally:
        loader.dispose()


# What PyYAML's complaints mean to a person who just edited a record.
PROBLEMS = {
    "mapping values are not allowed": "这一行多了“冒号+空格”，或缩进不齐"
    "（值里有冒号时请给整个值加引号，如 notes: '时间: 下午'）",
    "tab character": "用了 Tab 键缩进，请改用空格",
    "cannot start any token": "这一行开头有不能直接写的字符（Tab 缩进，或 @、` 开头的值要加引号）",
    "expected ',' or ']'": "方括号 [ ] 没有配对，如 [保单保管, 续保提醒]",
    "expected ',' or '}'": "花括号 { } 没有配对",
    "end of stream": "从这一行开始的引号或括号一直没有结束",
    "did not find expected key": "缩进不齐：这一行没有和同一层的字段左对齐",
    "expected <block end>": "缩进不齐：这一行没有和同一层的字段左对齐",
    "could not find expected ':'": "这一行缺少冒号（应写成 字段: 值）",
    "unknown escape character": "双引号里的反斜杠 \\ 写法不对（请改用单引号）",
    "undefined alias": "以 * 开头的值要加引号",
    "another document": "一个文件只能有一份记录（请删去 --- 分隔线）",
    "constructor for the tag": "以 ! 开头的值要加引号",
    "expected whitespace or line break": "以 ! 开头的值要加引号",
    # newer PyYAML wheels' libyaml stops deep nesting itself (6.0.4); older ones recurse
    "exceeded maximum nesting depth": "嵌套层数太多",
}


def _in_chinese(problem: str) -> str:
    return next((zh for en, zh in PROBLEMS.items() if en in problem), shown(problem, 200))


def _raise(message: str, line: int):
    raise YamlError(message, line)


class _RoundTripConstructor(RoundTripConstructor):
    def construct_yaml_timestamp(self, node, values=None):
        try:
            return super().construct_yaml_timestamp(node, values)
        except ValueError:  # 2026-02-30: kept as written, for validation to name
            return NotADate(node.value)


_RoundTripConstructor.add_constructor(
    "tag:yaml.org,2002:timestamp", _RoundTripConstructor.construct_yaml_timestamp
)


def roundtrip() -> YAML:
    y = YAML()
    y.Constructor = _RoundTripConstructor
    y.preserve_quotes = True
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 4096
    # A value used twice (one date for two items) must not become an &anchor / *alias.
    y.representer.ignore_aliases = lambda data: True
    y.representer.add_representer(Decimal, _represent_decimal)
    y.representer.add_representer(
        NotADate, lambda r, v: r.represent_scalar("tag:yaml.org,2002:timestamp", str(v))
    )
    return y


def _represent_decimal(representer, value: Decimal):
    """Money as a person writes it: 500000, 268.50 (not !!float '500000' or 5E+5)."""
    if value == value.to_integral_value():
        return representer.represent_int(int(value))
    return representer.represent_scalar("tag:yaml.org,2002:float", format(value, "f"))


def load_roundtrip(text: str, rel: str = "<baodan>"):
    """Round-trip data of a record's text (the file ``rel``). The same limits as ``load``: a
    record with aliases would be written back expanded."""
    try:
        check_size(text)
        _refuse_anchors(text)
    except YamlError as e:
        raise BaodanError(RecordError(Source(rel, e.line), "", str(e), e.hint)) from None
    return roundtrip().load(text)


def dump_roundtrip(data, like: str | None = None) -> str:
    """Write round-trip data. With ``like``, the text it was read from, lists keep that text's
    indentation (records written by libyaml put a list's dashes under its key), so a changed
    value is the only line that changes."""
    y = roundtrip()
    if like is not None and INDENTLESS_LIST.search(like):
        y.indent(mapping=2, sequence=2, offset=0)
    buf = io.StringIO()
    y.dump(data, buf)
    return buf.getvalue()


# A key with nothing after the colon, then a list item at the key's own indentation.
INDENTLESS_LIST = re.compile(r"^( *)[^\s#-][^\n]*:\n\1- ", re.MULTILINE)


@lru_cache(maxsize=4)
def _tree(text: str):
    """A record with several errors asks for several lines: parse it once."""
    return load_roundtrip(text)


def line_of(text: str, path: tuple) -> int:
    """1-based line of the value at ``path`` (keys and list indexes), or of its nearest parent."""
    try:
        node = _tree(text)
    except Exception:
        return 0
    line = 0
    for part in path:
        if not isinstance(node, CommentedBase):
            break
        try:
            if isinstance(node, dict):
                if part not in node:
                    break
                line = node.lc.key(part)[0] + 1
            else:
                line = node.lc.item(part)[0] + 1
            node = node[part]
        except (KeyError, IndexError, TypeError, AttributeError):
            break
    return line
