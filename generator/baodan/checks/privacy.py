"""PIPL checks: a consent record per client, withdrawn consent honoured, separate consent for
sensitive (health) information. The sensitive kinds are data: data/privacy.yaml."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from baodan.core.errors import RecordError, Source
from baodan.core.rules import Rules
from baodan.models import ClientFile, Firm


class Sensitive(BaseModel):
    model_config = ConfigDict(extra="forbid")
    categories: list[str]
    claim_types: list[str]


class PrivacyRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sensitive: Sensitive
    public_phone_fields: list[str]


def privacy_rules(rules: Rules) -> PrivacyRules:
    return rules.get("privacy", PrivacyRules)


def sensitive_records(cf: ClientFile, rules: Rules) -> list[str]:
    """Registry numbers and claim ids of a client's records that hold sensitive information."""
    wanted = privacy_rules(rules).sensitive
    return [p.registry_no for p in cf.policies if p.category in wanted.categories] + [
        c.id for c in cf.claims if c.type in wanted.claim_types
    ]


def _err(cf: ClientFile, field: str, message: str, hint: str) -> RecordError:
    return RecordError(Source(cf.client.path), field, message, hint)


def missing_consent(firm: Firm, today: date) -> list[RecordError]:
    """Clients who have not signed consent yet: a reminder, not an error (a client is often
    entered before the form comes back signed); until then nothing is published for them and
    no greeting is due (models/client.has_consent)."""
    return [
        _err(
            cf,
            "consent",
            "还没有个人信息处理同意记录（《个人信息保护法》要求）：签署日期、方式、目的都没填；"
            "签署前不开通专属页面、日历订阅和节日问候",
            f"请客户签署同意书，再用 baodan edit {cf.client.id} 在 consent 下照同意书填写",
        )
        for cf in firm.clients.values()
        if cf.client.consent is None and cf.client.left_on is None
    ]


def check_withdrawn_consent(firm: Firm, today: date) -> list[RecordError]:
    """Withdrawn consent: processing stops, so the portal and feed must go and the client leave."""
    errors = []
    for cf in firm.clients.values():
        consent = cf.client.consent
        if consent is None or consent.withdrawn_on is None or consent.withdrawn_on > today:
            continue
        when = consent.withdrawn_on.isoformat()
        if cf.client.portal is not None or cf.client.feed is not None:
            errors.append(
                _err(
                    cf,
                    "portal",
                    f"客户已于 {when} 撤回同意，但门户或日历订阅仍在发布",
                    "删去 portal 和 feed 两项，下次发布后即停用；"
                    f"客户要求删除资料时运行 baodan forget {cf.client.id}",
                )
            )
        if cf.client.left_on is None:
            errors.append(
                _err(
                    cf,
                    "left_on",
                    f"客户已于 {when} 撤回同意，必须停止处理其个人信息",
                    "填写终止服务日期 left_on（停止续保提醒、回访等一切处理）；"
                    f"客户要求删除资料时运行 baodan forget {cf.client.id}",
                )
            )
    return errors


def check_sensitive_consent(firm: Firm, today: date) -> list[RecordError]:
    errors = []
    for cf in firm.clients.values():
        consent = cf.client.consent
        if consent is not None and (consent.sensitive or consent.withdrawn_on is not None):
            continue  # withdrawn consent has its own check
        held = sensitive_records(cf, firm.rules)
        if held:
            errors.append(
                _err(
                    cf,
                    "consent.sensitive",
                    f"客户有含健康信息的记录（{'、'.join(held)}），但没有单独同意处理敏感个人信息",
                    "请客户单独签署敏感个人信息处理同意，再把 consent.sensitive 改为 true",
                )
            )
    return errors


PRIVACY_CHECKS = [check_withdrawn_consent, check_sensitive_consent]
