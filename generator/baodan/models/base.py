"""Shared model pieces: the strict base class, money, identifiers, dates."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
)
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

from baodan.core.errors import Problem, shown
from baodan.models.context import today_of
from baodan.models.ids import CROCKFORD

MOBILE = re.compile(r"^1[3-9]\d{9}$")
ACCESS_CODE_CHARS = 20  # 100 bits
# What a person may type: Crockford's decoding reads O as 0 and I, L as 1.
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


class FieldProblem(Problem):
    """A whole-record check's finding about one of its fields: the error then names that
    field and its line, not just the file."""

    def __init__(self, field: str, message: str, hint: str = ""):
        super().__init__(message, hint)
        self.field = tuple(field.split("."))


# How long a text may be, by the kind of field: a name or a title, and any other text (notes,
# summaries). A record is at most 256 KB (core/yamlio.py); a field long past these is a paste
# gone wrong, and it is named, rather than the whole record refused.
SHORT_TEXT = 256
LONG_TEXT = 20_000


class Model(BaseModel):
    """Records reject unknown fields (a typo must be an error, not silently ignored), blank
    texts (spaces only count as nothing) and texts longer than LONG_TEXT."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        str_min_length=1,
        str_max_length=LONG_TEXT,
        frozen=False,
    )


# A name or a title: one line, SHORT_TEXT characters at most.
ShortText = Annotated[str, Field(max_length=SHORT_TEXT)]


def _not_future(value: date, info: ValidationInfo) -> date:
    today = today_of(info)
    if today is not None and value > today:
        raise Problem(f"日期 {value} 在未来（今天是 {today}）", "只填已经发生的日期")
    return value


# A date of something that has happened: not after today (the validation context's).
PastDate = Annotated[date, AfterValidator(_not_future)]


class Record(Model):
    """A record stored in its own file; the loader notes the file (relative to the firm root)."""

    _path: str = PrivateAttr(default="")
    _client_id: str = PrivateAttr(default="")

    # Read from pydantic's store of private values: ``self._path`` goes through
    # BaseModel.__getattr__, ten times slower, and checks read these for every record.
    @property
    def path(self) -> str:
        return self.__pydantic_private__["_path"]

    @property
    def client_id(self) -> str:
        """The client folder a record lives in (set by the loader)."""
        return self.__pydantic_private__["_client_id"]


def _money(value: Any) -> Decimal:
    if isinstance(value, (bool, float)):
        raise Problem("金额不能是浮点数", "写成整数或带两位小数的文字，例如 500000 或 '1234.50'")
    if isinstance(value, int):
        return _amount(value)
    if isinstance(value, str):
        value = value.replace(",", "").replace("，", "").strip()
        if not re.fullmatch(r"-?\d+(\.\d{1,2})?", value):
            raise Problem(
                f"金额“{shown(value)}”格式不对", "写成数字，最多两位小数，例如 500000 或 1234.50"
            )
        return _amount(value)
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        if not isinstance(exponent, int) or exponent > 0 or exponent < -2:
            raise Problem(
                f"金额 {shown(value)} 不是以元为单位、最多两位小数的数",
                "写成 500000 或 1234.50，不要用 1e5 这类写法",
            )
        return value
    raise Problem("金额应为数字", "例如 500000 或 1234.50")


@lru_cache(maxsize=65536)  # amounts recur across records (sums insured): one object each
def _amount(value: int | str) -> Decimal:
    return Decimal(value)


def _non_negative(value: Decimal) -> Decimal:
    if value < 0:
        raise Problem("金额不能为负数", "请检查是否多写了负号")
    return value


Money = Annotated[Decimal, BeforeValidator(_money), AfterValidator(_non_negative)]


def _resident_id(value: str, info: ValidationInfo) -> str:
    """GB 11643-1999: 18 characters, a real birth date not after today (the validation
    context's), the check character."""
    value = str(value).strip().upper()
    if problem := _resident_id_problem(value, today_of(info)):
        raise Problem(*problem)
    return value


