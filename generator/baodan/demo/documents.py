"""Small documents made from nothing but their text (the demo firm's, and tests'): a PDF
and a PNG, the same bytes every time for the same input."""

from __future__ import annotations

import hashlib
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


def demo_documents(files: dict[str, str]) -> dict[str, bytes]:
    """The demo firm's documents, made from its rendered records ``files``: for the first
    client (by id) with a portal, an electronic policy's PDF and a paper policy's photo;
    for the first paid claim of such a client, the insurer's decision. {path: plaintext}:
    each document's record (``.yaml.age``) and its file (``.age``), the same every time."""
    import yaml

    from baodan.core import yamlio
    from baodan.core.filetypes import sniff

    out: dict[str, bytes] = {}
    clients = sorted(rel.split("/")[2] for rel in files if rel.endswith("/client.yaml.age"))

    def with_portal():
        for client in clients:
            data = yamlio.load(files[f"records/clients/{client}/client.yaml.age"])
            if data.get("portal") and not data.get("left_on"):
                yield client

    slots: dict[tuple[str, str], list[str]] = {}
    for rel in sorted(files):
        parts = rel.split("/")
        if len(parts) == 5 and parts[1] == "clients":
            slots.setdefault((parts[2], parts[3]), []).append(rel)

    def of(client: str, slot: str) -> list[dict]:
        return [yamlio.load(files[rel]) for rel in slots.get((client, slot), [])]

    def add(client: str, policy: dict, kind: str, data: bytes, pages: int, claim=None) -> None:
        doc_id = "d-" + hashlib.sha256(f"{policy['registry_no']}:{kind}".encode()).hexdigest()[:8]
        record = {
            "id": doc_id,
            "kind": kind,
            "policy": policy["registry_no"],
            **({"claim": claim["id"]} if claim else {}),
            "media_type": sniff(data),
            "pages": pages,
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "added_on": (claim["stages"][-1]["date"] if claim else policy["intake"]["received_on"]),
            "added_by": claim["handler"] if claim else policy["intake"]["received_by"],
        }
        folder = f"records/clients/{client}/documents/{doc_id}"
        text = yaml.safe_dump(record, allow_unicode=True, sort_keys=False)
        out[f"{folder}.yaml.age"] = text.encode("utf-8")
        out[f"{folder}.age"] = data

    for client in with_portal():
        policies = of(client, "policies")
        electronic = [p for p in policies if p["intake"].get("medium") == "electronic"]
        paper = [p for p in policies if p["intake"].get("medium") != "electronic"]
        if electronic and paper:
            e, p = electronic[0], paper[0]
            add(client, e, "电子保单", simple_pdf(_lines(e), pages=2), 2)
            add(client, p, "保单扫描件", simple_png(_lines(p), (900, 600)), 1)
            break
    for client in with_portal():
        paid = [c for c in of(client, "claims") if c["stages"][-1]["stage"] == "paid"]
        if paid:
            claim = paid[0]
            policy = next(p for p in of(client, "policies") if p["registry_no"] == claim["policy"])
            decision = simple_pdf([*_lines(policy), f"Claim {claim['id']}: paid"])
            add(client, policy, "理赔决定书", decision, 1, claim)
            break
    return out


def _lines(policy: dict) -> list[str]:
    """What a demo document says (ASCII: the PDF's standard font has no Chinese)."""
    return [
        "DEMO - fictional policy",
        f"Registry no. {policy['registry_no']}",
        f"Policy no. {policy['policy_no']}",
        f"Insurer: {policy['insurer']}",
        f"Effective {policy['effective']}",
    ]
