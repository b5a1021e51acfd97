"""Documents on the portal: published as their own ciphertext files, opened in Chromium with
the access code and nothing else; byte-identical rebuilds; rotation and forget."""

from __future__ import annotations

import io
import random
import re
import shutil

import pytest
from baodan.core.today import today
from baodan.services import documents
from baodan.store.portal_crypto import decrypt_document
from baodan.store.workspace import Workspace
from cryptography.exceptions import InvalidTag
from PIL import Image

from .conftest import FirmDir, build_public_site
from .helpers import run_cli, serve_folder, tree_digest
from .test_audit import _pdf, _signed

pytestmark = pytest.mark.slow  # builds a site or drives a browser

BIG = (3000, 2000)


def _photo(size: tuple[int, int]) -> bytes:
    """A phone photo's worth of JPEG (noise: over a megabyte), the same bytes every time."""
    pixels = random.Random(7).randbytes(size[0] * size[1] * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", size, pixels).save(out, "JPEG", quality=90)
    return out.getvalue()


def _attach(firm_dir: FirmDir, tmp_path) -> dict:
    """Attach a signed PDF, a tampered one and a large PNG to one client's policies."""
    from baodan.checks import load_firm

    ws = Workspace.open(firm_dir.root, firm_dir.identity_file)
    firm, _ = load_firm(firm_dir.root, firm_dir.vault(), today())
    cf = next(
        cf
        for cf in firm.clients.values()
        if cf.client.portal and not cf.client.left_on and cf.policies and not cf.documents
    )
    policy = cf.policies[-1]
    signed = _signed(_pdf())
    files = {
        "signed.pdf": signed,
        "tampered.pdf": signed.replace(b"500000", b"900000"),
        "scan.jpg": _photo(BIG),
    }
    attached = {}
    for name, data in files.items():
        path = tmp_path / name
        path.write_bytes(data)
        kind = "保单扫描件" if name.endswith(".jpg") else "电子保单"
        attached[name] = documents.attach(ws, policy.registry_no, path, kind)
    return {"client": cf, "policy": policy, "files": files, "attached": attached}


@pytest.fixture(scope="module")
def with_documents(firm_template, tmp_path_factory):
    root = tmp_path_factory.mktemp("docs") / "firm"
    shutil.copytree(firm_template.root, root)
    firm_dir = FirmDir(root, firm_template.identity_file, firm_template.identity)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BAODAN_TODAY", "2026-11-27")
        made = _attach(firm_dir, tmp_path_factory.mktemp("sources"))
    site = build_public_site(firm_dir)
    return firm_dir, site, made


def _document_files(site, portal_id) -> dict:
    folder = site / "p" / portal_id
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.name != "index.html"}


def test_each_document_is_its_own_ciphertext_named_by_nothing_personal(with_documents):
    firm_dir, site, made = with_documents
    cf, policy = made["client"], made["policy"]
    portal = cf.client.portal
    files = _document_files(site, portal.id)
    assert len(files) == 3
    for name, blob in files.items():
        assert re.fullmatch(r"[A-Za-z0-9_-]{22}\.bin", name)
        assert not blob.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8"))
        assert (len(blob) - 28) % (64 * 1024) == 0  # nonce, whole blocks, tag
        with pytest.raises(InvalidTag):
            decrypt_document("0" * 20, portal.id, name.removesuffix(".bin"), blob)
    opened = {
        decrypt_document(portal.key, portal.id, n.removesuffix(".bin"), b) for n, b in files.items()
    }
    assert made["files"]["signed.pdf"] in opened and made["files"]["tampered.pdf"] in opened
    (photo,) = [b for b in opened if b.startswith(b"\xff\xd8")]
    assert Image.open(io.BytesIO(photo)).size == (2000, 1333)  # made smaller for phones
    assert len(photo) < len(made["files"]["scan.jpg"]) / 2
    # Nothing about documents outside the portal folder: no index, sitemap or feed names them.
    public = b"".join(
        p.read_bytes() for p in site.rglob("*") if p.is_file() and not p.is_relative_to(site / "p")
    )
    for name in files:
        assert name.encode() not in public
    assert cf.client.id.encode() not in public and policy.policy_no.encode() not in public


def test_a_rebuild_gives_the_same_bytes(with_documents):
    firm_dir, site, _ = with_documents
    before = tree_digest(site)
    build_public_site(firm_dir)
    assert tree_digest(site) == before


