"""`baodan request`: a request a client sent from their portal, pasted by staff, checked and
recorded as the record it calls for (a claim, a renewal contact, a consultation, a task or an
emergency-plan incident), each through the command that makes that record by hand.

The check code (domain/requests.py) is verified with the key derived from the access code in
the client's record: a message whose code does not match is refused before anything is shown
as the client's. What the client typed is checked against the form (lengths, choices, their
own policies) and recorded as text; nothing in it is run or used as a path.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from baodan.checks.privacy import privacy_rules
from baodan.core.errors import BaodanError
from baodan.core.today import today
from baodan.domain import claims
from baodan.domain.requests import RequestKind, Token, is_genuine, read_token, request_fields
from baodan.domain.requests import shown as shown_value
from baodan.models import Claim, ClientFile
from baodan.models.client import has_left
from baodan.models.vocab import CLAIM_TYPES
from baodan.services import actions
from baodan.services.editing import create_record
from baodan.services.policyfile import open_policy
from baodan.services.renew import record_contact
from baodan.store.portal_crypto import request_key
from baodan.store.workspace import new_claim_id

# What each kind becomes, as `baodan request` tells staff before they confirm.
BECOMES = {
    "claim": "新建理赔记录（含材料清单）",
    "contact": "给客户服务部的任务：核实并更新联系方式",
    "renewal": "续保联系记录（客户的续保意向）",
    "consult": "咨询记录，并按客户希望的日期跟进",
    "reissue": "应急事件“保单遗失”（原件遗失或损坏时）或给客户服务部的任务（需要电子保单时）",
}
SERVICE = "客户服务部"


@dataclass
class IncomingRequest:
    cf: ClientFile
    kind: RequestKind
    sent_on: date
    check: str
    values: dict[str, object]

    def lines(self) -> list[tuple[str, str]]:
        """(label, value) pairs, in the form's order, as staff read them."""
        return [
            (spec.label, self._shown(spec.name))
            for spec in self.kind.fields
            if spec.name in self.values
        ]

    def _shown(self, name: str) -> str:
        spec = self.kind.spec(name)
        value = self.values[name]
        if spec.kind == "policy":
            p = next(p for p in self.cf.policies if p.registry_no == value)
            return f"{p.product}（{p.registry_no}）"
        return shown_value(spec, value)

    def text(self) -> str:
        """The request in one paragraph, kept in the record it becomes."""
        said = "；".join(f"{label}：{value}" for label, value in self.lines())
        return (
            f"客户于 {self.sent_on} 通过专属页面提交“{self.kind.title}”：{said}"
            f"（请求校验码 {self.check}）"
        )


@dataclass
class Recorded:
    paths: list[Path]
    notes: list[str]  # what staff do next, in Chinese


def read_request(s: actions.Session, text: str) -> IncomingRequest:
    """The request in ``text``, from a client of this firm, with a check code that matches
    their current access code. Raises BaodanError (Chinese) otherwise; nothing is written."""
    token = read_token(text)
    cf = _client(s, token)
    if not is_genuine(request_key(cf.client.portal.key, token.portal_id), token):
        raise BaodanError(
            "请求的校验码不对：这条消息不是从这位客户的专属页面发出的，或在转发时被改动过",
            "不要登记。请直接打电话向客户核实；如果客户的访问码最近更换过，"
            "请客户用新链接打开专属页面重新提交",
        )
    if has_left(cf.client, today()):
        raise BaodanError(
            f"客户 {cf.client.id} 已终止服务或撤回了个人信息处理同意，不能再登记新记录",
            "请直接联系客户说明；客户要恢复服务时，先补签同意并修改客户记录",
        )
    policies = {p.registry_no for p in cf.policies}
    values = request_fields(token, policies, today())
    if _already_recorded(cf, token.check):
        raise BaodanError(
            f"这条请求（校验码 {token.check}）已经登记过了",
            "同一条消息不需要再登记；客户有新的请求会带新的校验码",
        )
    return IncomingRequest(cf, token.kind, token.sent_on, token.check, values)


def _client(s: actions.Session, token: Token) -> ClientFile:
    for cf in s.firm.clients.values():
        if cf.client.portal is not None and cf.client.portal.id == token.portal_id:
            return cf
    raise BaodanError(
        "没有哪位客户的专属页面与这条请求对应",
        "可能客户的页面已更换（baodan portal rotate）或客户已离开；请直接联系客户核实，"
        "或请客户用新链接重新提交",
    )


def _already_recorded(cf: ClientFile, check: str) -> bool:
    texts = [
        *(i.summary for i in cf.interactions),
        *(t.notes or "" for t in cf.tasks),
        *(c.description or "" for c in cf.claims),
        *(i.title for i in cf.incidents),
    ]
    return any(check in t for t in texts)


