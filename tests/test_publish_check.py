"""The last look before upload (`baodan publish-check`, and inside `baodan build`): a site
folder with a staff page, an ID or mobile number, or a portal that is not ciphertext is not
published, whatever put it there."""

from __future__ import annotations

import base64
import itertools
import json
import random
import shutil

import pytest
from baodan.services.publishcheck import _base64_size

from .helpers import run_cli, tree_digest

AN_ID = "11010519491231002X"


@pytest.fixture
def site(public_site, tmp_path, monkeypatch):
    """A copy of the small firm's public build (and the firm beside it) to tamper with."""
    root = tmp_path / "firm"
    shutil.copytree(public_site.firm_dir.root, root)
    monkeypatch.chdir(root)
    return root / "site"


def _refused(capsys, *expected: str) -> str:
    code, _, err = run_cli(capsys, "publish-check")
    assert code == 1 and "不能发布" in err, err
    for text in expected:
        assert text in err, err
    return err


def _a_portal(site):
    return min(site.glob("p/*/index.html"))


def test_the_public_build_passes(site, capsys):
    code, out, err = run_cli(capsys, "publish-check")
    assert code == 0, err
    assert "发布前检查通过" in out
    # The firm's own phone number is on the pages, and allowed: it is in records/firm.yaml.
    assert "0571-8888 6666" in (site / "index.html").read_text("utf-8")


def test_a_staff_page_is_refused(site, capsys):
    page = site / "staff/clients/c-1a2b3c4d/index.html"
    page.parent.mkdir(parents=True)
    page.write_text(
        '<link rel="stylesheet" href="../../../assets/baodan/staff.css?v=1">客户 张三', "utf-8"
    )
    _refused(capsys, "site/staff/clients/c-1a2b3c4d/index.html", "员工站的页面")


def test_the_staff_sites_own_files_are_refused(site, capsys):
    (site / "assets/baodan/staff.js").write_text("// staff", "utf-8")
    _refused(capsys, "site/assets/baodan/staff.js", "员工站的页面或文件")


@pytest.mark.parametrize(
    ("path", "text", "kind"),
    [
        ("kb/index.html", f"<p>示例 {AN_ID}</p>", "身份证号"),
        ("search/search_index.json", '{"docs":[{"text":"电话 13912345678"}]}', "手机号"),
        ("feeds/lectures.ics", "BEGIN:VCALENDAR\r\nDESCRIPTION:回电13912345678\r\n", "手机号"),
    ],
)
def test_an_id_or_mobile_number_anywhere_is_refused(site, capsys, path, text, kind):
    file = site / path
    file.write_text(file.read_text("utf-8") + "\n" + text, "utf-8")
    line = len(file.read_text("utf-8").splitlines())
    _refused(capsys, f"site/{path}:{line}", f"像是{kind}")


def test_a_portal_without_ciphertext_is_refused(site, capsys):
    portal = _a_portal(site)
    html = portal.read_text("utf-8")
    start = html.index('<script id="bd-payload" type="application/json">') + len(
        '<script id="bd-payload" type="application/json">'
    )
    end = html.index("</script>", start)
    plain = json.dumps({"html": "<h1>张三的保单</h1>"}, ensure_ascii=False)
    portal.write_text(html[:start] + plain + html[end:], "utf-8")
    _refused(capsys, portal.relative_to(site.parent).as_posix(), "不是加密的形式")


def test_a_portal_page_that_differs_outside_its_ciphertext_is_refused(site, capsys):
    portal = max(site.glob("p/*/index.html"))
    html = portal.read_text("utf-8")
    portal.write_text(html.replace("</article>", "<p>投保人 张三</p></article>"), "utf-8")
    _refused(capsys, portal.relative_to(site.parent).as_posix(), "在密文之外的内容")


def test_a_plain_file_in_a_portal_folder_is_refused(site, capsys):
    extra = _a_portal(site).with_name("policies.json")
    extra.write_text('{"client": "张三"}', "utf-8")
    _refused(capsys, extra.relative_to(site.parent).as_posix(), "只应有 index.html")


def test_build_keeps_the_previous_site_when_the_new_one_would_leak(
    site, capsys, public_site, monkeypatch
):
    monkeypatch.setenv("BAODAN_IDENTITY", str(public_site.firm_dir.identity_file))
    root = site.parent
    before = tree_digest(site)
    (root / "records/public/notice.md").write_text(f"# 通知\n\n证件号 {AN_ID}\n", "utf-8")
    code, _, err = run_cli(capsys, "build")
    assert code == 1 and "site/notice/index.html" in err and "像是身份证号" in err
    assert tree_digest(site) == before
    assert not list(root.glob(".site-building-*"))


def test_a_plaintext_document_beside_a_portal_is_refused(site, capsys):
    folder = _a_portal(site).parent
    (folder / ("x" * 22 + ".bin")).write_bytes(b"%PDF-1.4\n" + bytes(65536 + 19))
    _refused(capsys, "客户文档不是加密的形式")


def _payload(portal):
    html = portal.read_text("utf-8")
    start = html.index(">", html.index('<script id="bd-payload"')) + 1
    end = html.index("</script>", start)
    return html, start, end


@pytest.mark.parametrize(
    "tamper",
    [
        lambda v: {**v, "c": v["c"][:100] + "!" + v["c"][101:]},  # not base64
        lambda v: {**v, "c": v["c"][:-1]},  # not whole base64 quads
        lambda v: {**v, "c": v["c"][:40] + "=" + v["c"][41:]},  # padding inside
        lambda v: {**v, "c": v["c"][:40] + "\n" + v["c"][40:-1]},
        lambda v: {**v, "c": "QUJD"},  # 3 bytes: shorter than the tag
        lambda v: {**v, "n": v["n"] + "QUJD"},  # not a 12-byte nonce
        lambda v: {**v, "n": 12},
        lambda v: {**v, "id": "someone-else"},
        lambda v: {**v, "html": "<p>张三</p>"},
        lambda v: [v["v"], v["id"], v["n"], v["c"]],
    ],
)
def test_a_payload_not_of_the_ciphertext_shape_is_refused(site, capsys, tamper):
    portal = _a_portal(site)
    html, start, end = _payload(portal)
    value = tamper(json.loads(html[start:end]))
    portal.write_text(html[:start] + json.dumps(value, ensure_ascii=False) + html[end:], "utf-8")
    _refused(capsys, portal.relative_to(site.parent).as_posix(), "不是加密的形式")


def test_the_ciphertext_size_is_read_as_base64_decodes_it():
    rng = random.Random(18)
    for size in range(0, 70):
        data = rng.randbytes(size)
        assert _base64_size(base64.b64encode(data).decode("ascii")) == size
    # Every string of up to 8 characters of base64's letters, its padding, and what is not base64.
    for length in range(9):
        for letters in itertools.product("A/=!", repeat=length):
            text = "".join(letters)
            size = _base64_size(text)
            if size is not None:  # accepted only what base64 decodes, and of that size
                assert size == len(base64.b64decode(text, validate=True)), text
    assert _base64_size("QUJD\n") is None and _base64_size("QUJé") is None
