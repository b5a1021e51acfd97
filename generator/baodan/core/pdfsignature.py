"""Check the digital signatures of an electronic policy (PDF) with pyHanko, offline.

What can be known without the insurer: whether each signature is intact and whether the
document was changed after signing. Whether the signer's certificate chains to a trusted
root is reported too; insurers' certificates often come from CAs a computer does not trust
by default, so the audit checklist keeps a separate step to verify the policy online.
"""

from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass

from baodan.core.errors import BaodanError

# Changes a signed PDF may carry after signing without invalidating it.
ALLOWED_AFTER_SIGNING = ("NONE", "LTA_UPDATES", "FORM_FILLING")


@dataclass(frozen=True)
class SignatureCheck:
    ok: bool
    note: str
    signed: bool = True  # False: the PDF carries no signature at all


def is_pdf(data: bytes) -> bool:
    """The file starts as a PDF does ("%PDF-" within the first 1,024 bytes, where readers
    accept it), whatever its name says."""
    return b"%PDF-" in data[:1024]


def may_be_signed(data: bytes) -> bool:
    """Whether ``data`` may hold a signature ``check_pdf`` finds; False only when it cannot.

    Every signature pyHanko reports is a signature field's value with a /ByteRange entry
    (pyHanko reads no other: EmbeddedPdfSignature fails without it), and ISO 32000-1 12.8.1
    wants that value a dictionary of direct objects in the file's own bytes: the byte range
    names the offsets around its /Contents, which a compressed object stream has none of.
    So a PDF without the bytes "/ByteRange" is unsigned, and its check (pyHanko's import
    alone is half a second in a fresh process) can be skipped. A file that hides the name
    in a compressed stream or spells it with #-escapes breaks the spec; at worst it is
    shown as unsigned, which a signature's removal gives anyway."""
    return b"/ByteRange" in data


def _pyhanko():
    try:
        from pyhanko.pdf_utils.misc import PdfError
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.validation import validate_pdf_signature
        from pyhanko_certvalidator import ValidationContext
    except ImportError:
        raise BaodanError(
            "没有安装 pyHanko，无法检查 PDF 的数字签名", "运行 pip install pyhanko 后再试"
        ) from None
    return PdfFileReader, PdfError, validate_pdf_signature, ValidationContext


def check_pdf(data: bytes) -> SignatureCheck:
    """Every signature in the PDF intact and covering the document as signed."""
    reader_cls, pdf_error, validate, context = _pyhanko()
    try:
        signatures = reader_cls(io.BytesIO(data), strict=False).embedded_signatures
    except pdf_error as e:
        return SignatureCheck(False, f"文件不是有效的 PDF，无法读取（{type(e).__name__}）")
    if not signatures:
        return SignatureCheck(False, "PDF 里没有数字签名", signed=False)
    notes = []
    ok = True
    # pyHanko logs a traceback for every untrusted certificate; the result says it already.
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)
    for sig in signatures:
        with warnings.catch_warnings():
            # The system's trust list is what a staff member's computer trusts; pyHanko
            # warns that relying on it implicitly is deprecated.
            warnings.simplefilter("ignore", DeprecationWarning)
            status = validate(sig, context(allow_fetching=False))
        subject = status.signing_cert.subject.native
        who = subject.get("organization_name") or subject.get("common_name") or "未知"
        if not status.intact or not status.valid:
            ok = False
            notes.append(f"签名已失效：签名后文档内容被改动（签名人：{who}）")
        elif status.modification_level is None or (
            status.modification_level.name not in ALLOWED_AFTER_SIGNING
        ):
            ok = False
            notes.append(f"签名完整，但签名后文档又被修改（签名人：{who}）")
        else:
            trust = (
                "证书可信"
                if status.trusted
                else "证书未链到本机信任的根证书（自签名或未知机构），请到保险公司官网验真"
            )
            notes.append(f"签名有效，签名后未被改动（签名人：{who}；{trust}）")
    return SignatureCheck(ok, "；".join(notes))
