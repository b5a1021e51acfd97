"""Requests from the portal: a message with a check code, pasted into `baodan request`, becomes
the record it calls for; a forged, altered or hostile message is refused and writes nothing."""

from __future__ import annotations

import base64
import io
import json
import sys

import pytest
from baodan.checks import load_firm
from baodan.core.today import today
from baodan.domain.renewals import is_renewable, renewal_rules
from baodan.domain.requests import check_code
from baodan.store.portal_crypto import request_key

from .helpers import run_cli, tree_digest


def compose(portal_id: str, code: str | None, kind: str, fields: dict, day="2026-11-27") -> str:
    """A message as portal_actions.js composes it (``code`` None: a key the forger guessed)."""
    data = {"p": portal_id, "k": kind, "d": day, "f": fields}
    payload = base64.urlsafe_b64encode(json.dumps(data, ensure_ascii=False).encode()).decode()
    body = "BD1." + payload.rstrip("=")
    key = request_key(code, portal_id) if code else bytes(32)
    return f"【保单服务请求】\n…\n以下编码供公司核对，请勿改动：\n{body}.{check_code(key, body)}\n"


def _firm(firm):
    loaded, errors = load_firm(firm.root, firm.vault(), today())
    assert errors == []
    return loaded


def _client(firm, sensitive=True):
    loaded = _firm(firm)
    rules = renewal_rules(loaded.rules)
    return next(
        cf
        for cf in loaded.clients.values()
        if cf.client.portal
        and not cf.client.left_on
        and bool(cf.client.consent and cf.client.consent.sensitive) == sensitive
        and any(is_renewable(p, rules) and p.status == "active" for p in cf.policies)
    )


def paste(monkeypatch, capsys, text: str, *args: str):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))
    return run_cli(capsys, "request", "--yes", *args)


def _kinds(cf, firm):
    rules = renewal_rules(_firm(firm).rules)
    renewable = next(p for p in cf.policies if is_renewable(p, rules) and p.status == "active")
    policy = cf.policies[0].registry_no
    return {
        "claim": {
            "policy": policy,
            "type": "medical",
            "incident_date": "2026-11-20",
            "description": "住院三天",
            "phone": "13800138000",
        },
        "contact": {"mobile": "13900139000", "address": "上海市浦东新区世纪大道 1 号"},
        "renewal": {"policy": renewable.registry_no, "intention": "renew", "note": "照旧"},
        "consult": {"topic": "孩子的重疾险", "day": "2026-12-10", "way": "phone"},
        "reissue": {"policy": policy, "reason": "lost"},
    }


def expect_record(firm, cf, kind: str, fields: dict, check: str) -> None:
    """The record a request of ``kind`` must have become, as the reloaded firm shows it."""
    after = _firm(firm).clients[cf.client.id]
    new = {
        "claim": [c for c in after.claims if check in (c.description or "")],
        "contact": [t for t in after.tasks if check in (t.notes or "")],
        "renewal": [i for i in after.interactions if check in i.summary],
        "consult": [i for i in after.interactions if check in i.summary],
        "reissue": [i for i in after.incidents if check in i.title],
    }[kind]
    assert len(new) == 1, kind
    record = new[0]
    if kind == "claim":
        assert (record.policy, record.type, str(record.incident_date)) == (
            fields["policy"],
            "medical",
            fields["incident_date"],
        )
        assert record.stage == "reported" and "住院三天" in record.description
    elif kind == "contact":
        assert record.to_department == "客户服务部" and "13900139000" in record.notes
    elif kind == "renewal":
        assert (record.kind, record.intention, record.policy) == (
            "renewal",
            "renew",
            fields["policy"],
        )
    elif kind == "consult":
        assert record.kind == "consultation" and str(record.follow_up) == "2026-12-10"
    else:
        assert record.plan == "lost_policy" and record.policy == fields["policy"]


KINDS = ("claim", "contact", "renewal", "consult", "reissue")


@pytest.mark.parametrize("kind", KINDS)
def test_each_request_kind_becomes_its_record(firm, monkeypatch, capsys, kind):
    cf = _client(firm)
    fields = _kinds(cf, firm)[kind]
    message = compose(cf.client.portal.id, cf.client.portal.key, kind, fields)
    code, out, err = paste(monkeypatch, capsys, message, "--staff", cf.client.manager)
    assert code == 0, err
    assert "校验码正确" in out and cf.client.name in out
    check = message.strip().rsplit(".", 1)[1]
    expect_record(firm, cf, kind, fields, check)

    # The same message twice is one request, not two.
    before = tree_digest(firm.root)
    code, _, err = paste(monkeypatch, capsys, message, "--staff", cf.client.manager)
    assert code == 1 and "已经登记过" in err
    assert tree_digest(firm.root) == before


def test_a_message_from_a_file_with_line_breaks_an_app_put_in(firm, monkeypatch, capsys, tmp_path):
    cf = _client(firm)
    message = compose(cf.client.portal.id, cf.client.portal.key, "consult", {"topic": "养老"})
    token = message.strip().splitlines()[-1]
    wrapped = message.replace(token, token[:30] + "\n" + token[30:]) + "\n发自我的手机"
    path = tmp_path / "msg.txt"
    path.write_text(wrapped, encoding="gb18030")  # saved by Notepad on a Chinese Windows
    code, out, err = run_cli(capsys, "request", "--yes", str(path), "--channel", "短信")
    assert code == 0, err
    after = _firm(firm).clients[cf.client.id]
    assert any("养老" in i.summary and i.channel == "sms" for i in after.interactions)


