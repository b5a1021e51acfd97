"""One record's text to a validated model, or the Chinese reasons it is not one.

Problems are RecordError values with the file, the line of the field, a message and a hint.
"""

from __future__ import annotations

from pydantic import BaseModel, ValidationError

from baodan.core import yamlio
from baodan.core.errors import Problem, RecordError, Source, shown
from baodan.core.yamlmerge import CONFLICTS_KEY, noted_fields

# Pydantic error types in plain Chinese: (message, hint).
MESSAGES = {
    "missing": ("缺少必填字段", "请补上这个字段；运行 baodan schema 可查看每个字段的说明"),
    "extra_forbidden": (
        "不认识的字段（可能拼错了，或放错了层级）",
        "请检查拼写和缩进；运行 baodan schema 可查看可用字段",
    ),
    "string_type": ("应为文字", "纯数字的编号或电话请加引号，例如 '95518'"),
    "int_type": ("应为整数", "例如 3"),
    "int_parsing": ("应为整数", "例如 3"),
    "int_from_float": ("应为整数", "不要写小数"),
    "bool_type": ("应为 true 或 false", ""),
    "bool_parsing": ("应为 true 或 false", ""),
    "date_type": ("应为日期", "写成 2026-03-01 这样的格式"),
    "date_parsing": ("应为日期", "写成 2026-03-01 这样的格式"),
    "date_from_datetime_parsing": ("应为日期", "写成 2026-03-01 这样的格式"),
    "date_from_datetime_inexact": ("应为日期（不带时间）", "写成 2026-03-01 这样的格式"),
    "list_type": ("应为列表", "每一项另起一行，以 - 开头"),
    "model_type": ("应为一组字段", "下一行缩进两格，写 字段: 值"),
    "model_attributes_type": ("应为一组字段", "下一行缩进两格，写 字段: 值"),
    "dict_type": ("应为一组字段", "下一行缩进两格，写 字段: 值"),
    "decimal_type": ("应为数字", ""),
    "decimal_parsing": ("应为数字", ""),
    "url_parsing": ("网址格式不对", "写成 https://… 的完整网址"),
    "url_scheme": ("网址格式不对", "写成 https://… 的完整网址"),
    "string_pattern_mismatch": ("格式不对", "请对照字段说明（baodan schema）"),
    "too_short": ("项数太少", ""),
    "string_too_short": ("不能是空白", "填上内容；这一项不需要就删去这一行"),
    "invalid_key": (
        "字段名应为文字",
        "YAML 把 on、off、yes、no 这样的字段名读成“是/否”，数字也不是文字：请对照 baodan schema 改成正确的字段名",
    ),
}


def translate_error(err: dict) -> tuple[str, str]:
    kind = err["type"]
    if err.get("input", "") is None and kind.endswith("_type"):  # `key:` with nothing after it
        what = MESSAGES.get(kind, ("", ""))[1] if kind != "string_type" else ""
        return "必填，不能空着", "在冒号后面填上内容" + (f"（{what}）" if what else "")
    if isinstance(err.get("input"), yamlio.NotADate):
        return (
            f"“{shown(err['input'])}”不是有效日期（没有这一天）",
            "写成 2026-03-01 这样的格式，核对月份和日子（2 月最多 29 天，4、6、9、11 月 30 天）",
        )
    if kind == "value_error":
        problem = Problem.of(err["ctx"]["error"])
        return problem.message, problem.hint
    if kind == "literal_error":
        return f"不是可选值（现在是“{shown(err['input'])}”）", f"只能是：{err['ctx']['expected']}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        limit = next(iter(err["ctx"].values()))
        sign = {
            "greater_than_equal": "≥",
            "greater_than": ">",
            "less_than_equal": "≤",
            "less_than": "<",
        }[kind]
        return f"数值应 {sign} {limit}（现在是 {shown(err['input'])}）", ""
    message, hint = MESSAGES.get(kind, (err["msg"], ""))
    if kind == "string_too_long":
        limit, now = err["ctx"]["max_length"], len(err["input"])
        return (
            f"太长：最多 {limit} 个字，现在有 {now} 个",
            "只写要点；长文、扫描件和附件不要放进记录",
        )
    if kind == "too_short":
        message = f"至少需要 {err['ctx'].get('min_length', 1)} 项"
    return message, hint


