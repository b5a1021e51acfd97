"""The last look before upload (`baodan publish-check`, and inside `baodan build`): a site
folder with a staff page, an ID or mobile number, or a portal that is not ciphertext is not
published, whatever put it there."""

from __future__ import annotations

import json
import shutil

import pytest

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