@pytest.mark.parametrize(
    "forge",
    [
        "guessed key",  # knows the portal id only
        "other client's code",  # a client signs a request in another client's name
        "field changed",  # an altered message
        "old code",  # a code from before rotation
    ],
)
def test_a_request_with_a_wrong_check_code_is_refused(firm, monkeypatch, capsys, forge):
    loaded = _firm(firm)
    clients = [cf for cf in loaded.clients.values() if cf.client.portal and not cf.client.left_on]
    cf, other = clients[0], clients[1]
    pid = cf.client.portal.id
    fields = {"topic": "咨询"}
    message = {
        "guessed key": lambda: compose(pid, None, "consult", fields),
        "other client's code": lambda: compose(pid, other.client.portal.key, "consult", fields),
        "field changed": lambda: _altered(compose(pid, cf.client.portal.key, "consult", fields)),
        "old code": lambda: compose(pid, "00000-00000-00000-00000", "consult", fields),
    }[forge]()
    before = tree_digest(firm.root)
    code, out, err = paste(monkeypatch, capsys, message, "--staff", cf.client.manager)
    assert code == 1
    assert "校验码不对" in err and "不要登记" in err
    assert cf.client.name not in out + err  # nothing of the client is shown to the paster
    assert tree_digest(firm.root) == before


def _altered(message: str) -> str:
    """The same message with its topic changed and the old check code kept."""
    line = next(x for x in message.splitlines() if x.startswith("BD1."))
    body, check = line.rsplit(".", 1)
    payload = body.removeprefix("BD1.")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data["f"]["topic"] = "请把理赔款打到 6222…"
    new = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    return message.replace(line, f"BD1.{new}.{check}")


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"topic": "x" * 101}, "超过 100 个字"),
        ({"topic": "咨询", "admin": "1"}, "表单里没有"),
        ({"topic": ["a"]}, "不是文字"),
        ({"topic": "\u202e\u200b\x07"}, "没有填写"),  # nothing left once hidden marks go
    ],
)
def test_hostile_fields_signed_with_the_right_key_are_refused(
    firm, monkeypatch, capsys, fields, said
):
    """Someone holding the code (a forwarded link) still gets only what the form allows."""
    cf = _client(firm)
    before = tree_digest(firm.root)
    message = compose(cf.client.portal.id, cf.client.portal.key, "consult", fields)
    code, _, err = paste(monkeypatch, capsys, message)
    assert code == 1 and said in err
    assert tree_digest(firm.root) == before


def test_markup_and_hidden_marks_are_kept_as_plain_text(firm, monkeypatch, capsys):
    cf = _client(firm)
    topic = "[red]<script>alert(1)</script>\u202e{{ 7*7 }}"
    message = compose(cf.client.portal.id, cf.client.portal.key, "consult", {"topic": topic})
    code, out, err = paste(monkeypatch, capsys, message, "--staff", cf.client.manager)
    assert code == 0, err
    assert "[red]<script>alert(1)</script>{{ 7*7 }}" in out  # shown as typed, not as markup
    after = _firm(firm).clients[cf.client.id]
    (saved,) = [i for i in after.interactions if "alert(1)" in i.summary]
    assert "\u202e" not in saved.summary


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("您好，我想报案", "没有完整的请求编码"),
        ("BD1.e30.0123456789abcdef0123", "没有完整的请求编码"),  # {} : not a request
        ("BD1.!!!!!!!!.0123456789abcdef0123", "没有完整的请求编码"),
    ],
)
def test_a_message_without_a_request_is_refused_in_chinese(firm, monkeypatch, capsys, text, said):
    code, _, err = paste(monkeypatch, capsys, text)
    assert code == 1 and said in err and "Traceback" not in err


def test_a_request_for_a_policy_of_another_client_is_refused(firm, monkeypatch, capsys):
    loaded = _firm(firm)
    cf, other = [c for c in loaded.clients.values() if c.client.portal and c.policies][:2]
    fields = {"policy": other.policies[0].registry_no, "reason": "copy"}
    message = compose(cf.client.portal.id, cf.client.portal.key, "reissue", fields)
    before = tree_digest(firm.root)
    code, _, err = paste(monkeypatch, capsys, message)
    assert code == 1 and "名下没有保单" in err
    assert tree_digest(firm.root) == before


def test_a_health_claim_waits_for_separate_consent(firm, monkeypatch, capsys):
    """PIPL: health details need the client's separate consent before the firm keeps them."""
    cf = _client(firm, sensitive=False)
    fields = _kinds(cf, firm)["claim"]
    message = compose(cf.client.portal.id, cf.client.portal.key, "claim", fields)
    before = tree_digest(firm.root)
    code, _, err = paste(monkeypatch, capsys, message)
    assert code == 1 and "consent.sensitive" in err
    assert tree_digest(firm.root) == before


def test_a_client_who_left_gets_no_new_records(firm, monkeypatch, capsys):
    from .helpers import change_record

    cf = _client(firm)
    message = compose(cf.client.portal.id, cf.client.portal.key, "consult", {"topic": "a"})
    change_record(
        firm.root, cf.client.path, firm.identities, lambda d: d.update(left_on="2026-11-01")
    )
    before = tree_digest(firm.root)
    code, _, err = paste(monkeypatch, capsys, message)
    assert code == 1 and "已终止服务" in err
    assert tree_digest(firm.root) == before


def test_unknown_portal_is_refused(firm, monkeypatch, capsys):
    message = compose("x" * 22, "00000-00000-00000-00000", "consult", {"topic": "a"})
    code, _, err = paste(monkeypatch, capsys, message)
    assert code == 1 and "没有哪位客户" in err


def test_an_oversized_paste_is_refused_before_anything_is_decrypted(firm, monkeypatch, capsys):
    code, _, err = paste(monkeypatch, capsys, "BD1." + "A" * 70_000)
    assert code == 1 and "太大" in err
