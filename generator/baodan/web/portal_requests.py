"""The client-specific part of the portal's request forms (办理业务): the request key and where
an SMS goes. The forms themselves are the same for every client, so they are rendered once into
the portal page around the ciphertext (site_templates/overrides/bd_request_forms.html, from
domain/requests.REQUEST_KINDS) and copied into the page by portal_actions.js once it is
decrypted; only this small part is inside each client's ciphertext."""

from __future__ import annotations

from dataclasses import dataclass

from baodan.domain.renewals import RenewalRules, is_renewable
from baodan.models import ClientFile, Staff
from baodan.store.portal_crypto import request_key

# What the client is told under the forms: the request is theirs to send.
HOW_IT_GOES = (
    "提交后会生成一条消息，由您通过自己的微信、短信或邮件发给我们；"
    "本网站不接收、也不保存您填写的内容。"
)


@dataclass
class RequestsView:
    key: str  # hex: the HMAC key of the check code (domain/requests.py)
    portal_id: str
    sms: str  # the manager's mobile, where an SMS goes ("" lets the client choose)
    renewable: set[str]  # the policies 续保意向 offers: those the firm follows up for renewal


def requests_view(cf: ClientFile, manager: Staff | None, rules: RenewalRules) -> RequestsView:
    portal = cf.client.portal
    return RequestsView(
        request_key(portal.key, portal.id).hex(),
        portal.id,
        (manager.work_mobile or "") if manager else "",
        {p.registry_no for p in cf.policies if is_renewable(p, rules)},
    )
