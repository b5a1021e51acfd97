"""`baodan attach`: documents stored encrypted beside their policy or claim, listed, removed,
and checked by `baodan check` and the pre-commit hook."""

from __future__ import annotations

import hashlib
import re

import pytest
from baodan.core.errors import BaodanError
from baodan.demo.documents import simple_pdf, simple_png
from baodan.services import documents
from baodan.services.precommit import ScanContext, scan_file
from baodan.store.workspace import Workspace

from .helpers import run_cli

PDF = simple_pdf(["Policy scan", "test"], pages=2)


def _ws(firm) -> Workspace:
    return Workspace.open(firm.root, firm.identity_file)


def _a_policy(firm) -> tuple[str, str]:
    """(client id, registry number) of a policy in the small firm."""
    path = sorted(firm.root.glob("records/clients/*/policies/*.yaml.age"))[0]
    return path.parents[1].name, path.name.removesuffix(".yaml.age")


def _a_claim(firm) -> tuple[str, str]:
    """(registry number, claim id) of a claim in the small firm."""
    from baodan.checks import load_firm
    from baodan.core.today import today

    loaded, _ = load_firm(firm.root, firm.vault(), today())
    claim = next(c for cf in loaded.clients.values() for c in cf.claims)
    return claim.policy, claim.id


def test_attach_stores_ciphertext_and_a_record_and_check_passes(firm, tmp_path, capsys):
    cid, number = _a_policy(firm)
    source = tmp_path / "保单.pdf"
    source.write_bytes(PDF)
    code, out, err = run_cli(capsys, "attach", number, str(source))
    assert code == 0, err
    assert "已附加 电子保单" in out and "2 页" in out
    doc_id = re.search(r"d-[0-9a-f]{8}", out).group()
    content = firm.root / "records/clients" / cid / "documents" / f"{doc_id}.age"
    stored = content.read_bytes()
    assert stored.startswith(b"age-encryption.org/v1") and b"%PDF" not in stored
    record = _ws(firm).read(content.with_name(content.name.replace(".age", ".yaml.age")))
    assert f"policy: {number}" in record and hashlib.sha256(PDF).hexdigest() in record
    assert "kind: 电子保单" in record and "pages: 2" in record
    code, out, err = run_cli(capsys, "check")
    assert code == 0, err + out
    assert re.search(r"文档 [1-9]", out)
    code, out, _ = run_cli(capsys, "attach", "--list", cid)
    assert content.stem in out and number in out
    (mine,) = documents.listing(_ws(firm), doc_id)
    assert documents.original(_ws(firm), mine) == PDF


def test_attach_to_a_claim(firm, tmp_path, capsys):
    number, claim = _a_claim(firm)
    source = tmp_path / "decision.png"
    source.write_bytes(simple_png(["claim decision"]))
    code, out, err = run_cli(capsys, "attach", number, str(source), "--claim", claim)
    assert code == 0, err
    assert "理赔决定书" in out and claim in out
    code, _, err = run_cli(capsys, "attach", number, str(source), "--claim", "cl-00000000")
    assert code == 1 and "没有理赔 cl-00000000" in err


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("保单.pdf", simple_png(["a picture"]), "内容是 PNG 图片，但文件名后缀是“.pdf”"),
        ("保单.png", PDF, "内容是 PDF"),
        ("保单.pdf", b"%PDF-1.4 not really a pdf", "读不出页面"),
        ("保单.docx", b"PK\x03\x04 a word file", "不是 PDF、JPEG 或 PNG"),
    ],
)
def test_a_file_whose_content_is_not_what_it_says_is_refused(firm, tmp_path, name, data, says):
    _, number = _a_policy(firm)
    source = tmp_path / name
    source.write_bytes(data)
    before = sorted(firm.root.rglob("*"))
    with pytest.raises(BaodanError) as e:
        documents.attach(_ws(firm), number, source)
    assert says in str(e.value)
    assert sorted(firm.root.rglob("*")) == before  # nothing written


def test_an_oversize_file_is_refused_before_it_is_read(firm, tmp_path, capsys):
    _, number = _a_policy(firm)
    source = tmp_path / "big.pdf"
    with source.open("wb") as f:
        f.write(PDF)
        f.truncate(10 * 1024 * 1024 + 1)
    before = sorted(firm.root.rglob("*"))
    code, _, err = run_cli(capsys, "attach", number, str(source))
    assert code == 1 and "超过上限 10 MB" in err
    assert sorted(firm.root.rglob("*")) == before


def test_remove_deletes_file_and_record(firm, tmp_path, capsys):
    _, number = _a_policy(firm)
    source = tmp_path / "a.pdf"
    source.write_bytes(PDF)
    done = documents.attach(_ws(firm), number, source)
    code, out, err = run_cli(capsys, "attach", "--remove", done.document.id)
    assert code == 0, err
    assert not list(firm.root.glob(f"records/clients/*/documents/{done.document.id}*"))
    assert run_cli(capsys, "check")[0] == 0


def test_check_finds_a_swapped_or_orphaned_file(firm, tmp_path, capsys):
    _, number = _a_policy(firm)
    source = tmp_path / "a.pdf"
    source.write_bytes(PDF)
    ws = _ws(firm)
    done = documents.attach(ws, number, source)
    content = firm.root / done.path.replace(".yaml.age", ".age")
    ws.write_bytes(content, simple_pdf(["another"], pages=2))
    code, out, err = run_cli(capsys, "check")
    assert code == 1 and "SHA-256 不一致" in err
    ws.write_bytes(content, simple_png(["swapped"]))
    code, out, err = run_cli(capsys, "check")
    assert code == 1 and "文件内容却是 PNG 图片" in err
    (firm.root / done.path).unlink()
    code, out, err = run_cli(capsys, "check")
    assert code == 1 and "没有对应的文档记录" in err


