"""The intake audit: checklist results recorded on the policy; an anomaly holds the policy and
gives the client's manager a task; a passing re-audit releases it. An electronic policy's PDF
signature is checked with pyHanko (signed here with a throwaway self-signed certificate)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import yaml
from baodan.core.pdfsignature import check_pdf, may_be_signed

from . import factories as c
from .helpers import read_record, run_cli, tree_digest

REGNO = "BD-2026-AVDT1"
POLICY = f"records/clients/c-00000001/policies/{REGNO}.yaml.age"


def _pdf(text: bytes = b"Policy sum insured 500000") -> bytes:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter

    w = PdfFileWriter()
    content = w.add_object(generic.StreamObject(stream_data=b"BT 72 720 Td (" + text + b") Tj ET"))
    box = generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 595, 842)])
    w.insert_page(PageObject(contents=content, media_box=box))
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def _signed(pdf: bytes) -> bytes:
    from asn1crypto import keys
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "测试保险股份有限公司")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        signing_key=keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
        cert_registry=None,
    )
    out = signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdf)),
        signers.PdfSignatureMetadata(field_name="Seal"),
        signer=signer,
    )
    return out.getvalue()


@pytest.fixture(scope="module")
def signed_pdf() -> bytes:
    return _signed(_pdf())


def test_pdf_signatures(signed_pdf):
    ok = check_pdf(signed_pdf)
    assert ok.ok and "签名有效，签名后未被改动" in ok.note and "测试保险股份有限公司" in ok.note
    assert "未链到本机信任的根证书" in ok.note  # self-signed: integrity yes, trust no
    altered = signed_pdf.replace(b"500000", b"900000")
    bad = check_pdf(altered)
    assert not bad.ok and "签名后文档内容被改动" in bad.note
    unsigned = check_pdf(_pdf())
    assert not unsigned.ok and unsigned.note == "PDF 里没有数字签名"
    broken = check_pdf(b"not a pdf")
    assert not broken.ok and "不是有效的 PDF" in broken.note


def _with_empty_signature_field(pdf: bytes) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.fields import SigFieldSpec, append_signature_field

    w = IncrementalPdfFileWriter(io.BytesIO(pdf))
    append_signature_field(w, SigFieldSpec(sig_field_name="Seal", box=(10, 10, 100, 60)))
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def test_only_pdfs_with_a_byte_range_are_checked_for_signatures(signed_pdf):
    """The portal skips pyHanko for PDFs ``may_be_signed`` rules out: pyHanko finds no
    signature in any of them (an empty signature field included), and every signed one,
    intact or not, is still checked."""
    from baodan.demo.documents import simple_pdf

    unsigned = [_pdf(), _with_empty_signature_field(_pdf()), simple_pdf(["Policy"], pages=2)]
    for data in unsigned:
        assert not may_be_signed(data)
        assert check_pdf(data).signed is False
    for data in (signed_pdf, signed_pdf.replace(b"500000", b"900000")):
        assert may_be_signed(data) and check_pdf(data).signed


@pytest.fixture
def audited(firm):
    c.reset_clients(firm)
    c.write_client(firm, c.person(), [c.policy(REGNO)])
    return firm


def test_anomaly_holds_the_policy_and_opens_a_task(audited, capsys):
    firm = audited
    code, out, err = run_cli(
        capsys, "audit", REGNO, "--staff", "wang-fang", "--anomaly", "seals=骑缝章不清晰", "--ok"
    )
    assert code == 0, err
    assert "保单已暂缓" in out and "已给客户经理建任务" in out
    text = read_record(firm.root, POLICY, firm.identities)
    assert "status: on_hold" in text and "hold_reason: 初审异常：印章——骑缝章不清晰" in text
    audit = yaml.safe_load(text)["audit"]
    assert {"item": "seals", "ok": False, "note": "骑缝章不清晰"} in audit["items"]
    assert (str(audit["date"]), audit["staff"]) == ("2026-11-27", "wang-fang")
    (task,) = (firm.root / "records/clients/c-00000001/tasks").glob("t-*.yaml.age")
    task_text = read_record(firm.root, task.relative_to(firm.root).as_posix(), firm.identities)
    assert "kind: audit" in task_text and "owner: wang-fang" in task_text
    assert "created_by: wang-fang" in task_text
    assert f"policy: {REGNO}" in task_text and "due: 2026-11-30" in task_text
    assert run_cli(capsys, "check")[0] == 0

    # Proof collected: the re-audit passes, the hold lifts and the task is done.
    code, out, _ = run_cli(capsys, "audit", REGNO, "--staff", "wang-fang", "--ok")
    assert code == 0 and "保单恢复有效" in out and task.stem.removesuffix(".yaml") in out
    text = read_record(firm.root, POLICY, firm.identities)
    assert "status: active" in text and "hold_reason" not in text
    task_text = read_record(firm.root, task.relative_to(firm.root).as_posix(), firm.identities)
    assert "status: done" in task_text and "closed_on: 2026-11-27" in task_text


def test_unchecked_items_or_unknown_codes_write_nothing(audited, capsys):
    before = tree_digest(audited.root)
    code, _, err = run_cli(capsys, "audit", REGNO, "--staff", "wang-fang")
    assert code == 1 and "还有检查项没有结果：格式完整性、印章" in err and "--ok" in err
    code, _, err = run_cli(capsys, "audit", REGNO, "--staff", "wang-fang", "--anomaly", "stamp=x")
    assert code == 1 and "没有“stamp”这一项" in err and "只能是：格式完整性、印章" in err
    code, _, err = run_cli(capsys, "audit", REGNO, "--staff", "nobody", "--ok")
    assert code == 1 and "没有员工“nobody”" in err
    assert tree_digest(audited.root) == before


def test_electronic_policy_with_its_pdf(firm, capsys, signed_pdf, tmp_path):
    c.reset_clients(firm)
    electronic = c.policy(
        REGNO, intake={**c.policy("x")["intake"], "medium": "electronic", "original_location": None}
    )
    del electronic["intake"]["original_location"]
    c.write_client(firm, c.person(), [electronic])
    good, bad = tmp_path / "good.pdf", tmp_path / "bad.pdf"
    good.write_bytes(signed_pdf)
    bad.write_bytes(signed_pdf.replace(b"500000", b"900000"))

    code, out, err = run_cli(
        capsys, "audit", REGNO, "--pdf", str(good), "--ok", "--staff", "wang-fang"
    )
    assert code == 0, err
    assert "审核通过" in out
    assert "签名有效" in read_record(firm.root, POLICY, firm.identities)

    code, out, _ = run_cli(
        capsys, "audit", REGNO, "--pdf", str(bad), "--ok", "--staff", "wang-fang"
    )
    assert code == 0 and "保单已暂缓" in out
    text = read_record(firm.root, POLICY, firm.identities)
    assert "hold_reason: 初审异常：数字签名——签名已失效" in text


def test_check_catches_a_hand_edited_audit(firm, capsys):
    c.reset_clients(firm)
    edited = c.policy(
        REGNO,
        audit={"date": "2026-11-20", "staff": "nobody", "items": [{"item": "stamp", "ok": True}]},
    )
    c.write_client(firm, c.person(), [edited])
    code, _, err = run_cli(capsys, "check")
    assert code == 1
    assert "字段 audit.staff: 没有员工“nobody”" in err
    assert "字段 audit.items[0].item: 检查清单里没有“stamp”" in err and "seals" in err


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n" + b"\0" * 64,  # a photo of the policy, renamed
        b"<html>" + b" " * 2000 + b"%PDF-1.7</html>",  # the marker, but not at the start
        b"",
    ],
)
def test_a_file_that_is_not_a_pdf_is_refused_and_the_policy_stays_as_it_was(
    firm, capsys, tmp_path, content
):
    c.reset_clients(firm)
    electronic = c.policy(
        REGNO, intake={**c.policy("x")["intake"], "medium": "electronic", "original_location": None}
    )
    del electronic["intake"]["original_location"]
    c.write_client(firm, c.person(), [electronic])
    fake = tmp_path / "保单.pdf"  # the name says PDF; the bytes don't
    fake.write_bytes(content)
    before = tree_digest(firm.root)
    code, out, err = run_cli(
        capsys, "audit", REGNO, "--pdf", str(fake), "--ok", "--staff", "wang-fang"
    )
    assert code == 1
    assert "--pdf：这个文件不是 PDF" in err and "保单状态未变" in err
    assert "暂缓" not in out
    assert tree_digest(firm.root) == before


def test_an_anomaly_needs_its_description(audited, capsys):
    before = tree_digest(audited.root)
    for flag in ("seals", "seals=", "seals=  "):
        code, _, err = run_cli(
            capsys, "audit", REGNO, "--staff", "wang-fang", "--anomaly", flag, "--ok"
        )
        assert code == 1 and "异常项要写说明：seals（印章）" in err and "seals=骑缝章不清晰" in err
    assert tree_digest(audited.root) == before


def test_check_flags_an_anomaly_without_a_description(firm, capsys):
    c.reset_clients(firm)
    edited = c.policy(
        REGNO,
        audit={
            "date": "2026-11-20",
            "staff": "wang-fang",
            "items": [{"item": "seals", "ok": False}],
        },
    )
    c.write_client(firm, c.person(), [edited])
    code, _, err = run_cli(capsys, "check")
    assert code == 1 and "audit.items[0].note" in err and "异常项要写说明" in err


def test_the_interactive_audit_asks_again_for_an_empty_description(audited, capsys, monkeypatch):
    monkeypatch.setattr("baodan.cli.policy._interactive", lambda: True)
    # format_complete: fine; seals: not fine, a blank description, then one; the rest fine
    monkeypatch.setattr("sys.stdin", io.StringIO("y\nn\n\n骑缝章不清晰\ny\ny\n"))
    code, out, err = run_cli(capsys, "audit", REGNO, "--staff", "wang-fang")
    assert code == 0, err
    assert "异常项要写说明" in out and "保单已暂缓" in out
    text = read_record(audited.root, POLICY, audited.identities)
    assert "hold_reason: 初审异常：印章——骑缝章不清晰" in text
