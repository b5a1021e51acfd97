"""Requests a client sends from their portal (我要报案, 续保意向 …): the kinds and their fields,
and the message token that carries a request to staff through the client's own WeChat, SMS or
mail (the portal has no server).

The portal's form (site_templates/pages/_portal_requests.html.j2, drawn from REQUEST_KINDS)
composes the token in the browser (site_templates/assets/portal_actions.js); staff paste the
whole message into `baodan request`, which reads it back here. The token is
``BD1.<payload>.<check>``: the payload is base64url JSON ``{"p": portal id, "k": kind,
"d": date sent, "f": {field: value}}``; the check is HMAC-SHA256 under the client's request key
(store.portal_crypto.request_key) of ``"BD1." + payload``, cut to 80 bits (20 hex digits).
The key is inside the encrypted page only, so knowing a portal's address is not enough to
make a check code that staff accept.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from baodan.core.errors import BaodanError
from baodan.models.vocab import CLAIM_TYPES, INTENTIONS

PREFIX = "BD1."
CHECK_HEX = 20  # 80 bits: a forger gets one guess per message a staff member pastes
TOKEN = re.compile(r"BD1\.([A-Za-z0-9_-]{8,})\.([0-9a-fA-F]{" + str(CHECK_HEX) + "})")
MAX_TOKEN = 8000  # characters: a form's fields with room to spare; more is not from the portal


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str  # text / long / date / phone / choice / policy (one of the client's policies)
    required: bool = False
    max_length: int = 60
    choices: dict[str, str] = field(default_factory=dict)
    hint: str = ""


@dataclass(frozen=True)
class RequestKind:
    code: str
    title: str
    intro: str
    fields: tuple[FieldSpec, ...]
    one_of: tuple[str, ...] = ()  # at least one of these fields must be filled

    def spec(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)


_POLICY = FieldSpec("policy", "哪张保单", "policy", required=True)
_NOTE = FieldSpec("note", "补充说明", "long", max_length=300)
REQUEST_KINDS: dict[str, RequestKind] = {
    k.code: k
    for k in (
        RequestKind(
            "claim",
            "我要报案",
            "出险后请先拨打保险公司报案电话，再告诉我们，我们协助您准备理赔材料。",
            (
                _POLICY,
                FieldSpec("type", "出险类型", "choice", required=True, choices=CLAIM_TYPES),
                FieldSpec("incident_date", "出险日期", "date", required=True),
                FieldSpec("description", "经过", "long", required=True, max_length=500),
                FieldSpec("phone", "联系电话", "phone", max_length=20),
            ),
        ),
        RequestKind(
            "contact",
            "修改联系方式/地址",
            "我们核实后为您更新，并通知保险公司。",
            (
                FieldSpec("mobile", "新手机号", "phone", max_length=20),
                FieldSpec("email", "新电子邮箱", "text", max_length=100),
                FieldSpec("address", "新地址", "long", max_length=200),
                _NOTE,
            ),
            one_of=("mobile", "email", "address"),
        ),
        RequestKind(
            "renewal",
            "续保意向",
            "告诉我们您是否打算续保，我们据此为您办理或停止提醒。",
            (
                _POLICY,
                FieldSpec("intention", "您的打算", "choice", required=True, choices=INTENTIONS),
                _NOTE,
            ),
        ),
        RequestKind(
            "consult",
            "预约咨询",
            "想了解保障或理赔？约个时间，客户经理联系您。",
            (
                FieldSpec("topic", "想咨询什么", "text", required=True, max_length=100),
                FieldSpec("day", "希望日期", "date"),
                FieldSpec(
                    "way",
                    "方式",
                    "choice",
                    choices={"phone": "电话", "wechat": "微信", "office": "到公司面谈"},
                ),
                _NOTE,
            ),
        ),
        RequestKind(
            "reissue",
            "补发保单",
            "保单原件丢失或损坏，或需要电子保单，我们协助您向保险公司申请。",
            (
                _POLICY,
                FieldSpec(
                    "reason",
                    "原因",
                    "choice",
                    required=True,
                    choices={"lost": "原件遗失", "damaged": "原件损坏", "copy": "需要电子保单"},
                ),
                _NOTE,
            ),
        ),
    )
}


@dataclass(frozen=True)
class Token:
    """A request as it arrived: not yet checked against any client."""

    body: str  # "BD1.<payload>": what the check code signs
    check: str
    portal_id: str
    kind: RequestKind
    sent_on: date
    values: dict[str, str]


def check_code(key: bytes, body: str) -> str:
    return hmac.new(key, body.encode("ascii"), hashlib.sha256).hexdigest()[:CHECK_HEX]


def is_genuine(key: bytes, token: Token) -> bool:
    return hmac.compare_digest(check_code(key, token.body), token.check)


_BAD = "粘贴的内容里没有完整的请求编码"
_BAD_HINT = (
    "请把客户发来的整条消息（含 BD1. 开头的那一行）原样粘贴；"
    "如果编码不全，请客户在专属页面重新提交并完整转发"
)


def read_token(text: str) -> Token:
    """The request in a pasted message: whatever surrounds it (a greeting, a signature, line
    breaks an app put in) is ignored. Raises BaodanError (Chinese) when there is none or it is
    not one the portal makes."""
    start = text.find(PREFIX)
    if start < 0:
        raise BaodanError(_BAD, _BAD_HINT)
    tail = re.sub(r"\s+", "", text[start : start + MAX_TOKEN + 200])
    m = TOKEN.match(tail)
    if m is None or len(m.group(1)) > MAX_TOKEN:
        raise BaodanError(_BAD, _BAD_HINT)
    payload = m.group(1)
    try:
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (binascii.Error, ValueError):
        raise BaodanError(_BAD, _BAD_HINT) from None
    if not isinstance(data, dict) or set(data) != {"p", "k", "d", "f"}:
        raise BaodanError(_BAD, _BAD_HINT)
    kind = REQUEST_KINDS.get(data["k"]) if isinstance(data["k"], str) else None
    if kind is None or not isinstance(data["f"], dict):
        raise BaodanError(_BAD, _BAD_HINT)
    if not isinstance(data["p"], str) or not re.fullmatch(r"[A-Za-z0-9_-]{16,64}", data["p"]):
        raise BaodanError(_BAD, _BAD_HINT)
    try:
        sent_on = date.fromisoformat(data["d"])
    except (TypeError, ValueError):
        raise BaodanError(_BAD, _BAD_HINT) from None
    return Token(
        f"{PREFIX}{payload}",
        m.group(2).lower(),
        data["p"],
        kind,
        sent_on,
        {k: v for k, v in data["f"].items() if isinstance(k, str)},
    )


def plain(value: str) -> str:
    """A field as typed, without what can hide or reorder text on a terminal or a page:
    control characters (except line breaks), zero-width and direction marks."""
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n")
    kept = (
        c
        for c in value
        if c == "\n" or unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co", "Cn")
    )
    return "".join(kept).strip()


def request_fields(token: Token, policies: set[str], today: date) -> dict[str, object]:
    """The token's fields, checked against its kind's form: known names only, within their
    lengths, choices from their lists, a policy of this client's, real dates. Raises one
    BaodanError listing every problem."""
    kind = token.kind
    problems = [f"表单里没有“{plain(n)[:20]}”这一项" for n in token.values if kind.spec(n) is None]
    out: dict[str, object] = {}
    for spec in kind.fields:
        raw = token.values.get(spec.name)
        value = plain(raw) if isinstance(raw, str) else ""
        if raw is not None and not isinstance(raw, str):
            problems.append(f"{spec.label}：不是文字")
        elif len(value) > spec.max_length:
            problems.append(f"{spec.label}：超过 {spec.max_length} 个字")
        elif not value:
            if spec.required:
                problems.append(f"{spec.label}：没有填写")
        elif spec.kind == "choice" and value not in spec.choices:
            problems.append(f"{spec.label}：不是表单里的选项")
        elif spec.kind == "policy" and value not in policies:
            problems.append(f"{spec.label}：这位客户名下没有保单 {value[:30]}")
        elif spec.kind == "date":
            try:
                day = date.fromisoformat(value)
            except ValueError:
                problems.append(f"{spec.label}：“{value[:20]}”不是日期")
                continue
            if spec.name == "incident_date" and day > today:
                problems.append(f"{spec.label}：{day} 在未来")
            out[spec.name] = day
        elif spec.kind == "phone" and not re.fullmatch(r"[0-9+\- ]{5,20}", value):
            problems.append(f"{spec.label}：“{value}”不是电话号码")
        else:
            out[spec.name] = value
    if kind.one_of and not any(out.get(n) for n in kind.one_of):
        names = "、".join(kind.spec(n).label for n in kind.one_of)
        problems.append(f"{names}至少要填一项")
    if problems:
        raise BaodanError(
            "请求内容不符合表单：" + "；".join(problems),
            "这不是专属页面表单能提交的内容，请不要登记；向客户核实后按实际情况记录",
        )
    return out


def shown(spec: FieldSpec, value: object) -> str:
    """A field's value as staff and the client read it."""
    if spec.kind == "choice":
        return spec.choices.get(str(value), str(value))
    return str(value)
