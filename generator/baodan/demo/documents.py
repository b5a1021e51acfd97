"""Small documents made from nothing but their text (the demo firm's, and tests'): a PDF
and a PNG, the same bytes every time for the same input."""

from __future__ import annotations

import io


def simple_pdf(lines: list[str], pages: int = 1) -> bytes:
    """A valid PDF of ``pages`` pages showing ``lines`` (ASCII) in Helvetica."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]  # the page tree is filled in below
    kids = []
    for n in range(pages):
        text = "".join(
            f"BT /F1 14 Tf 72 {760 - 22 * i} Td ({_pdf_text(line)}) Tj ET\n"
            for i, line in enumerate([*lines, f"Page {n + 1} of {pages}"])
        ).encode("ascii")
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text))
        content = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
            b"/Resources << /Font << /F1 3 0 R >> >> >>" % content
        )
        kids.append(len(objects))
    objects.insert(2, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    kids = [k + 1 for k in kids]  # the font went in before them
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        pages,
    )
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (i, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % o for o in offsets)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def _pdf_text(line: str) -> str:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def simple_png(lines: list[str], size: tuple[int, int] = (600, 400)) -> bytes:
    """A white PNG picture with ``lines`` written on it, as a phone photo of a paper
    policy stands in for one."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((8, 8, size[0] - 9, size[1] - 9), outline=(40, 80, 160), width=4)
    for i, line in enumerate(lines):
        draw.text((32, 32 + 28 * i), line, fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