def record_request(
    s: actions.Session, req: IncomingRequest, *, staff: str | None, channel: str
) -> Recorded:
    """Write the record ``req`` calls for, through the same checks as the command that makes
    it by hand; ``channel`` is how the message reached the firm (wechat, sms, email)."""
    recorder = {
        "claim": _claim,
        "contact": _contact,
        "renewal": _renewal,
        "consult": _consult,
        "reissue": _reissue,
    }[req.kind.code]
    return recorder(s, req, staff=staff, channel=channel)


def _claim(s, req: IncomingRequest, *, staff, channel) -> Recorded:
    v = req.values
    consent = req.cf.client.consent
    if v["type"] in privacy_rules(s.firm.rules).sensitive.claim_types and not (
        consent and consent.sensitive
    ):
        raise BaodanError(
            f"客户还没有单独同意处理敏感个人信息，不能登记{CLAIM_TYPES[v['type']]}理赔（含健康信息）",
            "先请客户单独签署敏感个人信息处理同意，用 baodan edit "
            f"{req.cf.client.id} 把 consent.sensitive 改为 true，再用同一条消息运行 baodan request",
        )
    day = today()
    claim_id = new_claim_id()
    data = {
        "id": claim_id,
        "policy": v["policy"],
        "type": v["type"],
        "incident_date": v["incident_date"],
        # the day the client sent it, unless their phone's clock says something impossible
        "reported_on": req.sent_on if v["incident_date"] <= req.sent_on <= day else day,
        "description": req.text(),
        "handler": s.staff(staff, "--staff") or req.cf.client.manager,
        "stages": [{"stage": "reported", "date": day}],
        "materials": [],
    }
    path = s.record_path(req.cf, "claims", claim_id)
    create_record(s.ws, path, data)
    items = claims.checklist(Claim.model_validate(data), s.firm.rules)
    needed = "、".join(i.item for i in items if i.required)
    return Recorded(
        [path],
        [
            f"理赔 {claim_id}（{CLAIM_TYPES[v['type']]}）已建立，请把材料清单发给客户：{needed}",
            f"查看清单：baodan claim materials {claim_id}",
        ],
    )


def _task(s, req: IncomingRequest, title: str, policy: str | None, kind: str) -> Path:
    return actions.create_task(
        s,
        req.cf.client.id,
        title=title,
        to=SERVICE,
        from_=SERVICE,
        by=None,
        owner=req.cf.client.manager,
        due=None,
        policy=policy,
        claim=None,
        kind=kind,
        note=req.text(),
    )


def _contact(s, req: IncomingRequest, *, staff, channel) -> Recorded:
    path = _task(s, req, "核实并更新客户的联系方式/地址（客户在专属页面申请）", None, "handoff")
    return Recorded(
        [path],
        [
            "先打客户登记的原电话核实是本人申请，再用 baodan edit "
            f"{req.cf.client.id} 更新；完成后 baodan task done 任务编号"
        ],
    )


def _renewal(s, req: IncomingRequest, *, staff, channel) -> Recorded:
    op = open_policy(s.ws, str(req.values["policy"]))
    outcome = record_contact(
        op,
        staff or req.cf.client.manager,
        today(),
        str(req.values["intention"]),
        req.text(),
        channel=channel,
    )
    return Recorded([outcome.path], [f"续保进度：{outcome.renewal.stage}"])


def _consult(s, req: IncomingRequest, *, staff, channel) -> Recorded:
    day = today()
    follow_up = req.values.get("day")
    fields = {"follow_up": follow_up} if isinstance(follow_up, date) and follow_up >= day else {}
    path = actions.log_interaction(
        s,
        req.cf,
        day=day,
        kind="consultation",
        channel=channel,
        staff=staff,
        summary=req.text(),
        **fields,
    )
    return Recorded([path], ["请客户经理按客户希望的日期和方式联系客户"])


def _reissue(s, req: IncomingRequest, *, staff, channel) -> Recorded:
    policy = str(req.values["policy"])
    if req.values["reason"] == "copy":
        path = _task(s, req, "为客户申请电子保单（客户在专属页面申请）", policy, "handoff")
        return Recorded([path], ["向保险公司申请电子保单，发给客户后 baodan task done 任务编号"])
    path, data = actions.open_incident(
        s,
        req.cf.client.id,
        "lost_policy",
        title=req.text(),
        owner=staff,
        policy=policy,
        claim=None,
    )
    return Recorded([path], [f"应急事件 {data['id']} 已开始：按步骤处理保单遗失"])