@pytest.mark.parametrize(
    "rel",
    [
        "records/clients/{cid}/documents/scan.pdf",
        "records/clients/{cid}/policy-scan.age",
        "records/insurers/scan.yaml",
        "records/lectures/photo.jpg",
    ],
)
def test_a_plaintext_document_under_records_fails_check_and_the_hook(firm, capsys, rel):
    cid, _ = _a_policy(firm)
    rel = rel.format(cid=cid)
    path = firm.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    data = PDF if not rel.endswith(".jpg") else b"\xff\xd8\xff\xe0" + bytes(100)
    path.write_bytes(data)
    code, _, err = run_cli(capsys, "check")
    assert code == 1
    assert rel in err and ("未加密的文档" in err or "不是 age 加密文件" in err)
    (problem,) = scan_file(rel, data, ScanContext())
    assert "未加密的文档" in problem.message


def test_the_sites_own_pictures_are_not_documents():
    png = simple_png(["logo"])
    assert scan_file("records/public/assets/logo.png", png, ScanContext()) == []


def test_export_holds_the_documents_and_exposure_lists_them(firm, tmp_path, capsys, monkeypatch):
    from . import githelp

    cid, number = _a_policy(firm)
    source = tmp_path / "a.pdf"
    source.write_bytes(PDF)
    githelp.init(firm.root, monkeypatch, date="2026-01-05T09:00:00+08:00")
    done = documents.attach(_ws(firm), number, source)
    githelp.commit(firm.root, "附加保单", date="2026-02-01T09:00:00+08:00")

    code, _, err = run_cli(capsys, "export", cid)
    assert code == 0, err
    exported = firm.root / "export" / cid / "documents"
    assert (exported / f"{done.document.id}.pdf").read_bytes() == PDF
    assert "kind: 电子保单" in (exported / f"{done.document.id}.yaml").read_text("utf-8")
    assert f"documents/{done.document.id}.pdf" in (
        firm.root / "export" / cid / "index.html"
    ).read_text("utf-8")

    documents.remove(_ws(firm), done.document.id)
    githelp.commit(firm.root, "删除文档", date="2026-03-01T09:00:00+08:00")
    code, out, err = run_cli(capsys, "exposure", cid)
    assert code == 0, err
    assert f"文档 {done.document.id}：自 2026-02-01" in out and "至 2026-03-01" in out


def test_a_record_key_rotation_re_encrypts_documents(firm, tmp_path, capsys):
    from pyrage import x25519

    _, number = _a_policy(firm)
    source = tmp_path / "a.pdf"
    source.write_bytes(PDF)
    done = documents.attach(_ws(firm), number, source)
    content = firm.root / done.path.replace(".yaml.age", ".age")
    before = content.read_bytes()
    other = x25519.Identity.generate()
    assert run_cli(capsys, "member", "add", "other", "-r", str(other.to_public()))[0] == 0
    code, _, err = run_cli(capsys, "member", "remove", "other", "--yes")
    assert code == 0, err
    after = content.read_bytes()
    assert after != before and after.startswith(b"age-encryption.org/v1")  # still binary
    assert documents.original(_ws(firm), done) == PDF
    assert run_cli(capsys, "check")[0] == 0


def test_the_hook_refuses_a_staged_plaintext_document_and_passes_an_attached_one(
    firm, tmp_path, capsys, monkeypatch
):
    from . import githelp

    cid, number = _a_policy(firm)
    githelp.init(firm.root, monkeypatch)
    source = tmp_path / "a.pdf"
    source.write_bytes(PDF)
    documents.attach(_ws(firm), number, source)
    githelp.git(firm.root, "add", "-A")
    code, out, err = run_cli(capsys, "precommit")
    assert code == 0, err
    githelp.git(firm.root, "commit", "-q", "--no-verify", "-m", "附加")
    leaked = firm.root / "records/clients" / cid / "documents/d-00000000.age"
    leaked.write_bytes(PDF)  # a plaintext PDF under a ciphertext name
    githelp.git(firm.root, "add", "-A")
    code, _, err = run_cli(capsys, "precommit")
    assert code == 1 and "提交被拒绝" in err
    assert "documents/d-00000000.age" in err and "未加密的文档（PDF）" in err


def test_a_swapped_or_plaintext_document_in_the_site_is_not_published(tmp_path, capsys):
    from baodan.services.publishcheck import _sealed_document
    from baodan.store.portal_crypto import decrypt_document, encrypt_document
    from cryptography.exceptions import InvalidTag

    code, portal_id = "7K3QX-M2P9D-4HT8W-ZC6NR", "A" * 22
    a = encrypt_document(code, portal_id, "a" * 22, PDF)
    assert encrypt_document(code, portal_id, "a" * 22, PDF) == a  # deterministic
    assert _sealed_document(a) and not _sealed_document(PDF + bytes(65536 - len(PDF) + 28))
    with pytest.raises(InvalidTag):  # a file moved to another name opens nowhere
        decrypt_document(code, portal_id, "b" * 22, a)
    with pytest.raises(InvalidTag):
        decrypt_document(code, "B" * 22, "a" * 22, a)


def test_git_diff_shows_a_document_as_one_line(firm, tmp_path, capsys):
    _, number = _a_policy(firm)
    source = tmp_path / "a.pdf"
    source.write_bytes(PDF)
    done = documents.attach(_ws(firm), number, source)
    content = firm.root / done.path.replace(".yaml.age", ".age")
    code, out, _ = run_cli(capsys, "textconv", str(content))
    assert code == 0
    assert out == f"（文档：PDF，{len(PDF):,} 字节，SHA-256 {hashlib.sha256(PDF).hexdigest()}）\n"
