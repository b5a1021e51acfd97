"""Consent is never invented (issue 19): a new client's consent is blank until the staff
member writes what the signed form says; `baodan check` reminds of it; until then nothing is
published for the client (portal, calendar feed) and no greeting is due."""

from __future__ import annotations

import re
import sys
from datetime import date

from baodan.core import yamlio
from baodan.domain.care import is_cared_for
from baodan.models import ClientFile
from baodan.web.context import TEMPLATES, SiteContext, make_env
from baodan.web.feeds import client_feeds
from baodan.web.portal_view import has_portal

from . import factories as c
from .helpers import read_record, run_cli, tree_digest

FILL = {  # what a person types into the new-client template (consent left as it is)
    "name": "李四",
    "id_number": f"'{c.ME}'",
    "sex": "男",
    "mobile": "'13912345678'",
}


def _new_client(capsys, monkeypatch, tmp_path, extra: str = "") -> tuple[int, str, str]:
    script = "import re, sys\np = sys.argv[1]\ntext = open(p, encoding='utf-8').read()\n"
    script += "if text.startswith('# baodan:'):\n    sys.exit()\n"  # problems shown: give up
    script += "".join(
        f"text = re.sub(r'(?m)^{k}: *$', {f'{k}: {v}'!r}, text)\n" for k, v in FILL.items()
    )
    script += extra + "open(p, 'w', encoding='utf-8').write(text)\n"
    editor = tmp_path / "editor.py"
    editor.write_text(script, "utf-8")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    return run_cli(capsys, "new", "client", "--staff", "wang-fang")


def test_a_new_client_is_saved_without_a_consent_date_nobody_gave(
    firm, capsys, monkeypatch, tmp_path
):
    code, out, err = _new_client(capsys, monkeypatch, tmp_path)
    assert code == 0 and "已新建" in out, err + out
    rel = re.search(r"records/clients/c-[0-9a-f]{8}/client\.yaml\.age", out).group(0)
    text = read_record(firm.root, rel, firm.identities)
    consent = yamlio.load(text)["consent"]
    assert consent["signed_on"] is None and consent["method"] is None  # nothing invented
    assert "纸质签字 / 电子签名 / 录音确认" in text  # what there is to fill in
    # `baodan check` passes, and says what is missing.
    code, out, err = run_cli(capsys, "check")
    assert code == 0, err
    cid = rel.split("/")[2]
    assert f"提醒：{rel}: 字段 consent: 还没有个人信息处理同意记录" in err
    assert "签署日期、方式、目的都没填" in err and f"baodan edit {cid}" in err
    # Portal and feed links are refused until then, with what to do.
    before = tree_digest(firm.root)
    for command in (["portal", "link", cid], ["feed", "rotate", cid], ["portal", "rotate", cid]):
        code, out, err = run_cli(capsys, *command)
        assert code == 1, out
        assert f"客户 {cid} 还没有签署个人信息处理同意书" in err and "consent 下填写" in err
    assert tree_digest(firm.root) == before


def test_consent_half_filled_in_is_refused_with_what_is_missing(
    firm, capsys, monkeypatch, tmp_path
):
    before = tree_digest(firm.root / "records")
    fill = "text = re.sub(r'(?m)^  method: .*$', '  method: 纸质签字', text)\n"
    code, out, err = _new_client(capsys, monkeypatch, tmp_path, fill)
    assert code == 1 and "字段 consent.signed_on: 必填，不能空着" in err, err + out
    assert tree_digest(firm.root / "records") == before


def test_a_consent_date_in_the_future_is_refused(firm, capsys, monkeypatch, tmp_path):
    fill = (
        "text = re.sub(r'(?m)^  signed_on: .*$', '  signed_on: 2027-01-01', text)\n"
        "text = re.sub(r'(?m)^  method: .*$', '  method: 纸质签字', text)\n"
    )
    code, out, err = _new_client(capsys, monkeypatch, tmp_path, fill)
    assert code == 1 and "字段 consent.signed_on: 日期 2027-01-01 在未来" in err, err + out


def test_without_consent_no_portal_no_feed_no_greetings():
    today = date(2026, 11, 27)
    unsigned = c.person(
        portal={"id": "p" * 22, "key": "7K3QX-M2P9D-4HT8W-ZC6NR"}, feed={"token": "f" * 22}
    )
    unsigned["consent"] = None
    signed = c.person("c-00000002", portal={"id": "q" * 22, "key": "7K3QX-M2P9D-4HT8W-ZC6NR"})
    signed["feed"] = {"token": "g" * 22}
    files = [ClientFile(client=c.client(d["id"], **d)) for d in (unsigned, signed)]
    firm = c.firm(*files)
    assert [has_portal(cf, today) for cf in files] == [False, True]
    assert [is_cared_for(cf.client, today) for cf in files] == [False, True]
    ctx = SiteContext(firm, today, False, make_env(TEMPLATES), options={}, feed_secret=b"s")
    uris = [p.uri for p in client_feeds(ctx)]  # the feed, its import file and its page
    assert f"feeds/{'g' * 22}.ics" in uris and all(u.startswith(f"feeds/{'g' * 22}") for u in uris)


def test_no_template_or_command_writes_a_consent_date():
    """The only consent dates baodan writes are the ones a person typed: no template and no
    command module fills signed_on."""
    from importlib import resources

    templates = resources.files("baodan").joinpath("data/templates")
    for t in templates.iterdir():
        text = t.read_text("utf-8")
        assert not re.search(r"signed_on: *\S*\$today|signed_on: *\d", text), t.name
    package = resources.files("baodan")
    for folder in ("cli", "services"):
        for module in package.joinpath(folder).iterdir():
            if module.name.endswith(".py"):
                assert "signed_on" not in module.read_text("utf-8"), module.name