def _field(loc: tuple) -> str:
    """A field's path as messages name it; a name from the file (an unknown field) is shown
    shortened."""
    return ".".join(shown(p) if not isinstance(p, int) else f"[{p}]" for p in loc).replace(
        ".[", "["
    )


def parse_record(model: type[BaseModel], text: str, rel: str, context: dict | None = None):
    """Parse and validate one record's YAML (``context``: see ``validate``). Returns (record or
    None, errors)."""
    data, errors = load_yaml(text, rel)
    if errors:
        return None, errors
    return validate(model, data, rel, text, context=context)


def load_yaml(
    text: str, rel: str, limit: int = yamlio.MAX_BYTES
) -> tuple[object, list[RecordError]]:
    """Parsed YAML, or the Chinese reason it does not parse (file, line, what to check)."""
    try:
        return yamlio.load(text, limit), []
    except yamlio.YamlError as e:
        return None, [
            RecordError(
                Source(rel, e.line),
                "",
                str(e),
                e.hint or "检查缩进（用空格，不用 Tab）、冒号后的空格和引号是否成对",
            )
        ]


def validate(
    model: type[BaseModel], data, rel: str, text: str, at: tuple = (), context: dict | None = None
):
    """Validate parsed YAML (found at ``at`` within ``text``) with pydantic's validation
    ``context`` (what the record's checks need from outside it: models/context.py).
    Returns (record or None, errors)."""
    if not isinstance(data, dict):
        return None, [
            RecordError(
                Source(rel, yamlio.line_of(text, at) or 1),
                _field(at),
                "记录应是一组 字段: 值",
                "参考 baodan new 生成的模板",
            )
        ]
    if not at and CONFLICTS_KEY in data:  # the rest is validated: nothing else cascades
        rest = {k: v for k, v in data.items() if k != CONFLICTS_KEY}
        record, errors = validate(model, rest, rel, text, context=context)
        return record, [unresolved_merge(data[CONFLICTS_KEY], rel, text), *errors]
    try:
        record = model.model_validate(data, context=context)
    except ValidationError as e:
        errors = []
        for err in e.errors(include_url=False):
            loc = at + tuple(err["loc"]) + getattr(err.get("ctx", {}).get("error"), "field", ())
            message, hint = translate_error(err)
            errors.append(
                RecordError(Source(rel, yamlio.line_of(text, loc)), _field(loc), message, hint)
            )
        return None, errors
    record._path = rel
    return record, []


def unresolved_merge(note, rel: str, text: str) -> RecordError:
    """A record a merge left with a conflict note (its values are one side's until someone
    decides): an error naming the fields, never their values (check output reaches CI logs)."""
    fields = "、".join(noted_fields(note)) or "（未注明）"
    return RecordError(
        Source(rel, yamlio.line_of(text, (CONFLICTS_KEY,)) or 1),
        CONFLICTS_KEY,
        f"未解决的合并冲突：两边对这些字段改得不一样：{fields}",
        f"运行 baodan edit {rel}，在编辑器里选定取值后保存",
    )


def read_text(data: bytes, rel: str, errors: list) -> str | None:
    """A record's bytes as text; a file saved in another encoding, or too big to be a record,
    is an error, not a crash."""
    try:
        yamlio.check_size(data)
    except yamlio.YamlError as e:
        errors.append(RecordError(Source(rel), "", str(e), e.hint))
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        errors.append(
            RecordError(
                Source(rel),
                "",
                f"文件不是 UTF-8 编码的文字（第 {e.start + 1} 个字节无法识别）",
                "用支持 UTF-8 的编辑器（如 VS Code）另存为 UTF-8；加密记录请用 baodan edit 修改",
            )
        )
        return None