@lru_cache(maxsize=65536)  # a client's number recurs in each of their policies
def _resident_id_problem(value: str, today: date | None) -> tuple[str, str] | None:
    """What is wrong with a resident ID number (message, hint), or None. The area code is not checked against
    the year it existed: older real IDs keep codes that were later renamed (stdnum's
    validate() would reject them)."""
    if not re.fullmatch(r"\d{17}[\dX]", value):
        # The value itself stays out of the message: check output goes to CI logs.
        return (
            f"身份证号应为 18 位数字（最后一位可以是 X），现在是 {len(value)} 个字符",
            "请对照证件重新录入",
        )
    try:
        birth = ric.get_birth_date(value)
    except StdnumError:
        return "身份证号中的出生日期不是有效日期", "请对照证件重新录入第 7–14 位"
    if today is not None and birth > today:
        return "身份证号中的出生日期在未来", "请对照证件重新录入第 7–14 位"
    if ric.calc_check_digit(value) != value[-1]:
        return "身份证号校验位不对（最后一位）", "多半是某一位录错了，请对照证件逐位核对"
    return None


def _uscc(value: str) -> str:
    if (valid := _valid_uscc(str(value).strip().upper())) is None:
        raise Problem(
            "统一社会信用代码无效（应为 18 位，校验位要对，不含 I、O、S、V、Z）",
            "请对照营业执照重新录入",
        )
    return valid


@lru_cache(maxsize=65536)  # a company client's code recurs in each of their policies
def _valid_uscc(value: str) -> str | None:
    try:
        return uscc.validate(value)
    except StdnumError:
        return None


def _mobile(value: Any) -> str:
    value = str(value).strip().replace(" ", "").replace("-", "")
    if not MOBILE.match(value):
        raise Problem(
            "手机号应为 11 位数字，以 1 开头、第二位是 3–9", "请核对号码；固定电话请填在 phone 字段"
        )
    return value


def _phone(value: Any) -> str:
    """A landline or hotline; YAML reads 95518 as a number, which is fine here."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def canonical_access_code(text: Any) -> str:
    """The 20 characters a portal access code stands for, from whatever a person typed or a
    link carried (any case, with or without hyphens and spaces)."""
    chars = re.sub(r"[\s\-]", "", str(text)).upper().translate(_LOOKALIKES)
    if len(chars) != ACCESS_CODE_CHARS:
        raise Problem(
            f"访问码应为 {ACCESS_CODE_CHARS} 位（不算连字符），现在是 {len(chars)} 位",
            "运行 baodan portal rotate 客户编号 生成新的访问码",
        )
    if any(c not in CROCKFORD for c in chars):
        raise Problem(
            "访问码只能由数字和字母组成（不含 I、L、O、U）",
            "运行 baodan portal rotate 客户编号 生成新的访问码",
        )
    return chars


def format_access_code(text: Any) -> str:
    """An access code as people read it: XXXXX-XXXXX-XXXXX-XXXXX."""
    chars = canonical_access_code(text)
    return "-".join(chars[i : i + 5] for i in range(0, len(chars), 5))


Phone = Annotated[str, BeforeValidator(_phone)]
AccessCode = Annotated[str, BeforeValidator(format_access_code)]
ResidentId = Annotated[str, BeforeValidator(_resident_id)]
USCC = Annotated[str, BeforeValidator(_uscc)]
Mobile = Annotated[str, BeforeValidator(_mobile)]
Slug = Annotated[str, AfterValidator(lambda v: _slug(v))]


def _slug(value: str) -> str:
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", value):
        raise Problem("编号只能用小写字母、数字和连字符", "例如 zhang-wei 或 c-7f3a9b2e")
    return value


def mask_id(value: str | None) -> str:
    """An ID number or USCC as lists show it: first 3, last 4."""
    if not value:
        return ""
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_mobile(value: str | None) -> str:
    if not value:
        return ""
    return value[:3] + "****" + value[-4:]


def mask_policy_no(value: str | None) -> str:
    if not value:
        return ""
    return "*" * max(len(value) - 4, 0) + value[-4:]


def yuan(value) -> str:
    """Money as people read it: 500000 → 50万元, 1234.5 → 1,234.50元."""
    if value is None:
        return ""
    if value >= 10000 and value % 100 == 0:
        wan = value / 10000
        return f"{wan.normalize():f}万元"
    return f"{value:,.2f}元"