def test_the_client_opens_a_document_in_the_browser_and_a_wrong_code_shows_nothing(
    with_documents, browser
):
    firm_dir, site, made = with_documents
    cf = made["client"]
    portal = cf.client.portal
    with serve_folder(site) as server:
        context = browser.new_context(accept_downloads=True, viewport={"width": 375, "height": 812})
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{server}/p/{portal.id}/")
        page.fill("#bd-code", "00000-00000-00000-00000")
        page.click("#bd-unlock button")
        page.wait_for_selector("#bd-error:not([hidden])")
        assert page.query_selector_all("[data-bd-doc]") == []
        page.fill("#bd-code", portal.key)
        page.click("#bd-unlock button")
        page.wait_for_selector("#bd-portal:not([hidden])")
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
        text = page.inner_text("#bd-portal")
        assert "数字签名完好" in text and "数字签名已失效" in text
        buttons = page.query_selector_all("[data-bd-doc]")
        assert len(buttons) == 3
        fetched = []
        page.on("request", lambda r: fetched.append(r.url) if r.url.endswith(".bin") else None)
        assert fetched == []  # nothing fetched before a tap
        item = page.locator(".bd-doc", has_text="保单扫描件")
        item.locator("[data-bd-doc]").click()
        save = item.locator("a[download]")
        save.wait_for()
        assert len(fetched) == 1
        with page.expect_download() as info:
            save.click()
        download = info.value
        assert download.suggested_filename.startswith("保单扫描件_")
        assert download.suggested_filename.endswith(".jpg")
        data = download.path().read_bytes()
        assert Image.open(io.BytesIO(data)).size == (2000, 1333)
        page.click("[data-bd-action=lock]")  # locking lets the decrypted copy go
        assert page.query_selector_all("a[download]") == []
        assert errors == []
        context.close()


def test_rotation_re_encrypts_documents_under_the_new_code(
    with_documents, tmp_path, capsys, monkeypatch
):
    firm_dir, site, made = with_documents
    root = tmp_path / "firm"
    shutil.copytree(firm_dir.root, root, ignore=shutil.ignore_patterns("site"))
    moved = FirmDir(root, firm_dir.identity_file, firm_dir.identity)
    old = made["client"].client.portal
    old_files = _document_files(site, old.id)
    monkeypatch.chdir(root)
    monkeypatch.setenv("BAODAN_IDENTITY", str(firm_dir.identity_file))
    assert run_cli(capsys, "portal", "rotate", made["client"].client.id)[0] == 0
    new_site = build_public_site(moved)
    assert not (new_site / "p" / old.id).exists()
    from baodan.checks import load_firm

    firm, _ = load_firm(root, moved.vault(), today())
    new = firm.clients[made["client"].client.id].client.portal
    files = _document_files(new_site, new.id)
    assert len(files) == 3 and not set(files) & set(old_files)
    assert not {*files.values()} & {*old_files.values()}
    for name, blob in files.items():
        decrypt_document(new.key, new.id, name.removesuffix(".bin"), blob)
        with pytest.raises(InvalidTag):
            decrypt_document(old.key, new.id, name.removesuffix(".bin"), blob)
    # forget: the documents go with the client's folder and their portal in the site
    code, _, err = run_cli(capsys, "forget", made["client"].client.id, "--yes")
    assert code == 0, err
    assert not list(root.glob(f"records/clients/{made['client'].client.id}"))
    assert not (new_site / "p" / new.id).exists()


def test_each_document_sits_under_its_policy_or_claim(public_site):
    import json

    from baodan.store.portal_crypto import decrypt_portal

    placed = 0
    for cf in public_site.firm.clients.values():
        if not cf.documents or not cf.client.portal:
            continue
        html = (public_site.site / "p" / cf.client.portal.id / "index.html").read_text("utf-8")
        payload = re.search(r'<script id="bd-payload" type="application/json">(.*?)</script>', html)
        page = decrypt_portal(cf.client.portal.key, json.loads(payload.group(1)))
        cards = re.findall(
            r"<article class=\"bd-card bd-(policy|claim)\">(.*?)</article>", page, re.S
        )
        for d in cf.documents:
            (kind, card), *more = [(k, c) for k, c in cards if f">{d.kind}</button>" in c]
            assert more == []
            if d.claim:
                claim = next(c for c in cf.claims if c.id == d.claim)
                assert kind == "claim" and claim.insurer_claim_no in card
            else:
                assert kind == "policy" and d.policy in card
            placed += 1
    assert placed >= 2  # the demo's documents in the small firm
